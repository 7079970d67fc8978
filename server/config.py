"""Settings: one object, from plumber.toml, initializationOptions and workspace/configuration.

    {"debounce": 200, "checks": {"<code>": {"enabled": true, "severity": "warning"}}}

Unknown keys and bad values produce warnings (for a log line) and are ignored.
Later sources override earlier ones, key by key: defaults, then the nearest
plumber.toml / .plumber.toml, then the editor's settings.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from typing import Any

from plumber.check import Severity

CONFIG_FILES = ("plumber.toml", ".plumber.toml")
DEFAULT_DEBOUNCE_MS = 200


@dataclass(frozen=True)
class CheckSettings:
    enabled: bool | None = None
    severity: Severity | None = None


@dataclass(frozen=True)
class Settings:
    debounce: int | None = None  # milliseconds
    checks: dict[str, CheckSettings] = field(default_factory=dict)

    @property
    def debounce_ms(self) -> int:
        return DEFAULT_DEBOUNCE_MS if self.debounce is None else self.debounce

    def merged(self, over: "Settings") -> "Settings":
        checks = dict(self.checks)
        for code, cs in over.checks.items():
            base = checks.get(code, CheckSettings())
            checks[code] = CheckSettings(
                enabled=cs.enabled if cs.enabled is not None else base.enabled,
                severity=cs.severity if cs.severity is not None else base.severity,
            )
        return replace(self, debounce=over.debounce if over.debounce is not None else self.debounce, checks=checks)

    def enabled(self, code: str, default: bool = True) -> bool:
        cs = self.checks.get(code)
        return default if cs is None or cs.enabled is None else cs.enabled


def parse_settings(obj: Any, origin: str, known_codes: set[str] | None = None) -> tuple[Settings, list[str]]:
    """Settings from a JSON/TOML-like object, and warnings about what was ignored."""
    warnings: list[str] = []
    if obj is None:
        return Settings(), warnings
    if not isinstance(obj, dict):
        return Settings(), [f"{origin}: settings must be an object, got {type(obj).__name__}; ignored"]
    if "plumber" in obj and isinstance(obj["plumber"], dict) and len(obj) == 1:
        obj = obj["plumber"]  # accept {"plumber": {...}} as well as the bare object
    debounce = None
    checks: dict[str, CheckSettings] = {}
    for key, value in obj.items():
        if key == "debounce":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                warnings.append(f"{origin}: debounce must be a number of milliseconds >= 0, got {value!r}; ignored")
            else:
                debounce = int(value)
        elif key == "checks":
            if not isinstance(value, dict):
                warnings.append(f"{origin}: checks must be an object keyed by check code; ignored")
                continue
            for code, cs in value.items():
                if known_codes is not None and code not in known_codes:
                    warnings.append(f"{origin}: unknown check {code!r}; ignored")
                    continue
                parsed = _check_settings(cs, f"{origin}: checks.{code}", warnings)
                if parsed is not None:
                    checks[code] = parsed
        else:
            warnings.append(f"{origin}: unknown setting {key!r}; ignored")
    return Settings(debounce, checks), warnings


def _check_settings(obj: Any, origin: str, warnings: list[str]) -> CheckSettings | None:
    if isinstance(obj, bool):
        return CheckSettings(enabled=obj)  # "checks": {"code": false}
    if not isinstance(obj, dict):
        warnings.append(f"{origin} must be an object like {{\"enabled\": true, \"severity\": \"warning\"}}; ignored")
        return None
    enabled = None
    severity = None
    for key, value in obj.items():
        if key == "enabled":
            if isinstance(value, bool):
                enabled = value
            else:
                warnings.append(f"{origin}.enabled must be true or false, got {value!r}; ignored")
        elif key == "severity":
            try:
                severity = Severity.parse(value) if isinstance(value, str) else None
            except KeyError:
                severity = None
            if severity is None:
                warnings.append(f"{origin}.severity must be one of error, warning, information, hint; "
                                f"got {value!r}; ignored")
        else:
            warnings.append(f"{origin}: unknown key {key!r}; ignored")
    return CheckSettings(enabled, severity)


def find_config_file(directory: str) -> str | None:
    d = os.path.abspath(directory)
    while True:
        for name in CONFIG_FILES:
            p = os.path.join(d, name)
            if os.path.isfile(p):
                return p
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


class ConfigFiles:
    """Reads plumber.toml files, cached by modification time."""

    def __init__(self, known_codes: set[str] | None = None):
        self.known_codes = known_codes
        self._cache: dict[str, tuple[float, Settings, list[str]]] = {}
        self._dir: dict[str, str | None] = {}

    def for_file(self, path: str | None) -> tuple[Settings, list[str]]:
        """The settings of the config file governing `path`, and fresh warnings (reported once)."""
        if not path:
            return Settings(), []
        directory = os.path.dirname(os.path.abspath(path))
        if directory not in self._dir:
            self._dir[directory] = find_config_file(directory)
        cfg = self._dir[directory]
        if cfg is None:
            return Settings(), []
        try:
            mtime = os.stat(cfg).st_mtime
        except OSError:
            self._dir.pop(directory, None)
            return Settings(), []
        cached = self._cache.get(cfg)
        if cached and cached[0] == mtime:
            return cached[1], []
        try:
            with open(cfg, "rb") as f:
                data = tomllib.load(f)
            settings, warnings = parse_settings(data, cfg, self.known_codes)
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            settings, warnings = Settings(), [f"{cfg}: cannot read: {e}; ignored"]
        self._cache[cfg] = (mtime, settings, warnings)
        return settings, warnings

    def invalidate(self) -> None:
        self._cache.clear()
        self._dir.clear()
