#!/usr/bin/env bash
# Local entry point of the ML pipeline (`npm run ml -- train|score ...`): creates or refreshes the
# project's Python environment, then runs uns_anomaly.cli from the folder npm was started in.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/python-env.sh" >&2
cd "${INIT_CWD:-$PWD}"
export PYTHONPATH="$root/pipelines/src${PYTHONPATH:+:$PYTHONPATH}"
exec "$root/.venv/bin/python" -m uns_anomaly.cli "$@"
