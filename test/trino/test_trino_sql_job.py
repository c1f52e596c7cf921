"""The TrinoSqlJob's script, run as its pod would, with the real Trino CLI (476, the newest on
Maven Central; the pod uses the Stackable trino-cli image of the cluster's version) against the
loopback stand-in for Trino of the Superset tests (test/superset/fake_trino.py: HTTPS, basic auth,
statements answered by DuckDB).

Taken from the synthesized objects: the container's command, its environment (Secret references
resolved from the chart's own Secret), the statements ConfigMap. Mapped: the mount paths to
temporary folders, the CLI's path in the image to the jar, and TRINO_SERVER to the stand-in's
loopback address (the host name in Trino's certificate is the runtime contract's check); the
pod as this machine runs it: sql_job_pod.py.
What this proves: the CLI flags, the password from TRINO_PASSWORD, TLS verified against a PEM CA
file, statements run in order from the file and stop at the first failure, the wait and its
deadline. Run by scripts/test-superset.sh (needs TRINO_CLI_JAR and the Superset venv's DuckDB).
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "superset"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fake_trino import FakeTrino, write_tls_files  # noqa: E402
from sql_job_pod import JobPod  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
TABLE_JSON = REPO / "constructs" / "spark" / "iforest-table.json"


def synthesize(*statements):
    out = subprocess.run(["npx", "--no-install", "ts-node", "--transpile-only", "test/trino/trino-sql-job-fixture.ts", *statements],
                         cwd=REPO, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


@pytest.fixture
def trino(tmp_path):
    fake = FakeTrino(tmp_path / "tls", "admin", "cli-Pa55:word/with+specials", TABLE_JSON, rows=[]).start()
    yield fake
    fake.stop()


def test_runs_the_statements_in_order_with_the_secret_password_over_verified_tls(tmp_path, trino):
    objs = synthesize("CREATE TABLE prediction.ad.created AS SELECT 42 AS answer", "SELECT answer FROM prediction.ad.created;")
    pod = JobPod(objs, tmp_path / "pod", trino.ca_file, f"https://localhost:{trino.port}")
    result = pod.run(WAIT_SECONDS="60")
    assert result.returncode == 0, result.stderr
    assert "ran 2 statement(s)" in result.stdout
    statements = [s.strip().rstrip(";") for s in trino.statements()]
    assert statements == ["SELECT 1", "CREATE TABLE prediction.ad.created AS SELECT 42 AS answer", "SELECT answer FROM prediction.ad.created"]
    assert all(r["authenticated"] and r["user"] == "admin" for r in trino.requests)
    assert trino.duckdb.execute("SELECT answer FROM prediction.ad.created").fetchall() == [(42,)]


def test_stops_at_the_first_failing_statement(tmp_path, trino):
    objs = synthesize("SELECT * FROM prediction.ad.missing", "CREATE TABLE prediction.ad.never AS SELECT 1 AS x")
    result = JobPod(objs, tmp_path / "pod", trino.ca_file, f"https://localhost:{trino.port}").run(WAIT_SECONDS="60")
    assert result.returncode != 0
    assert not any("never" in s for s in trino.statements())


def test_refuses_a_server_whose_certificate_another_ca_signed_and_gives_up_at_its_deadline(tmp_path, trino):
    other_ca, _, _ = write_tls_files(tmp_path / "other")
    objs = synthesize("SELECT 1")
    pod = JobPod(objs, tmp_path / "pod", other_ca, f"https://localhost:{trino.port}")
    start = time.monotonic()
    result = pod.run(WAIT_SECONDS="3")
    assert result.returncode == 1
    assert f"did not answer within 3 s" in result.stderr
    assert "PKIX" in result.stderr or "certificate" in result.stderr.lower(), result.stderr[-2000:]
    assert time.monotonic() - start < 60
    assert trino.statements() == []  # no statement ever reached the server


def test_a_wrong_password_is_not_accepted(tmp_path, trino):
    objs = synthesize("SELECT 1")
    result = JobPod(objs, tmp_path / "pod", trino.ca_file, f"https://localhost:{trino.port}").run(TRINO_PASSWORD="wrong", WAIT_SECONDS="2")
    assert result.returncode == 1
    assert all(not r["authenticated"] for r in trino.requests)
