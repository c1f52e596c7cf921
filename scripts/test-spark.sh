#!/usr/bin/env bash
# Spark suite: runs the PySpark anomaly-detection job (constructs/spark/anomaly_detection.py) for real
# in local Spark 4.1 with the cluster's Iceberg runtime, on synthetic NYC HVFHV trips, with pytest.
# Usage: scripts/test-spark.sh [PYTEST_ARGS...]     (e.g. -k lag, -x)
# First use creates the Python venv (test/spark/requirements.txt) and fetches the Iceberg jar with
# Maven; both are cached outside the repo (see scripts/lib/common.sh). Needs python3, Java 17, mvn.
. "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

ICEBERG_COORDS="org.apache.iceberg:iceberg-spark-runtime-4.1_2.13:1.11.0"
# The tests use what the SparkApplication uses: its Iceberg runtime and its Python pins.
grep -q "'$ICEBERG_COORDS'" constructs/spark/anomaly-detection-job.ts \
  || { log "constructs/spark/anomaly-detection-job.ts does not default to $ICEBERG_COORDS"; exit 1; }
for pin in $(grep -v '^#' constructs/spark/job-requirements.txt); do
  grep -qx "$pin" test/spark/requirements.txt \
    || { log "test/spark/requirements.txt lacks $pin of constructs/spark/job-requirements.txt"; exit 1; }
done
venv="$(ensure_venv spark test/spark/requirements.txt)"
ICEBERG_JAR="$(ensure_maven_jar "$ICEBERG_COORDS")"
export ICEBERG_JAR DEMO_CACHE_DIR
command -v java >/dev/null || { log "java not found: Spark needs a Java 17 runtime"; exit 1; }

# no .pytest_cache nor __pycache__ in the repo
export PYTHONDONTWRITEBYTECODE=1
exec "$venv/bin/python" -m pytest -p no:cacheprovider -q test/spark "$@"
