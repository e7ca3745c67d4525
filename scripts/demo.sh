#!/usr/bin/env bash
# Set up, then run the demo on the embedded Redis (no server needed): ingest, drain, close months,
# train, forecast, answer. Extra arguments go to `crimecast demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/crimecast demo "$@"
