#!/usr/bin/env bash
# Makes (or reuses) the Python environment the Python-pack tests and examples use:
# .build-python/venv with nodetool-core from PyPI (and msgpack, which its tests talk to).
# Prints the interpreter's path. Usage: scripts/python-env.sh [VENV_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${1:-.build-python/venv}
if ! [ -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import nodetool.worker, msgpack" 2>/dev/null; then
    mkdir -p "$(dirname "$venv")"
    python3 -m venv "$venv" >&2
    "$venv/bin/python" -m pip install -q --disable-pip-version-check nodetool-core msgpack >&2
fi
echo "$(cd "$venv/bin" && pwd)/python"
