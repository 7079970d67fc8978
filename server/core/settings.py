"""Settings: one object, from plumber.toml, initializationOptions and workspace/configuration.

    {"debounce": 200, "generated": false, "exclude": ["gen/**"],
     "docsUrl": "https://example.com/plumber/docs/",
     "checks": {"<code>": {"enabled": true, "severity": "warning"}}}

Every value is validated. A bad value is a config error (`Problem.error`) naming its origin and
key, and the default is used for that key only; unknown keys and check codes are one warning
per source (with a count), not one line each. Later sources override earlier ones, key by key:
defaults, the plumber.toml files (farthest first), then the editor's settings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from plumber.core.findings import Severity
from plumber.core.globs import GlobError, compile_glob, excluded

DEFAULT_DEBOUNCE_MS = 200
MAX_DEBOUNCE_MS = 10_000
SHOWN_UNKNOWN = 5  # unknown keys named in the warning; the rest are counted


@dataclass(frozen=True)
class Problem:
    """Something wrong in a settings source. `error`: a bad value or an unreadable file (the
    CLI's exit status is then 2); otherwise a warning (unknown keys)."""

    origin: str  # the file, or "initializationOptions", ...
    key: str  # dotted ("checks.unclosed-file.severity"); "" for the whole source
    message: str
    error: bool = True

    def __str__(self) -> str:
        return f"{self.origin}: {self.key}: {self.message}" if self.key else f"{self.origin}: {self.message}"


@dataclass(frozen=True)
class CheckSettings:
    enabled: bool | None = None
    severity: Severity | None = None


@dataclass(frozen=True)
class Settings:
    debounce: int | None = None  # milliseconds
    checks: dict[str, CheckSettings] = field(default_factory=dict)
    generated: bool | None = None  # analyse generated files (default: skip them)
    exclude: tuple[tuple[str, str], ...] = ()  # (directory the pattern is relative to, pattern)
    # Where the docs directory is published (ending in "/"; a check's page is <docs_url>checks/<code>.md);
    # None: the pages shipped in the package (plumber.report.docs.page_url).
    docs_url: str | None = None

    @property
    def debounce_ms(self) -> int:
        return DEFAULT_DEBOUNCE_MS if self.debounce is None else self.debounce

    @property
    def include_generated(self) -> bool:
        return bool(self.generated)

    def merged(self, over: Settings) -> Settings:
        checks = dict(self.checks)
        for code, cs in over.checks.items():
            base = checks.get(code, CheckSettings())
            checks[code] = CheckSettings(
                enabled=cs.enabled if cs.enabled is not None else base.enabled,
                severity=cs.severity if cs.severity is not None else base.severity,
            )
        return replace(
            self,
            debounce=over.debounce if over.debounce is not None else self.debounce,
            checks=checks,
            generated=over.generated if over.generated is not None else self.generated,
            exclude=self.exclude + tuple(p for p in over.exclude if p not in self.exclude),
            docs_url=over.docs_url if over.docs_url is not None else self.docs_url,
        )

    def enabled(self, code: str, default: bool = True) -> bool:
        cs = self.checks.get(code)
        return default if cs is None or cs.enabled is None else cs.enabled

    def excludes(self, path: str, is_dir: bool = False) -> bool:
        """Whether an `exclude` pattern matches `path` (absolute) or a directory above it."""
        return any(excluded(base, pattern, path, is_dir) for base, pattern in self.exclude)


def show(value: Any) -> str:
    """A short, safe rendering of a bad value (never the repr of a huge or deeply nested one)."""
    if isinstance(value, (list, tuple)):
        return f"an array of {len(value)}"
    if isinstance(value, dict):
        return f"a table of {len(value)} keys"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class _Collector:
    def __init__(self, origin: str):
        self.origin = origin
        self.problems: list[Problem] = []
        self.unknown: list[str] = []
        self.unknown_codes: list[str] = []

    def error(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.origin, key, message))

    def finish(self) -> list[Problem]:
        for names, what in ((self.unknown, "key"), (self.unknown_codes, "check code")):
            if names:
                shown = ", ".join(repr(n) for n in names[:SHOWN_UNKNOWN])
                more = f" and {len(names) - SHOWN_UNKNOWN} more" if len(names) > SHOWN_UNKNOWN else ""
                plural = "s" if len(names) > 1 else ""
                self.problems.append(
                    Problem(self.origin, "", f"{len(names)} unknown {what}{plural} ignored: {shown}{more}", False)
                )
        return self.problems


def _debounce(value: Any, out: _Collector) -> int | None:
    ok = not isinstance(value, bool) and isinstance(value, (int, float))
    if ok and math.isfinite(value) and 0 <= value <= MAX_DEBOUNCE_MS:
        return round(value)
    out.error(
        "debounce",
        f"must be a number of milliseconds from 0 to {MAX_DEBOUNCE_MS}, got {show(value)}; "
        f"the default ({DEFAULT_DEBOUNCE_MS}) is used",
    )
    return None


def _exclude(value: Any, base: str | None, out: _Collector) -> tuple[tuple[str, str], ...]:
    if base is None:
        out.error("exclude", "is read from plumber.toml files only (patterns are relative to the file); ignored")
        return ()
    if not isinstance(value, list):
        out.error("exclude", f'must be an array of path patterns like ["gen/**"], got {show(value)}; ignored')
        return ()
    patterns = []
    for i, item in enumerate(value):
        if not isinstance(item, str):
            out.error(f"exclude[{i}]", f"must be a string, got {show(item)}; ignored")
            continue
        try:
            compile_glob(item)
        except GlobError as e:
            out.error(f"exclude[{i}]", f"{e}; ignored")
            continue
        patterns.append((base, item))
    return tuple(patterns)


DOCS_URL_SCHEMES = ("https://", "http://", "file:")


def _docs_url(value: Any, out: _Collector) -> str | None:
    if value == "":
        return None  # the editor's empty default: the shipped pages
    if isinstance(value, str) and value.startswith(DOCS_URL_SCHEMES) and value.strip() == value and len(value) > 8:
        return value if value.endswith("/") else value + "/"
    out.error(
        "docsUrl",
        f"must be an http(s) or file URL of the docs directory, like "
        f'"https://github.com/you/plumber/blob/v1/docs/", got {show(value)}; the pages shipped with Plumber are linked',
    )
    return None


def parse_settings(
    obj: Any, origin: str, known_codes: set[str] | None = None, base: str | None = None
) -> tuple[Settings, list[Problem]]:
    """Settings from a JSON/TOML-like object, and the problems found in it.

    `base` is the directory of the plumber.toml the object comes from (`exclude` patterns are
    relative to it); None for the editor's settings."""
    out = _Collector(origin)
    if obj is None:
        return Settings(), []
    if not isinstance(obj, dict):
        out.error("", f"settings must be an object, got {show(obj)}; ignored")
        return Settings(), out.finish()
    if "plumber" in obj and isinstance(obj["plumber"], dict) and len(obj) == 1:
        obj = obj["plumber"]  # accept {"plumber": {...}} as well as the bare object
    debounce = None
    generated = None
    exclude: tuple[tuple[str, str], ...] = ()
    docs_url = None
    checks: dict[str, CheckSettings] = {}
    for key, value in obj.items():
        if key == "debounce":
            debounce = _debounce(value, out)
        elif key == "generated":
            if isinstance(value, bool):
                generated = value
            else:
                out.error("generated", f"must be true or false, got {show(value)}; the default (false) is used")
        elif key == "exclude":
            exclude = _exclude(value, base, out)
        elif key == "docsUrl":
            docs_url = _docs_url(value, out)
        elif key == "checks":
            if not isinstance(value, dict):
                out.error("checks", f"must be a table keyed by check code, got {show(value)}; ignored")
                continue
            for code, cs in value.items():
                if known_codes is not None and code not in known_codes:
                    out.unknown_codes.append(str(code))
                    continue
                parsed = _check_settings(cs, f"checks.{code}", out)
                if parsed is not None:
                    checks[code] = parsed
        else:
            out.unknown.append(str(key))
    return Settings(debounce, checks, generated, exclude, docs_url), out.finish()


def _check_settings(obj: Any, key: str, out: _Collector) -> CheckSettings | None:
    if isinstance(obj, bool):
        return CheckSettings(enabled=obj)  # "checks": {"code": false}
    if not isinstance(obj, dict):
        out.error(key, f'must be a table like {{"enabled": true, "severity": "warning"}}, got {show(obj)}; ignored')
        return None
    enabled = None
    severity = None
    for name, value in obj.items():
        if name == "enabled":
            if isinstance(value, bool):
                enabled = value
            else:
                out.error(f"{key}.enabled", f"must be true or false, got {show(value)}; the check's default is used")
        elif name == "severity":
            try:
                severity = Severity.parse(value) if isinstance(value, str) else None
            except KeyError:
                severity = None
            if severity is None:
                out.error(
                    f"{key}.severity",
                    f"must be one of error, warning, information, hint; got {show(value)}; the check's default is used",
                )
        else:
            out.unknown.append(f"{key}.{name}")
    return CheckSettings(enabled, severity)
