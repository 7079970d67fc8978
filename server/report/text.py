"""Line-oriented formats: text (`path:line:col: code: message`) and GitHub Actions annotations."""

from __future__ import annotations

from plumber.report.model import FindingOut

GITHUB_LEVELS = {1: "error", 2: "warning", 3: "notice", 4: "notice"}


def format_text(findings: list[FindingOut]) -> str:
    return "".join(f"{f.path}:{f.span.start.line}:{f.span.start.column}: {f.code}: {f.message}\n" for f in findings)


def _gh_escape(s: str, prop: bool = False) -> str:
    s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return s.replace(":", "%3A").replace(",", "%2C") if prop else s


def format_github(findings: list[FindingOut]) -> str:
    """GitHub Actions workflow commands: annotations on the pull request's diff."""
    out = []
    for f in findings:
        props = (
            f"file={_gh_escape(f.path, True)},line={f.span.start.line},col={f.span.start.column},"
            f"endLine={f.span.end.line},endColumn={f.span.end.column},title={_gh_escape(f.code, True)}"
        )
        out.append(f"::{GITHUB_LEVELS.get(f.severity, 'warning')} {props}::{_gh_escape(f.code + ': ' + f.message)}\n")
    return "".join(out)
