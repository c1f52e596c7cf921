"""The example app trino-taxi-data's data path end to end with the real programs, configured from
its synthesized objects (conftest.py): the e2e suite's programs (test/e2e/programs.py) and
operator translations (test/e2e/operators.py), hop by hop, each on what the earlier ones left.

Divergences from the cluster, each said in its hop's report line: the Hive metastore is 4.0.0
(the HiveCluster asks for 4.2.0, which Maven Central does not publish), Trino and its CLI are 476
(the cluster runs 481, published on GitHub and Stackable's registry only). As in the demo's
session, Superset keeps its metadata in SQLite (the chart's postgresql-superset is not started)
and the NetworkPolicies are not enforced.
"""

from __future__ import annotations

import json
import math
import re

from conftest import ROWS_PER_MONTH
from example_session import query, run_sql_job, sql_job, statements, wait_for_data
from harness import World, report
from operators import hive_metastore_host
from programs import bucket_access, env_value, listing, mc, run_bucket_and_load_jobs, start_metastore, start_minio, start_postgres, start_trino, trino_query
from s3_user import products_access_keys, products_s3_user


def test_hop1_minio_runs_as_its_deployment_says_with_tls_from_the_secret_operator_volume(world: World):
    start_minio(world)


def test_hop2_the_bucket_and_load_jobs_load_every_month_the_example_asks_for(world: World):
    marker = run_bucket_and_load_jobs(world)
    load = next(c for c in world.one("Job", app="s3-file-load")["spec"]["template"]["spec"]["containers"] if c["name"] == "load")
    assert marker == env_value(load, "KEYS"), marker
    report("hop2", f"the marker lists exactly the load Job's KEYS ({len(marker.split())} files); the example's NetworkPolicies "
                   f"({len(world.of_kind('NetworkPolicy'))}) are not enforced here")


def test_hop2_the_products_minio_user_reads_bucket_demo_and_nothing_else(world: World):
    secret, user = products_s3_user(world)
    works = bucket_access(world, user, ["demo"])
    assert works == {"read demo": True, "write demo": False, "list a bucket outside its access": False,
                     "create a bucket": False, "admin API (list users)": False}, works
    target = world.state["data_prefix"]
    out = mc(world, "ls", "--recursive", "--json", f"t/{target}", user=user)
    entries = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    seen = {e["key"]: e["size"] for e in entries if e.get("type") == "file"}
    assert seen == listing(world, target), (seen, listing(world, target))
    marker = next(k for k in seen if k.endswith("_SUCCESS"))
    path = f"t/{target.rstrip('/')}/{marker}"
    assert mc(world, "cat", path, user=user) == mc(world, "cat", path)
    world.state["products_s3_user"] = user[0]
    report("hop2", f"the products' S3 credentials (Secret {secret}, the S3Connection's class) are MinIO user {user[0]}, made by the bucket "
                   f"Job, not the root user; as that user: {works}; it lists the {len(seen)} objects the load Job wrote under {target} "
                   f"and reads {marker} as the root user does")


def test_hop3_postgresql_and_the_hive_metastore(world: World):
    (hive,) = world.of_kind("HiveCluster")
    db = hive["spec"]["clusterConfig"]["metadataDatabase"]["postgresql"]
    start_postgres(world, db["host"], db["port"])
    uri = start_metastore(world, hive)
    world.state["metastore_uri"] = uri


def test_hop4_opa_and_trino_with_the_examples_catalog_users_and_policy(world: World):
    users, catalogs = start_trino(world, {}, hop="hop4")
    (catalog,) = catalogs
    (hive,) = world.of_kind("HiveCluster")
    assert catalog["spec"]["connector"]["hive"]["metastore"]["configMap"] == hive["metadata"]["name"]
    (admin,) = users
    world.state["admin"] = admin
    rows, error = trino_query(world, admin, users[admin], f"SHOW SCHEMAS FROM {catalog['metadata']['name']}")
    assert error is None, error
    report("hop4", f"{admin} (the AuthenticationClass's one user, an admin of the TrinoPolicy): catalog {catalog['metadata']['name']} "
                   f"reaches the metastore at {hive_metastore_host(hive)} (schemas {', '.join(r[0] for r in rows)})")
    keys = products_access_keys(world)
    assert set(keys.values()) == {world.state["products_s3_user"]}, keys
    report("hop4", f"the S3 access key of the metastore's hive-site and of Trino's catalog, as the operators write them: "
                   f"{', '.join(f'{k}: {v}' for k, v in keys.items())}")


# ---------------------------------------------------------------------------------------------
# Hop 5: the TrinoSqlJob: its wait for the data, then its script with the real Trino CLI
# ---------------------------------------------------------------------------------------------


def table_state(world: World, raw: str, view: str) -> dict:
    """What the Job made, as Trino shows it: the DDL of both and what the view holds."""
    return {
        "raw_ddl": query(world, f"SHOW CREATE TABLE {raw}")[0][0],
        "view_ddl": query(world, f"SHOW CREATE VIEW {view}")[0][0],
        "raw_rows": query(world, f"SELECT count(*) FROM {raw}")[0][0],
        "rows": query(world, f"SELECT count(*) FROM {view}")[0][0],
        "total_income": query(world, f"SELECT round(sum(total_amount), 2) FROM {view}")[0][0],  # summed in any order: rounded
        "payments": dict(query(world, f"SELECT payment_type, count(*) FROM {view} GROUP BY payment_type")),
    }


def test_hop5_the_table_job_waits_for_the_data_then_makes_the_table_and_view_with_the_real_cli(world: World):
    from yellow_generator import expected

    for line in wait_for_data(world):
        report("hop5", f"init container {line} (its script, mc image, as its pod)")
    job = sql_job(world)
    report("hop5", f"Job {job['metadata']['name']}, container sql (as its pod: its bash script, trino-cli 476 for the image's "
                   f"{job['spec']['template']['spec']['containers'][0]['image'].rsplit(':', 1)[1]}): {run_sql_job(world)}")

    text = statements(world)
    (raw,) = re.findall(r"CREATE TABLE IF NOT EXISTS (\S+)", text)
    (view,) = re.findall(r"CREATE OR REPLACE VIEW (\S+)", text)
    want = expected(world.state["yellow_paths"], world.state["months"])
    state = table_state(world, raw, view)
    assert state["raw_rows"] == want["raw_rows"] == len(world.state["months"]) * ROWS_PER_MONTH, (state["raw_rows"], want["raw_rows"])
    assert state["rows"] == want["rows"] < want["raw_rows"], (state["rows"], want["rows"])
    assert state["payments"] == want["payments"], (state["payments"], want["payments"])
    assert math.isclose(state["total_income"], want["total_income"], abs_tol=0.01), (state["total_income"], want["total_income"])
    report("hop5", f"through Trino: {raw} has {state['raw_rows']} rows (all generated trips); {view} has {state['rows']} "
                   f"(the {want['raw_rows'] - want['rows']} trips picked up outside {world.state['months'][0]}..{world.state['months'][-1]} "
                   f"left out), SUM(total_amount) {state['total_income']:.2f} and trips per payment name "
                   f"{', '.join(f'{k} {v}' for k, v in sorted(state['payments'].items()))}, as the generator's expected() computes with pyarrow")

    report("hop5", f"second run of the Job's script: {run_sql_job(world)}")
    assert table_state(world, raw, view) == state, "the second run of the Job changed the table or the view"
    report("hop5", "after the second run: the same DDL of table and view, the same counts, sum and payment names")
    # The schema at the bucket root and the external table needed no write: the bucket holds what the load Job wrote, nothing more.
    target = world.state["data_prefix"]
    bucket = target.split("/", 1)[0]
    extra = sorted(set(listing(world, bucket)) - {f"{target.split('/', 1)[1]}{k}" for k in listing(world, target)})
    assert extra == [], f"objects in bucket {bucket} that the load Job did not write: {extra}"
    report("hop5", f"the metastore and Trino made schema, table and view with read-only access (user {world.state['products_s3_user']}): "
                   f"bucket {bucket} holds only the load Job's objects")


# ---------------------------------------------------------------------------------------------
# Hop 6: Superset, the assets import Job, and the dashboard's charts through Trino
# ---------------------------------------------------------------------------------------------


def days_with_trips(world: World) -> dict[str, int]:
    """Trips per day (UTC date, ISO) of the generated files within the months, with pyarrow."""
    import datetime as dt

    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    months = world.state["months"]
    pickup = pa.concat_arrays([pq.read_table(p, columns=["tpep_pickup_datetime"]).column(0).combine_chunks()
                               for p in world.state["yellow_paths"]]).cast(pa.timestamp("us")).cast(pa.int64()).to_numpy()
    day_us = 86400 * 1_000_000
    first = int((dt.datetime.strptime(months[0], "%Y-%m") - dt.datetime(1970, 1, 1)).total_seconds()) * 1_000_000
    last = dt.datetime.strptime(months[-1], "%Y-%m")
    end_month = dt.datetime(last.year + (last.month == 12), last.month % 12 + 1, 1)
    end = int((end_month - dt.datetime(1970, 1, 1)).total_seconds()) * 1_000_000
    inside = pickup[(pickup >= first) & (pickup < end)]
    days, counts = np.unique(inside // day_us, return_counts=True)
    return {(dt.date(1970, 1, 1) + dt.timedelta(days=int(d))).isoformat(): int(c) for d, c in zip(days, counts)}


def chart_data(api, dataset_id: int, charts: list[dict]) -> dict[str, list[str]]:
    """Each chart's rows in a fixed order (the charts order by the metric: ties in any order), the
    doubles rounded (sums and averages in any order differ in the last bits)."""
    from chart_api import chart_queries, run_chart

    def row(r: dict) -> str:
        return json.dumps({k: round(v, 6) if isinstance(v, float) else v for k, v in r.items()}, sort_keys=True)

    return {c["slice_name"]: sorted(row(r) for result in run_chart(api, dataset_id, chart_queries(c["form_data"])) for r in result["data"])
            for c in charts}


def test_hop6_superset_imports_the_taxi_dashboard_and_its_charts_show_the_view(world: World):
    import datetime as dt

    from chart_api import chart_queries, run_chart
    from programs import run_import_job, start_superset, superset_api
    from yellow_generator import expected

    url, creds = start_superset(world)
    report("hop6", f"import Job (its pod as its user, the image's python3 at /stackable/app/bin; its script and bundle ConfigMaps, env from the Secrets): {run_import_job(world)}")
    api = superset_api(world, creds)
    dashboards = api.get("/api/v1/dashboard/", params={"q": "(page_size:100)"})["result"]
    (dashboard,) = dashboards
    charts = api.get(f"/api/v1/dashboard/{dashboard['id']}/charts")["result"]
    datasets = api.get("/api/v1/dataset/", params={"q": "(page_size:100)"})["result"]
    (dataset,) = datasets
    view = f"{dataset['catalog']}.{dataset['schema']}.{dataset['table_name']}" if dataset.get("catalog") else f"{dataset['schema']}.{dataset['table_name']}"
    want = expected(world.state["yellow_paths"], world.state["months"])
    days = days_with_trips(world)
    checked = []
    for chart in sorted(charts, key=lambda c: c["slice_name"]):
        params = chart["form_data"]
        results = run_chart(api, dataset["id"], chart_queries(params))
        assert all(r.get("error") is None for r in results), results
        name, viz = chart["slice_name"], params["viz_type"]
        labels = [[k for k in r["colnames"] if k not in (params.get("x_axis"), *params.get("groupby", []))] for r in results]
        if viz == "big_number_total":
            ((value,),) = [[row[labels[0][0]] for row in results[0]["data"]]]
            aggregate = params["metric"].get("aggregate") or params["metric"].get("sqlExpression")
            if aggregate == "COUNT(*)":
                assert value == want["rows"], f"{name}: {value}, the view has {want['rows']} trips"
            else:
                assert aggregate == "SUM" and params["metric"]["column"]["column_name"] == "total_amount", params["metric"]
                assert math.isclose(value, want["total_income"], abs_tol=0.01), f"{name}: {value}, expected {want['total_income']}"
            checked.append(f"{name} = {value:.2f}" if isinstance(value, float) else f"{name} = {value}")
        elif viz == "pie":
            (group,) = params["groupby"]
            slices = {row[group]: row[labels[0][0]] for row in results[0]["data"]}
            assert set(slices) == set(want["payments"]), f"{name}: {sorted(slices)}, the view has {sorted(want['payments'])}"
            assert math.isclose(sum(slices.values()), want["total_income"], abs_tol=0.01), f"{name}: the slices add up to {sum(slices.values())}"
            checked.append(f"{name}: {len(slices)} slices by {group} ({', '.join(sorted(slices))}) adding up to the total income")
        else:
            x = params["x_axis"]
            for result, metric_labels in zip(results, labels):
                rows = result["data"]
                seen = {dt.datetime.fromtimestamp(r[x] / 1000, dt.timezone.utc).date().isoformat() for r in rows}
                assert seen == set(days), f"{name}: {len(seen)} days, the view has trips on {len(days)}"
                (label,) = metric_labels
                total = sum(r[label] for r in rows)
                if label == "Trips":
                    assert total == want["rows"], f"{name}: {total} trips over the days"
                elif label == "Income":
                    assert math.isclose(total, want["total_income"], abs_tol=0.01), f"{name}: {total} income over the days"
                else:
                    assert all(r[label] is not None and r[label] > 0 for r in rows), f"{name}: {label} missing or not positive"
            checked.append(f"{name}: {len(days)} days ({', '.join(metric_labels[0] for metric_labels in labels)}"
                           f"{' adding up to the view' if any(l[0] in ('Trips', 'Income') for l in labels) else ''})")
    report("hop6", f"dashboard {dashboard['dashboard_title']!r} over {view}; each chart's query through Superset's Trino connection "
                   f"(HTTPS verified for Trino's name): {'; '.join(checked)}")
    before = chart_data(api, dataset["id"], charts)
    last = run_import_job(world)
    assert chart_data(api, dataset["id"], charts) == before, "the charts show other data after the second import"
    assert len(api.get("/api/v1/dashboard/", params={"q": "(page_size:100)"})["result"]) == 1
    report("hop6", f"second import ({last}): still one dashboard, the charts return the same data")
