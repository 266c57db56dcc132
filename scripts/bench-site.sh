#!/usr/bin/env bash
# Measure the public site (docs/benchmarks.md, « Site public »): build time of `publish-site` on a database, page
# weights, and requests per second for the home page served by nginx (deploy/nginx-site.conf, Debian's nginx) beside
# the dashboard's home page through Streamlit (`streamlit run serve.py`), both measured by wrk on this machine.
#   scripts/bench-site.sh DB [SECONDS]      (needs: apt-get install nginx-light wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${1:?base de données attendue}; SECONDS_WRK=${2:-20}
WORK=$(mktemp -d /tmp/lit-bench-site.XXXXXX)
chmod 755 "$WORK"   # nginx workers (nobody or www-data) read the site
trap 'kill $(cat "$WORK/nginx.pid" 2>/dev/null) 2>/dev/null || true; [ -n "${ST_PID:-}" ] && kill "$ST_PID" 2>/dev/null || true' EXIT

echo "== build (publish-site --demo) =="
/usr/bin/time -f "%e s elapsed, %M KB max RSS" .venv/bin/python -m lit_analytics publish-site --db "$DB" \
  --out "$WORK/site" --demo

echo "== nginx =="
sed -e "s#root /var/www/lit-site;#root $WORK/site;#" -e 's#listen 80;#listen 127.0.0.1:8089;#' \
    -e '/listen \[::\]:80;/d' deploy/nginx-site.conf > "$WORK/site.conf"
cat > "$WORK/nginx.conf" <<CONF
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/error.log;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    client_body_temp_path $WORK/body; proxy_temp_path $WORK/proxy; fastcgi_temp_path $WORK/fastcgi;
    uwsgi_temp_path $WORK/uwsgi; scgi_temp_path $WORK/scgi;
    include $WORK/site.conf;
}
CONF
/usr/sbin/nginx -c "$WORK/nginx.conf" -p "$WORK"
sleep 1
curl -sf -o /dev/null -w "nginx : HTTP %{http_code}, %{size_download} octets (gzip)\n" -H 'Accept-Encoding: gzip' \
  http://127.0.0.1:8089/index.html
wrk -t2 -c20 -d"${SECONDS_WRK}s" -H 'Accept-Encoding: gzip' http://127.0.0.1:8089/index.html
wrk -t2 -c20 -d"${SECONDS_WRK}s" http://127.0.0.1:8089/index.html

echo "== streamlit =="
LIT_DB="$DB" .venv/bin/streamlit run serve.py --server.port 8599 --server.address 127.0.0.1 >"$WORK/streamlit.log" 2>&1 &
ST_PID=$!
for _ in $(seq 60); do curl -sf http://127.0.0.1:8599/ >/dev/null && break; sleep 1; done
curl -sf -o /dev/null -w "streamlit : HTTP %{http_code}, %{size_download} octets (gzip)\n" -H 'Accept-Encoding: gzip' \
  http://127.0.0.1:8599/
wrk -t2 -c20 -d"${SECONDS_WRK}s" -H 'Accept-Encoding: gzip' http://127.0.0.1:8599/
