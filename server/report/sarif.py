"""SARIF 2.1.0: one run, the checks as rules, the findings as results with their fixes.

Paths relative to the working directory are URIs relative to `%SRCROOT%`, which
`originalUriBaseIds` sets to the working directory (what GitHub code scanning expects of a
checkout); files outside it are absolute `file:` URIs. Each result carries the fingerprint of
`report.fingerprint` (the baseline's) in `partialFingerprints`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

from plumber import PROJECT_URL, SOURCE, __version__
from plumber.core.checks import Check
from plumber.report.docs import doc_parts
from plumber.report.fingerprint import fingerprints
from plumber.report.model import FindingOut, Span

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "plumberLineHash/v1"
SARIF_LEVELS = {1: "error", 2: "warning", 3: "note", 4: "note"}


def _artifact(path: str) -> dict:
    if os.path.isabs(path):
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path.replace(os.sep, "/")), "uriBaseId": SRCROOT}


def _rule_properties(c: Check) -> dict:
    kind = "run-time" if not c.static else "static"
    return {"category": c.category.value, "tags": ["go", "leak", c.category.value, kind], "precision": "high"}


def _region(span: Span) -> dict:
    return {
        "startLine": span.start.line,
        "startColumn": span.start.column16,
        "endLine": span.end.line,
        "endColumn": span.end.column16,
    }


def _location(path: str, span: Span | None) -> dict:
    loc: dict = {"artifactLocation": _artifact(path)}
    if span is not None:
        loc["region"] = _region(span)
    return {"physicalLocation": loc}


def sarif_log(
    findings: list[FindingOut], checks: Iterable[Check], ok: bool, root: str | None = None, docs_url: str | None = None
) -> dict:
    """A SARIF 2.1.0 log: one run, the checks as rules, findings as results with their fixes;
    relative paths are relative to `root` (default: the working directory). A rule's `helpUri` is
    its page under `docs_url` (the docsUrl setting) when one is given: a file on the machine that
    ran the check means nothing to code scanning, and `help` carries the page's text anyway."""
    rules = []
    index = {}
    for i, c in enumerate(checks):
        index[c.code] = i
        body = _doc_body(c.doc)
        rule: dict = {
            "id": c.code,
            "name": "".join(w.capitalize() for w in c.code.split("-")),
            "shortDescription": {"text": c.title},
            "fullDescription": {"text": body or c.title},
        }
        if docs_url:
            rule["helpUri"] = docs_url + c.page
        rule.update(
            {
                "help": {"text": body or c.title, "markdown": body or c.title},
                "defaultConfiguration": {"level": SARIF_LEVELS[int(c.severity)], "enabled": bool(c.enabled)},
                "properties": _rule_properties(c),
            }
        )
        rules.append(rule)
    results = []
    for f, fingerprint in zip(findings, fingerprints(findings), strict=True):
        r: dict = {
            "ruleId": f.code,
            "level": SARIF_LEVELS.get(f.severity, "warning"),
            "message": {"text": f.message},
            "locations": [_location(f.path, f.span)],
            "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        }
        if f.code in index:
            r["ruleIndex"] = index[f.code]
        if f.related:
            r["relatedLocations"] = [
                {"id": i, **_location(rel.path, rel.span), "message": {"text": rel.message}}
                for i, rel in enumerate(f.related)
            ]
        if f.fixes:
            r["fixes"] = [
                {
                    "description": {"text": fx.title},
                    "artifactChanges": [
                        {
                            "artifactLocation": _artifact(f.path),
                            "replacements": [
                                {"deletedRegion": _region(e.span), "insertedContent": {"text": e.new_text}}
                                for e in fx.edits
                            ],
                        }
                    ],
                }
                for fx in f.fixes
            ]
        results.append(r)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": SOURCE,
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": PROJECT_URL,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": Path(root or os.getcwd()).as_uri().rstrip("/") + "/"}},
                "columnKind": "utf16CodeUnits",
                "invocations": [{"executionSuccessful": ok}],
                "results": results,
            }
        ],
    }


def _doc_body(doc: str) -> str:
    _, body, fix = doc_parts(doc)
    return body + (f"\n\nFix: {fix}" if fix else "")
