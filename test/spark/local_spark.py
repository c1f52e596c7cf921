"""Local SparkSession with an Iceberg ``hadoop`` catalog, shared by the Spark tests and the benchmark.

The catalog is named ``prediction`` like the cluster's, so the job runs with its default
``--output-table prediction.ad.iforest``; only its type differs (``hadoop`` on a local folder
instead of ``hive`` with a metastore). The Iceberg runtime jar is the cluster's artifact:
``ICEBERG_JAR`` (set by scripts/test-spark.sh and scripts/bench-spark.sh, which fetch it with
Maven into the cache) or, when unset, resolved by Spark's Ivy from Maven Central.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pyspark.sql import SparkSession

ICEBERG_PACKAGE = "org.apache.iceberg:iceberg-spark-runtime-4.1_2.13:1.11.0"
REPO_ROOT = Path(__file__).resolve().parents[2]
JOB_DIR = REPO_ROOT / "demos" / "spark-k8s-anomaly-detection-taxi-data"


def build_session(warehouse: Path, app: str = "anomaly-detection-test", cores: int = 2,
                  shuffle_partitions: int = 4, driver_memory: str = "2g") -> SparkSession:
    """A local[cores] session, session time zone UTC, catalog `prediction` -> warehouse folder."""
    builder = (
        SparkSession.builder.master(f"local[{cores}]").appName(app)
        .config("spark.driver.memory", driver_memory)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
        .config("spark.sql.catalog.prediction", "org.apache.iceberg.spark.SparkCatalog")
        .config("spark.sql.catalog.prediction.type", "hadoop")
        .config("spark.sql.catalog.prediction.warehouse", str(warehouse))
    )
    # Python workers run this interpreter (the venv), not whatever `python3` is first on PATH.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    jar = os.environ.get("ICEBERG_JAR")
    if jar:
        builder = builder.config("spark.jars", jar)
    else:
        cache = Path(os.environ.get("DEMO_CACHE_DIR", Path.home() / ".cache" / "stackable-anomaly-demo"))
        builder = (builder.config("spark.jars.packages", ICEBERG_PACKAGE)
                   .config("spark.jars.ivy", str(cache / "ivy")))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
