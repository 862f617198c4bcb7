#!/usr/bin/env bash
# Runs the side-by-side comparison of nodeflow, nodetool 0.5.3 and Dask; see scripts/compare.py.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product nodeflow
exec python3 scripts/compare.py "$@"
