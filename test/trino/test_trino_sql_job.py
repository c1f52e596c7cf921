"""The TrinoSqlJob's script, run as its pod would, with the real Trino CLI (476, the newest on
Maven Central; the pod uses the Stackable trino-cli image of the cluster's version) against the
loopback stand-in for Trino of the Superset tests (test/superset/fake_trino.py: HTTPS, basic auth,
statements answered by DuckDB).

The Job's pod runs as test/jobs/kubelet.py runs pods (bubblewrap sandbox: its command, its env
with the Secret's password, its volumes: the statements ConfigMap, the TrustStore's ConfigMap
holding the stand-in's CA; its user 1000:1000 and read-only root; the trino-cli image's bash and
CLI path, the CLI being TRINO_CLI_JAR with this machine's Java). Only TRINO_SERVER is overridden,
to the stand-in's loopback address (the host name in Trino's certificate is the runtime
contract's check).
What this proves: the CLI flags, the password from TRINO_PASSWORD, TLS verified against a PEM CA
file, statements run in order from the file and stop at the first failure, the wait and its
deadline. Run by scripts/test-superset.sh (needs TRINO_CLI_JAR, the jobs suite's tools and the Superset venv's DuckDB).
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "superset"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "jobs"))
from fake_trino import FakeTrino, write_tls_files  # noqa: E402
from kubelet import Cluster, Result, Tools, run_job  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
TABLE_JSON = REPO / "demos" / "spark-k8s-anomaly-detection-taxi-data" / "iforest-table.json"


def synthesize(*statements):
    out = subprocess.run(["npx", "--no-install", "ts-node", "--transpile-only", "test/trino/trino-sql-job-fixture.ts", *statements],
                         cwd=REPO, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def run_sql(objs, tmp_path: Path, ca_file: Path, server: str, **env: str) -> Result:
    """The Job's pod (one, no retries), its `sql` container's env overridden by TRINO_SERVER=server and `env`."""
    (job,) = [o for o in objs if o["kind"] == "Job" and o["metadata"]["labels"]["app.kubernetes.io/name"] == "trino-sql"]
    cluster = Cluster(objs, ca_file.read_text(), {}, Tools.from_env())
    run = run_job(cluster, job, tmp_path, env={"sql": {"TRINO_SERVER": server, **env}})
    return run.of("sql")


@pytest.fixture
def trino(tmp_path):
    fake = FakeTrino(tmp_path / "tls", "admin", "cli-Pa55:word/with+specials", TABLE_JSON, rows=[]).start()
    yield fake
    fake.stop()


def test_runs_the_statements_in_order_with_the_secret_password_over_verified_tls(tmp_path, trino):
    objs = synthesize("CREATE TABLE prediction.ad.created AS SELECT 42 AS answer", "SELECT answer FROM prediction.ad.created;")
    result = run_sql(objs, tmp_path, trino.ca_file, f"https://localhost:{trino.port}", WAIT_SECONDS="60")
    assert result.returncode == 0, result.output
    assert "ran 2 statement(s)" in result.output
    statements = [s.strip().rstrip(";") for s in trino.statements()]
    assert statements == ["SELECT 1", "CREATE TABLE prediction.ad.created AS SELECT 42 AS answer", "SELECT answer FROM prediction.ad.created"]
    assert all(r["authenticated"] and r["user"] == "admin" for r in trino.requests)
    assert trino.duckdb.execute("SELECT answer FROM prediction.ad.created").fetchall() == [(42,)]


def test_stops_at_the_first_failing_statement(tmp_path, trino):
    objs = synthesize("SELECT * FROM prediction.ad.missing", "CREATE TABLE prediction.ad.never AS SELECT 1 AS x")
    result = run_sql(objs, tmp_path, trino.ca_file, f"https://localhost:{trino.port}", WAIT_SECONDS="60")
    assert result.returncode != 0
    assert not any("never" in s for s in trino.statements())


def test_refuses_a_server_whose_certificate_another_ca_signed_and_gives_up_at_its_deadline(tmp_path, trino):
    other_ca, _, _ = write_tls_files(tmp_path / "other")
    objs = synthesize("SELECT 1")
    start = time.monotonic()
    result = run_sql(objs, tmp_path, other_ca, f"https://localhost:{trino.port}", WAIT_SECONDS="3")
    assert result.returncode == 1
    assert "did not answer within 3 s" in result.output
    assert "PKIX" in result.output or "certificate" in result.output.lower(), result.output[-2000:]
    assert time.monotonic() - start < 60
    assert trino.statements() == []  # no statement ever reached the server


def test_a_wrong_password_is_not_accepted(tmp_path, trino):
    objs = synthesize("SELECT 1")
    result = run_sql(objs, tmp_path, trino.ca_file, f"https://localhost:{trino.port}", TRINO_PASSWORD="wrong", WAIT_SECONDS="2")
    assert result.returncode == 1
    assert all(not r["authenticated"] for r in trino.requests)
