#!/usr/bin/env bash
# Set up, then run the whole test suite. Uses REDIS_URL when set, else an embedded Redis.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
exec .venv/bin/python -m pytest -q "$@"
