#!/usr/bin/env bash
# Set up (if needed, including the test tools of requirements-dev.txt, Debian's chromium and the test OIDC provider)
# and run the whole test suite, browser tests included.
# Screenshots and other artifacts land in test-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --browser --tests
exec .venv/bin/python -m pytest "$@"
