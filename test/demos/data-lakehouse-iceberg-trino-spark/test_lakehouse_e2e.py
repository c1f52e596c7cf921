"""The example app data-lakehouse-iceberg-trino-spark end to end with the real programs,
configured from its synthesized objects (conftest.py): MinIO and the bucket Job (with the user
`lakehouse`), the four load Jobs of the batch datasets, both PostgreSQLs and Hive metastores, OPA
and Trino with both catalogs, the batch tables' Job with the real Trino CLI after its waits (staging
tables, lakehouse tables, materialized views), Kafka 4.2.1 in KRaft mode with client TLS, the records
of the NiFi flow (run by a stand-in, NiFi cannot run here), the streaming job in local Spark writing
Iceberg through the metastore to MinIO, the views' Job with the real Trino CLI after its waits, a
restart of the streaming job from its checkpoints, and Superset's six dashboards through the chart
data API.

Divergences from the cluster, each said in its hop's report line: NiFi's flow is run by
nifi_flow_standin.py (the same records, from the synthesized flow definition); the batch datasets
are small generated stand-ins (batch_fixture.py) served by a loopback mirror; the Hive metastores are
4.0.0 as the HiveClusters ask; Trino and its CLI are 476 (the cluster runs 481); Spark's micro-batch
interval is 5 s instead of the app's 120 s; spark-token-provider-kafka is 4.1.1 (4.1.2 is not on
this machine's registry); the NetworkPolicies are not enforced.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import Counter

import batch_fixture as bf
from example_session import run_sql_job, sql_job, wait_for_data
from feeds_fixture import expected_rows, write_round
from harness import World, report
from kubelet import Pod
from nifi_flow_standin import FlowRun
from operators import hive_metastore_host
from programs import (env_value, kafka_client_properties, kafka_client_tls, kafka_end_offsets, kafka_metadata, kafka_produce, listing, mc,
                      run_bucket_job, run_load_jobs, spark_job_script, spark_submit_command, start_kafka, start_metastore, start_minio,
                      start_postgres, start_trino, trino_query)

#: Table of each topic (ingest_into_lakehouse.py STREAMS) and its key columns.
TABLES = {
    "water_levels_stations": ("water_levels.stations", "station_uuid"),
    "water_levels_measurements": ("water_levels.measurements", "station_uuid, timestamp"),
    "shared_bikes_station_information": ("smart_city.shared_bikes_station_information", "station_id"),
    "shared_bikes_station_status": ("smart_city.shared_bikes_station_status", "station_id, last_reported"),
    "shared_bikes_bike_status": ("smart_city.shared_bikes_bike_status", "bike_id, last_reported"),
}
#: The micro-batch interval here (the app's is 120 s, the reference's).
TRIGGER_SECONDS = "5"
#: The app's two TrinoSqlJobs (the reference's Job names).
BATCH_JOB, VIEWS_JOB = "create-tables-in-trino", "create-trino-views"


def query(world: World, sql: str) -> list[list]:
    admin = world.state["admin"]
    rows, error = trino_query(world, admin, world.state["users"][admin], sql)
    assert error is None, f"{sql}: {error}"
    return rows


def catalog(world: World, connector: str = "iceberg") -> str:
    """The name of the app's TrinoCatalog of `connector` (iceberg: the lakehouse; hive: the staging tables)."""
    (c,) = [c for c in world.of_kind("TrinoCatalog") if connector in c["spec"]["connector"]]
    return c["metadata"]["name"]


def counts(world: World) -> dict[str, int | None]:
    """Rows per topic's table as Trino sees them (None: not there yet)."""
    out = {}
    for topic, (table, _) in TABLES.items():
        rows, error = trino_query(world, world.state["admin"], world.state["users"][world.state["admin"]], f"SELECT count(*) FROM {catalog(world)}.{table}")
        out[topic] = None if error is not None else rows[0][0]
    return out


def wait_for_counts(world: World, want: dict[str, int], timeout: float = 300) -> float:
    started = time.monotonic()
    while True:
        proc = world.state["ingest"]
        assert proc.alive(), f"the streaming job exited:\n{proc.tail(80)}"
        got = counts(world)
        if got == want:
            return time.monotonic() - started
        assert time.monotonic() - started < timeout, f"after {timeout:.0f}s Trino counts {got}, want {want}"
        time.sleep(3)


def app(world: World) -> dict:
    return world.one("SparkApplication")


# ---------------------------------------------------------------------------------------------
# Hops 1-4: storage, metadata and query, as in the other sessions
# ---------------------------------------------------------------------------------------------


def test_hop1_minio_runs_as_its_deployment_says_with_tls_from_the_secret_operator_volume(world: World):
    start_minio(world)


def test_hop2_the_bucket_job_makes_the_buckets_and_the_load_jobs_load_the_batch_datasets(world: World):
    buckets = run_bucket_job(world)
    assert {"lakehouse", "staging"} <= set(buckets), buckets
    report("hop2", f"buckets {buckets}; the example's NetworkPolicies ({len(world.of_kind('NetworkPolicy'))}) are not enforced here")
    started = time.monotonic()
    markers = run_load_jobs(world)
    loads = {j["metadata"]["labels"]["app.kubernetes.io/instance"]: j for j in world.of_kind("Job")
             if j["metadata"].get("labels", {}).get("app.kubernetes.io/name") == "s3-file-load"}
    for name, marker in markers.items():
        load = next(c for c in loads[name]["spec"]["template"]["spec"]["containers"] if c["name"] == "load")
        assert marker == env_value(load, "KEYS"), (name, marker)
    batch = world.state["batch"]
    assert sum(len(m.split()) for m in markers.values()) == len(batch.files)
    report("hop2", f"{len(markers)} load Jobs ({', '.join(markers)}) in {time.monotonic() - started:.0f}s: every marker lists exactly its Job's "
                   f"KEYS; {len(batch.files)} generated files in bucket staging")


def test_hop3_both_postgresqls_and_hive_metastores(world: World):
    """hive-iceberg (the lakehouse's Iceberg tables) and hive (the staging tables), each on its PostgreSQL."""
    uris = {}
    for hive in world.of_kind("HiveCluster"):
        db = hive["spec"]["clusterConfig"]["metadataDatabase"]["postgresql"]
        start_postgres(world, db["host"], db["port"])
        uris[hive["metadata"]["name"]] = start_metastore(world, hive)
    assert sorted(uris) == ["hive", "hive-iceberg"], uris
    world.state["metastore_uri"] = uris["hive-iceberg"]
    report("hop3", f"metastores {uris}, each on its own PostgreSQL")


def test_hop4_opa_and_trino_with_the_lakehouse_and_staging_catalogs(world: World):
    users, catalogs = start_trino(world, {}, hop="hop4")
    connectors = {c["metadata"]["name"]: next((kind, spec["metastore"]["configMap"]) for kind, spec in c["spec"]["connector"].items())
                  for c in catalogs}
    assert connectors == {"lakehouse": ("iceberg", "hive-iceberg"), "staging": ("hive", "hive")}, connectors
    (admin,) = users
    world.state["admin"], world.state["users"] = admin, users
    hives = {h["metadata"]["name"]: hive_metastore_host(h) for h in world.of_kind("HiveCluster")}
    schemas = {name: [r[0] for r in query(world, f"SHOW SCHEMAS FROM {name}")] for name in connectors}
    report("hop4", f"{admin}: catalogs {', '.join(f'{n} ({k}, metastore {m} at {hives[m]}: schemas {schemas[n]})' for n, (k, m) in connectors.items())}")


# ---------------------------------------------------------------------------------------------
# Batch: the tables Job makes the staging tables, the lakehouse tables and the materialized views
# ---------------------------------------------------------------------------------------------


def queries(world: World, sqls: dict[str, str]) -> dict[str, list[list]]:
    """Each query's rows, four at a time (each its own client connection, as several clients; the
    checks are mostly waiting for Trino's planning and the metastores)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        futures = {key: pool.submit(query, world, sql) for key, sql in sqls.items()}
        return {key: f.result() for key, f in futures.items()}


def batch_state(world: World) -> dict:
    """What the batch Job made, as Trino shows it: the DDL of the staging tables, every staging
    table's rows (fhvhv: count, a sum and the first and last pickup), every lakehouse table's and
    view's rows (multisets: tables have no order), the lakehouse tables' snapshots."""
    facts = world.state["facts"]
    s, l = catalog(world, "hive"), catalog(world)  # noqa: E741
    sqls = {}
    for t in facts["stagingTables"]:
        sqls[f"ddl {t}"] = f"SHOW CREATE TABLE {s}.{t}"
        if t != "taxi.fhvhv_tripdata":
            sqls[f"{s}.{t}"] = f"SELECT * FROM {s}.{t}"
    sqls[f"{s}.taxi.fhvhv_tripdata"] = (f"SELECT count(*), sum(trip_time), count(DISTINCT hvfhs_license_num), min(pickup_datetime), "
                                        f"max(pickup_datetime) FROM {s}.taxi.fhvhv_tripdata")
    for t in facts["lakehouseTables"] + facts["materializedViews"]:
        sqls[f"{l}.{t}"] = f"SELECT * FROM {l}.{t}"
    for t in facts["lakehouseTables"]:
        schema, table = t.split(".")
        sqls[f"snapshots {t}"] = f'SELECT snapshot_id FROM {l}.{schema}."{table}$snapshots" ORDER BY committed_at'
    rows = queries(world, sqls)
    return {key: (r[0][0] if key.startswith("ddl ") else r[0] if key.endswith("fhvhv_tripdata") else [x[0] for x in r]
                  if key.startswith("snapshots ") else bf.counter(r)) for key, r in rows.items()}


def staging_parquet_rows(batch: bf.Batch, kind: str) -> Counter:
    """The yellow or green staging table's rows as Trino reads the files (TIMESTAMP is timestamp(3) in the Hive connector)."""
    def ts3(v: dt.datetime) -> str:
        return v.strftime("%Y-%m-%d %H:%M:%S.") + f"{v.microsecond // 1000:03d}"

    rows = []
    for t in batch.trips[kind]:
        if kind == "yellow":
            rows.append((t["VendorID"], ts3(t["pickup"]), ts3(t["dropoff"]), t["passenger_count"], t["trip_distance"], t["RatecodeID"],
                         t["store_and_fwd_flag"], t["PULocationID"], t["DOLocationID"], t["payment_type"], t["fare_amount"], t["extra"],
                         t["mta_tax"], t["tip_amount"], t["tolls_amount"], t["improvement_surcharge"], t["total_amount"],
                         t["congestion_surcharge"], t["airport_fee"]))
        else:
            rows.append((t["VendorID"], ts3(t["pickup"]), ts3(t["dropoff"]), t["store_and_fwd_flag"], t["RatecodeID"], t["PULocationID"],
                         t["DOLocationID"], t["passenger_count"], t["trip_distance"], t["fare_amount"], t["extra"], t["mta_tax"], t["tip_amount"],
                         t["tolls_amount"], None, t["improvement_surcharge"], t["total_amount"], float(t["payment_type"]), 1.0,
                         t["congestion_surcharge"]))
    return bf.counter(rows)


def test_batch_the_tables_job_makes_the_staging_and_lakehouse_tables_and_views_of_the_loaded_files(world: World):
    """The Job create-tables-in-trino as its pod runs it: its four waits (each load's marker), then
    its statements with the real Trino CLI. Through Trino: every staging table holds exactly what
    the generated files hold; every lakehouse table and materialized view holds exactly the rows
    computed in Python from the records (batch_fixture.py: casts, date parsing, the reference's
    filters, the left joins with the lookups, the daily and monthly aggregates); DESCRIBE of each
    lists BATCH_COLUMNS; a second run of the script changes nothing."""
    import pyarrow.parquet as pq

    batch, facts = world.state["batch"], world.state["facts"]
    s, l = catalog(world, "hive"), catalog(world)  # noqa: E741
    started = time.monotonic()
    waits = wait_for_data(world, BATCH_JOB)
    waited = time.monotonic() - started
    job = sql_job(world, BATCH_JOB)
    ran = run_sql_job(world, BATCH_JOB)
    report("batch", f"Job {job['metadata']['name']}: {len(waits)} wait containers on the loads' markers (mc image, as its pod; {waited:.0f}s), "
                    f"then its script with the real Trino CLI 476 (the image's is "
                    f"{job['spec']['template']['spec']['containers'][0]['image'].rsplit(':', 1)[1]}): {ran}")
    checked = time.monotonic()
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)

    # The staging tables: the schemas' tables, and every one reads exactly the generated records.
    tables = sorted(f"{r[0]}.{r[1]}" for r in query(world, f"SELECT table_schema, table_name FROM {s}.information_schema.tables "
                                                         f"WHERE table_schema <> 'information_schema'"))
    assert tables == sorted(facts["stagingTables"]), tables
    counts = dict(query(world, " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {s}.{t}" for t in facts["stagingTables"])))
    assert counts == bf.staging_counts(batch), (counts, bf.staging_counts(batch))
    state = batch_state(world)
    for t, lines in bf.staging_csv_rows(batch).items():
        assert state[f"{s}.{t}"] == bf.counter(lines), f"{s}.{t}: Trino reads other rows than the file's lines"
    for kind in ("yellow", "green"):
        assert state[f"{s}.taxi.{kind}_tripdata"] == staging_parquet_rows(batch, kind), f"{s}.taxi.{kind}_tripdata: other rows than the files'"
    fhvhv = pq.read_table(batch.fhvhv)
    want_fhvhv = [fhvhv.num_rows, sum(fhvhv.column("trip_time").to_pylist()), len(set(fhvhv.column("hvfhs_license_num").to_pylist())),
                  min(fhvhv.column("pickup_datetime").to_pylist()).strftime("%Y-%m-%d %H:%M:%S.000"),
                  max(fhvhv.column("pickup_datetime").to_pylist()).strftime("%Y-%m-%d %H:%M:%S.000")]
    assert state[f"{s}.taxi.fhvhv_tripdata"] == want_fhvhv, (state[f"{s}.taxi.fhvhv_tripdata"], want_fhvhv)

    # The lakehouse tables and materialized views: exactly the rows Python computes, columns as BATCH_COLUMNS.
    yellow = bf.yellow_tripdata(batch, now)
    daily = bf.daily_agg(yellow)
    want = {"house_sales.house_sales": bf.house_sales(batch), "earthquakes.earthquakes": bf.earthquakes(batch),
            "smart_city.e_charging_stations": bf.e_charging_stations(batch), "taxi.yellow_tripdata": yellow,
            "taxi.yellow_tripdata_daily_agg": daily, "taxi.yellow_tripdata_monthly_agg": bf.monthly_agg(daily)}
    assert sorted(want) == sorted(facts["lakehouseTables"] + facts["materializedViews"]), sorted(want)
    for t, rows in want.items():
        got = state[f"{l}.{t}"]
        assert got == bf.counter(rows), (f"{l}.{t}: {sum(got.values())} rows, {len(rows)} expected; only in Trino: "
                                         f"{list((got - bf.counter(rows)).items())[:3]}; only expected: {list((bf.counter(rows) - got).items())[:3]}")
    described = {t: [[r[0], r[1].upper()] for r in rows] for t, rows in queries(world, {t: f"DESCRIBE {l}.{t}" for t in want}).items()}
    declared = {t: [[c["name"], c["type"].upper()] for c in facts["batchColumns"][t]] for t in want}
    assert described == declared, {t: (described[t], declared[t]) for t in want if described[t] != declared[t]}
    fresh = dict(query(world, f"SELECT schema_name || '.' || name, freshness FROM system.metadata.materialized_views WHERE catalog_name = '{l}'"))
    assert fresh == {t: "FRESH" for t in facts["materializedViews"]}, fresh

    # The figures of the report, each also against Python.
    sales = want["house_sales.house_sales"]
    matched = query(world, f"SELECT count(*) FILTER (WHERE country IS NOT NULL), count(*) FILTER (WHERE country IS NULL), "
                           f"count(*) FILTER (WHERE postcode = '') FROM {l}.house_sales.house_sales")[0]
    assert matched == [sum(r[17] is not None for r in sales), sum(r[17] is None for r in sales), sum(r[3] == "" for r in sales)], matched
    quakes_out = query(world, f"SELECT count(*) FROM {s}.earthquakes.earthquakes WHERE length(timestamp) <> 24")[0][0]
    assert quakes_out == len(batch.earthquakes) - len(want["earthquakes.earthquakes"]) == 3, quakes_out
    payments = dict(query(world, f"SELECT payment_type, count(*) FROM {l}.taxi.yellow_tripdata GROUP BY 1"))
    assert payments == dict(Counter(r[13] for r in yellow)), payments
    outside = query(world, f"SELECT count(*) FROM {s}.taxi.yellow_tripdata WHERE tpep_pickup_datetime < DATE '2015-01-01' "
                           f"OR tpep_pickup_datetime > now()")[0][0]
    assert outside == len(batch.trips["yellow"]) - len(yellow) > 0, outside
    unknown_zones = query(world, f"SELECT count(*) FROM {l}.taxi.yellow_tripdata WHERE pickup_zone IS NULL")[0][0]
    assert unknown_zones == sum(r[8] is None for r in yellow) > 0, unknown_zones
    totals = query(world, f"SELECT sum(trips), sum(sum_total_amount), sum(sum_trip_distance) FROM {l}.taxi.yellow_tripdata_monthly_agg")[0]
    assert totals == [len(yellow), sum(r[20] for r in yellow), sum(r[4] for r in yellow)], totals
    # The Job's own checks (one SELECT ... fail() per lakehouse table) printed each table's rows, in the statements' order.
    printed = [int(n) for n in re.findall(r'^"(\d+)"$', world.state["sql_job_output"][job["metadata"]["name"]], re.M)]
    assert printed == [len(want[t]) for t in facts["lakehouseTables"]], (printed, world.state["sql_job_output"][job["metadata"]["name"]][-3000:])
    report("batch", f"staging tables ({s}, Hive, external over bucket staging): rows {counts}, each CSV line and Parquet row as in the "
                    f"files; lakehouse ({l}, Iceberg): rows {{{', '.join(f'{t}: {len(r)}' for t, r in want.items())}}}, each row as Python "
                    f"computes it; house sales with a postcode match {matched[0]}, without {matched[1]} ({matched[2]} without a postcode); "
                    f"earthquake lines filtered out {quakes_out}; yellow trips outside 2015-01-01..now() filtered out {outside}, with an "
                    f"unknown pickup zone {unknown_zones}; trips per payment type {payments}; monthly view: {totals[0]} trips, "
                    f"income {totals[1]}, {totals[2]} miles; the Job's checks printed rows {printed}; DESCRIBE of the {len(want)} objects = "
                    f"BATCH_COLUMNS; both views FRESH "
                    f"({time.monotonic() - checked:.0f}s of checks)")

    again = run_sql_job(world, BATCH_JOB)
    assert batch_state(world) == state, "the second run of the Job's script changed a table or a view"
    assert [int(n) for n in re.findall(r'^"(\d+)"$', world.state["sql_job_output"][job["metadata"]["name"]], re.M)] == printed
    report("batch", f"second run of the Job's script: {again}; the same staging DDL and rows, the same lakehouse rows and snapshots "
                    f"(CREATE TABLE IF NOT EXISTS kept them), the views replaced and refreshed to the same rows ({time.monotonic() - started:.0f}s in all)")


# ---------------------------------------------------------------------------------------------
# Hop 5: Kafka with client TLS, and the records of the NiFi flow
# ---------------------------------------------------------------------------------------------


def test_hop5_kafka_accepts_only_clients_with_a_certificate_of_the_class_it_trusts(world: World):
    import ssl

    from services import make_pki

    start_kafka(world, hop="hop5")
    args = app(world)["spec"]["args"]
    bootstrap = args[args.index("--bootstrap-servers") + 1]
    world.state["bootstrap"] = bootstrap
    (world.workdir / "other-ca").mkdir(exist_ok=True)
    other = make_pki(world.workdir / "other-ca", ["unused"], [], "another CA")
    refused = {}
    for case, (cert, key) in {"no client certificate": (None, None), "a certificate of another CA": other.issue(["intruder"], [])}.items():
        try:
            kafka_metadata(world, bootstrap, cert, key)
        except (ssl.SSLError, ConnectionError, OSError) as error:
            refused[case] = f"{type(error).__name__}: {str(error)[:80]}"
        else:
            raise AssertionError(f"the broker answered a client with {case}")
    cert, key = world.state["pki"].issue(["a-client"], [])
    _, brokers = kafka_metadata(world, bootstrap, cert, key)
    report("hop5", f"the app's bootstrap servers {bootstrap} (in the broker's certificate, hostname verified): refused {refused}; "
                   f"a certificate of the test CA (SecretClass tls) gets the metadata, brokers {brokers}")


def flow_definition(world: World) -> dict:
    import json

    job = world.one("Job", app="nifi-flow")
    (volume,) = [v for v in job["spec"]["template"]["spec"]["volumes"] if v["name"] == "flow"]
    return json.loads(world.cluster().config_map_data(volume["configMap"]["name"])["flow.json"])


def run_flow(world: World, rnd: int, topics: list[str] | None = None) -> dict[str, list[str]]:
    """Round `rnd` of the feeds in the mirror, the flow run once over them, its messages sent by
    ConsoleProducer (of `topics` only, when given; the rest kept for later)."""
    published = write_round(world.state["mirror_dir"], rnd)
    world.state.setdefault("rounds", []).append(published)
    run = FlowRun(flow_definition(world))
    messages = run.run()
    for topic, records in published.items():
        assert len(messages.get(topic, [])) == len(records), f"{topic}: the flow published {len(messages.get(topic, []))}, the feeds have {len(records)}"
    send(world, messages if topics is None else {t: m for t, m in messages.items() if t in topics})
    world.state.setdefault("pending", {}).update({t: m for t, m in messages.items() if topics is not None and t not in topics})
    return messages


def send(world: World, messages: dict[str, list[str]]) -> None:
    client = world.state.get("client")
    if client is None:
        client = world.state["client"] = kafka_client_properties(kafka_client_tls(world, "nifi-standin", "nifi-standin-store"), "nifi-standin-store")
    for topic, values in messages.items():
        kafka_produce(world, world.state["bootstrap"], topic, values, client, name=f"produce-{topic}-{len(world.state.get('rounds', []))}")
        world.state.setdefault("produced", {}).setdefault(topic, 0)
        world.state["produced"][topic] += len(values)


def test_hop6_the_nifi_flow_s_records_of_round_1_reach_their_topics(world: World):
    definition = flow_definition(world)
    started = time.monotonic()
    messages = run_flow(world, 1)
    offsets = {t: sum(kafka_end_offsets(world, world.state["bootstrap"], t, world.state["client"], name=f"offsets-{t}").values()) for t in messages}
    assert offsets == {t: len(m) for t, m in messages.items()}, offsets
    processors = sorted({p["type"].rsplit(".", 1)[1] for p in definition["flowContents"]["processors"]})
    report("hop6", f"the synthesized flow {definition['flowContents']['name']!r} ({len(definition['flowContents']['processors'])} processors: "
                   f"{', '.join(processors)}) run once by nifi_flow_standin.py over round 1 of the mirror's feeds, its messages sent by "
                   f"ConsoleProducer over mutual TLS: records in per topic {offsets} ({time.monotonic() - started:.0f}s)")


# ---------------------------------------------------------------------------------------------
# Hop 7: the streaming job in local Spark, Iceberg through the metastore to MinIO
# ---------------------------------------------------------------------------------------------


def start_ingest(world: World) -> None:
    spec = app(world)["spec"]
    (volume,) = [v for v in spec["volumes"] if v["name"] != "job-files"]
    annotations = volume["ephemeral"]["volumeClaimTemplate"]["metadata"]["annotations"]
    password = annotations["secrets.stackable.tech/format.compatibility.tls-pkcs12.password"]
    assert annotations["secrets.stackable.tech/format"] == "tls-pkcs12"
    script, args = spark_job_script(world)
    args = list(args)
    assert args[args.index("--tls-password") + 1] == password, "the job opens its PKCS#12 files with another password than the volume's"
    mount = next(m for m in spec["driver"]["config"]["volumeMounts"] if m["name"] == volume["name"])
    assert args[args.index("--tls-dir") + 1] == mount["mountPath"]
    # The volume as the secret-operator writes it (a certificate of the test CA, the annotation's password), at a folder of this machine.
    args[args.index("--tls-dir") + 1] = str(kafka_client_tls(world, "spark-ingest", password))
    args[args.index("--trigger-seconds") + 1] = TRIGGER_SECONDS
    argv, env = spark_submit_command(world, "spark-ingest", script, args)
    world.state["ingest"] = world.start("hop7", "spark-ingest", argv, env)


def test_hop7_the_streaming_job_merges_every_record_into_its_table(world: World):
    packages = app(world)["spec"]["deps"]["packages"]
    assert any(p.startswith("org.apache.spark:spark-sql-kafka-0-10_2.13:") for p in packages), packages
    started = time.monotonic()
    start_ingest(world)
    want = expected_rows(world.state["rounds"])
    seconds = wait_for_counts(world, want)
    report("hop7", f"ingest_into_lakehouse.py with the SparkApplication's args and sparkConf (micro-batches every {TRIGGER_SECONDS} s here), "
                   f"packages {', '.join(packages)} from E2E_SPARK_JARS, Spark 4.1.2 local[2]: Trino counts the rows the records make "
                   f"{want} ({time.monotonic() - started:.0f}s from the start, {seconds:.0f}s after the first query)")
    # Spark writes a batch's commits/<n> after its sink (the MERGE, which Trino already sees) committed: wait for it.
    deadline = time.monotonic() + 60
    while True:
        checkpoints = listing(world, "lakehouse/checkpoints/")
        if all(any(re.fullmatch(rf"{t}/commits/\d+", k) for k in checkpoints) for t in TABLES):
            break
        assert time.monotonic() < deadline, f"no commits/<n> of every query 60 s after its rows: {sorted(k for k in checkpoints if '/commits/' in k)}"
        time.sleep(1)


def test_hop8_the_views_job_waits_for_the_tables_then_creates_the_reference_s_views(world: World):
    job = sql_job(world, VIEWS_JOB)
    spec = job["spec"]["template"]["spec"]
    waits = [c["name"] for c in spec["initContainers"]]
    pod = Pod(world.cluster(), spec, world.workdir)
    try:
        for name in waits:
            result = pod.run(name, timeout=60)
            assert result.returncode == 0 and "objects present under" in result.output, result.output
    finally:
        pod.close()
    ran = run_sql_job(world, VIEWS_JOB)
    c = catalog(world)
    views = {v: query(world, f"SELECT count(*) FROM {c}.{v}")[0][0] for v in (
        "smart_city.shared_bikes_station_status_latest", "smart_city.shared_bikes_station_status_joined",
        "smart_city.shared_bikes_station_status_latest_joined", "water_levels.measurements_joined")}
    want = expected_rows(world.state["rounds"])
    assert views["water_levels.measurements_joined"] == want["water_levels_measurements"]
    assert views["smart_city.shared_bikes_station_status_joined"] == want["shared_bikes_station_status"]
    # one status per station (the latest), every station with a name
    assert views["smart_city.shared_bikes_station_status_latest"] == want["shared_bikes_station_information"] == views["smart_city.shared_bikes_station_status_latest_joined"]
    unnamed = query(world, f"SELECT count(*) FROM {c}.smart_city.shared_bikes_station_status_latest_joined WHERE name IS NULL")[0][0]
    assert unnamed == 0
    streamed = world.state["facts"]["streamedColumns"]
    described = {t: [[r[0], r[1].upper()] for r in query(world, f"DESCRIBE {c}.{t}")] for t in streamed}
    declared = {t: [[col["name"], col["type"].upper()] for col in cols] for t, cols in streamed.items()}
    assert described == declared, {t: (described[t], declared[t]) for t in streamed if described[t] != declared[t]}
    report("hop8", f"{len(waits)} wait containers (mc ls of each table's metadata/, as its pod) passed; the Job's script with the real "
                   f"Trino CLI: {ran}; rows per view {views}; DESCRIBE of the {len(streamed)} streamed tables and views = lakehouse-views.ts COLUMNS")


# ---------------------------------------------------------------------------------------------
# Restart: the streaming job killed while records arrive continues from its checkpoints
# ---------------------------------------------------------------------------------------------


def test_restart_continues_from_the_checkpoint_without_losing_or_duplicating_a_record(world: World):
    """Round 2 in two parts: the water-level topics while the job runs; the job is SIGKILLed as soon
    as Trino sees the first of them merged (other batches may be in flight: offsets written, commit
    not); the bike topics while it is down. Restarted with the same checkpoints, the tables hold
    exactly the rows all records make (latest station per id, each measurement and status once)."""
    before = counts(world)
    proc = world.state["ingest"]
    run_flow(world, 2, topics=["water_levels_stations", "water_levels_measurements"])
    deadline = time.monotonic() + 120
    while counts(world)["water_levels_measurements"] == before["water_levels_measurements"]:
        assert time.monotonic() < deadline, "round 2's measurements were not merged within 120 s"
        time.sleep(1)
    proc.kill()
    killed_at = counts(world)
    progress = {t: (len(listing(world, f"lakehouse/checkpoints/{t}/offsets/")), len(listing(world, f"lakehouse/checkpoints/{t}/commits/"))) for t in TABLES}
    # The worst moment of a crash: after a batch's MERGE committed to the table, before Spark wrote
    # the batch's commit file (MicroBatchExecution writes offsets/<n>, runs the sink, then writes
    # commits/<n>). Its state is left here by removing the last commits/<n> of the measurements:
    # the restarted query runs batch n again with the offsets of offsets/<n>, and the MERGE must
    # not insert its records twice.
    replay_topic = "water_levels_measurements"
    commits = sorted(int(k) for k in listing(world, f"lakehouse/checkpoints/{replay_topic}/commits/") if k.isdigit())
    replayed = commits[-1]
    mc(world, "rm", f"t/lakehouse/checkpoints/{replay_topic}/commits/{replayed}")
    send(world, world.state.pop("pending"))
    started = time.monotonic()
    proc.relaunch()
    want = expected_rows(world.state["rounds"])
    wait_for_counts(world, want)
    c = catalog(world)
    for topic, (table, key) in TABLES.items():
        distinct = query(world, f"SELECT count(*) FROM (SELECT DISTINCT {key} FROM {c}.{table})")[0][0]
        assert distinct == want[topic], (topic, distinct, want[topic])
    # The batch ran again: its commit file is back.
    assert str(replayed) in listing(world, f"lakehouse/checkpoints/{replay_topic}/commits/"), "the removed batch was not run again"
    produced = world.state["produced"]
    reruns = proc.log.read_text().count("running it again from its checkpoint")
    report("restart", f"killed (SIGKILL) with rows {killed_at}; checkpoint batches (offsets, commits) per topic {progress}; "
                      f"commits/{replayed} of {replay_topic} removed (its batch merged, not yet committed: run again after the restart); "
                      f"records in per topic {produced}; after the restart ({time.monotonic() - started:.0f}s; queries run again by the job "
                      f"after Spark's Kafka metrics failure on a replayed batch: {reruns}) rows out {want}, "
                      f"each key once (no loss, no duplicate)")


# ---------------------------------------------------------------------------------------------
# Hop 9: Superset, the dashboards import Job, the charts through Trino
# ---------------------------------------------------------------------------------------------


#: Superset's Trino time grains (superset 6.1.0 db_engine_specs/presto.py `_time_grain_expressions`,
#: which the trino spec inherits): `date_trunc('<unit>', CAST({col} AS TIMESTAMP))`.
TIME_GRAIN_UNITS = {"PT1H": "hour", "P1D": "day", "P1W": "week", "P1M": "month"}


def chart_sql(params: dict, table: str, expressions: dict[str, str], suffix: str = "") -> tuple[str, int]:
    """Trino's own query for one of a chart's queries (query A, or B of a mixed time series with
    suffix _b): the metrics (SQL as written, SIMPLE as aggregate(column)) per group (a pie's groupby)
    or per time bucket (the x axis at the chart's time grain); a computed column is its expression.
    Returns (SQL, number of key columns)."""
    def column(name: str) -> str:
        return f"({expressions[name]})" if expressions.get(name) else f'"{name}"'

    def metric(m: dict) -> str:
        if m["expressionType"] == "SQL":
            return m["sqlExpression"]
        col = column(m["column"]["column_name"])
        return f"count(DISTINCT {col})" if m["aggregate"] == "COUNT_DISTINCT" else f"{m['aggregate'].lower()}({col})"

    viz = params["viz_type"]
    if viz in ("big_number_total", "pie"):
        keys = [column(g) for g in params.get("groupby", [])]
        metrics = [metric(params["metric"])]
    else:
        keys = [f"date_trunc('{TIME_GRAIN_UNITS[params['time_grain_sqla']]}', CAST({column(params['x_axis'])} AS TIMESTAMP))"]
        metrics = [metric(m) for m in params[f"metrics{suffix}"]]
    group = f" GROUP BY {', '.join(str(i + 1) for i in range(len(keys)))}" if keys else ""
    return f"SELECT {', '.join(keys + metrics)} FROM {table}{group}", len(keys)


def epoch_ms(value) -> int:
    """A time bucket as Superset's chart data answers it (epoch milliseconds) from Trino's text."""
    if isinstance(value, (int, float)):
        return int(value)
    return int(dt.datetime.strptime(value[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.timezone.utc).timestamp() * 1000)


def chart_results(params: dict, results: list[dict]) -> list[dict]:
    """Superset's answer per query: {key tuple: metric values}, keys the groupby values or the time bucket."""
    viz = params["viz_type"]
    out = []
    for suffix, result in zip(["", "_b"], results):
        if viz in ("big_number_total", "pie"):
            keys, labels = params.get("groupby", []), [params["metric"]["label"]]
        else:
            keys, labels = [params["x_axis"]], [m["label"] for m in params[f"metrics{suffix}"]]
        assert set(result["colnames"]) == set(keys + labels), (result["colnames"], keys, labels)
        timed = viz not in ("big_number_total", "pie")
        out.append({tuple(epoch_ms(r[k]) if timed else r[k] for k in keys): tuple(r[x] for x in labels) for r in result["data"]})
    return out


def python_charts(world: World) -> dict[str, list[dict]]:
    """What the charts over the batch tables must show, computed in Python from the generated
    records (batch_fixture.py), by chart name (and time grain for the two "Trips income")."""
    batch = world.state["batch"]
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    yellow, sales, quakes = bf.yellow_tripdata(batch, now), bf.house_sales(batch), bf.earthquakes(batch)
    charging = bf.e_charging_stations(batch)

    def bucket(text: str, unit: str) -> int:
        day = dt.datetime.strptime(text[:10], "%Y-%m-%d")
        start = {"month": day.replace(day=1), "week": day - dt.timedelta(days=day.weekday())}[unit]
        return int(start.replace(tzinfo=dt.timezone.utc).timestamp() * 1000)

    def per(rows, key, value=lambda r: 1) -> dict:
        out: dict = {}
        for r in rows:
            out.setdefault(key(r), []).append(value(r))
        return out

    sums = lambda groups: {k: (sum(v),) for k, v in groups.items()}  # noqa: E731
    trips_income = {unit: [sums(per(yellow, lambda r: (bucket(r[1], unit),))), sums(per(yellow, lambda r: (bucket(r[1], unit),), lambda r: r[20]))]
                    for unit in ("month", "week")}
    prices = per(sales, lambda r: (bucket(r[2], "month"),), lambda r: r[1])
    return {
        "House sales over time": [{k: (sum(v) / len(v),) for k, v in prices.items()}, {k: (sum(v),) for k, v in prices.items()}],
        "Number of sales per city": [sums(per(sales, lambda r: (r[10],)))],
        "Total number of earthquakes": [{(): (len(quakes),)}],
        "Number of earthquakes": [sums(per(quakes, lambda r: (bucket(r[0], "month"),)))],
        "Earthquakes by magnitude": [sums(per(quakes, lambda r: (bf.trino_round(r[4]),)))],
        "Number of E-charging stations": [{(): (len(charging),)}],
        "Number of E-charging operators": [{(): (len({r[0] for r in charging}),)}],
        "Total number of trips": [{(): (len(yellow),)}],
        "Total trip income": [{(): (sum(r[20] for r in yellow),)}],
        "Trips total distance traveled": [{(): (sum(r[4] for r in yellow),)}],
        "Trip payment types": [sums(per(yellow, lambda r: (r[13],)))],
        "Trips income P1M": trips_income["month"],
        "Trips income P1W": trips_income["week"],
    }


def test_hop9_superset_imports_the_dashboards_and_their_charts_show_the_tables(world: World):
    """Every chart of the six dashboards through Superset's chart data API (its Trino connection),
    each of its queries equal to Trino's own query of the same metrics per group or time bucket
    (chart_sql), and the charts over the batch tables also to Python's figures (python_charts)."""
    from chart_api import chart_queries, run_chart
    from programs import run_import_job, start_superset, superset_api

    _, creds = start_superset(world, hop="hop9")
    report("hop9", f"import Job: {run_import_job(world)}")
    started = time.monotonic()
    api = superset_api(world, creds)
    dashboards = api.get("/api/v1/dashboard/", params={"q": "(page_size:100)"})["result"]
    assert sorted(d["dashboard_title"] for d in dashboards) == ["E-charging stations", "Earthquakes", "House sales", "Shared bikes", "Taxi trips",
                                                                "Water level measurements"], [d["dashboard_title"] for d in dashboards]
    bundle = world.cluster().config_map_data(next(v["configMap"]["name"] for v in world.one("Job", app="superset-import-assets")["spec"]["template"]["spec"]["volumes"]
                                                  if v.get("configMap", {}).get("name", "").endswith("-bundle")))
    python = python_charts(world)
    # The streamed tables' charts: what each must add up to, written independently of its definition.
    c = catalog(world)
    totals = {
        "Number of measurements": f"SELECT count(*) FROM {c}.water_levels.measurements",
        "Number of measuring stations": f"SELECT count(*) FROM {c}.water_levels.stations",
        "Number of stations with measurements": f"SELECT count(DISTINCT station_uuid) FROM {c}.water_levels.measurements",
        "Number of shared bike stations": f"SELECT count(*) FROM {c}.smart_city.shared_bikes_station_information",
        "Number of shared bike status updates": f"SELECT count(*) FROM {c}.smart_city.shared_bikes_station_status",
        "Number of available shared bikes in stations": f"SELECT sum(num_bikes_available) FROM {c}.smart_city.shared_bikes_station_status_latest",
        "Measurements per water": f"SELECT count(*) FROM {c}.water_levels.measurements_joined",
        "Number of measurements over time": f"SELECT count(*) FROM {c}.water_levels.measurements",
    }
    datasets: dict[int, tuple[str, dict[str, str]]] = {}
    checked, against_python, against_totals = [], [], []
    for dashboard in sorted(dashboards, key=lambda d: d["dashboard_title"]):
        for chart in sorted(api.get(f"/api/v1/dashboard/{dashboard['id']}/charts")["result"], key=lambda c: c["slice_name"]):
            params = chart["form_data"]
            dataset_id = int(re.match(r"(\d+)__table", params["datasource"]).group(1))
            if dataset_id not in datasets:
                d = api.get(f"/api/v1/dataset/{dataset_id}")["result"]
                datasets[dataset_id] = (f"{d['catalog']}.{d['schema']}.{d['table_name']}", {c["column_name"]: c.get("expression") for c in d["columns"]})
            table, expressions = datasets[dataset_id]
            results = run_chart(api, dataset_id, chart_queries(params))
            assert all(r.get("error") is None for r in results), results
            name, viz = chart["slice_name"], params["viz_type"]
            shown = chart_results(params, results)
            suffixes = ["", "_b"] if viz == "mixed_timeseries" else [""]
            trino = []
            for suffix in suffixes:
                sql, keys = chart_sql(params, table, expressions, suffix)
                rows = query(world, sql)
                trino.append({tuple(epoch_ms(v) if viz not in ("big_number_total", "pie") else v for v in r[:keys]): tuple(r[keys:]) for r in rows})
            assert shown == trino, f"{dashboard['dashboard_title']} / {name}: Superset shows {shown}, Trino's own query gives {trino}"
            assert all(q for q in shown), f"{name}: no data"
            if name in totals:
                total = sum(v[0] for v in shown[0].values())
                assert total == query(world, totals[name])[0][0], f"{name}: adds up to {total}, Trino's {totals[name]} differs"
                against_totals.append(name)
            key = f"{name} {params['time_grain_sqla']}" if name == "Trips income" else name
            if key in python:
                assert shown == python[key], f"{name}: Superset shows {shown}, Python computes {python[key]}"
                against_python.append(key)
            points = sum(len(q) for q in shown)
            checked.append(f"{name} ({viz}" + (f", {points} points" if points > 1 else f" = {next(iter(shown[0].values()))[0]:g}") + ")")
    assert len(checked) == len([k for k in bundle if k.startswith("charts--")]), f"{len(checked)} charts on the dashboards, the bundle has more"
    assert sorted(against_python) == sorted(python), sorted(set(python) - set(against_python))
    assert sorted(against_totals) == sorted(totals), sorted(set(totals) - set(against_totals))
    report("hop9", f"{len(checked)} charts of {len(dashboards)} dashboards through Superset's Trino connection, each query equal to "
                   f"Trino's own (metrics per group or time bucket); the {len(against_python)} over the batch tables also equal to Python's "
                   f"figures, the {len(against_totals)} over the streamed tables adding up to Trino's count or sum of their table "
                   f"({time.monotonic() - started:.0f}s): {'; '.join(checked)}")
