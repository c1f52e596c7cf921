"""Bundles of the library's other sources, imported into a real Superset 6.1.0 through the same
script and folder layout as the Job (write-test-bundle.ts writes SupersetBundle.toConfigMapData,
then import_assets.py runs on it): an export zip made elsewhere (one top-level folder, a Trino
database reached without verification) whose database SupersetBundle.withTrinoDatabase points at
our (fake) Trino, an export folder, a bundle of only a Trino database, and the trino-taxi-data
dashboard built with SupersetBundleBuilder (taxi-dashboard.ts); then all of them again, which must
change nothing. Runs after test_import_assets.py, whose object counts it would otherwise change.

Run through scripts/test-superset.sh.
"""

import json
import uuid
import zipfile

import pytest
import yaml

from chart_api import chart_queries, run_chart
from conftest import PASSWORD_MASK, PERIODS, TRINO_PASSWORD, TRINO_USER, run_import, write_test_bundle
from test_import_assets import assert_no_secret, metadata_snapshot

# constructs/superset/bundle-yaml.ts BUNDLE_UUID_NAMESPACE: the library's UUIDv5 namespace.
BUNDLE_UUID_NAMESPACE = uuid.UUID("3d0b9d53-1424-49ca-8f87-25d6071233d8")
EXPORT_FOLDER = "assets_export_20250722T101007"


def foreign_export(tag, database_name, sqlalchemy_uri, verify):
    """An assets export in the shape Superset writes (PyYAML, the keys of 6.1.0's export schemas):
    a Trino database, a virtual dataset over the results table `ad.iforest` (its own table_name:
    Superset's SQLite metadata schema keeps table names unique) and a big-number chart."""
    ids = {k: str(uuid.uuid5(uuid.NAMESPACE_URL, f"test-other-bundles:{tag}:{k}")) for k in ("db", "ds", "chart")}
    db_file = f"databases/{database_name.replace(' ', '_')}.yaml"
    files = {
        "metadata.yaml": {"version": "1.0.0", "type": "assets", "timestamp": "2022-08-08T13:06:07.743262+00:00"},
        db_file: {
            "database_name": database_name, "sqlalchemy_uri": sqlalchemy_uri, "cache_timeout": None,
            "expose_in_sqllab": True, "allow_run_async": False, "allow_ctas": True, "allow_cvas": True,
            "allow_csv_upload": False,
            "extra": {"allows_virtual_table_explore": True, "metadata_params": {},
                      "engine_params": {"connect_args": {"verify": verify, "http_scheme": "https"}},
                      "cost_estimate_enabled": False, "schemas_allowed_for_csv_upload": []},
            "uuid": ids["db"], "version": "1.0.0",
        },
        f"datasets/{database_name.replace(' ', '_')}/iforest_{tag}.yaml": {
            "table_name": f"iforest_{tag}", "main_dttm_col": "pickup_ts", "description": None, "default_endpoint": None,
            "offset": 0, "cache_timeout": None, "schema": "ad", "sql": "SELECT * FROM iforest", "params": None,
            "template_params": None,
            "filter_select_enabled": False, "fetch_values_predicate": None, "extra": None, "uuid": ids["ds"],
            "metrics": [{"metric_name": "count", "verbose_name": "COUNT(*)", "metric_type": "count",
                         "expression": "COUNT(*)", "description": None, "d3format": None, "extra": None,
                         "warning_text": None}],
            "columns": [
                {"column_name": name, "verbose_name": None, "is_dttm": name == "pickup_ts", "is_active": True,
                 "type": typ, "groupby": True, "filterable": True, "expression": None, "description": None,
                 "python_date_format": None, "extra": {}}
                for name, typ in (("pickup_ts", "TIMESTAMP(6)"), ("norides", "BIGINT"), ("pred", "INTEGER"))
            ],
            "version": "1.0.0", "database_uuid": ids["db"],
        },
        "charts/Periods_140.yaml": {
            "slice_name": f"Periods ({tag})", "viz_type": "big_number_total",
            "params": {"viz_type": "big_number_total", "metric": "count", "adhoc_filters": [], "subheader": "",
                       "y_axis_format": "SMART_NUMBER"},
            "cache_timeout": None, "uuid": ids["chart"], "version": "1.0.0", "dataset_uuid": ids["ds"],
        },
    }
    return {path: yaml.safe_dump(doc, sort_keys=False) for path, doc in files.items()}, db_file, ids


def find_database(api, name):
    dbs = api.get("/api/v1/database/", params={"q": "(page_size:100)"})["result"]
    (database,) = [d for d in dbs if d["database_name"] == name]
    return api.get(f"/api/v1/database/{database['id']}/connection")["result"]


def datasets_of(api, database_id):
    datasets = api.get("/api/v1/dataset/", params={"q": "(page_size:100)"})["result"]
    return [api.get(f"/api/v1/dataset/{d['id']}")["result"] for d in datasets if d["database"]["id"] == database_id]


@pytest.fixture(scope="module")
def imports(tmp_path_factory, fake_trino, superset_url, admin):
    """Writes the four bundles and imports each once; returns how to import them again."""
    base = tmp_path_factory.mktemp("other-bundles")
    runs = {}

    # A zip made elsewhere: one top-level folder (with folder entries), Trino at trino-coordinator:8443, verify: false.
    files, db_file, ids = foreign_export("zip", "Taxi Trino", f"trino://{TRINO_USER}:{PASSWORD_MASK}@trino-coordinator:8443/hive", False)
    zip_path = base / "superset-assets.zip"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        for folder in (EXPORT_FOLDER, f"{EXPORT_FOLDER}/databases", f"{EXPORT_FOLDER}/datasets", f"{EXPORT_FOLDER}/charts"):
            z.writestr(f"{folder}/", "")
        for path, text in files.items():
            z.writestr(f"{EXPORT_FOLDER}/{path}", text)
    meta = write_test_bundle(base / "zip", fake_trino, f"zip:{zip_path}", f"--withTrinoDatabase={db_file}", "--catalog=prediction")
    runs["zip"] = {"dir": base / "zip", "meta": meta, "ids": ids, "db_file": db_file, "name": "Taxi Trino",
                   "passwords": {db_file: TRINO_PASSWORD}}

    # An export folder (one folder inside, as an unzipped export) already pointing at our Trino.
    files, db_file, ids = foreign_export("dir", "Folder Trino", f"trino://{TRINO_USER}:{PASSWORD_MASK}@127.0.0.1:{fake_trino.port}/prediction",
                                         str(fake_trino.ca_file))
    for path, text in files.items():
        target = base / "export" / EXPORT_FOLDER / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    meta = write_test_bundle(base / "dir", fake_trino, f"dir:{base / 'export'}")
    runs["dir"] = {"dir": base / "dir", "meta": meta, "ids": ids, "db_file": db_file, "name": "Folder Trino",
                   "passwords": {db_file: TRINO_PASSWORD}}

    meta = write_test_bundle(base / "db", fake_trino, "trino-database", "--databaseName=Trino SQL Lab")
    runs["db"] = {"dir": base / "db", "meta": meta, "name": "Trino SQL Lab",
                  "passwords": {"databases/trino_sql_lab.yaml": TRINO_PASSWORD}}

    meta = write_test_bundle(base / "taxi", fake_trino, "taxi")
    runs["taxi"] = {"dir": base / "taxi", "meta": meta, "name": "Trino taxi",
                    "passwords": {"databases/trino_taxi.yaml": TRINO_PASSWORD}}

    def import_all():
        for name, run in runs.items():
            result = run_import(run["dir"], superset_url, admin, passwords=run["passwords"])
            assert result.returncode == 0, f"{name}: {result.stderr}"
            assert_no_secret(result, TRINO_PASSWORD, admin[1])

    import_all()
    return {"runs": runs, "import_all": import_all}


def test_zip_source_with_the_database_pointed_at_our_trino(api, imports, fake_trino, stored_trino_password):
    run = imports["runs"]["zip"]
    assert run["meta"]["databaseFiles"] == [run["db_file"]]
    db = find_database(api, "Taxi Trino")
    # withTrinoDatabase kept the export's uuid and name, and replaced the connection.
    assert db["uuid"] == run["ids"]["db"]
    assert db["sqlalchemy_uri"] == f"trino://{TRINO_USER}:{PASSWORD_MASK}@127.0.0.1:{fake_trino.port}/prediction"
    assert json.loads(db["extra"])["engine_params"]["connect_args"] == {"http_scheme": "https", "verify": str(fake_trino.ca_file)}
    assert stored_trino_password(run["ids"]["db"]) == TRINO_PASSWORD
    (dataset,) = datasets_of(api, db["id"])
    assert dataset["uuid"] == run["ids"]["ds"] and dataset["table_name"] == "iforest_zip"
    # The export's chart runs against our Trino (verified TLS, the password from DATABASE_PASSWORDS).
    result = run_chart(api, dataset["id"], [{"metrics": ["count"], "columns": [], "filters": [], "row_limit": 1,
                                             "extras": {"having": "", "where": ""}}])
    assert result[0]["data"] == [{"count": PERIODS}]


def test_directory_source(api, imports, fake_trino):
    run = imports["runs"]["dir"]
    assert sorted(run["meta"]["files"]) == sorted(["metadata.yaml", run["db_file"], "datasets/Folder_Trino/iforest_dir.yaml", "charts/Periods_140.yaml"])
    db = find_database(api, "Folder Trino")
    assert db["uuid"] == run["ids"]["db"]
    assert db["sqlalchemy_uri"] == f"trino://{TRINO_USER}:{PASSWORD_MASK}@127.0.0.1:{fake_trino.port}/prediction"
    assert [d["uuid"] for d in datasets_of(api, db["id"])] == [run["ids"]["ds"]]
    charts = api.get("/api/v1/chart/", params={"q": "(columns:!(uuid,slice_name),page_size:100)"})["result"]
    assert {"uuid": run["ids"]["chart"], "slice_name": "Periods (dir)"} in charts


def test_database_only_bundle(api, imports, fake_trino, stored_trino_password):
    assert imports["runs"]["db"]["meta"]["files"].keys() == {"metadata.yaml", "databases/trino_sql_lab.yaml"}
    db = find_database(api, "Trino SQL Lab")
    assert db["uuid"] == str(uuid.uuid5(BUNDLE_UUID_NAMESPACE, "database:Trino SQL Lab"))
    assert db["sqlalchemy_uri"] == f"trino://{TRINO_USER}:{PASSWORD_MASK}@127.0.0.1:{fake_trino.port}/prediction"
    assert stored_trino_password(db["uuid"]) == TRINO_PASSWORD
    assert datasets_of(api, db["id"]) == []


TAXI_CHARTS = {
    "Total trips": ("big_number_total", ["COUNT(*)"]),
    "Total income": ("big_number_total", ["SUM(total_amount)"]),
    "Payment types": ("pie", ["payment_type", "SUM(total_amount)"]),
    # Time grain P1D: Superset 6.1.0's Trino spec (db_engine_specs/presto.py) buckets with date_trunc('day', ...).
    "Average trip duration": ("echarts_timeseries_line", ["AVG(duration_min)", "date_trunc('day'", "tpep_pickup_datetime"]),
    "Trips income": ("mixed_timeseries", ["COUNT(*)", "SUM(total_amount)", "date_trunc('day'"]),
}


def test_taxi_dashboard_of_the_builder(api, imports):
    db = find_database(api, "Trino taxi")
    assert db["sqlalchemy_uri"].endswith("/hive")
    (dataset,) = datasets_of(api, db["id"])
    assert (dataset["catalog"], dataset["schema"], dataset["table_name"]) == ("hive", "demo", "ny_taxi_data")
    assert dataset["main_dttm_col"] == "tpep_pickup_datetime"
    assert len(dataset["columns"]) == 10
    dash = api.get("/api/v1/dashboard/taxi-data")["result"]
    assert dash["dashboard_title"] == "Taxi data"
    charts = api.get("/api/v1/dashboard/taxi-data/charts")["result"]
    assert {c["slice_name"]: c["form_data"]["viz_type"] for c in charts} == {k: v[0] for k, v in TAXI_CHARTS.items()}
    # Superset builds each chart's SQL from its form data (result_type "query": compiled, not run).
    for chart in charts:
        params = chart["form_data"]
        body = {"datasource": {"id": dataset["id"], "type": "table"}, "queries": chart_queries(params), "result_type": "query",
                "result_format": "json"}
        result = api.post("/api/v1/chart/data", body)["result"]
        sql = " ".join(r["query"] for r in result)
        assert all("error" not in r or r["error"] is None for r in result), result
        assert "ny_taxi_data" in sql
        for needle in TAXI_CHARTS[chart["slice_name"]][1]:
            assert needle.lower() in sql.lower(), f"{chart['slice_name']}: {needle} not in {sql}"


def test_importing_all_again_changes_nothing(imports, metadata_db):
    before = metadata_snapshot(metadata_db)
    imports["import_all"]()
    assert metadata_snapshot(metadata_db) == before
