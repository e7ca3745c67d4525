#!/usr/bin/env bash
# Create .venv and install crimecast. torch==2.13.0 (CPU build) goes in first: a looser pin would
# pull a multi-GB CUDA build. Usage: scripts/setup.sh [--test | --bench]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
# torch, in order: a wheel on local disk (pip's configured find-links: no network, fastest); on
# Linux the CPU build from PyTorch's index (the default index would bring the multi-GB CUDA build),
# given up quickly when that index cannot be reached; else the default index (macOS, Windows).
TORCH=torch==2.13.0
CPU_INDEX=https://download.pytorch.org/whl/cpu
pipq() { .venv/bin/python -m pip install -q "$@"; }
if ! .venv/bin/python -c "import torch" >/dev/null 2>&1; then
  if pipq --dry-run --no-deps --no-index "$TORCH" >/dev/null 2>&1; then
    pipq "$TORCH"
  elif [ "$(uname -s)" = "Linux" ] \
      && pipq --timeout 10 --retries 1 "$TORCH" --index-url "$CPU_INDEX"; then
    :
  else
    echo "setup: torch's CPU index was not reachable (or this is not Linux): default index" >&2
    pipq "$TORCH"
  fi
fi
extras=""
case "${1:-}" in
  --test) extras="[test]" ;;
  --bench) extras="[test,bench]" ;;  # bench/accuracy.py's peers (statsforecast, lightgbm)
esac
# constraints.txt: the runtime versions the tests passed on (the image uses the same file), so a
# fresh machine gets the pandas/numpy/river/torch that saved models and answers were checked with.
.venv/bin/python -m pip install -q -c constraints.txt -e ".${extras}"
