"""Keep package.json's `contributes.configuration` in step with the server's settings.

    python vscode-client/sync_settings.py          # rewrite package.json
    python vscode-client/sync_settings.py --check  # exit 1 if it is out of date

The server's settings object is plumber.core.settings.Settings ({"debounce", "checks",
"generated", "docsUrl"}, and "exclude", which only plumber.toml sets), with one CheckSettings
({"enabled", "severity"}) per check code of the registry.
The client's own settings (plumber.path, plumber.interpreter, plumber.trace.server)
are added here. tests/test_vscode_settings.py runs the check.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys

from plumber.core.findings import Severity
from plumber.core.settings import DEFAULT_DEBOUNCE_MS, MAX_DEBOUNCE_MS, CheckSettings, Settings
from plumber.diagnostics import CHECKS

PACKAGE_JSON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "package.json")

# The settings the server reads (workspace/configuration, section "plumber"); the extension
# forwards exactly these keys (SERVER_SETTINGS in src/extension.ts).
SERVER_KEYS = ("debounce", "checks", "generated", "docsUrl")
FILE_ONLY_KEYS = ("exclude",)  # patterns relative to the plumber.toml that declares them
CHECK_KEYS = ("enabled", "severity")
# Settings' fields, in order, and the key each is read from.
FIELD_KEYS = {"debounce": "debounce", "checks": "checks", "generated": "generated", "exclude": "exclude"}
FIELD_KEYS["docs_url"] = "docsUrl"


def server_schema_problems() -> list[str]:
    """The generator knows the server's settings by name: fail loudly when they change."""
    problems = []
    fields = tuple(f.name for f in dataclasses.fields(Settings))
    if fields != tuple(FIELD_KEYS) or set(FIELD_KEYS.values()) != set(SERVER_KEYS + FILE_ONLY_KEYS):
        problems.append(f"plumber.core.settings.Settings has fields {fields}, sync_settings.py knows {FIELD_KEYS}")
    cfields = tuple(f.name for f in dataclasses.fields(CheckSettings))
    if cfields != CHECK_KEYS:
        problems.append(f"plumber.config.CheckSettings has fields {cfields}, sync_settings.py knows {CHECK_KEYS}")
    return problems


def check_schema(check) -> dict:
    return {
        "type": "object",
        "markdownDescription": f"`{check.code}`: {check.title}. Its page: the link on each finding's code.",
        "properties": {
            "enabled": {
                "type": "boolean",
                "default": check.enabled,
                "description": f"Run the {check.code} check.",
            },
            "severity": {
                "type": "string",
                "enum": [s.label for s in Severity],
                "default": check.severity.label,
                "description": f"Severity of {check.code} findings.",
            },
        },
        "additionalProperties": False,
    }


def configuration() -> dict:
    severities = ", ".join(f"`{s.label}`" for s in Severity)
    return {
        "title": "Plumber",
        "properties": {
            "plumber.debounce": {
                "type": "integer",
                "default": DEFAULT_DEBOUNCE_MS,
                "minimum": 0,
                "maximum": MAX_DEBOUNCE_MS,
                "scope": "resource",
                "description": "Milliseconds to wait after the last edit before checking the file again.",
            },
            "plumber.generated": {
                "type": "boolean",
                "default": False,
                "scope": "resource",
                "markdownDescription": (
                    "Check generated files too (those with a `// Code generated ... DO NOT EDIT.` line before "
                    "the package clause, which are skipped by default)."
                ),
            },
            "plumber.docsUrl": {
                "type": "string",
                "default": "",
                "scope": "resource",
                "markdownDescription": (
                    "Where Plumber's docs directory is published, for the link on each finding's code "
                    "(`<docsUrl>checks/<code>.md`), e.g. `https://github.com/you/plumber/blob/v0.1.0/docs/`. "
                    "Empty: the pages shipped with the server."
                ),
            },
            "plumber.checks": {
                "type": "object",
                "default": {},
                "scope": "resource",
                "markdownDescription": (
                    "Per-check settings, keyed by check code: `enabled` (true/false) and `severity` "
                    f"({severities}). Checks not listed keep their defaults. Example: "
                    '`{"unclosed-body": {"severity": "error"}}`.'
                ),
                "properties": {c.code: check_schema(c) for c in CHECKS},
                "additionalProperties": False,
            },
            "plumber.path": {
                "type": "string",
                "default": "",
                "scope": "machine-overridable",
                "markdownDescription": (
                    "The command line that runs Plumber, without `serve` (for example "
                    "`/home/me/.venv/bin/plumber` or `python3 -m plumber`). Empty: look for `plumber` "
                    "on PATH, then `python -m plumber` with `#plumber.interpreter#`, then the private "
                    "environment the extension can install."
                ),
            },
            "plumber.interpreter": {
                "type": "string",
                "default": "",
                "scope": "machine-overridable",
                "markdownDescription": (
                    "A Python 3.11+ interpreter that has Plumber installed (`python -m plumber`); also the "
                    "Python used to create the private environment."
                ),
            },
            "plumber.trace.server": {
                "type": "string",
                "enum": ["off", "messages", "verbose"],
                "default": "off",
                "scope": "window",
                "markdownDescription": (
                    "Log the LSP messages between VS Code and the server in **Plumber: Show Logs**. "
                    "They are logged while that log's level is Trace (**Developer: Set Log Level...** > "
                    "Plumber); `verbose` adds their content."
                ),
            },
        },
    }


def main(argv: list[str]) -> int:
    problems = server_schema_problems()
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2
    with open(PACKAGE_JSON, encoding="utf-8") as f:
        package = json.load(f)
    want = configuration()
    if "--check" in argv:
        if package["contributes"]["configuration"] != want:
            print(
                "vscode-client/package.json is out of date: run python vscode-client/sync_settings.py", file=sys.stderr
            )
            return 1
        return 0
    package["contributes"]["configuration"] = want
    with open(PACKAGE_JSON, "w", encoding="utf-8") as f:
        json.dump(package, f, indent=2, ensure_ascii=False)
        f.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
