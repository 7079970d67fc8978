"""Helpers of the `plumber check` tests: sample Go files, writing files, running the command in-process."""

from __future__ import annotations

import os
import re
import sys

from plumber.main import main

PLUMBER = [sys.executable, "-m", "plumber"]
LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[a-z-]+): (?P<msg>.+)$")

LEAKY = """\
package leaky

import (
	"net/http"
	"os"
)

func open(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	_ = f
	return nil
}

func get(url string) (int, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}
"""

CLEAN = """\
package clean

import "os"

func open(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	return f.Close()
}
"""


def write(path, text: str | bytes) -> str:
    os.makedirs(os.path.dirname(str(path)), exist_ok=True)
    with open(path, "wb") as f:
        f.write(text.encode() if isinstance(text, str) else text)
    return str(path)


def run(args: list[str], capsys, registry=None) -> tuple[int, str, str]:
    status = main(["check", *args], registry)
    out, err = capsys.readouterr()
    return status, out, err
