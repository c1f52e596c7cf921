"""The example app data-lakehouse-iceberg-trino-spark's streaming path end to end with the real
programs, configured from its synthesized objects (conftest.py): MinIO and the bucket Job (with
the user `lakehouse`), PostgreSQL and the Hive metastore, OPA and Trino, Kafka 4.2.1 in KRaft mode
with client TLS, the records of the NiFi flow (run by a stand-in, NiFi cannot run here), the
streaming job in local Spark writing Iceberg through the metastore to MinIO, the views' Job with
the real Trino CLI after its waits, a restart of the streaming job from its checkpoints, and
Superset's dashboards through the chart data API.

Divergences from the cluster, each said in its hop's report line: NiFi's flow is run by
nifi_flow_standin.py (the same records, from the synthesized flow definition); the Hive metastore
is 4.0.0 as the HiveCluster asks; Trino and its CLI are 476 (the cluster runs 481); Spark's
micro-batch interval is 5 s instead of the app's 120 s; spark-token-provider-kafka is 4.1.1 (4.1.2 is
not on this machine's registry); the NetworkPolicies are not enforced.
"""

from __future__ import annotations

import re
import time

from feeds_fixture import expected_rows, write_round
from harness import World, report
from kubelet import Pod
from nifi_flow_standin import FlowRun
from programs import (kafka_client_properties, kafka_client_tls, kafka_end_offsets, kafka_metadata, kafka_produce, listing, mc, run_bucket_job,
                      spark_job_script, spark_submit_command, start_kafka, start_metastore, start_minio, start_postgres, start_trino, trino_query)

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


def query(world: World, sql: str) -> list[list]:
    admin = world.state["admin"]
    rows, error = trino_query(world, admin, world.state["users"][admin], sql)
    assert error is None, f"{sql}: {error}"
    return rows


def catalog(world: World) -> str:
    (c,) = world.of_kind("TrinoCatalog")
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


def test_hop2_the_bucket_job_makes_the_lakehouse_bucket_and_its_user(world: World):
    buckets = run_bucket_job(world)
    assert "lakehouse" in buckets, buckets
    report("hop2", f"buckets {buckets}; the example's NetworkPolicies ({len(world.of_kind('NetworkPolicy'))}) are not enforced here")


def test_hop3_postgresql_and_the_hive_metastore(world: World):
    (hive,) = world.of_kind("HiveCluster")
    db = hive["spec"]["clusterConfig"]["metadataDatabase"]["postgresql"]
    start_postgres(world, db["host"], db["port"])
    world.state["metastore_uri"] = start_metastore(world, hive)


def test_hop4_opa_and_trino_with_the_lakehouse_catalog(world: World):
    users, catalogs = start_trino(world, {}, hop="hop4")
    (c,) = catalogs
    assert c["spec"]["connector"]["iceberg"]["metastore"]["configMap"] == "hive-iceberg"
    (admin,) = users
    world.state["admin"], world.state["users"] = admin, users
    report("hop4", f"{admin}: catalog {c['metadata']['name']} (Iceberg) on the metastore hive-iceberg")


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
    checkpoints = listing(world, "lakehouse/checkpoints/")
    assert all(any(k.startswith(f"{t}/commits/") for k in checkpoints) for t in TABLES), sorted(checkpoints)[:20]


def test_hop8_the_views_job_waits_for_the_tables_then_creates_the_reference_s_views(world: World):
    from example_session import run_sql_job

    job = world.one("Job", app="trino-sql")
    spec = job["spec"]["template"]["spec"]
    waits = [c["name"] for c in spec["initContainers"]]
    pod = Pod(world.cluster(), spec, world.workdir)
    try:
        for name in waits:
            result = pod.run(name, timeout=60)
            assert result.returncode == 0 and "objects present under" in result.output, result.output
    finally:
        pod.close()
    ran = run_sql_job(world)
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
    report("hop8", f"{len(waits)} wait containers (mc ls of each table's metadata/, as its pod) passed; the Job's script with the real "
                   f"Trino CLI: {ran}; rows per view {views}")


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


def test_hop9_superset_imports_the_dashboards_and_their_charts_show_the_tables(world: World):
    from chart_api import chart_queries, run_chart
    from programs import run_import_job, start_superset, superset_api

    _, creds = start_superset(world, hop="hop9")
    report("hop9", f"import Job: {run_import_job(world)}")
    api = superset_api(world, creds)
    dashboards = api.get("/api/v1/dashboard/", params={"q": "(page_size:100)"})["result"]
    assert sorted(d["dashboard_title"] for d in dashboards) == ["Shared bikes", "Water level measurements"]
    c = catalog(world)
    truth = {
        "Number of measurements": f"SELECT count(*) FROM {c}.water_levels.measurements",
        "Number of measuring stations": f"SELECT count(*) FROM {c}.water_levels.stations",
        "Number of stations with measurements": f"SELECT count(DISTINCT station_uuid) FROM {c}.water_levels.measurements",
        "Number of shared bike stations": f"SELECT count(*) FROM {c}.smart_city.shared_bikes_station_information",
        "Number of shared bike status updates": f"SELECT count(*) FROM {c}.smart_city.shared_bikes_station_status",
        "Number of available shared bikes in stations": f"SELECT sum(num_bikes_available) FROM {c}.smart_city.shared_bikes_station_status_latest",
        "Measurements per water": f"SELECT count(*) FROM {c}.water_levels.measurements_joined",
        "Number of measurements over time": f"SELECT count(*) FROM {c}.water_levels.measurements",
    }
    checked = []
    for dashboard in dashboards:
        for chart in api.get(f"/api/v1/dashboard/{dashboard['id']}/charts")["result"]:
            params = chart["form_data"]
            dataset_id = int(re.match(r"(\d+)__table", params["datasource"]).group(1))
            results = run_chart(api, dataset_id, chart_queries(params))
            assert all(r.get("error") is None for r in results), results
            name = chart["slice_name"]
            rows = results[0]["data"]
            assert rows, f"{name}: no data"
            metric = [k for k in results[0]["colnames"] if k not in (params.get("x_axis"), *params.get("groupby", []))][0]
            value = sum(r[metric] for r in rows) if len(rows) > 1 else rows[0][metric]
            if name in truth:
                want = query(world, truth[name])[0][0]
                assert value == want, f"{name}: {value}, Trino says {want}"
            checked.append(f"{name} = {value:g}" if isinstance(value, (int, float)) else f"{name}: {len(rows)} rows")
    report("hop9", f"{len(checked)} charts through Superset's Trino connection, each against Trino's own count: {'; '.join(checked)}")
