"""A real VS Code (code-server 4.139) with the built .vsix, driven by Chromium.

`make editors-setup` (tests/editors/setup_editors.sh) installs chromium, libkrb5-dev, node 24 and
code-server once into a cache (~/.cache/plumber-e2e, about 2 minutes the first time); without them
these tests skip, naming what is missing (editorutil.missing; they fail instead under
PLUMBER_REQUIRE_EDITORS=1, as in CI). vscode-client/build.sh builds the
.vsix; code-server --install-extension installs it into a temporary extensions dir; then
tests/editors/vscode/drive.mjs (playwright-core + /usr/bin/chromium, headless) opens main.go from
the Explorer, waits for the squiggle and the Problems entry, applies the quick fix from the
Ctrl+. menu, saves, and waits for the Problems entry to go; then loads a goroutineleak profile
with "Plumber: Load Goroutine Profile..." (its leaked-goroutine entry appears) and clears it with
"Plumber: Clear Goroutine Profile" (the entry goes). The heap test opens the heapleak program's
checkout (tests/runtime/heapleakutil.py), loads its heap profile with "Plumber: Load Heap Profile...",
compares it with "Plumber: Compare Heap Profile With Base...", and reads the heap-growth entries, the
confirmed static findings, the code lens and the chart (artifacts/vscode/heap/heap-chart.png); a click on
a bar opens its line. Screenshots: artifacts/vscode/.

Set PLUMBER_SKIP_VSCODE=1 to leave these tests out (they are the slowest of the suite).
"""

from __future__ import annotations

import glob
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile

import pytest
from editorutil import (
    CLIENT,
    E2E,
    FIX_TITLE,
    MESSAGE,
    ROOT,
    chromium,
    client_modules_missing,
    code_server_missing,
    golden,
    missing,
    plumber_command,
    tool_path,
)
from heapleakutil import PINNED_TEXT

ARTEFACTS = os.path.join(ROOT, "artifacts", "vscode")


@pytest.fixture(scope="session", autouse=True)
def not_left_out():
    if os.environ.get("PLUMBER_SKIP_VSCODE") == "1":
        missing("PLUMBER_SKIP_VSCODE=1")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd, **kw) -> str:
    r = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, **kw)
    assert r.returncode == 0, f"{cmd} failed ({r.returncode}):\n{r.stdout[-4000:]}\n{r.stderr[-4000:]}"
    return r.stdout


# Session-scoped, like the heapleak build the heap test also takes, so that a missing prerequisite
# skips before that build starts.
@pytest.fixture(scope="session")
def client_modules():
    """node, npm and vscode-client's npm packages (esbuild, vsce, playwright-core)."""
    why = client_modules_missing()
    if why:
        missing(why)


@pytest.fixture(scope="session")
def code_server_install(client_modules):
    """(node 24's bin dir, code-server, Chromium), as `make editors-setup` installs them."""
    browser = chromium()
    if browser is None:
        missing("no Chromium (chromium on PATH or PLUMBER_CHROMIUM; `make editors-setup` installs it with apt as root)")
    why, found = code_server_missing()
    if why:
        missing(why)
    assert found is not None
    return (*found, browser)


@pytest.fixture(scope="module")
def vsix(client_modules):
    """The universal .vsix: the extension and the Plumber wheel (installed on request, from PyPI)."""
    run(["bash", os.path.join(CLIENT, "build.sh")], timeout=600)
    version = json.load(open(os.path.join(CLIENT, "package.json")))["version"]
    path = os.path.join(CLIENT, f"plumber-{version}.vsix")
    assert os.path.exists(path)
    return path


@pytest.fixture(scope="module")
def vsix_linux_x64(client_modules):
    """The linux-x64 .vsix: also the server and its Python libraries (tree-sitter per Python version)."""
    if sys.platform != "linux" or platform.machine() not in ("x86_64", "AMD64"):
        missing(f"the bundled-server test runs the linux-x64 .vsix, not for {sys.platform} {platform.machine()}")
    run(["bash", os.path.join(CLIENT, "build.sh")], timeout=900, env=dict(os.environ, TARGET="linux-x64"))
    version = json.load(open(os.path.join(CLIENT, "package.json")))["version"]
    path = os.path.join(CLIENT, f"plumber-linux-x64-{version}.vsix")
    assert os.path.exists(path)
    return path


def vsix_files(path: str) -> dict[str, int]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: i.file_size for i in z.infolist()}


def test_vsix_contents(vsix, vsix_linux_x64):
    """Both: the icon, the repository, no source map referenced; the platform one: the libraries."""
    for path in (vsix, vsix_linux_x64):
        files = vsix_files(path)
        with zipfile.ZipFile(path) as z:
            pkg = json.loads(z.read("extension/package.json"))
            js = z.read("extension/dist/extension.js").decode()
            manifest = z.read("extension.vsixmanifest").decode()
        assert pkg["icon"] == "images/icon.png" and "extension/images/icon.png" in files
        assert pkg["repository"]["url"].startswith("https://github.com/")
        assert "sourceMappingURL" not in js or "extension/dist/extension.js.map" in files
        assert any(f.startswith("extension/bundled/plumber_lsp-") and f.endswith(".whl") for f in files)
        platform_build = path == vsix_linux_x64
        assert ('TargetPlatform="linux-x64"' in manifest) is platform_build
        assert any(f.startswith("extension/bundled/libs/") for f in files) is platform_build
    files = vsix_files(vsix_linux_x64)
    for tag in ("cp311", "cp312", "cp313"):
        assert f"extension/bundled/libs/{tag}/tree_sitter/__init__.py" in files, tag
    for module in (
        "plumber/__init__.py",
        "plumber/docs/checks/unclosed-file.md",
        "pygls/__init__.py",
        "lsprotocol/types.py",
        "tree_sitter_go/__init__.py",
        "google/protobuf/__init__.py",
    ):
        assert f"extension/bundled/libs/common/{module}" in files, module
    print(
        f"vsix sizes: universal {os.path.getsize(vsix) / 1e6:.1f} MB, "
        f"linux-x64 {os.path.getsize(vsix_linux_x64) / 1e6:.1f} MB"
    )


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


def vscode_session(
    install, vsix, workspace, tmp_path, artefacts, scenario, machine_settings, *drive_args, extra_env=None
):
    """Installs the .vsix, starts code-server, runs drive.mjs <scenario> ... <drive_args>, stops everything.

    Returns the steps drive.mjs reported and the user-data dir."""
    node_bin, code_server, browser = install
    user_data = tmp_path / "user-data"
    extensions = tmp_path / "extensions"
    (user_data / "User").mkdir(parents=True)
    (user_data / "User" / "settings.json").write_text(json.dumps(USER_SETTINGS))
    # Machine-scoped settings (plumber.path, plumber.interpreter): a remote VS Code such as
    # code-server reads them from Machine/settings.json, not from User/.
    (user_data / "Machine").mkdir()
    (user_data / "Machine" / "settings.json").write_text(json.dumps(machine_settings))
    env = dict(os.environ)
    env.update(
        PATH=node_bin + os.pathsep + tool_path(),
        XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
        XDG_DATA_HOME=str(tmp_path / "xdg-data"),
        PLUMBER_CHROMIUM=browser,
        **(extra_env or {}),
    )
    common = ["--user-data-dir", str(user_data), "--extensions-dir", str(extensions)]
    run([code_server, *common, "--install-extension", vsix], env=env, timeout=300)
    assert glob.glob(str(extensions / "plumber-lsp.plumber-*" / "bundled" / "*.whl"))

    port = free_port()
    config = tmp_path / "config.yaml"
    config.write_text(f"bind-addr: 127.0.0.1:{port}\nauth: none\ncert: false\n")
    log = open(tmp_path / "code-server.log", "w")
    server = subprocess.Popen(
        [
            code_server,
            "--config",
            str(config),
            "--disable-telemetry",
            "--disable-update-check",
            "--disable-workspace-trust",
            "--disable-getting-started-override",
            *common,
            str(workspace),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
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
            [
                os.path.join(node_bin, "node"),
                os.path.join(E2E, "vscode", "drive.mjs"),
                scenario,
                url,
                str(workspace),
                str(artefacts),
                *drive_args,
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            stdin=subprocess.DEVNULL,
        )
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
    by, _ = vscode_session(
        code_server_install,
        vsix,
        go_workspace,
        tmp_path,
        artefacts,
        "quickfix",
        {"plumber.path": plumber_command()},
        str(leak),
    )
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
    for n in (
        "01-explorer",
        "02-squiggle",
        "03-problems",
        "04-quickfix-menu",
        "05-fixed",
        "06-clean",
        "07-severity-error",
        "08-fix-all-command",
        "09-fixed-all",
        "10-load-profile-command",
        "11-load-profile-source",
        "12-load-profile-file",
        "13-profile-loaded",
        "14-profile-cleared",
    ):
        assert os.path.exists(os.path.join(artefacts, n + ".png"))
    # Plumber: Show Logs: the server's log lines keep their level; a clean session logs no error.
    [log] = glob.glob(os.path.join(artefacts, "logs", "*", "exthost1", "plumber-lsp.plumber", "Plumber.log"))
    text = open(log, encoding="utf-8").read()
    assert "[info] starting the server (plumber.path)" in text
    assert "[info] [server]" in text and "[error]" not in text, text
    print(f"vscode quick fix: {time.monotonic() - started:.1f}s (steps: {list(by.values())})")


def test_vscode_heap_profile_through_the_ui(code_server_install, vsix, heapleak, tmp_path):
    """The heapleak program's checkout (tests/runtime/heapleakutil.py: built, run and profiled with the
    real Go toolchain): its heap profiles loaded and compared through the UI, the chart drawn."""
    started = time.monotonic()
    artefacts = os.path.join(ARTEFACTS, "heap")
    workspace = tmp_path / "heapleak"
    shutil.copytree(heapleak.workspace, workspace)
    substring, cached = heapleak.grow["substring"], heapleak.grow["map"]
    by, _ = vscode_session(
        code_server_install,
        vsix,
        workspace,
        tmp_path,
        artefacts,
        "heap",
        {"plumber.path": plumber_command()},
        heapleak.path("file-after.pb.gz"),
        heapleak.path("file-before.pb.gz"),
        str(cached),  # the line to scroll to, for the lenses
    )
    assert any("unbounded-cache" in p for p in by["static"]["problems"]), by["static"]
    # Plumber: Load Heap Profile...: what the lines hold, in the Problems panel and the chart
    loaded = by["heap_loaded"]
    assert any(
        "heap-growth" in p and "in use here" in p and "of the heap in use" in p and f"Ln {substring}," in p
        for p in loaded["problems"]
    ), loaded
    assert "heap profile" in loaded["notification"] and "file-after.pb.gz" in loaded["notification"], loaded
    assert loaded["title"] == "Heap in use"
    # Plumber: Compare Heap Profile With Base...: the growth, the static findings confirmed, the lens
    compared = by["heap_compared"]
    problems = compared["problems"]
    assert any(
        f"{PINNED_TEXT} in use since the base profile" in p and "heap-growth" in p and f"Ln {substring}," in p
        for p in problems
    ), problems
    assert any("unbounded-cache" in p and "(confirmed: +4.0 MiB live here in the heap profile)" in p for p in problems)
    assert any(
        "substring-retention" in p and f"(confirmed: {PINNED_TEXT} live in the heap profile where the large string" in p
        for p in problems
    )
    assert any(t.startswith(f"{PINNED_TEXT} in use since the base profile, ") for t in compared["lenses"]), compared
    first, second = compared["bars"][:2]
    assert f"main.go:{substring}" in first and PINNED_TEXT in first and "confirms substring-retention" in first
    assert f"main.go:{cached}" in second and "+4.0 MiB" in second and "confirms unbounded-cache" in second
    # the small growth no check explains (the heads slice) is orange: "look here first"
    assert compared["unexplained"] == sum("no static finding" in b for b in compared["bars"]) >= 1
    # a click on the longest bar put the cursor on its line
    assert by["bar_opened"]["selection"].startswith(f"Ln {substring}, Col 1"), by["bar_opened"]
    # Plumber: Clear Heap Profile: the entries go (drive.mjs also waited for the chart and the lenses)
    assert not any("heap-growth" in p for p in by["heap_cleared"]["problems"])
    assert not any("(confirmed: " in p for p in by["heap_cleared"]["problems"])
    for n in (
        "02-static-findings",
        "03-load-heap-command",
        "05-load-heap-file",
        "06-heap-loaded",
        "07-compare-heap-command",
        "09-compare-heap-file",
        "10-heap-compared",
        "11-heap-bar-opened",
        "12-heap-cleared",
        "heap-chart",
    ):
        assert os.path.exists(os.path.join(artefacts, n + ".png")), n
    assert os.path.getsize(os.path.join(artefacts, "heap-chart.png")) > 10_000  # a picture, not a blank
    [log] = glob.glob(os.path.join(artefacts, "logs", "*", "exthost1", "plumber-lsp.plumber", "Plumber.log"))
    assert "[error]" not in open(log, encoding="utf-8").read()
    print(f"vscode heap profile: {time.monotonic() - started:.1f}s (steps: {list(by.values())})")


def test_vscode_installs_the_server_into_a_private_environment(code_server_install, vsix, go_workspace, tmp_path):
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


# No network for the extension host and what it starts: pip may use no index, and any HTTP(S) goes
# to a port nothing listens on.
OFFLINE = {
    "PIP_NO_INDEX": "1",
    "PIP_FIND_LINKS": "",
    "http_proxy": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "no_proxy": "",
    "NO_PROXY": "",
}


def test_vscode_bundled_server_offline(code_server_install, vsix_linux_x64, go_workspace, tmp_path):
    """The linux-x64 .vsix with no plumber anywhere and no network: the server it carries runs with the
    first Python 3.11+ found; nothing is installed; the status item shows only for Go editors."""
    started = time.monotonic()
    artefacts = os.path.join(ARTEFACTS, "bundled")
    by, user_data = vscode_session(
        code_server_install, vsix_linux_x64, go_workspace, tmp_path, artefacts, "bundled", {}, extra_env=OFFLINE
    )
    assert "ready" in by["squiggle"]["status"]
    assert "hidden_for_go_mod" in by and "ready" in by["shown_for_main_go"]["status"]
    [log] = glob.glob(os.path.join(artefacts, "logs", "*", "exthost1", "plumber-lsp.plumber", "Plumber.log"))
    text = open(log, encoding="utf-8").read()
    assert re.search(r"starting the server \(bundled, PATH cp3\d+\): \S*python3\S* -m plumber serve", text), text
    assert "[info] $ " not in text and "not found" not in text  # no venv, no pip, no offer
    assert "[error]" not in text, text
    assert not (user_data / "User" / "globalStorage" / "plumber-lsp.plumber" / "venv").exists()
    print(f"vscode bundled server offline: {time.monotonic() - started:.1f}s")


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
    by, _ = vscode_session(
        code_server_install,
        vsix,
        go_workspace,
        tmp_path,
        artefacts,
        "install-fails",
        {"plumber.interpreter": str(python)},
    )
    assert "the pip output is in the log" in by["failed"]["text"]
    assert "error" in by["failed"]["status"]
    [log] = glob.glob(os.path.join(artefacts, "logs", "*", "exthost1", "plumber-lsp.plumber", "Plumber.log"))
    text = open(log, encoding="utf-8").read()
    assert "Could not find a version that satisfies the requirement pygls" in text
    assert "[error] installing Plumber failed" in text
    print(f"vscode failed install: {time.monotonic() - started:.1f}s")


def test_plumber_path_command_lines(client_modules, tmp_path):
    """plumber.path is a command line: the extension's splitter, run under node."""
    out = tmp_path / "commandline.mjs"
    run(
        [
            os.path.join(CLIENT, "node_modules", ".bin", "esbuild"),
            os.path.join(CLIENT, "src", "commandline.ts"),
            "--format=esm",
            f"--outfile={out}",
        ]
    )
    cases = {
        "/home/me/.venv/bin/plumber": ["/home/me/.venv/bin/plumber"],
        "  python3   -m plumber ": ["python3", "-m", "plumber"],
        '"/opt/my tools/plumber" --flag': ["/opt/my tools/plumber", "--flag"],
        "'/opt/it''s/plumber'": ["/opt/its/plumber"],
        r"/opt/my\ tools/plumber": ["/opt/my tools/plumber"],
        '"a\\"b" ""': ['a"b', ""],
        "": [],
    }
    script = (
        f"import {{ splitCommandLine }} from {json.dumps(str(out))};\n"
        f"const cases = {json.dumps(cases)};\n"
        "console.log(JSON.stringify(Object.keys(cases).map((c) => splitCommandLine(c))));\n"
    )
    got = json.loads(run(["node", "--input-type=module", "-e", script]))
    assert dict(zip(cases, got, strict=False)) == cases


def test_heap_chart_is_drawn_from_the_servers_json(client_modules, tmp_path):
    """The chart page (heapchart.ts) under node: one bar per site, longest first, sized by the growth;
    orange where no static finding explains it; text escaped; nothing loaded from elsewhere."""
    out = tmp_path / "heapchart.mjs"
    run(
        [
            os.path.join(CLIENT, "node_modules", ".bin", "esbuild"),
            os.path.join(CLIENT, "src", "heapchart.ts"),
            "--format=esm",
            f"--outfile={out}",
        ]
    )
    site = {
        "path": "/ws/a.go",
        "line": 7,
        "function": "example.com/m.grow",
        "value": 4096,
        "base": 0,
        "delta": 4096,
        "amount": "+4.0 KiB",
        "share": 0.6667,
        "message": "+4.0 KiB in use since the base profile, 67% of the growth",
        "callPath": [{"path": "/ws/a.go", "line": 3, "function": "main.main"}],
        "callPaths": 1,
        "static": [{"code": "unbounded-cache", "line": 7, "message": "..."}],
    }
    other = dict(
        site, path="/ws/<b>.go", line=9, delta=2048, value=2048, amount="+2.0 KiB", share=0.005, static=[], callPath=[]
    )
    summary = {
        "kind": "heap",
        "source": "after.pb.gz",
        "base": "before.pb.gz",
        "sample": "inuse_space",
        "unit": "bytes",
        "total": 8192,
        "baseTotal": 2048,
        "growth": 6144,
        "unplaced": 0,
        "headline": "8.0 KiB in use, +6.0 KiB since the base profile",
        "findings": 2,
        "files": ["/ws/a.go", "/ws/<b>.go"],
        "ambiguous": [],
        "sites": [site, other],
    }
    script = (
        f"import {{ chartHtml, isHeapSummary }} from {json.dumps(str(out))};\n"
        f"const s = {json.dumps(summary)};\n"
        "const html = chartHtml(s, { nonce: 'N0nce', cspSource: 'vscode-resource:', "
        "relative: (p) => p.replace('/ws/', ''), selected: 1 });\n"
        "const alloc = chartHtml({ ...s, sample: 'alloc_space' }, "
        "{ nonce: 'n', cspSource: 'x', relative: (p) => p });\n"
        "const ok = isHeapSummary(s), notOk = isHeapSummary({ kind: 'goroutine' });\n"
        "console.log(JSON.stringify({ html, alloc, ok, notOk }));\n"
    )
    got = json.loads(run(["node", "--input-type=module", "-e", script]))
    html = got["html"]
    assert got["ok"] and not got["notOk"]
    assert "<h1>Heap growth since the base profile</h1>" in html
    groups = re.findall(r'<g class="site ([a-z ]+)" data-index="(\d)"', html)
    assert groups == [("explained", "0"), ("unexplained selected", "1")]
    assert re.findall(r'<rect class="bar" x="41%" y="5" width="([\d.]+)%"', html) == ["30.00", "15.00"]
    assert "confirms unbounded-cache (line 7)" in html and "no static finding: look here first" in html
    assert ">67%<" in html and ">&lt;1%<" in html
    assert "&lt;b&gt;.go:9" in html and "<b>" not in html  # the path is text, not markup
    assert "main.main → m.grow" in html  # the call path, outermost first, down to the site
    assert "script-src 'nonce-N0nce'" in html and '<script nonce="N0nce">' in html
    assert not re.search(r"(src|href)=\"https?:", html)  # offline: nothing fetched
    # allocations, freed or not, confirm nothing: no "look here first" on an allocs profile
    alloc = got["alloc"]
    assert re.findall(r'<g class="site ([a-z ]+)"', alloc) == ["allocated", "allocated"]
    assert "look here first" not in alloc and "confirms " not in alloc and "freed or not" in alloc
