#!/usr/bin/env bash
# Spark suite: runs the PySpark anomaly-detection job (demos/spark-k8s-anomaly-detection-taxi-data/anomaly_detection.py) for real
# in local Spark 4.1 with the cluster's Iceberg runtime, on synthetic NYC HVFHV trips, with pytest.
# Usage: scripts/test-spark.sh [PYTEST_ARGS...]     (e.g. -k lag, -x)
# First use creates the Python venv (test/spark/requirements.txt) and fetches the Iceberg jar with
# Maven; both are cached outside the repo (see scripts/lib/common.sh). Needs python3, Java 17, mvn.
. "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

# The tests use what the SparkApplication uses: its Iceberg runtime and its Python pins.
ensure_local_spark
command -v java >/dev/null || { log "java not found: Spark needs a Java 17 runtime"; exit 1; }

# no .pytest_cache nor __pycache__ in the repo
export PYTHONDONTWRITEBYTECODE=1
exec "$SPARK_VENV/bin/python" -m pytest -p no:cacheprovider -q test/spark "$@"
