"""The module index: the per-file facts of every package the analysed code imports, cached per file version.

For a file, `program_for` gives the `Program` its checks read: its own
package from the live buffer and its siblings (open buffers override disk),
the module's other packages by import path (the nearest go.mod's module
path, its directory tree), the standard library from the shipped table,
`vendor/` when present. A file's facts are computed once per version (an
open buffer: per version; a file on disk: per modification time and size)
and kept until it changes; a package's merged facts are rebuilt only when
one of its files changed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from tree_sitter import Tree

from plumber.analysis.model import stdlib
from plumber.analysis.model.build import in_build
from plumber.analysis.model.facts import FileFacts, file_facts, package_name
from plumber.analysis.model.packages import PackageFacts
from plumber.analysis.model.program import Program
from plumber.analysis.model.resource_table import EQUIVALENT_PACKAGES
from plumber.analysis.model.summaries import FuncSummary
from plumber.analysis.model.summarize import file_summaries
from plumber.driver.gomod import GoModCache
from plumber.driver.livefiles import LiveFiles
from plumber.driver.packages import DiskVersions, OpenFiles, Overlay, Parsed, disk_version
from plumber.syntax.files import read_regular
from plumber.syntax.nodes import check_budget, walking
from plumber.syntax.parser import new_parser

# How long a document being edited trusts what it read of its package's files on disk (their versions),
# when nothing said they changed (the server forgets a file on every watched-file event): the
# per-keystroke runs then stat none of them.
DISK_TRUST_S = 1.0


def _go_file(name: str, tests: bool) -> bool:
    """Whether a file name is of a package's Go files (`_test.go` ones only with `tests`)."""
    return name.endswith(".go") and not name.startswith((".", "_")) and (tests or not name.endswith("_test.go"))


def import_path(root: str, module: str, directory: str) -> str:
    """The import path of the package in `directory` of the module at `root`."""
    rel = os.path.relpath(directory, root).replace(os.sep, "/")
    if module in ("std", "cmd"):  # GOROOT/src and GOROOT/src/cmd: paths relative to GOROOT/src
        base = "" if module == "std" else "cmd"
        return (base + "/" + rel).strip("/") if rel != "." else base or "."
    return module if rel == "." else f"{module}/{rel}"


class ModuleIndex:
    def __init__(
        self,
        gomod: GoModCache,
        overlay: Overlay | None = None,
        open_files: OpenFiles | None = None,
        versions: Callable[[str], Any] | None = None,
        parsed: Parsed | None = None,
    ):
        self.gomod = gomod
        self.overlay: Overlay = overlay or (lambda path: None)
        self.open_files: OpenFiles = open_files or (lambda directory: ())
        self.disk_version = versions or disk_version
        # the disk changes only when the driver says so (a batch): a directory's package is then reused whole
        self._batch = versions if isinstance(versions, DiskVersions) and versions.cached else None
        self.parsed: Parsed = parsed or (lambda path: None)
        self._parser = new_parser()
        self._facts: dict[tuple[str, str], tuple[Any, FileFacts | None]] = {}  # (path, package) -> (version, facts)
        # (path, package) -> (version, summaries of its functions): computed only for the files a call reaches
        self._summaries: dict[tuple[str, str], tuple[Any, dict[str, FuncSummary]]] = {}
        self._packages: dict[tuple[str, bool], tuple[tuple, PackageFacts | None, float]] = {}  # (key, merged, when)
        # (directory, package path, name, tests, the file appended or None) -> (the files' facts, merged):
        # rebuilt when one changed
        self._merged: dict[tuple, tuple[list[FileFacts], PackageFacts]] = {}
        # in a batch: (directory, package path, name, tests) -> (generation, ids of its files' facts, merged)
        self._whole: dict[tuple, tuple[int, set[int], PackageFacts]] = {}
        # not in a batch: (directory, package path, name, tests) -> (when, open buffers' versions, `replace`, merged)
        self._recent: dict[tuple, tuple[float, tuple, FileFacts | None, PackageFacts]] = {}
        self._live = LiveFiles()  # the documents being edited: their facts and summaries per declaration
        self.parses = 0

    # -- files --------------------------------------------------------------------

    def _version(self, path: str) -> Any:
        open_doc = self.overlay(path)
        if open_doc is not None:
            return ("open", open_doc[0])
        return self.disk_version(path)

    def _current(self, path: str, source: bytes) -> bool:
        """Whether `source` is the very text this index reads for `path` (an open buffer's, or the
        driver's read of the disk file at its current version): its cached facts are this text's."""
        open_doc = self.overlay(path)
        if open_doc is not None:
            return open_doc[1] is source
        got = self.parsed(path)
        return got is not None and got[1] is source and got[0] == self.disk_version(path)

    def file(self, path: str, pkg_path: str) -> FileFacts | None:
        """The facts of one file (None when it is gone, unreadable or not in the build)."""
        key = self._version(path)
        if key is None:
            self._facts.pop((path, pkg_path), None)
            return None
        cached = self._facts.get((path, pkg_path))
        if cached is not None and cached[0] == key:
            return cached[1]
        check_budget()  # a check point per file read (see PackageIndex.summary)
        got = self._read(path, key)
        facts = None
        if got is not None:
            source, tree = got
            with walking(tree.root_node):  # its own memo, freed with the tree (see PackageIndex.summary)
                facts = self._read_facts(path, source, tree.root_node, pkg_path, live=key[0] == "open")
            if "C" in facts.imports.values():
                facts = None
        self._facts[(path, pkg_path)] = (key, facts)
        return facts

    def summaries(self, path: str, pkg_path: str) -> dict[str, FuncSummary]:
        """The summaries of one file's functions (parsed again when they are first asked for)."""
        key = self._version(path)
        cached = self._summaries.get((path, pkg_path))
        if cached is not None and cached[0] == key:
            return cached[1]
        sums: dict[str, FuncSummary] = {}
        if key is not None and self.file(path, pkg_path) is not None:
            got = self._read(path, key)
            if got is not None:
                with walking(got[1].root_node):
                    sums = self._read_summaries(path, got[0], got[1].root_node, pkg_path, live=key[0] == "open")
        self._summaries[(path, pkg_path)] = (key, sums)
        return sums

    def _read(self, path: str, key: Any) -> tuple[bytes, Tree] | None:
        """Text and tree of a file of the build: an open buffer's, else the driver's read of it (at
        version `key`), else parsed from disk."""
        open_doc = self.overlay(path)
        tree: Tree | None
        parsed = self.parsed(path) if open_doc is None else None
        if open_doc is not None:
            source, tree = open_doc[1], open_doc[2]
        elif parsed is not None and parsed[0] == key:
            source, tree = parsed[1], parsed[2]
        else:
            try:
                source = read_regular(path)
            except OSError:
                return None
            tree = None
        if not in_build(os.path.basename(path), source[:8192]):
            return None
        if tree is None:
            tree = self._parser.parse(source)
            self.parses += 1
        return source, tree

    def facts_of(self, path: str, source: bytes, tree: Tree, pkg_path: str) -> FileFacts:
        """The facts of a live buffer (the file under analysis): the cached ones when it is the text
        the index reads for the file (computed once per version, shared with its siblings)."""
        if self._current(path, source):
            facts = self.file(path, pkg_path)
            if facts is not None:
                return facts
        # not the index's text: a document being edited (outside a batch), or a buffer without a path
        return self._read_facts(path, source, tree.root_node, pkg_path, self._batch is None and path != "<buffer>")

    def _read_facts(self, path: str, source: bytes, root, pkg_path: str, live: bool) -> FileFacts:
        """`file_facts`; of a document being edited (`live`), kept per declaration across its versions."""
        return self._live.facts(path, source, root, pkg_path) if live else file_facts(path, source, root, pkg_path)

    def _read_summaries(self, path: str, source: bytes, root, pkg_path: str, live: bool) -> dict[str, FuncSummary]:
        """`file_summaries`; of a document being edited (`live`), kept per function across its versions."""
        if live:
            return self._live.summaries(path, source, root, pkg_path)
        return file_summaries(source, root, pkg_path)

    def forget(self, path: str) -> None:
        path = os.path.abspath(path)
        self._live.forget(path)
        for cache in (self._facts, self._summaries):
            for key in [k for k in cache if k[0] == path]:
                del cache[key]
        directory = os.path.dirname(path)
        for k in [k for k in self._merged if k[0] == directory]:
            del self._merged[k]
        for k in [k for k in self._whole if k[0] == directory]:
            del self._whole[k]
        for k in [k for k in self._recent if k[0] == directory]:
            del self._recent[k]
        self._packages.pop((directory, False), None)

    # -- packages -----------------------------------------------------------------

    def _go_files(self, directory: str, tests: bool) -> list[str]:
        if self._batch is not None:
            names = set(self._batch.listdir(directory))
        else:
            try:
                names = set(os.listdir(directory))
            except OSError:
                names = set()
        names.update(os.path.basename(p) for p in self.open_files(directory))  # buffers not saved yet
        return [os.path.join(directory, n) for n in sorted(names) if _go_file(n, tests)]

    def _open_versions(self, directory: str, tests: bool, but: str | None = None) -> tuple:
        """(path, version) of the open buffers of the directory's package (but `but`)."""
        return tuple(
            (p, self._version(p))
            for p in self.open_files(directory)
            if p != but and _go_file(os.path.basename(p), tests)
        )

    def directory_package(self, directory: str, pkg_path: str, name: str | None, tests: bool,
                          replace: FileFacts | None = None) -> PackageFacts:  # fmt: skip
        """The package `name` of a directory (its test files too when `tests`), `replace` standing for its file."""
        whole_key = (directory, pkg_path, name, tests)
        batch = self._batch
        if batch is not None:
            hit = self._whole.get(whole_key)
            if hit is not None and hit[0] == batch.generation and (replace is None or id(replace) in hit[1]):
                return hit[2]  # nothing changed on disk, and `replace` is the file's own facts
        else:
            now = time.monotonic()
            own = replace.path if replace is not None else None  # its facts are `replace`, compared by identity
            opened = self._open_versions(directory, tests, own)
            recent = self._recent.get(whole_key)
            if recent is not None and now - recent[0] < DISK_TRUST_S and recent[1] == opened and recent[2] is replace:
                return recent[3]
        files = []
        for p in self._go_files(directory, tests):
            if replace is not None and p == replace.path:
                files.append(replace)
                continue
            ff = self.file(p, pkg_path)
            if ff is not None and (name is None or ff.package == name):
                files.append(ff)
        appended = None
        if replace is not None and all(f is not replace for f in files):
            files.append(replace)
            appended = replace.path  # a file not of the build, or of another package: its own merge
        key = (directory, pkg_path, name, tests, appended)
        cached = self._merged.get(key)
        same = cached is not None and len(cached[0]) == len(files)
        if cached is not None and same and all(a is b for a, b in zip(cached[0], files, strict=True)):
            pkg = cached[1]
        else:
            pkg = PackageFacts.merge(pkg_path, files)
            self._merged[key] = (files, pkg)
        if batch is not None and appended is None and (replace is None or self._is_cached(replace, pkg_path)):
            self._whole[whole_key] = (batch.generation, {id(f) for f in files}, pkg)
        elif batch is None:
            self._recent[whole_key] = (now, opened, replace, pkg)
        return pkg

    def _is_cached(self, facts: FileFacts, pkg_path: str) -> bool:
        """Whether `facts` are the index's own facts of their file (what `file` gives)."""
        cached = self._facts.get((facts.path, pkg_path))
        return cached is not None and cached[1] is facts

    def _directory(self, path: str, root: str | None, module: str | None) -> str | None:
        """The directory of an imported package of the module (or vendored in it), None for others."""
        directory = None
        if root is not None and module is not None:
            if module in ("std", "cmd"):
                # GOROOT itself: its other packages come from the shipped table (made from such a tree)
                if not stdlib.is_std(path):
                    directory = os.path.join(root if module == "std" else os.path.dirname(root), *path.split("/"))
                    if not os.path.isdir(directory):
                        directory = None
            elif path == module or path.startswith(module + "/"):
                directory = os.path.join(root, *path[len(module) :].strip("/").split("/"))
            else:
                vendored = os.path.join(root, "vendor", *path.split("/"))
                if os.path.isdir(vendored):
                    directory = vendored
        return directory

    def load(self, path: str, root: str | None, module: str | None) -> PackageFacts | None:
        """An imported package by import path: the module's own, vendored, or the standard library's."""
        directory = self._directory(path, root, module)
        if directory is not None:
            now = time.monotonic()
            cached = self._packages.get((directory, False))
            if self._batch is None and cached is not None and now - cached[2] < DISK_TRUST_S:
                if all(k in cached[0] for k in self._open_versions(directory, False)):
                    return cached[1]
            files = self._go_files(directory, tests=False)
            key = tuple((p, self._version(p)) for p in files)
            if cached is not None and cached[0] == key:
                self._packages[(directory, False)] = (key, cached[1], now)
                return cached[1]
            names = [f.package for p in files if (f := self.file(p, path)) is not None and f.package]
            main_name = names[0] if names else None
            pkg = self.directory_package(directory, path, main_name, tests=False) if names else None
            self._packages[(directory, False)] = (key, pkg, now)
            return pkg
        return stdlib.package(EQUIVALENT_PACKAGES.get(path, path))

    def _summary_lookup(self, program: Program, path: str | None, source: bytes, tree: Tree):
        """A lookup (package path, "F" or "T.M") -> summary: the declaring file's summaries, computed on demand
        (the file under analysis from its live tree)."""
        me = os.path.abspath(path) if path is not None else "<buffer>"
        live: dict[str, FuncSummary] = {}

        def lookup(pkg: str, key: str) -> FuncSummary | None:
            facts = program.package(pkg)
            if facts is None:
                return None
            recv, _, name = key.rpartition(".")
            for f in facts.files:
                declared = name in f.methods.get(recv, {}) if recv else name in f.funcs
                if not declared:
                    continue
                if f.path == me:
                    if not live:
                        if self._current(me, source) and self.file(me, facts.path) is not None:
                            live.update(self.summaries(me, facts.path))  # shared with the siblings
                        else:
                            live.update(self._read_summaries(me, source, tree.root_node, facts.path,
                                                             self._batch is None))  # fmt: skip
                    return live.get(key)
                if f.path.startswith("$GOROOT"):
                    return None  # the shipped table holds no bodies: its tables answer
                return self.summaries(f.path, facts.path).get(key)
            return None

        return lookup

    def model_for(self, path: str | None, source: bytes, tree: Tree):
        """(program, package import path, summary lookup) of a file: what the model's analyses read."""
        program, pkg_path = self.program_for(path, source, tree)
        return program, pkg_path, self._summary_lookup(program, path, source, tree)

    def program_for(self, path: str | None, source: bytes, tree: Tree) -> tuple[Program, str]:
        """The program a file's checks read, and the file's package import path."""
        mod = self.gomod.module(path) if path is not None else None
        root, module = mod if mod is not None else (None, None)
        if path is None:
            pkg_path = "command-line-arguments"
            program = Program(lambda p: self.load(p, root, module))
            program.add(PackageFacts.merge(pkg_path, [self.facts_of("<buffer>", source, tree, pkg_path)]))
            return program, pkg_path
        directory = os.path.dirname(os.path.abspath(path))
        if root is not None and module is not None:
            pkg_path = import_path(root, module, directory)
        else:
            pkg_path = "_" + directory.replace(os.sep, "/")  # GOPATH-less loose files, as go/build names them
        name = package_name(source, tree.root_node)
        program = Program(lambda p: self.load(p, root, module))
        if name is not None and name.endswith("_test") and path.endswith("_test.go"):
            # an external test package: its own files, importing the package under test by path (the file's
            # own declarations are of that package, as its siblings' are)
            own = self.facts_of(os.path.abspath(path), source, tree, pkg_path + "_test")
            program.add(self.directory_package(directory, pkg_path + "_test", name, True, own))
            if module in ("std", "cmd"):
                # the package under test is this directory's, whose code is at hand: read it (its unexported
                # and internal API has no contract in the shipped table), as a module's own packages are
                under_test = self.directory_package(directory, pkg_path, name.removesuffix("_test"), False)
                if under_test.files:
                    program.add(under_test)
            return program, pkg_path + "_test"
        own = self.facts_of(os.path.abspath(path), source, tree, pkg_path)
        program.add(self.directory_package(directory, pkg_path, name, path.endswith("_test.go"), own))
        return program, pkg_path


__all__ = ["ModuleIndex", "import_path"]
