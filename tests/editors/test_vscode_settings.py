"""package.json's settings and the server's settings schema stay in step."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from plumber.core.settings import parse_settings
from plumber.diagnostics import CHECKS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLIENT = os.path.join(ROOT, "vscode-client")


def package_json() -> dict:
    with open(os.path.join(CLIENT, "package.json"), encoding="utf-8") as f:
        return json.load(f)


def test_package_json_is_generated_from_the_server_schema():
    r = subprocess.run(
        [sys.executable, os.path.join(CLIENT, "sync_settings.py"), "--check"], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr


def test_every_check_has_settings_with_its_defaults():
    props = package_json()["contributes"]["configuration"]["properties"]
    checks = props["plumber.checks"]["properties"]
    assert set(checks) == {c.code for c in CHECKS}
    for c in CHECKS:
        assert checks[c.code]["properties"]["enabled"]["default"] is c.enabled
        assert checks[c.code]["properties"]["severity"]["default"] == c.severity.label


def test_the_server_accepts_every_value_the_settings_ui_can_produce():
    props = package_json()["contributes"]["configuration"]["properties"]
    known = {c.code for c in CHECKS}
    checks = props["plumber.checks"]["properties"]
    for code, schema in checks.items():
        for severity in schema["properties"]["severity"]["enum"]:
            for enabled in (True, False):
                obj = {
                    "debounce": props["plumber.debounce"]["default"],
                    "checks": {code: {"enabled": enabled, "severity": severity}},
                }
                settings, warnings = parse_settings(obj, "vscode", known)
                assert warnings == []
                assert settings.checks[code].enabled is enabled
                assert settings.checks[code].severity.label == severity
    # the defaults as VS Code sends them, in both shapes the server accepts
    defaults = {"debounce": props["plumber.debounce"]["default"], "checks": props["plumber.checks"]["default"]}
    assert parse_settings(defaults, "vscode", known)[1] == []
    assert parse_settings({"plumber": defaults}, "vscode", known)[1] == []


def test_the_extension_forwards_exactly_the_server_settings():
    src = open(os.path.join(CLIENT, "src", "extension.ts"), encoding="utf-8").read()
    m = re.search(r"const SERVER_SETTINGS = \[([^\]]*)\]", src)
    assert m, "SERVER_SETTINGS not found in extension.ts"
    forwarded = re.findall(r'"([^"]+)"', m.group(1))
    props = package_json()["contributes"]["configuration"]["properties"]
    server_side = sorted(
        k.removeprefix("plumber.")
        for k in props
        if k not in ("plumber.path", "plumber.interpreter", "plumber.trace.server")
    )
    assert sorted(forwarded) == server_side


def test_commands_and_activation():
    pkg = package_json()
    assert pkg["activationEvents"] == ["onLanguage:go", "workspaceContains:**/go.mod"]
    titles = {c["command"]: f"{c['category']}: {c['title']}" for c in pkg["contributes"]["commands"]}
    assert titles == {
        "plumber.restart": "Plumber: Restart Server",
        "plumber.showLogs": "Plumber: Show Logs",
        "plumber.fixAll": "Plumber: Fix All Leaks in File",
        "plumber.loadProfile": "Plumber: Load Goroutine Profile...",
        "plumber.clearProfile": "Plumber: Clear Goroutine Profile",
        "plumber.loadHeap": "Plumber: Load Heap Profile...",
        "plumber.compareHeap": "Plumber: Compare Heap Profile With Base...",
        "plumber.clearHeap": "Plumber: Clear Heap Profile",
        "plumber.showHeapChart": "Plumber: Show Heap Chart",
    }
    # Each is registered by the extension, under an id of its own: vscode-languageclient registers
    # the server's commands (plumber.loadGoroutineProfile, ...) itself, and a second registration fails.
    src = "".join(
        open(os.path.join(CLIENT, "src", f), encoding="utf-8").read()
        for f in os.listdir(os.path.join(CLIENT, "src"))
        if f.endswith(".ts")
    )
    registered = set(re.findall(r'registerCommand\(\s*"([^"]+)"', src))
    assert registered == set(titles)
    from plumber.lsp.commands import COMMAND_CLEAR, COMMAND_LOAD
    from plumber.lsp.heap_commands import COMMAND_CLEAR_HEAP, COMMAND_COMPARE_HEAP, COMMAND_LOAD_HEAP

    server = {COMMAND_LOAD, COMMAND_CLEAR, COMMAND_LOAD_HEAP, COMMAND_COMPARE_HEAP, COMMAND_CLEAR_HEAP}
    assert not registered & server and all(f'"{c}"' in src for c in server)  # sent, never registered
    assert pkg["engines"]["vscode"] == "^1.91.0"
    assert pkg["dependencies"]["vscode-languageclient"].startswith("11.")
    assert pkg["devDependencies"]["@types/vscode"] == "1.91.0"
    assert pkg["devDependencies"]["typescript"].startswith("5.9.")
