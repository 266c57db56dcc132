#!/usr/bin/env bash
# Set up (if needed) and run the dashboard on http://localhost:8501. Without LIT_DB, the app uses
# data/lit.duckdb and builds the demo database there on first start (LIT_DEMO=1); with LIT_DB, the file must
# exist (a missing one is a French error, nothing is created). Chromium is installed for exports.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --browser
if [[ -z "${LIT_DB:-}" ]]; then
    export LIT_DEMO="${LIT_DEMO:-1}"
fi
exec .venv/bin/streamlit run serve.py "$@"
