"""plumber.toml files: the chain that governs a file, read, validated, merged and cached.

The chain of a file is every `plumber.toml` (or, where a directory has none, `.plumber.toml`)
from the module root (the directory of the nearest go.mod; the filesystem root when there is
none) down to the file's directory. They merge key by key, the nearest winning; `exclude`
patterns add up, each relative to the file that declares it. A file with `root = true` (or
`extend = false`) ends the chain: nothing above it applies. When the module holds no config
file at all, the nearest one above the module root is used alone (one plumber.toml at the top
of a repository of several modules).

A file that cannot be read (not UTF-8, a TOML syntax error, nesting too deep) is a config
error and counts as empty: the rest of the chain and the defaults still apply.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass

from plumber.core.settings import Problem, Settings, parse_settings, show
from plumber.driver.gomod import GoModCache
from plumber.syntax.files import read_regular

CONFIG_FILES = ("plumber.toml", ".plumber.toml")
STOP_KEYS = ("root", "extend")


@dataclass(frozen=True)
class ConfigFile:
    path: str
    mtime: float
    settings: Settings
    problems: tuple[Problem, ...]
    root: bool  # `root = true` or `extend = false`: the chain stops here


def config_in(directory: str) -> str | None:
    for name in CONFIG_FILES:
        p = os.path.join(directory, name)
        if os.path.isfile(p):
            return p
    return None


def read_config(path: str, known_codes: set[str] | None = None) -> ConfigFile:
    """One config file, validated; never raises."""
    try:
        mtime = os.stat(path).st_mtime
        data = tomllib.loads(read_regular(path).decode("utf-8"))
    except OSError as e:
        problem = Problem(path, "", f"cannot read: {e.strerror or e}; ignored")
        return ConfigFile(path, 0.0, Settings(), (problem,), False)
    except UnicodeDecodeError as e:
        problem = Problem(path, "", f"not UTF-8 (byte {e.start}); ignored")
        return ConfigFile(path, mtime, Settings(), (problem,), False)
    except tomllib.TOMLDecodeError as e:
        return ConfigFile(path, mtime, Settings(), (Problem(path, "", f"TOML syntax error: {e}; ignored"),), False)
    except RecursionError:
        problem = Problem(path, "", "nested too deeply to read; ignored")
        return ConfigFile(path, mtime, Settings(), (problem,), False)
    problems: list[Problem] = []
    root = False
    for key in STOP_KEYS:
        if key not in data:
            continue
        value = data.pop(key)
        if not isinstance(value, bool):
            problems.append(Problem(path, key, f"must be true or false, got {show(value)}; ignored"))
        elif value == (key == "root"):  # root = true, extend = false
            root = True
    settings, more = parse_settings(data, path, known_codes, base=os.path.dirname(os.path.abspath(path)))
    return ConfigFile(path, mtime, settings, tuple(problems + more), root)


class ConfigFiles:
    """The config chains of directories and the files in them, cached by modification time."""

    def __init__(self, known_codes: set[str] | None = None, gomod: GoModCache | None = None):
        self.known_codes = known_codes
        self._gomod = gomod or GoModCache()
        self._files: dict[str, ConfigFile] = {}
        self._chains: dict[str, tuple[str, ...]] = {}
        self._reported: set[tuple[str, float]] = set()  # (file, mtime) whose problems were handed out

    def chain(self, directory: str) -> tuple[str, ...]:
        """The config files governing `directory`, nearest first (before `root` is applied)."""
        directory = os.path.abspath(directory)
        cached = self._chains.get(directory)
        if cached is not None:
            return cached
        gomod = self._gomod.nearest(directory)
        module_root = os.path.dirname(gomod) if gomod else None
        found: list[str] = []
        above_module = module_root is None
        d = directory
        while True:
            p = config_in(d)
            if p is not None:
                found.append(p)
                if above_module and module_root is not None:
                    break  # the fallback above the module root: that one alone
            if d == module_root:
                if found:
                    break
                above_module = True
            parent = os.path.dirname(d)
            if parent == d:
                break
            d = parent
        self._chains[directory] = chain = tuple(found)
        return chain

    def _file(self, path: str) -> ConfigFile:
        try:
            mtime = os.stat(path).st_mtime
        except OSError:
            mtime = -1.0
        cached = self._files.get(path)
        if cached is not None and cached.mtime == mtime:
            return cached
        parsed = self._files[path] = read_config(path, self.known_codes)
        return parsed

    def for_file(self, path: str | None, report: bool = True) -> tuple[Settings, list[Problem]]:
        """The merged settings governing `path`, and the problems of its files not reported
        before (each problem is reported once per version of its file)."""
        if not path:
            return Settings(), []
        return self.for_directory(os.path.dirname(os.path.abspath(path)), report)

    def for_directory(self, directory: str, report: bool = True) -> tuple[Settings, list[Problem]]:
        files = []
        problems: list[Problem] = []
        for p in self.chain(directory):
            parsed = self._file(p)
            if report and (parsed.path, parsed.mtime) not in self._reported:
                self._reported.add((parsed.path, parsed.mtime))
                problems.extend(parsed.problems)
            files.append(parsed)
            if parsed.root:
                break
        settings = Settings()
        for parsed in reversed(files):
            settings = settings.merged(parsed.settings)
        return settings, problems

    def excluded(self, path: str, is_dir: bool = False) -> bool:
        """Whether the `exclude` patterns of the chain governing `path` match it."""
        path = os.path.abspath(path)
        settings, _ = self.for_directory(path if is_dir else os.path.dirname(path), report=False)
        return settings.excludes(path, is_dir)

    def invalidate(self) -> None:
        """A config file or a go.mod was created, changed or deleted: find and read the chains again."""
        self._files.clear()
        self._chains.clear()
