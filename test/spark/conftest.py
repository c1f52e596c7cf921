"""pytest fixtures of the Spark suite (run it with scripts/test-spark.sh).

One local SparkSession (local[2], Iceberg hadoop catalog `prediction` in a temporary folder) is
shared by all tests; the synthetic trips are generated once (2 months x 200k rows) and the job
is run once on them for the tests that only read its output table.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from local_spark import JOB_DIR, build_session  # noqa: E402

sys.path.insert(0, str(JOB_DIR))

MONTHS = ["2020-09", "2020-10"]
ROWS_PER_MONTH = 200_000
SEED = 7


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    session = build_session(tmp_path_factory.mktemp("warehouse"))
    yield session
    session.stop()


@pytest.fixture(scope="session")
def trips_dir(tmp_path_factory) -> Path:
    import fhvhv_generator

    out = tmp_path_factory.mktemp("raw")
    # small row groups so that Spark reads each file with several tasks, as with the real files
    fhvhv_generator.write_months(MONTHS, ROWS_PER_MONTH, out, seed=SEED, row_group_size=50_000)
    return out


@pytest.fixture(scope="session")
def job_args(trips_dir) -> list[str]:
    """Command line of the job in the tests: local input, no namespace location (hadoop catalog)."""
    return ["--input", str(trips_dir), "--namespace-location", "", "--output-table", "prediction.ad.iforest"]


@pytest.fixture(scope="session")
def job_run(spark, job_args):
    """Runs the job once; returns (summary, output table as pandas sorted by pickup_ts)."""
    import anomaly_detection

    summary = anomaly_detection.run(spark, anomaly_detection.parse_args(job_args))
    table = spark.table("prediction.ad.iforest").orderBy("pickup_ts").toPandas()
    return summary, table
