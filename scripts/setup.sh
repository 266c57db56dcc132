#!/usr/bin/env bash
# Prepare a fresh machine: a virtualenv in .venv with the pinned run-time requirements (requirements.txt);
# with --browser, Debian's chromium (image exports, browser tests); with --tests, what the test suite and the
# benchmarks need besides: requirements-dev.txt (pytest, playwright, pypdf, frictionless…) and the OpenID Connect
# provider of the sign-in tests, axe-core for the accessibility check, poppler-utils (pdftoppm) to look at
# exported PDF decks, Debian's PostgreSQL (tests on a PostgreSQL store) and HAProxy (replicas test, `bench-load`),
# promtool from Debian's prometheus (the alert rules of deploy/). The public site's design system (npm @gouvfr/dsfr)
# is installed for both. Requirements are re-installed only when the files installed change.
set -euo pipefail
cd "$(dirname "$0")/.."

BROWSER=no; TESTS=no
for arg in "$@"; do
  case "$arg" in
    --browser) BROWSER=yes ;;
    --tests) TESTS=yes ;;
    *) echo "option inconnue : $arg" >&2; exit 2 ;;
  esac
done

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# The stamp names what was installed: requirements.txt alone, or requirements-dev.txt (which includes it, so it
# also satisfies a run without --tests).
stamp=.venv/.requirements.sha256
run_want=run-$(cat requirements.txt | sha256sum | cut -d' ' -f1)
dev_want=dev-$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
have=$(cat "$stamp" 2>/dev/null || true)
if [ "$TESTS" = yes ]; then
  REQUIREMENTS=requirements-dev.txt; want=$dev_want
else
  REQUIREMENTS=requirements.txt; want=$run_want
  [ "$have" = "$dev_want" ] && want=$dev_want
fi
if [ "$have" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r "$REQUIREMENTS"
  echo "$want" > "$stamp"
fi

# The public site (`publish-site`) copies the Système de design de l'État into what it writes: npm @gouvfr/dsfr,
# pinned in lit_analytics/site/dsfr/package-lock.json, installed for the run and the tests (again only when the lock
# changes). Its install script only asks for a DSFR project file, which a copy of dist/ does not need: skipped.
dsfr_stamp=lit_analytics/site/dsfr/node_modules/.package-lock.sha256
dsfr_want=$(sha256sum lit_analytics/site/dsfr/package-lock.json | cut -d' ' -f1)
if [ "$(cat "$dsfr_stamp" 2>/dev/null)" != "$dsfr_want" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "Installation de nodejs et npm (paquets Debian)…"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
  fi
  (cd lit_analytics/site/dsfr && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  echo "$dsfr_want" > "$dsfr_stamp"
fi

if [ "$BROWSER" = yes ] && ! command -v chromium >/dev/null 2>&1; then
  echo "Installation de chromium (paquet Debian)…"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

# The browser tests of the sign-in run a real OpenID Connect provider on localhost (npm `oidc-provider`,
# pinned in tests/oidc/package-lock.json), installed once from the npm registry (again only when the lock changes).
if [ "$TESTS" = yes ]; then
  # A throwaway PostgreSQL cluster is started by the tests themselves (initdb/pg_ctl in a temporary directory);
  # the package's own cluster is not used. HAProxy runs in the foreground from the tests and the benchmark.
  missing=""
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
  command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing="$missing haproxy"
  [ -x /usr/sbin/nginx ] || missing="$missing nginx-light"   # the public site served with deploy/nginx-site.conf
  if [ -n "$missing" ]; then
    echo "Installation de$missing (paquets Debian)…"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "Installation de nodejs et npm (paquets Debian)…"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
  fi
  oidc_stamp=tests/oidc/node_modules/.package-lock.sha256
  oidc_want=$(sha256sum tests/oidc/package-lock.json | cut -d' ' -f1)
  if [ "$(cat "$oidc_stamp" 2>/dev/null)" != "$oidc_want" ]; then
    (cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error)
    echo "$oidc_want" > "$oidc_stamp"
  fi
  # The deck tests look at exported PDF pages as pictures (pdftoppm, from poppler-utils).
  if ! command -v pdftoppm >/dev/null 2>&1; then
    echo "Installation de poppler-utils (paquet Debian)…"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq poppler-utils >/dev/null
  fi
  # Decks are read as a reader sees them (LibreOffice Impress converts each PPTX to PDF: the overlap test), and the
  # subscriptions' PDF attachments are made the same way (a server that sends subscriptions needs it too, README).
  if ! command -v soffice >/dev/null 2>&1; then
    echo "Installation de libreoffice-impress (paquet Debian)…"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends libreoffice-impress >/dev/null
  fi
  # The alert rules of deploy/ are checked and unit-tested with Prometheus' own promtool: taken from Debian's
  # prometheus package into .venv/bin (extracted, not installed: no Prometheus service starts on this machine).
  promtool_want=$(apt-cache policy prometheus 2>/dev/null | awk '/Candidate:/ {print $2}')
  if [ ! -x .venv/bin/promtool ] || { [ -n "$promtool_want" ] &&
       [ "$(cat .venv/.promtool-version 2>/dev/null)" != "$promtool_want" ]; }; then
    echo "Installation de promtool (paquet Debian prometheus, extrait dans .venv/bin)…"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    [ -n "$promtool_want" ] || { $SUDO apt-get update -qq; promtool_want=$(apt-cache policy prometheus | awk '/Candidate:/ {print $2}'); }
    promtool_tmp=$(mktemp -d)
    (cd "$promtool_tmp" && apt-get download -qq prometheus 2>/dev/null && dpkg-deb -x prometheus_*.deb root)
    install -m 755 "$promtool_tmp/root/usr/bin/promtool" .venv/bin/promtool
    rm -rf "$promtool_tmp"
    echo "$promtool_want" > .venv/.promtool-version
  fi
  # The accessibility check injects axe-core (npm, pinned in tests/axe/package-lock.json) into every page.
  axe_stamp=tests/axe/node_modules/.package-lock.sha256
  axe_want=$(sha256sum tests/axe/package-lock.json | cut -d' ' -f1)
  if [ "$(cat "$axe_stamp" 2>/dev/null)" != "$axe_want" ]; then
    (cd tests/axe && npm ci --no-audit --no-fund --loglevel=error)
    echo "$axe_want" > "$axe_stamp"
  fi
fi
