#!/usr/bin/env bash
# Create .venv and install crimecast. torch==2.13.0 (CPU build) goes in first: a looser pin would
# pull a multi-GB CUDA build. Usage: scripts/setup.sh [--test | --bench]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
if ! .venv/bin/python -c "import torch" >/dev/null 2>&1; then
  .venv/bin/python -m pip install -q torch==2.13.0 \
    || .venv/bin/python -m pip install -q torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
fi
extras=""
case "${1:-}" in
  --test) extras="[test]" ;;
  --bench) extras="[test,bench]" ;;  # bench/accuracy.py's peers (statsforecast, lightgbm)
esac
.venv/bin/python -m pip install -q -e ".${extras}"
