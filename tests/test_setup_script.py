"""scripts/setup.sh's choice of torch build, run for real against a recording python: the local
wheel first (no network), then on Linux the CPU index with a short timeout, then the default."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# A stand-in for .venv/bin/python: logs each call; `import torch` fails; pip calls succeed or fail
# as FAIL (a regex of the arguments) says.
FAKE = """#!/usr/bin/env bash
echo "$*" >> "$LOG"
case "$*" in
  "-c import torch") exit 1 ;;
esac
if [ -n "$FAIL" ] && echo "$*" | grep -Eq -- "$FAIL"; then exit 1; fi
exit 0
"""


def _run(tmp_path: Path, fail: str, uname: str = "Linux") -> list[str]:
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "setup.sh", repo / "scripts" / "setup.sh")
    venv = repo / ".venv" / "bin"
    venv.mkdir(parents=True)
    for path, text in (
        (venv / "python", FAKE),
        (tmp_path / "bin" / "uname", f"#!/bin/sh\necho {uname}\n"),
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "calls.log"
    env = {
        **os.environ,
        "LOG": str(log),
        "FAIL": fail,
        "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}",
    }
    done = subprocess.run(
        ["bash", "scripts/setup.sh"], cwd=repo, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return [line for line in log.read_text().splitlines() if "torch==" in line]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_local_wheel_first_without_network(tmp_path):
    calls = _run(tmp_path, fail="")
    assert calls[0].endswith("--dry-run --no-deps --no-index torch==2.13.0")
    assert calls[1] == "-m pip install -q torch==2.13.0" and len(calls) == 2


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_linux_without_local_wheel_takes_the_cpu_index(tmp_path):
    calls = _run(tmp_path, fail="--no-index")
    assert "--index-url https://download.pytorch.org/whl/cpu" in calls[1]
    assert "--timeout 10" in calls[1] and len(calls) == 2


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_unreachable_cpu_index_falls_back_to_the_default(tmp_path):
    calls = _run(tmp_path, fail="--no-index|whl/cpu")
    assert calls[-1] == "-m pip install -q torch==2.13.0" and len(calls) == 3


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_other_systems_use_the_default_index(tmp_path):
    calls = _run(tmp_path, fail="--no-index", uname="Darwin")
    assert len(calls) == 2 and "whl/cpu" not in calls[1]
