#!/usr/bin/env bash
# Suite "superset": Superset assets bundles against a real Superset 6.1.0, and the TrinoSqlJob's script
# with the real Trino CLI, its pod run as test/jobs/kubelet.py runs pods (the jobs suite's tools),
# against the same loopback stand-in for Trino (test/trino/). (The bundle
# jest tests, test/superset/bundle*.test.ts and test/spark/anomaly-dashboard.test.ts, run in the unit suite.)
#   1. a throw-away Superset 6.1.0 (SQLite metadata, gunicorn on 127.0.0.1) is set up and started;
#   2. pytest (test/superset/) generates the anomaly demo's bundle with scripts/write-superset-bundle.ts,
#      runs the import Job's pod on it as test/jobs/kubelet.py runs pods (its command `python3
#      /scripts/import_assets.py` as its user 1000:1000, python3 being this venv at the Superset
#      image's /stackable/app with the image's owners and modes), and
#      checks the database, dataset, charts (their queries run on a loopback fake Trino) and
#      dashboard, and that a second import changes nothing; then (test_other_bundles.py) bundles
#      of the other sources (an export zip with its database pointed at our Trino, an export
#      folder, a database-only bundle, the trino-taxi-data dashboard of SupersetBundleBuilder),
#      imported the same way, and again without change.
# Usage: scripts/test-superset.sh   (the Superset venv is built on first use and cached; see lib/common.sh)
. "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

. "$REPO_ROOT/scripts/lib/jobs-tools.sh"

start=$(date +%s)
# The TrinoSqlJob's pod runs as test/jobs/kubelet.py runs pods: the jobs suite's bubblewrap and shells.
ensure_jobs_tools
venv="$(ensure_venv superset test/superset/requirements.txt)"
# The import Job's pod runs the same way, this venv standing in for the Superset image's /stackable/app.
JOBS_SUPERSET_VENV="$venv"
export JOBS_SUPERSET_VENV
# The newest Trino CLI on Maven Central (481, the cluster's, is only published on GitHub).
TRINO_CLI_JAR="$(ensure_maven_jar io.trino:trino-cli:476:jar:executable)"
export TRINO_CLI_JAR
log "superset: venv ready ($(( $(date +%s) - start ))s): $venv"

work="$(mktemp -d "${TMPDIR:-/tmp}/superset-test.XXXXXX")"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM -- "-$server_pid" 2>/dev/null || kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# requests prefers REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE over the `verify` CA file Superset passes
# to the trino driver; unset so the connection is verified against the bundle's CA, as in the pod.
unset REQUESTS_CA_BUNDLE CURL_CA_BUNDLE

port="$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
admin_password="$("$venv/bin/python" -c 'import secrets; print(secrets.token_urlsafe(16))')"
export SUPERSET_CONFIG_PATH="$work/superset_config.py"
export SUPERSET_METADATA_DB="$work/superset.db"
cat > "$SUPERSET_CONFIG_PATH" <<EOF
# Throw-away Superset for scripts/test-superset.sh: SQLite metadata, loopback only.
SECRET_KEY = "$("$venv/bin/python" -c 'import secrets; print(secrets.token_hex(32))')"
SQLALCHEMY_DATABASE_URI = "sqlite:///$SUPERSET_METADATA_DB"
EOF
export FLASK_APP=superset SUPERSET_LOG_LEVEL=warning

step() {  # step NAME CMD...: runs a set-up command, shows its log only if it fails
  local name="$1"; shift
  if ! "$@" > "$work/$name.log" 2>&1; then
    tail -n 60 "$work/$name.log" >&2; log "superset: $name failed"; return 1
  fi
}
t=$(date +%s)
step db-upgrade "$venv/bin/superset" db upgrade
step create-admin "$venv/bin/superset" fab create-admin --username admin --firstname Demo --lastname Admin \
  --email admin@example.org --password "$admin_password"
step init "$venv/bin/superset" init
log "superset: metadata database ready ($(( $(date +%s) - t ))s)"

# Own process group, so the trap stops the gunicorn master and its worker together.
setsid "$venv/bin/gunicorn" --no-control-socket --workers 1 --threads 4 --timeout 300 \
  --bind "127.0.0.1:$port" 'superset.app:create_app()' > "$work/server.log" 2>&1 &
server_pid=$!
url="http://127.0.0.1:$port"
for i in $(seq 1 120); do
  if curl -fsS "$url/health" > /dev/null 2>&1; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then tail -n 60 "$work/server.log" >&2; log "superset: server died"; exit 1; fi
  [ "$i" -lt 120 ] || { tail -n 60 "$work/server.log" >&2; log "superset: server not up after 120s"; exit 1; }
  sleep 1
done
log "superset: Superset 6.1.0 answering at $url"

export SUPERSET_URL="$url" SUPERSET_ADMIN_USER=admin SUPERSET_ADMIN_PASSWORD="$admin_password"
if ! "$venv/bin/python" -m pytest -p no:cacheprovider -q --durations=5 test/superset test/trino; then
  log "superset: tests failed; last lines of the server log:"; tail -n 80 "$work/server.log" >&2
  exit 1
fi
