"""JSON: one array of findings with their related locations and fixes."""

from __future__ import annotations

from plumber.report.model import SEVERITY_NAMES, FindingOut, Span


def _span_json(span: Span | None) -> dict:
    if span is None:
        return {}
    return {
        "line": span.start.line,
        "column": span.start.column,
        "end_line": span.end.line,
        "end_column": span.end.column,
    }


def format_json(findings: list[FindingOut], urls: dict[str, str]) -> str:
    out = []
    for f in findings:
        out.append(
            {
                "path": f.path,
                **_span_json(f.span),
                "code": f.code,
                "severity": SEVERITY_NAMES.get(f.severity),
                "message": f.message,
                "url": urls.get(f.code),
                "related": [{"path": r.path, **_span_json(r.span), "message": r.message} for r in f.related],
                "fixes": [
                    {
                        "title": fx.title,
                        "safe": fx.safe,
                        "edits": [{**_span_json(e.span), "new_text": e.new_text} for e in fx.edits],
                    }
                    for fx in f.fixes
                ],
            }
        )
    from plumber.report import json_text

    return json_text(out)
