"""The image installs what the Dockerfile copies, and that is enough to run.

Docker cannot run here, so the build is replayed: the build context is filtered by
``.dockerignore`` (Docker's rules: a pattern matches a path or any of its parents, the last
matching line wins, ``!`` re-includes), the Dockerfile's ``COPY`` lines are applied to it, a wheel
is built from the result, and the wheel is installed into a fresh venv. The venv takes its
dependencies from this test venv's site-packages as a plain path (so the editable install of this
worktree is never loaded), every module of every package is imported from the wheel, and
``crimecast --help`` and ``crimecast profile show`` run.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"


def _regex(pattern: str) -> re.Pattern:
    """A .dockerignore pattern as a regex over a context-relative path with ``/`` separators.

    >>> bool(_regex("**/__pycache__").fullmatch("core/__pycache__"))
    True
    >>> bool(_regex("*").fullmatch("core/x.py")), bool(_regex("*").fullmatch("core"))
    (False, True)
    """
    out, i = "", 0
    pattern = pattern.strip("/")
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def ignore_rules(path: Path) -> list[tuple[bool, re.Pattern]]:
    """``(exclude?, regex)`` per line of a .dockerignore (comments and blanks skipped)."""
    rules = []
    for line in path.read_text().splitlines() if path.exists() else []:
        line = line.strip()
        if line and not line.startswith("#"):
            rules.append((not line.startswith("!"), _regex(line.lstrip("!"))))
    return rules


def in_context(rel: str, rules) -> bool:
    """Is the file ``rel`` sent to the builder? The last rule matching it or a parent decides."""
    parts = rel.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    keep = True
    for exclude, rx in rules:
        if any(rx.fullmatch(p) for p in prefixes):
            keep = not exclude
    return keep


def build_context(dest: Path) -> list[str]:
    """Copy the filtered build context to ``dest``; return its files (relative paths)."""
    rules = ignore_rules(ROOT / ".dockerignore")
    files = []
    for path in sorted(ROOT.rglob("*")):
        rel = path.relative_to(ROOT).as_posix()
        if path.is_file() and not rel.startswith(".git/") and in_context(rel, rules):
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest / rel)
            files.append(rel)
    return files


def apply_copies(context: Path, app: Path) -> list[tuple[list[str], str]]:
    """Apply the Dockerfile's ``COPY src... dest`` lines (dest relative to WORKDIR) from
    ``context`` into ``app``; return them."""
    copies = []
    for line in DOCKERFILE.read_text().replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True) if line.lstrip().startswith("COPY") else []
        if words[:1] == ["COPY"] and not any(w.startswith("--from") for w in words):
            *sources, target = [w for w in words[1:] if not w.startswith("--")]
            copies.append((sources, target))
            for src in sources:
                origin = context / src
                into = app / target
                if origin.is_dir():
                    shutil.copytree(
                        origin, into if target.endswith("/") else into, dirs_exist_ok=True
                    )
                else:
                    into.mkdir(parents=True, exist_ok=True) if target.endswith("/") else None
                    shutil.copy2(origin, into / origin.name if into.is_dir() else into)
    return copies


def test_dockerignore_rules_follow_docker():
    """Parents decide for their files; a later ``!`` re-includes; caches stay out."""
    rules = ignore_rules(ROOT / ".dockerignore")
    assert in_context("core/profiles/calgary.yaml", rules)
    assert in_context("pyproject.toml", rules)
    for rel in (
        ".env",
        ".venv/bin/python",
        "tests/conftest.py",
        "bot/__pycache__/cli.cpython-311.pyc",
        ".state/redis/crimecast.rdb",
        "bench/accuracy.py",
    ):
        assert not in_context(rel, rules), rel


def test_every_package_pyproject_builds_is_in_the_image(tmp_path):
    """Every top-level package that pyproject's package find includes is copied (core/ was not)."""
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"
    ]["find"]["include"]
    packages = {
        p.name
        for p in ROOT.iterdir()
        if (p / "__init__.py").exists()
        and any(re.fullmatch(pat.replace("*", ".*"), p.name) for pat in include)
    }
    assert {"core", "stream", "online_model", "workers", "bot"} <= packages
    build_context(tmp_path / "ctx")
    apply_copies(tmp_path / "ctx", tmp_path / "app")
    copied = {p.name for p in (tmp_path / "app").iterdir() if (p / "__init__.py").exists()}
    assert packages <= copied, f"the Dockerfile leaves out {sorted(packages - copied)}"
    assert not (tmp_path / "app" / ".env").exists() and not (tmp_path / "app" / "tests").exists()


@pytest.mark.slow
def test_the_image_build_installs_imports_and_runs(tmp_path):
    """Wheel from exactly what the Dockerfile copies, installed in a fresh venv: every module
    imports from the wheel, ``crimecast --help`` and ``crimecast profile show`` run."""
    build_context(tmp_path / "ctx")
    app = tmp_path / "app"
    apply_copies(tmp_path / "ctx", app)
    run = dict(capture_output=True, text=True, timeout=240)
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path / "dist"),
            str(app),
        ],
        **run,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    wheel = next((tmp_path / "dist").glob("crimecast-*.whl"))

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, **run)
    py = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [py, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], check=True, **run
        ).stdout.strip()
    )
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(py),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        **run,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    # then the dependencies: this venv's site-packages as a plain path (its .pth files, among them
    # the editable install of this worktree, are not processed)
    (site / "zz_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "CRIMECAST_"))}
    env.update(CRIMECAST_STATE_DIR=str(tmp_path / "state"), COLUMNS="100")
    every = (
        "import importlib, pkgutil, sys\n"
        "site = sys.argv[1]\n"
        "names = []\n"
        "for top in ('core', 'stream', 'online_model', 'workers', 'bot'):\n"
        "    pkg = importlib.import_module(top)\n"
        "    assert pkg.__file__.startswith(site), (top, pkg.__file__)\n"
        "    names.append(top)\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, top + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "        names.append(m.name)\n"
        "print(len(names), 'modules')\n"
    )
    imported = subprocess.run([py, "-c", every, str(site)], cwd=tmp_path, env=env, **run)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert int(imported.stdout.split()[0]) > 80

    crimecast = venv / "bin" / "crimecast"
    helped = subprocess.run([crimecast, "--help"], cwd=tmp_path, env=env, **run)
    assert helped.returncode == 0 and "ingest" in helped.stdout, helped.stdout + helped.stderr
    shown = subprocess.run([crimecast, "profile", "show"], cwd=tmp_path, env=env, **run)
    assert shown.returncode == 0 and "Calgary" in shown.stdout, shown.stdout + shown.stderr
