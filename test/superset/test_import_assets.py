"""Imports the anomaly demo's assets bundle into a real Superset 6.1.0 with import_assets.py, as
the Kubernetes Job does (its pod run by test/jobs/kubelet.py, as its user), and checks what
Superset made of it: database connection (TLS, stored password), dataset with computed columns,
both charts (their queries run against the loopback fake Trino, see fake_trino.py), the
dashboard, that a second import changes nothing, and that only the users the image lets in can
start its Python.

Run through scripts/test-superset.sh (it starts Superset and sets the environment).
"""

import importlib.util
import json
import shutil
import sqlite3
import uuid

import pytest

from chart_api import by_time, chart_query, run_chart
from conftest import (
    ANOMALOUS_DAY_INDEXES, IFOREST_ROWS, OUTLIER_INDEXES, PASSWORD_MASK, PERIODS, SCRIPT, TABLE_JSON, TRINO_PASSWORD, TRINO_USER, import_job, run_import,
)

TABLE_COLUMNS = json.loads(TABLE_JSON.read_text())["columns"]


def metadata_snapshot(db_path):
    """Every imported object with ids, uuids and content, from Superset's metadata database."""
    queries = {
        "dbs": "SELECT id, hex(uuid), database_name, sqlalchemy_uri, extra FROM dbs ORDER BY id",
        "tables": "SELECT id, hex(uuid), database_id, catalog, schema, table_name, main_dttm_col FROM tables ORDER BY id",
        "columns": "SELECT id, table_id, column_name, type, is_dttm, expression FROM table_columns ORDER BY id",
        "metrics": "SELECT id, table_id, metric_name, expression FROM sql_metrics ORDER BY id",
        "slices": "SELECT id, hex(uuid), slice_name, viz_type, datasource_id, params FROM slices ORDER BY id",
        "dashboards": "SELECT id, hex(uuid), slug, dashboard_title, position_json, json_metadata FROM dashboards ORDER BY id",
        "dashboard_slices": "SELECT dashboard_id, slice_id FROM dashboard_slices ORDER BY dashboard_id, slice_id",
    }
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return {name: con.execute(sql).fetchall() for name, sql in queries.items()}
    finally:
        con.close()


def assert_no_secret(result, *secrets):
    for secret in secrets:
        assert secret not in result.stdout and secret not in result.stderr, "a secret was printed"


@pytest.fixture(scope="module")
def first_import(bundle, superset_url, admin, fake_trino, metadata_db):
    before = len(fake_trino.requests)
    result = run_import(bundle["mount"], superset_url, admin)
    assert result.returncode == 0, result.stderr
    return {"result": result, "trino_requests": fake_trino.requests[before:], "snapshot": metadata_snapshot(metadata_db)}


@pytest.fixture(scope="module")
def objects(api, bundle, first_import):
    """The imported objects as Superset's REST API returns them."""
    uuids = bundle["meta"]["uuids"]
    dbs = api.get("/api/v1/database/", params={"q": "(page_size:100)"})["result"]
    database = next(d for d in dbs if d["database_name"] == bundle["meta"]["databaseName"])
    datasets = api.get("/api/v1/dataset/", params={"q": "(page_size:100)"})["result"]
    dataset_id = next(d["id"] for d in datasets if d["table_name"] == "iforest")
    charts = api.get("/api/v1/chart/", params={"q": "(columns:!(id,uuid),page_size:100)"})["result"]
    chart_ids = {c["uuid"]: c["id"] for c in charts}
    return {
        "database": api.get(f"/api/v1/database/{database['id']}/connection")["result"],
        "dataset": api.get(f"/api/v1/dataset/{dataset_id}")["result"],
        "rides_chart": api.get(f"/api/v1/chart/{chart_ids[uuids['ridesChart']]}")["result"],
        "days_chart": api.get(f"/api/v1/chart/{chart_ids[uuids['daysChart']]}")["result"],
        "score_chart": api.get(f"/api/v1/chart/{chart_ids[uuids['scoreChart']]}")["result"],
        "dashboard": api.get(f"/api/v1/dashboard/{bundle['meta']['dashboardSlug']}")["result"],
        "dashboard_charts": api.get(f"/api/v1/dashboard/{bundle['meta']['dashboardSlug']}/charts")["result"],
        "chart_ids": chart_ids,
    }


def test_bundle_carries_no_password(bundle):
    database_yaml = (bundle["tree"] / bundle["meta"]["databaseFile"]).read_text()
    assert f"trino://{TRINO_USER}:{PASSWORD_MASK}@127.0.0.1:" in database_yaml
    for f in bundle["tree"].rglob("*.yaml"):
        assert TRINO_PASSWORD not in f.read_text()


def test_script_decodes_configmap_keys_to_the_bundle_paths(bundle):
    spec = importlib.util.spec_from_file_location("import_assets", str(SCRIPT))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    decoded = module.read_bundle(str(bundle["mount"]))
    tree = {str(p.relative_to(bundle["tree"])): p.read_bytes() for p in bundle["tree"].rglob("*.yaml")}
    assert decoded == tree
    with pytest.raises(module.Fatal):
        module.config_key_to_path("charts-x.yaml")
    with pytest.raises(module.Fatal):
        module.config_key_to_path("--etc--passwd.yaml")


def test_import_succeeds_without_printing_secrets(first_import, admin):
    result = first_import["result"]
    assert "imported into" in result.stderr
    assert_no_secret(result, TRINO_PASSWORD, admin[1])


def test_database_connection(objects, bundle, fake_trino, first_import, stored_trino_password):
    db = objects["database"]
    assert db["uuid"] == bundle["meta"]["uuids"]["database"]
    assert db["sqlalchemy_uri"] == f"trino://{TRINO_USER}:{PASSWORD_MASK}@127.0.0.1:{fake_trino.port}/prediction"
    extra = json.loads(db["extra"])
    assert extra["engine_params"]["connect_args"] == {"http_scheme": "https", "verify": str(fake_trino.ca_file)}
    assert db["expose_in_sqllab"] is True and db["allow_dml"] is False
    # The password is not in the bundle but Superset stored the one the Job passed.
    assert stored_trino_password(bundle["meta"]["uuids"]["database"]) == TRINO_PASSWORD
    # During the import Superset connected to Trino over verified TLS with that password.
    requests = first_import["trino_requests"]
    assert requests, "Superset did not connect to Trino during the import"
    assert all(r["authenticated"] and r["user"] == TRINO_USER for r in requests)
    assert any(r["statement"].startswith("SHOW CATALOGS") for r in requests)


def test_dataset(objects, bundle):
    ds = objects["dataset"]
    assert ds["uuid"] == bundle["meta"]["uuids"]["dataset"]
    assert (ds["catalog"], ds["schema"], ds["table_name"]) == ("prediction", "ad", "iforest")
    assert ds["database"]["id"] == objects["database"]["id"]
    assert ds["main_dttm_col"] == "pickup_ts"
    columns = {c["column_name"]: c for c in ds["columns"]}
    physical = [c for c in ds["columns"] if not c["expression"]]
    assert sorted(c["column_name"] for c in physical) == sorted(c["name"] for c in TABLE_COLUMNS)
    assert [c["column_name"] for c in ds["columns"] if c["is_dttm"]] == ["pickup_ts"]
    assert columns["pickup_ts"]["type"] == "TIMESTAMP(6)" and columns["norides"]["type"] == "BIGINT"
    for c in TABLE_COLUMNS:
        assert columns[c["name"]]["description"] == c["description"]
    assert columns["outlier_rides"]["expression"] == "CASE WHEN pred = -1 THEN norides END"
    assert columns["outlier_score"]["expression"] == "CASE WHEN pred = -1 THEN score END"
    assert columns["anomalous_day_rides"]["expression"] == "CASE WHEN day_pred = -1 THEN norides END"
    metrics = {m["metric_name"]: m["expression"] for m in ds["metrics"]}
    assert metrics == {"rides": "SUM(norides)", "outlier_periods": "SUM(CASE WHEN pred = -1 THEN 1 ELSE 0 END)",
                       "anomaly_score": "MAX(score)"}


def test_charts(objects, bundle):
    rides, days, score = objects["rides_chart"], objects["days_chart"], objects["score_chart"]
    assert rides["viz_type"] == "mixed_timeseries" and score["viz_type"] == "echarts_timeseries_line"
    assert days["viz_type"] == "mixed_timeseries"
    for chart in (rides, days, score):
        params = json.loads(chart["params"])
        assert params["datasource"] == f"{objects['dataset']['id']}__table"
        assert params["x_axis"] == "pickup_ts"
    rides_params = json.loads(rides["params"])
    assert rides_params["seriesType"] == "line" and rides_params["seriesTypeB"] == "scatter"
    assert rides_params["metrics_b"][0]["column"]["column_name"] == "outlier_rides"
    days_params = json.loads(days["params"])
    assert days_params["seriesType"] == "line" and days_params["seriesTypeB"] == "bar"
    assert days_params["metrics_b"][0]["column"]["column_name"] == "anomalous_day_rides"
    assert json.loads(score["params"])["metrics"] == ["anomaly_score"]


def test_dashboard(objects, bundle):
    dash = objects["dashboard"]
    meta = bundle["meta"]
    assert dash["slug"] == meta["dashboardSlug"] and dash["published"] is True
    assert dash["dashboard_title"] == "Taxi data anomaly detection"
    ids = objects["chart_ids"]
    charts = ("ridesChart", "daysChart", "scoreChart")
    assert {c["id"] for c in objects["dashboard_charts"]} == {ids[meta["uuids"][c]] for c in charts}
    position = json.loads(dash["position_json"])
    placed = {n["meta"]["uuid"]: n["meta"]["chartId"] for n in position.values() if isinstance(n, dict) and n.get("type") == "CHART"}
    assert placed == {meta["uuids"][c]: ids[meta["uuids"][c]] for c in charts}


def test_rides_chart_marks_exactly_the_outliers(api, objects, fake_trino):
    dataset_id = objects["dataset"]["id"]
    params = json.loads(objects["rides_chart"]["params"])
    result = run_chart(api, dataset_id, [chart_query(params), chart_query(params, "_b")])
    rides = by_time(result[0]["data"], "rides")
    outliers = by_time(result[1]["data"], "Outlier rides")
    assert len(rides) == PERIODS
    assert rides == {r["pickup_ts"]: r["norides"] for r in IFOREST_ROWS}
    expected = {r["pickup_ts"]: r["norides"] for i, r in enumerate(IFOREST_ROWS) if i in OUTLIER_INDEXES}
    assert {t: v for t, v in outliers.items() if v is not None} == expected
    # The computed column reached Trino as its expression.
    assert any("SUM(CASE WHEN pred = -1 THEN norides END)" in s for s in fake_trino.statements())


def test_days_chart_marks_exactly_the_anomalous_days(api, objects, fake_trino):
    dataset_id = objects["dataset"]["id"]
    params = json.loads(objects["days_chart"]["params"])
    result = run_chart(api, dataset_id, [chart_query(params), chart_query(params, "_b")])
    assert by_time(result[0]["data"], "rides") == {r["pickup_ts"]: r["norides"] for r in IFOREST_ROWS}
    marked = by_time(result[1]["data"], "Rides of anomalous days")
    expected = {r["pickup_ts"]: r["norides"] for i, r in enumerate(IFOREST_ROWS) if i in ANOMALOUS_DAY_INDEXES}
    assert {t: v for t, v in marked.items() if v is not None} == expected
    assert any("SUM(CASE WHEN day_pred = -1 THEN norides END)" in s for s in fake_trino.statements())


def test_score_chart_shows_the_score(api, objects):
    dataset_id = objects["dataset"]["id"]
    params = json.loads(objects["score_chart"]["params"])
    result = run_chart(api, dataset_id, [chart_query(params)])
    scores = by_time(result[0]["data"], "anomaly_score")
    assert scores == pytest.approx({r["pickup_ts"]: r["score"] for r in IFOREST_ROWS})
    top = sorted(scores, key=scores.get, reverse=True)[:len(OUTLIER_INDEXES)]
    assert sorted(top) == sorted(IFOREST_ROWS[i]["pickup_ts"] for i in OUTLIER_INDEXES)


def test_second_import_changes_nothing(first_import, bundle, superset_url, admin, metadata_db, objects):
    result = run_import(bundle["mount"], superset_url, admin)
    assert result.returncode == 0, result.stderr
    assert metadata_snapshot(metadata_db) == first_import["snapshot"]
    counts = {k: len(v) for k, v in first_import["snapshot"].items()}
    assert counts == {"dbs": 1, "tables": 1, "columns": len(TABLE_COLUMNS) + 3, "metrics": 3, "slices": 3,
                      "dashboards": 1, "dashboard_slices": 3}


def test_rerun_with_a_new_trino_password_updates_it(bundle, superset_url, admin, fake_trino, stored_trino_password,
                                                    objects):
    new_password = "rotated-" + uuid.uuid4().hex
    fake_trino.password = new_password
    try:
        before = len(fake_trino.requests)
        result = run_import(bundle["mount"], superset_url, admin, trino_password=new_password)
        assert result.returncode == 0, result.stderr
        assert_no_secret(result, new_password)
        assert all(r["authenticated"] for r in fake_trino.requests[before:])
        assert stored_trino_password(bundle["meta"]["uuids"]["database"]) == new_password
    finally:
        fake_trino.password = TRINO_PASSWORD
        restore = run_import(bundle["mount"], superset_url, admin)
        assert restore.returncode == 0, restore.stderr


def test_wrong_superset_password_fails_with_the_servers_answer(bundle, superset_url, admin):
    result = run_import(bundle["mount"], superset_url, (admin[0], "not-the-password"),
                        WAIT_SECONDS="2", WAIT_INTERVAL_SECONDS="1")
    assert result.returncode == 1
    assert "gave up after 2s" in result.stderr and "HTTP 401" in result.stderr
    assert_no_secret(result, "not-the-password", TRINO_PASSWORD)


def test_unreachable_superset_times_out_clearly(bundle, admin):
    result = run_import(bundle["mount"], "http://127.0.0.1:9", admin, WAIT_SECONDS="2", WAIT_INTERVAL_SECONDS="1")
    assert result.returncode == 1
    assert "gave up after 2s (WAIT_SECONDS)" in result.stderr and "Connection refused" in result.stderr


def test_invalid_bundle_fails_with_the_servers_message(bundle, superset_url, admin, tmp_path):
    # Superset 6.1.0's assets API answers a bundle that does not validate like any other failed
    # import (500, "Import failed for an unknown reason"; the cause is only in its log), so the
    # script cannot tell it from Trino being down: it retries until WAIT_SECONDS, then fails.
    broken = tmp_path / "broken"
    shutil.copytree(bundle["flat"], broken)
    chart = broken / "charts--anomaly_score.yaml"
    chart.write_text("\n".join(line for line in chart.read_text().splitlines() if not line.startswith("viz_type:")) + "\n")
    result = run_import(broken, superset_url, admin, WAIT_SECONDS="3", WAIT_INTERVAL_SECONDS="1")
    assert result.returncode == 1
    assert "gave up after 3s" in result.stderr
    assert "HTTP 500" in result.stderr and "Import failed for an unknown reason" in result.stderr
    assert "Superset's log has the cause" in result.stderr


def test_missing_configuration_exits_2(bundle, superset_url, admin):
    result = run_import(bundle["mount"], superset_url, admin, DATABASE_PASSWORDS=None)
    assert result.returncode == 2 and "DATABASE_PASSWORDS" in result.stderr


def test_every_database_file_needs_a_password(bundle, superset_url, admin):
    result = run_import(bundle["mount"], superset_url, admin, passwords={})
    assert result.returncode == 2 and "no password for databases/trino.yaml: add it to DATABASE_PASSWORDS" in result.stderr
    result = run_import(bundle["mount"], superset_url, admin,
                        passwords={"databases/trino.yaml": TRINO_PASSWORD, "databases/other.yaml": "x"})
    assert result.returncode == 2 and "names files that are not in the bundle: databases/other.yaml" in result.stderr
    result = run_import(bundle["mount"], superset_url, admin, DATABASE_PASSWORD_1=None)
    assert result.returncode == 2 and "names variables that are not set: DATABASE_PASSWORD_1" in result.stderr
    assert_no_secret(result, TRINO_PASSWORD)


def test_the_images_python_runs_for_the_jobs_user_and_not_for_a_stranger(bundle, superset_url, admin, first_import):
    """The stand-in is not kinder than the image: its python3 is under /stackable, 1000:0 0770
    (constructs/core/image-files.ts IMAGE_FILES), so a pod user that is neither 1000 nor in group
    0 cannot even start it; the Job's own user (1000:1000, fsGroup 1000) imports, as does an
    arbitrary UID in group 0 (OpenShift's restricted SCC runs pods so)."""
    _, job = import_job()
    sc = job["spec"]["template"]["spec"]["securityContext"]
    assert (sc["runAsUser"], sc["runAsGroup"], sc["fsGroup"]) == (1000, 1000, 1000)
    stranger = run_import(bundle["mount"], superset_url, admin, pod_security={"runAsUser": 10001, "runAsGroup": 10001, "fsGroup": 10001})
    assert stranger.returncode != 0
    assert "python3: Permission denied" in stranger.stderr, stranger.stdout + stranger.stderr
    for pod_security in (None, {"runAsUser": 10001, "runAsGroup": 10001, "fsGroup": 10001, "supplementalGroups": [0]}):
        result = run_import(bundle["mount"], superset_url, admin, pod_security=pod_security)
        assert result.returncode == 0, (pod_security, result.stderr)
        assert "imported into" in result.stderr
