"""The demo's data path end to end with the real programs, configured from the synthesized
objects (see harness.py for the harness, conftest.py for this session's demo, programs.py for the
programs the hops start, operators.py for what the operators derive). The hops
run in order, each on what the earlier ones left; each prints what it checked.

No operator, kubelet or Kubernetes API is involved: the containers our objects define run in
bubblewrap sandboxes as their pods would (test/jobs/kubelet.py), the operators' programs with the
configuration operators.py derives from our custom resources.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

from conftest import MONTHS, ROWS_PER_MONTH
from harness import HERE, World, _die_with_parent, report
from chart_api import by_time, chart_query, run_chart
from kubelet import Pod, run_job
from operators import HIVE_PORT, hive_metastore_host
from programs import (dashboard_state, https_request, secret_leaks, listing, mc, psql, run_bucket_and_load_jobs, run_import_job, spark_job_script,
                      spark_submit_command, start_metastore, start_minio, start_postgres, start_superset, start_trino, superset_api, trino_query)


# ---------------------------------------------------------------------------------------------
# Hop 1: MinIO with TLS, as its Deployment runs it
# ---------------------------------------------------------------------------------------------


def test_hop1_minio_runs_as_its_deployment_says_with_tls_from_the_secret_operator_volume(world: World):
    start_minio(world)


# ---------------------------------------------------------------------------------------------
# Hop 2: the bucket Job and the data-load Job, their own scripts
# ---------------------------------------------------------------------------------------------


def test_hop2_the_bucket_and_data_load_jobs_fill_minio(world: World):
    marker = run_bucket_and_load_jobs(world)
    assert marker == " ".join(f"fhvhv_tripdata_{m}.parquet" for m in MONTHS), marker


# ---------------------------------------------------------------------------------------------
# Hop 3: PostgreSQL and the Hive metastore (hive-iceberg, the Spark job's catalog)
# ---------------------------------------------------------------------------------------------


def test_hop3_postgresql_and_the_hive_metastores(world: World):
    """Both HiveClusters (hive-iceberg for the Spark job and Trino's `prediction`, hive for Trino's `hive`)."""
    spark_app = world.one("SparkApplication")
    uri = spark_app["spec"]["sparkConf"]["spark.sql.catalog.prediction.uri"]
    hives = world.of_kind("HiveCluster")
    assert uri in {f"thrift://{hive_metastore_host(h)}:{HIVE_PORT}" for h in hives}, f"no HiveCluster publishes {uri}"
    for hive in sorted(hives, key=lambda h: f"thrift://{hive_metastore_host(h)}:{HIVE_PORT}" != uri):
        db = hive["spec"]["clusterConfig"]["metadataDatabase"]["postgresql"]
        start_postgres(world, db["host"], db["port"])
        published = start_metastore(world, hive)
        if published == uri:
            world.state["metastore_uri"] = uri
            world.state["metastore_db"] = db["host"]


# ---------------------------------------------------------------------------------------------
# Hop 4: the Spark job, after its wait for the data
# ---------------------------------------------------------------------------------------------


def wait_for_data(world: World) -> str:
    """The submit pod's init containers (our job.podOverrides), run in order as its pod would: the
    wait for the data, then the wait for the metastore of its Iceberg catalog (a TCP connect with
    the image's bash, to the metastore the earlier hop started)."""
    app = world.one("SparkApplication")
    spec = app["spec"]["job"]["podOverrides"]["spec"]
    assert [c["name"] for c in spec["initContainers"]] == ["wait-for-data", "wait-for-metastore"], spec["initContainers"]
    pod = Pod(world.cluster(), spec, world.workdir)
    try:
        results = [pod.run(name, timeout=60) for name in ("wait-for-data", "wait-for-metastore")]
    finally:
        pod.close()
    data, metastore = results
    assert data.returncode == 0 and "data present" in data.output, data.output
    assert metastore.returncode == 0 and "Hive metastore answers at" in metastore.output, metastore.output
    return "; ".join(r.output.strip().splitlines()[-1] for r in results)


def spark_submit(world: World, name: str, script: Path, args: list[str], spark_conf: dict[str, str] | None = None,
                 check: bool = True) -> subprocess.CompletedProcess:
    """The job of spark_submit_command, to its end; its output also in logs/<name>.log."""
    argv, env = spark_submit_command(world, name, script, args, spark_conf)
    log = world.workdir / "logs" / f"{name}.log"
    log.parent.mkdir(exist_ok=True)
    result = subprocess.run(argv, capture_output=True, text=True, timeout=900, env=env, cwd=world.workdir,
                            preexec_fn=_die_with_parent)
    log.write_text(result.stdout + result.stderr)
    assert not check or result.returncode == 0, f"{name} failed; last lines:\n{(result.stdout + result.stderr)[-5000:]}"
    return result


def run_spark_job(world: World) -> str:
    """The SparkApplication's main file with its args; returns its summary line."""
    script, args = spark_job_script(world)
    result = spark_submit(world, "spark-ad", script, args)
    return next(line for line in result.stdout.splitlines() if line.startswith("anomaly_detection: read"))


def read_table(world: World, table: str) -> list[dict]:
    out = world.workdir / "table.jsonl"
    spark_submit(world, "read-table", HERE / "read_table.py", [table, str(out)])
    return [json.loads(line) for line in out.read_text().splitlines()]


def metastore_table(world: World, database: str, table: str) -> dict[str, str]:
    """The table's parameters as the metastore stored them in PostgreSQL."""
    rows = psql(world, world.state["metastore_db"],
                'SELECT p."PARAM_KEY", p."PARAM_VALUE" FROM "TBLS" t JOIN "DBS" d ON t."DB_ID" = d."DB_ID" '
                f'JOIN "TABLE_PARAMS" p ON p."TBL_ID" = t."TBL_ID" WHERE d."NAME" = \'{database}\' AND t."TBL_NAME" = \'{table}\'')
    return dict(line.split("|", 1) for line in rows.splitlines())


def arg(app: dict, name: str) -> str:
    args = app["spec"]["args"]
    return args[args.index(name) + 1]


def test_hop4_the_spark_job_writes_the_iceberg_table_through_the_metastore_to_minio(world: World):
    app = world.one("SparkApplication")
    report("hop4", f"init containers wait-for-data and wait-for-metastore (their scripts, mc image, as its pod): {wait_for_data(world)}")
    started = time.monotonic()
    summary = run_spark_job(world)
    assert f"read {len(MONTHS) * ROWS_PER_MONTH} trips" in summary, summary
    report("hop4", f"{app['spec']['mainApplicationFile']} with the SparkApplication's args and sparkConf plus the operator's "
                   f"S3A settings, Spark 4.1.2 local[2] ({time.monotonic() - started:.0f}s): {summary}")
    catalog, database, table = arg(app, "--output-table").split(".")
    params = metastore_table(world, database, table)
    assert params.get("table_type") == "ICEBERG", params
    location = arg(app, "--namespace-location").rstrip("/") + f"/{table}/metadata/"
    assert params["metadata_location"].startswith(location), params["metadata_location"]
    bucket_path = location[len("s3a://"):]
    files = listing(world, bucket_path)
    assert params["metadata_location"][len(location):] in files, files
    report("hop4", f"the metastore ({world.state['metastore_uri']}) holds {database}.{table} as an ICEBERG table whose "
                   f"metadata {params['metadata_location']} is in MinIO ({len(files)} metadata files under {location})")
    world.state["table"] = f"{catalog}.{database}.{table}"
    world.state["metadata_location"] = params["metadata_location"]


def expected_periods(world: World) -> dict[str, int]:
    """Rides per half hour of the generated files (pyarrow, independently of Spark), after the
    job's one-day lag warm-up: period start (UTC, ISO) -> rides."""
    import datetime as dt

    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    column = pq.read_table(world.state["mirror"].files, columns=["pickup_datetime"]).column("pickup_datetime")
    micros = column.cast(pa.timestamp("us")).cast(pa.int64()).to_numpy(zero_copy_only=False)
    half_hour = 30 * 60 * 1_000_000
    starts, counts = np.unique(micros // half_hour * half_hour, return_counts=True)
    first = starts.min()
    iso = lambda us: (dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=int(us))).strftime("%Y-%m-%dT%H:%M:%S")  # noqa: E731
    return {iso(s): int(c) for s, c in zip(starts, counts) if s >= first + 48 * half_hour}


def injected_anomalies() -> list[str]:
    from fhvhv_generator import anomalies

    return [a.start.strftime("%Y-%m-%dT%H:%M:%S") for a in anomalies(MONTHS)]


def check_table(rows: list[dict], expected: dict[str, int]) -> str:
    """One row per period with the right rides; the injected anomalies flagged (pred -1); day_pred
    the same on all periods of a day, and no day anomalous (the default scenario has no whole-day
    anomaly)."""
    periods = [r["pickup_ts"] for r in rows]
    assert len(periods) == len(set(periods)), "a period appears twice"
    assert {r["pickup_ts"]: r["norides"] for r in rows} == expected
    flagged = {r["pickup_ts"] for r in rows if r["pred"] == -1}
    injected = injected_anomalies()
    assert set(injected) <= flagged, f"injected {injected}, flagged {sorted(flagged)}"
    day_pred: dict[str, set] = {}
    for r in rows:
        day_pred.setdefault(r["pickup_ts"][:10], set()).add(r["day_pred"])
    assert all(len(v) == 1 for v in day_pred.values()), f"day_pred differs within a day: {day_pred}"
    shown = sorted(day for day, v in day_pred.items() if v == {-1})
    assert not shown, f"days shown as anomalous, none injected: {shown}"
    return (f"{len(rows)} rows, one per 30-minute period with the generated rides; {len(flagged)} flagged, among them the "
            f"{len(injected)} injected anomalies ({', '.join(injected)}); no day anomalous (day_pred 1 on all {len(day_pred)} days)")


def test_hop4b_the_table_read_back_through_the_metastore_has_one_row_per_period_and_the_anomalies_flagged(world: World):
    rows = read_table(world, world.state["table"])
    world.state["rows"] = rows
    report("hop4", f"read back with Spark through the metastore and S3A: {check_table(rows, expected_periods(world))}")


# ---------------------------------------------------------------------------------------------
# Hop 5: OPA with our Rego bundle, Trino with our catalogs, users and OPA authorizer
# ---------------------------------------------------------------------------------------------

#: The second user the test adds to the users Secret: not an admin of the policy.
SECOND_USER, SECOND_PASSWORD = "e2e-analyst", "analyst-password"


def test_hop5_trino_with_our_catalogs_users_and_opa(world: World):
    users, catalogs = start_trino(world, {SECOND_USER: SECOND_PASSWORD})
    world.state["users"] = users
    (admin,) = [u for u in users if u != SECOND_USER]  # the chart's one user, an admin of the policy
    rows, error = trino_query(world, admin, users[admin], "SHOW CATALOGS")
    assert error is None, error
    shown = sorted(r[0] for r in rows)
    assert {c["metadata"]["name"] for c in catalogs} <= set(shown), shown
    rows, error = trino_query(world, admin, users[admin], "SHOW SCHEMAS FROM hive")
    assert error is None, error
    report("hop5", f"{admin}: SHOW CATALOGS -> {', '.join(shown)}; the hive catalog reaches its metastore (schemas {', '.join(r[0] for r in rows)})")
    # The policy gives everyone but the admins nothing, not even ExecuteQuery: every statement is denied.
    rows, catalogs_error = trino_query(world, SECOND_USER, SECOND_PASSWORD, "SHOW CATALOGS")
    assert rows == [] and catalogs_error is not None and catalogs_error["errorName"] == "PERMISSION_DENIED", (rows, catalogs_error)
    rows, error = trino_query(world, SECOND_USER, SECOND_PASSWORD, f"SELECT count(*) FROM {world.state['table']}")
    assert rows == [] and error is not None and error["errorName"] == "PERMISSION_DENIED", (rows, error)
    report("hop5", f"{SECOND_USER} (added to the users Secret): SHOW CATALOGS -> no rows, {catalogs_error['message']}; "
                   f"SELECT from the table -> {error['message']}")
    world.state["admin"] = admin
    check_opa_decisions(world, admin)


HIVE_JOB = """
import sys
from pyspark.sql import SparkSession

location, rows = sys.argv[1], int(sys.argv[2])
spark = SparkSession.builder.getOrCreate()
spark.sql(f"CREATE DATABASE IF NOT EXISTS spark_hive LOCATION '{location}'")
spark.sql("DROP TABLE IF EXISTS spark_hive.numbers")
spark.sql("CREATE TABLE spark_hive.numbers (n BIGINT, square BIGINT) STORED AS PARQUET")
spark.range(rows).selectExpr("id AS n", "id * id AS square").write.insertInto("spark_hive.numbers")
print("hive_job:", spark.sql("SELECT count(*), sum(square) FROM spark_hive.numbers").collect()[0])
"""


def test_hop5b_a_spark_job_on_the_hive_session_catalog_writes_a_table_that_trino_s_hive_catalog_reads(world: World):
    """SparkCatalog.hive on the demo's `hive` metastore (its Spark conf from the construct, world.ts):
    a PySpark job (not the demo's) creates a database on S3 and a Parquet table through Spark's
    built-in Hive client; Trino's `hive` catalog, on the same metastore, reads the same rows."""
    conf = world.state["spark_hive_catalog_conf"]["hive"]
    (catalog,) = [c for c in world.of_kind("TrinoCatalog") if "hive" in c["spec"]["connector"]]
    assert conf["spark.hadoop.hive.metastore.uris"] == f"thrift://{hive_metastore_host(world.one('HiveCluster', name='hive'))}:{HIVE_PORT}"
    script = world.workdir / "hive_job.py"
    script.write_text(HIVE_JOB)
    rows = 1000
    bucket = arg(world.one("SparkApplication"), "--input").split("/")[2]  # s3a://<bucket>/...: the demo's data bucket
    started = time.monotonic()
    result = spark_submit(world, "spark-hive", script, [f"s3a://{bucket}/spark-hive", str(rows)], spark_conf=conf)
    summary = next(line for line in result.stdout.splitlines() if line.startswith("hive_job:"))
    want = [rows, sum(n * n for n in range(rows))]
    admin = world.state["admin"]
    got, error = trino_query(world, admin, world.state["users"][admin], f"SELECT count(*), sum(square) FROM {catalog['metadata']['name']}.spark_hive.numbers")
    assert error is None and got == [want], (got, error)
    report("hop5b", f"SparkCatalog.hive conf {sorted(conf)} on metastore hive: Spark 4.1.2's built-in Hive client against the "
                    f"4.0.0 metastore wrote spark_hive.numbers to s3a://{bucket}/spark-hive ({summary}; "
                    f"{time.monotonic() - started:.0f}s); Trino's {catalog['metadata']['name']} catalog reads {got[0]}")


def check_opa_decisions(world: World, admin: str, hop: str = "hop5") -> None:
    """What Trino asked OPA (its decision log): every decision for the admin allows, every one for
    the second user denies. The inputs are Trino's own; with E2E_OPA_INPUTS_DIR set they are
    written there as `opa test` fixtures (test/opa/inputs/trino476_*.json came from here)."""
    decisions = [d for d in map(json.loads, world.state["opa_log"].read_text().splitlines()) if d.get("msg") == "Decision Log"]
    by_user: dict[str, list[dict]] = {}
    for d in decisions:
        by_user.setdefault(d["input"]["context"]["identity"]["user"], []).append(d)
    assert set(by_user) == {admin, SECOND_USER}, sorted(by_user)

    def allowed(d: dict) -> bool:
        rule = d["path"].rsplit("/", 1)[1]
        if rule == "allow":
            return d["result"] is True
        if rule == "batch":
            return d["result"] == list(range(len(d["input"]["action"]["filterResources"])))
        return d["result"] == []  # rowFilters, batchColumnMasks: nothing to filter or mask for anyone

    denied_admin = [d["input"]["action"] for d in by_user[admin] if not allowed(d)]
    assert denied_admin == [], f"OPA denied the admin: {denied_admin}"
    let_through = [d["input"]["action"] for d in by_user[SECOND_USER] if d["path"].endswith(("/allow", "/batch")) and d["result"] not in (False, [])]
    assert let_through == [], f"OPA allowed {SECOND_USER}: {let_through}"
    operations = lambda user: sorted({d["input"]["action"]["operation"] for d in by_user[user]})  # noqa: E731
    report(hop, f"OPA's decision log: {len(by_user[admin])} decisions for {admin}, all allowing ({', '.join(operations(admin))}); "
                   f"{len(by_user[SECOND_USER])} for {SECOND_USER}, all denying ({', '.join(operations(SECOND_USER))})")
    out = os.environ.get("E2E_OPA_INPUTS_DIR")
    if out:
        for d in decisions:
            user = "admin" if d["input"]["context"]["identity"]["user"] == admin else "user"
            name = re.sub(r"(?<!^)(?=[A-Z])", "_", d["input"]["action"]["operation"]).lower()
            Path(out, f"trino{os.environ['TRINO_VERSION']}_{user}_{name}.json").write_text(json.dumps(d["input"], indent=2, sort_keys=True) + "\n")


# ---------------------------------------------------------------------------------------------
# Hop 7: what Trino returns
# ---------------------------------------------------------------------------------------------


def trino_table(world: World) -> list[dict]:
    admin = world.state["admin"]
    rows, error = trino_query(world, admin, world.state["users"][admin],
                              "SELECT format_datetime(pickup_ts, 'yyyy-MM-dd''T''HH:mm:ss'), norides, pred, day_pred "
                              f"FROM {world.state['table']} ORDER BY pickup_ts")
    assert error is None, error
    return [{"pickup_ts": r[0], "norides": r[1], "pred": r[2], "day_pred": r[3]} for r in rows]


def test_hop7_trino_returns_one_row_per_period_and_the_injected_anomalies_flagged(world: World):
    rows = trino_table(world)
    report("hop7", f"Trino as {world.state['admin']}: {check_table(rows, expected_periods(world))}")
    world.state["trino_rows"] = rows
    check_opa_decisions(world, world.state["admin"], "hop7")


# ---------------------------------------------------------------------------------------------
# Hop 6: Superset and the dashboard import Job
# ---------------------------------------------------------------------------------------------


def test_hop6_superset_imports_the_dashboard_and_its_charts_return_the_table_through_trino(world: World):
    url, creds = start_superset(world)
    world.state["superset_url"] = {url: creds}
    last = run_import_job(world)
    report("hop6", f"import Job (its pod as its user, the image's python3 at /stackable/app/bin; its script and bundle ConfigMaps, env from the Secrets): {last}")
    api = superset_api(world, creds)
    world.state["superset_api"] = api
    state = dashboard_state(api)
    world.state["dashboard_state"] = state
    datasets = state["dataset"]
    assert len(datasets) == 1, datasets
    dataset_id = datasets[0][1]
    charts = api.get("/api/v1/chart/", params={"q": "(page_size:100,columns:!(id,slice_name,params))"})["result"]
    trino_rows = {r["pickup_ts"]: r for r in world.state["trino_rows"]}
    checked = []
    for chart in charts:
        params = json.loads(chart["params"])
        queries = [chart_query(params)] + ([chart_query(params, "_b")] if "metrics_b" in params else [])
        result = run_chart(api, dataset_id, queries)
        data = result[0]["data"]
        assert len(data) == len(trino_rows), f"chart {chart['slice_name']}: {len(data)} rows, Trino has {len(trino_rows)}"
        times = {t.strftime("%Y-%m-%dT%H:%M:%S") for t in by_time(data, next(k for k in data[0] if k != "pickup_ts"))}
        assert times == set(trino_rows), f"chart {chart['slice_name']}: other periods than Trino's table"
        if "metrics_b" in params:
            label = next(k for k in result[1]["data"][0] if k != "pickup_ts")
            marked = {t.strftime("%Y-%m-%dT%H:%M:%S") for t, v in by_time(result[1]["data"], label).items() if v is not None}
            # what query B marks: the outliers (rides chart) or the periods of anomalous days (days chart)
            outcome = {"outlier_rides": "pred", "anomalous_day_rides": "day_pred"}[params["metrics_b"][0]["column"]["column_name"]]
            assert marked == {t for t, r in trino_rows.items() if r[outcome] == -1}, f"chart {chart['slice_name']} marks other periods"
            if outcome == "pred":
                assert set(injected_anomalies()) <= marked
        checked.append(f"{chart['slice_name']} ({len(data)} periods"
                       f"{f', marked = Trino {outcome} -1' if 'metrics_b' in params else ''})")
    report("hop6", f"chart data API through Superset's Trino connection (HTTPS, certificate verified for the bundle's host): {'; '.join(checked)}")
    world.state["chart_results"] = chart_results(api, dataset_id, charts)


def anonymous_http(world: World, url: str, method: str, path: str, body: bytes | None = None) -> tuple[int, dict[str, str]]:
    """Status and headers of a request without credentials to `url` (http, the Service's name
    resolved like the cluster); redirects are not followed."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(world.hosts[parts.hostname], parts.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers={"Host": f"{parts.hostname}:{parts.port}", "Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()


def test_hop6b_no_one_is_let_in_without_credentials(world: World):
    """Trino refuses a client without credentials and with a wrong password (HTTP 401) and OPA a
    valid user who is not an admin; Superset's dashboard, chart data API and database list refuse
    an anonymous client; MinIO refuses unsigned listing and reading of every bucket; no password
    of a Secret is written in plain text into a ConfigMap or a container's env, command or args."""
    import base64

    host, port = world.state["trino_host"], world.state["trino_port"]
    admin = world.state["admin"]
    trino = {}
    for what, headers in (("no credentials", {"X-Trino-User": admin}),
                          ("a wrong password", {"X-Trino-User": admin, "Authorization": "Basic " + base64.b64encode(f"{admin}:not-the-password".encode()).decode()})):
        status, _ = https_request(world, host, port, "POST", "/v1/statement", headers, b"SELECT 1")
        trino[what] = status
    assert trino == {"no credentials": 401, "a wrong password": 401}, trino
    rows, error = trino_query(world, SECOND_USER, SECOND_PASSWORD, "SELECT 1")
    assert rows == [] and error is not None and error["errorName"] == "PERMISSION_DENIED", (rows, error)

    url = next(iter(world.state["superset_url"]))
    ((_, slug),) = world.state["dashboard_state"]["dashboard"]  # its id: /superset/dashboard/<id or slug>/
    superset = {
        "GET /api/v1/database/": anonymous_http(world, url, "GET", "/api/v1/database/")[0],
        "POST /api/v1/chart/data": anonymous_http(world, url, "POST", "/api/v1/chart/data", b"{}")[0],
        "GET /api/v1/dashboard/": anonymous_http(world, url, "GET", "/api/v1/dashboard/")[0],
    }
    status, headers = anonymous_http(world, url, "GET", f"/superset/dashboard/{slug}/")
    superset[f"GET /superset/dashboard/{slug}/"] = status
    assert superset["GET /api/v1/database/"] == 401 and superset["POST /api/v1/chart/data"] == 401 and superset["GET /api/v1/dashboard/"] == 401, superset
    assert status == 302 and "/login/" in headers.get("location", ""), (status, headers)

    minio = {}
    endpoint = urlsplit(world.state["minio_endpoint"])
    buckets = [json.loads(line)["key"].rstrip("/") for line in mc(world, "ls", "--json", "t").splitlines() if line.startswith("{")]
    for bucket in buckets:
        minio[f"list {bucket}"], _ = https_request(world, endpoint.hostname, endpoint.port, "GET", f"/{bucket}?list-type=2", {})
        keys = [json.loads(line)["key"] for line in mc(world, "ls", "--recursive", "--json", f"t/{bucket}").splitlines() if line.startswith("{")][:1]
        if keys:
            minio[f"read {bucket}/{keys[0]}"], _ = https_request(world, endpoint.hostname, endpoint.port, "GET", f"/{bucket}/{keys[0]}", {})
    assert minio and all(v == 403 for v in minio.values()), minio

    leaks = secret_leaks(world.objects)
    assert leaks == [], leaks
    report("hop6b", f"Trino: {trino}, {SECOND_USER} PERMISSION_DENIED by OPA; Superset anonymous: {superset} (to the login page); "
                    f"MinIO unsigned: {minio}; no Secret password in a ConfigMap, env value, command or args")


def chart_results(api, dataset_id: int, charts: list[dict]) -> dict[str, list]:
    """Each chart's query A, its rows in a fixed order (the charts order by the metric: ties in any order)."""
    return {c["slice_name"]: sorted(json.dumps(r, sort_keys=True) for r in run_chart(api, dataset_id, [chart_query(json.loads(c["params"]))])[0]["data"])
            for c in charts}


# ---------------------------------------------------------------------------------------------
# Hop 7 (last): a second run of the whole path
# ---------------------------------------------------------------------------------------------


def test_hop7_a_second_run_of_both_jobs_and_the_spark_job_leaves_the_same_table(world: World):
    mirror = world.state["mirror"]
    mirror.requests.clear()
    cluster = world.cluster()
    for app in ("minio-buckets", "s3-file-load"):
        run = run_job(cluster, world.one("Job", app=app), world.workdir, timeout=600)
        assert run.succeeded, run.output
    downloads = [path for path, _ in mirror.requests if path.endswith(".parquet")]
    assert downloads == [], f"the second load downloaded {downloads}"
    report("hop7", "second run: both Jobs succeed again, the load Job downloads nothing (every month present)")
    wait_for_data(world)
    summary = run_spark_job(world)
    params = metastore_table(world, *world.state["table"].split(".")[1:])
    assert params["metadata_location"] != world.state["metadata_location"], "the second Spark run committed nothing"
    rows = read_table(world, world.state["table"])
    assert rows == world.state["rows"], "the second Spark run changed the table"
    assert trino_table(world) == world.state["trino_rows"], "Trino returns another table after the second run"
    report("hop7", f"second Spark run ({summary.split(';')[0]}) committed a new snapshot "
                   f"({params['metadata_location'].rsplit('/', 1)[1]}) with the same {len(rows)} rows, in Spark and in Trino")
    last = run_import_job(world)
    api = world.state["superset_api"]
    assert dashboard_state(api) == world.state["dashboard_state"], "the second import changed the dashboard's objects"
    dataset_id = world.state["dashboard_state"]["dataset"][0][1]
    charts = api.get("/api/v1/chart/", params={"q": "(page_size:100,columns:!(id,slice_name,params))"})["result"]
    assert chart_results(api, dataset_id, charts) == world.state["chart_results"], "the dashboard's charts show other data after the second run"
    report("hop7", f"second import ({last}): same dashboard, charts, dataset and database; the charts return the same data")

