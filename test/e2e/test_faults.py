"""Faults the demo's data path survives, after test_e2e.py's hops in the same session (issue #20):
each fault is injected by the harness at a chosen point (a process killed with SIGKILL as when its
node dies, a Thrift call or an HTTP request intercepted by a tap, faults.py), and each test asserts
the final state (the table in the metastore and through Trino, the dashboard's objects and chart
data through Superset), not only an exit code. The faults of the data load (MinIO killed during the
load, a mirror answering 5xx, stalling or 404) are in the jobs suite (test/jobs/test_jobs.py), bad
input files of the Spark job in the spark suite (test/spark/test_anomaly_detection.py); README
"Faults" has the table of all of them.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from faults import Tap, thrift_call
from harness import World, _die_with_parent, report
from kubelet import Pod
from operators import HIVE_PORT, hive_metastore_host
from programs import dashboard_state, listing, mc, superset_api, trino_query, wait_for_trino, wait_port
from test_e2e import (chart_results, check_table, expected_periods, metastore_table, run_import_job, run_spark_job,
                      spark_job_script, spark_submit, spark_submit_command, trino_table)


def metastore_process(world: World):
    """The metastore of the Spark job's Iceberg catalog, as hop 3 started it, and its address."""
    (hive,) = [h for h in world.of_kind("HiveCluster") if f"thrift://{hive_metastore_host(h)}:{HIVE_PORT}" == world.state["metastore_uri"]]
    return world.process(f"{hive['metadata']['name']}-metastore"), hive_metastore_host(hive)


def admin(world: World) -> tuple[str, str]:
    name = world.state["admin"]
    return name, world.state["users"][name]


def table_parts(world: World) -> tuple[str, str, str]:
    catalog, database, table = world.state["table"].split(".")
    return catalog, database, table


# ---------------------------------------------------------------------------------------------
# Fault 4: the Spark job killed after it wrote its data files, before its table commit
# ---------------------------------------------------------------------------------------------


def test_fault4_spark_killed_after_writing_data_before_its_commit_leaves_the_table_as_it_was(world: World):
    """A tap in front of the metastore holds the job's `lock` call: Iceberg's HiveTableOperations
    asks the metastore for a table lock only in its commit, after the data files, manifests and the
    new metadata file are written to S3 (iceberg-hive-metastore HiveTableOperations.doCommit:
    writeNewMetadataIfRequired, then MetastoreLock.lock, then alter_table). When the call arrives,
    the new data files are checked to be in MinIO and the job is killed (SIGKILL to its JVM and
    Python driver). The metastore's pointer, the rows through Trino: as before."""
    _, database, table = table_parts(world)
    before = metastore_table(world, database, table)["metadata_location"]
    location = before.rsplit("/metadata/", 1)[0][len("s3a://"):]
    data_before = listing(world, f"{location}/data/")
    metastore, host = metastore_process(world)
    tap = Tap((world.hosts[host], HIVE_PORT), HIVE_PORT)
    hosts = world.workdir / "hosts-metastore-tap"
    hosts.write_text(world.hosts_text({host: tap.address[0]}))
    tap.arm(thrift_call("lock"), hold=True)
    script, args = spark_job_script(world)
    argv, env = spark_submit_command(world, "spark-ad-killed", script, args)
    argv = [a.replace(str(world.hosts_file), str(hosts)) for a in argv]
    log = world.workdir / "logs" / "spark-ad-killed.log"
    started = time.monotonic()
    with open(log, "wb") as out:
        job = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=world.workdir, start_new_session=True,
                               preexec_fn=_die_with_parent)
    try:
        while not tap.matched.wait(1):
            assert job.poll() is None, f"the job ended (exit {job.returncode}) before its commit's lock call; log:\n{log.read_text()[-4000:]}"
            assert time.monotonic() - started < 600, "no lock call after 600s"
        written = {k: v for k, v in listing(world, f"{location}/data/").items() if k not in data_before}
        assert written, "the job asked for the commit lock before writing a data file"
        os.killpg(job.pid, signal.SIGKILL)
        job.wait(30)
    finally:
        if job.poll() is None:
            os.killpg(job.pid, signal.SIGKILL)
        tap.close()
    after = metastore_table(world, database, table)["metadata_location"]
    assert after == before, f"the killed job moved the table to {after}"
    assert trino_table(world) == world.state["trino_rows"], "Trino returns other rows after the killed job"
    world.state["orphans"] = written
    report("fault4", f"Spark job killed at its commit (the metastore `lock` call held by a tap, {time.monotonic() - started:.0f}s in), "
                     f"after writing {len(written)} data file(s) to s3a://{location}/data/: the metastore still points to "
                     f"{before.rsplit('/', 1)[1]}, Trino returns the same {len(world.state['trino_rows'])} rows (the files are "
                     f"unreferenced orphans)")


# ---------------------------------------------------------------------------------------------
# Fault 3: the Hive metastore comes up only after the Spark job starts
# ---------------------------------------------------------------------------------------------


def test_fault3_metastore_up_only_after_the_job_starts_the_submit_pod_waits_and_the_next_run_writes_the_full_table(world: World):
    """The metastore killed; the SparkApplication's submit pod starts (its init containers in
    order: the data is there, the metastore is not): its wait-for-metastore blocks; the metastore
    starts again; the wait passes and the job (after fault 4's killed run) writes the full table:
    one row per period, the same rows as the first run, in the metastore and through Trino."""
    metastore, host = metastore_process(world)
    metastore.kill()
    app = world.one("SparkApplication")
    pod = Pod(world.cluster(), app["spec"]["job"]["podOverrides"]["spec"], world.workdir)
    try:
        data = pod.run("wait-for-data", timeout=60)
        assert data.returncode == 0, data.output
        waiting = pod.start("wait-for-metastore")
        time.sleep(10)
        assert waiting.running(), f"wait-for-metastore ended while the metastore was down:\n{waiting.output}"
        lines_while_down = len(waiting.lines)
        metastore.relaunch()
        wait_port(world.hosts[host], HIVE_PORT, metastore, 180)
        result = waiting.wait(120)
    finally:
        pod.close()
    assert result.returncode == 0 and "Hive metastore answers at" in result.output, result.output
    _, database, table = table_parts(world)
    before = metastore_table(world, database, table)["metadata_location"]
    summary = run_spark_job(world)
    after = metastore_table(world, database, table)["metadata_location"]
    assert after != before, "the job committed nothing"
    rows = trino_table(world)
    check_table(rows, expected_periods(world))
    assert rows == world.state["trino_rows"], "the run after the faults wrote another table"
    report("fault3", f"metastore killed: wait-for-metastore kept waiting ({lines_while_down} log lines in 10s); metastore started "
                     f"again: the wait passed ({result.output.strip().splitlines()[-1]}); the job ({summary.split(';')[0]}) committed "
                     f"{after.rsplit('/', 1)[1]}: {len(rows)} rows through Trino, one per period, equal to the first run's "
                     f"(no duplicates, none of fault 4's {len(world.state.get('orphans', {}))} orphan files read)")


# ---------------------------------------------------------------------------------------------
# Fault 9: bad input files in the raw prefix
# ---------------------------------------------------------------------------------------------


def test_fault9_a_corrupt_file_and_a_yellow_taxi_file_in_the_raw_prefix_fail_the_job_naming_both_and_the_table_stays(world: World):
    """Two files put next to the loaded months in MinIO: a month cut in half (not Parquet any
    more) and a yellow-taxi file (another TLC kind: no pickup_datetime nor driver_pay). The job,
    reading through S3A as on the cluster, fails before writing with one message naming both
    files (anomaly_detection.py `check_input`); the metastore's pointer and Trino's rows are as
    before. The files are removed again (the load's marker never listed them)."""
    import tempfile

    import pyarrow as pa
    import pyarrow.parquet as pq

    prefix = world.state["data_prefix"]
    first = sorted(world.state["mirror"].files.iterdir())[0]
    folder = Path(tempfile.mkdtemp(dir=world.workdir))
    corrupt, yellow = folder / "fhvhv_tripdata_2019-01.parquet", folder / "yellow_tripdata_2020-09.parquet"
    corrupt.write_bytes(first.read_bytes()[: first.stat().st_size // 2])
    pq.write_table(pa.table({"tpep_pickup_datetime": pa.array([0, 1], pa.timestamp("us")), "fare_amount": [1.0, 2.0]}), yellow)
    folder.chmod(0o755)  # mc runs as the image's user, 10001
    for f in (corrupt, yellow):
        f.chmod(0o644)
    added = [f"t/{prefix}{f.name}" for f in (corrupt, yellow)]
    for f, target in zip((corrupt, yellow), added):
        mc_put(world, f, target)
    _, database, table = table_parts(world)
    before = metastore_table(world, database, table)["metadata_location"]
    try:
        script, args = spark_job_script(world)
        result = spark_submit(world, "spark-ad-bad-input", script, args, check=False)
    finally:
        for target in added:
            mc(world, "rm", target)
    output = result.stdout + result.stderr
    assert result.returncode != 0, result.stdout[-2000:]
    (line,) = {m for m in re.findall(r"input \S+ has 2 bad file\(s\) of \d+; nothing written, \S+ unchanged:", output)}
    assert re.search(rf"s3a://{re.escape(prefix)}{corrupt.name}: unreadable Parquet", output), output[-3000:]
    assert re.search(rf"s3a://{re.escape(prefix)}{yellow.name}: lacks column\(s\) \['driver_pay', 'pickup_datetime'\]", output), output[-3000:]
    assert metastore_table(world, database, table)["metadata_location"] == before
    assert trino_table(world) == world.state["trino_rows"]
    report("fault9", f"a half month and a yellow-taxi file in s3a://{prefix}: the job failed before writing: {line} "
                     f"(both named with their reason); the metastore still points to {before.rsplit('/', 1)[1]}, Trino returns the same rows")


def mc_put(world: World, source: Path, target: str) -> None:
    """`mc cp` of a file of this machine into MinIO as the root user (the sandbox sees it at /upload)."""
    mc(world, "cp", "--quiet", f"/upload/{source.name}", target, binds={"/upload": source.parent})


# ---------------------------------------------------------------------------------------------
# Fault 6: OPA unreachable
# ---------------------------------------------------------------------------------------------


def test_fault6_opa_unreachable_trino_refuses_every_query_then_serves_the_admin_again(world: World):
    user, password = admin(world)
    sql = f"SELECT count(*) FROM {world.state['table']}"
    opa = world.process("opa")
    opa.kill()
    refused = {}
    for what, statement in (("count", sql), ("catalogs", "SHOW CATALOGS"), ("select 1", "SELECT 1")):
        rows, error = trino_query(world, user, password, statement)
        assert rows == [] and error is not None, f"Trino answered {what} without OPA: {rows}"
        refused[what] = error["errorName"]
    opa.relaunch()
    ip, port = world.hosts[urlsplit(opa_url(world)).hostname], 8081
    wait_port(ip, port, opa, 60)
    rows, error = trino_query(world, user, password, sql)
    assert error is None and rows == [[len(world.state["trino_rows"])]], (rows, error)
    report("fault6", f"OPA killed: Trino refused {user}'s queries ({refused}), failing closed; OPA started again: "
                     f"the count answers {rows[0][0]} without touching Trino")


def opa_url(world: World) -> str:
    from operators import opa_discovery_url

    cluster = world.one("TrinoCluster")
    return opa_discovery_url(world.objects, cluster["spec"]["clusterConfig"]["authorization"]["opa"]["configMapName"],
                             cluster["metadata"]["namespace"])


# ---------------------------------------------------------------------------------------------
# Fault 5: Trino restarted while Superset renders the dashboard
# ---------------------------------------------------------------------------------------------


def dashboard_charts(api) -> tuple[int, list[dict]]:
    state = dashboard_state(api)
    charts = api.get("/api/v1/chart/", params={"q": "(page_size:100,columns:!(id,slice_name,params))"})["result"]
    return state["dataset"][0][1], charts


def test_fault5_trino_restarted_while_superset_renders_the_charts_answer_again_without_anyone_acting(world: World):
    api = world.state["superset_api"]
    dataset_id, charts = dashboard_charts(api)
    trino = world.process("trino")
    failures: list[str] = []
    stop = threading.Event()

    def render() -> None:  # the dashboard's charts, again and again, as browsers would while Trino restarts
        while not stop.is_set():
            try:
                chart_results(api, dataset_id, charts)
            except AssertionError as e:
                failures.append(str(e)[:200])
            time.sleep(0.5)

    browser = threading.Thread(target=render, daemon=True)
    browser.start()
    time.sleep(2)
    trino.kill()
    time.sleep(3)
    trino.relaunch()
    started = time.monotonic()
    wait_for_trino(world, trino)
    up = time.monotonic() - started
    deadline = time.monotonic() + 120
    while True:
        try:
            results = chart_results(api, dataset_id, charts)
            break
        except AssertionError as e:
            assert time.monotonic() < deadline, f"the charts do not answer 120s after Trino is up: {e}"
            time.sleep(2)
    stop.set()
    browser.join(300)
    assert results == world.state["chart_results"], "the charts show other data after Trino's restart"
    assert failures, "no chart request failed while Trino was down: the fault was not seen"
    report("fault5", f"Trino killed while {len(charts)} charts were rendered in a loop: {len(failures)} chart requests failed "
                     f"while it was down (e.g. {failures[0][:120]!r}); Trino up again after {up:.0f}s; the charts return the same "
                     f"data with no restart or action on Superset")


# ---------------------------------------------------------------------------------------------
# Fault 8: PostgreSQL restarted under the metastores and Superset
# ---------------------------------------------------------------------------------------------


def test_fault8_postgresql_crash_restarted_under_the_metastores_and_superset_both_recover_with_everything_committed(world: World):
    """Every PostgreSQL of the chart killed at once (SIGKILL: no shutdown checkpoint, crash
    recovery at start) and started again; then the first query through each path answers with
    what was committed before: the table through the Iceberg metastore, the Hive table through the
    other metastore, the dashboard's objects and chart data through Superset."""
    user, password = admin(world)
    names = sorted(world.state["postgres"])
    servers = {host: world.process(world.state["postgres"][host][1].name) for host in names}  # named after its StatefulSet
    for server in servers.values():
        server.kill()
    for host, server in servers.items():
        server.relaunch()
        wait_port(world.hosts[host], world.state["postgres"][host][3], server, 60)
    first = {}
    rows, error = trino_query(world, user, password, f"SELECT count(*) FROM {world.state['table']}")
    first["iceberg table via its metastore"] = error["message"][:160] if error else rows[0][0]
    rows, error = trino_query(world, user, password, "SELECT count(*), sum(square) FROM hive.spark_hive.numbers")
    first["hive table via its metastore"] = error["message"][:160] if error else rows[0]
    try:
        state = dashboard_state(world.state["superset_api"])
        first["superset objects"] = "same" if state == world.state["dashboard_state"] else "changed"
    except AssertionError as e:
        first["superset objects"] = str(e)[:160]
    assert first == {"iceberg table via its metastore": len(world.state["trino_rows"]),
                     "hive table via its metastore": [1000, sum(n * n for n in range(1000))],
                     "superset objects": "same"}, first
    assert trino_table(world) == world.state["trino_rows"]
    dataset_id, charts = dashboard_charts(world.state["superset_api"])
    assert chart_results(world.state["superset_api"], dataset_id, charts) == world.state["chart_results"]
    report("fault8", f"PostgreSQL {', '.join(names)} killed and started again (crash recovery): the first requests answer "
                     f"with the committed state: {first}; the table and the charts' data unchanged")


# ---------------------------------------------------------------------------------------------
# Fault 7: Superset restarted in the middle of the dashboard import
# ---------------------------------------------------------------------------------------------


def test_fault7_superset_killed_during_the_import_the_job_finishes_with_the_complete_dashboard_and_no_duplicate(world: World):
    """A tap in front of Superset's Service passes the import Job's `POST /api/v1/assets/import/`
    on and kills Superset (SIGKILL) 0.3 s later, while it imports; the harness starts it
    again 5 s later (the pod's restart: only gunicorn, the metadata database is already upgraded).
    The Job's pod retries (its script: transient failures until WAIT_SECONDS) and finishes; the
    dashboard, charts, dataset and database are those of the first import, once each."""
    superset = world.one("SupersetCluster")
    url = next(iter(world.state["superset_url"]))
    host = urlsplit(url).hostname
    server = world.process("superset")
    tap = Tap((world.hosts[host], 8088), 8088)
    own = world.hosts[host]
    world.hosts[host] = tap.address[0]
    world.hosts_file.write_text(world.hosts_text())
    events: list[str] = []
    outcome: dict = {}

    def job() -> None:  # the Job's pod, while this thread injects the fault (processes are started from here: see relaunch)
        try:
            outcome["last"] = run_import_job(world)
        except BaseException as e:  # noqa: BLE001 - re-raised below
            outcome["error"] = e

    tap.arm(b"POST /api/v1/assets/import/", hold=False)
    runner = threading.Thread(target=job, daemon=True)
    runner.start()
    try:
        assert tap.matched.wait(300), "the import Job sent no import request"
        time.sleep(0.3)
        server.kill()
        events.append(f"killed {time.strftime('%H:%M:%S')}")
        time.sleep(5)
        server.relaunch()  # from this thread: a process started by a thread that ends would get its death signal
        events.append(f"started again {time.strftime('%H:%M:%S')}")
        runner.join(600)
    finally:
        tap.close()
        world.hosts[host] = own
        world.hosts_file.write_text(world.hosts_text())
    if "error" in outcome:
        raise outcome["error"]
    last = outcome["last"]
    assert tap.matched.is_set() and len(events) == 2, events
    job_log = next(log for name, log in reversed(world.container_logs) if name == "import")
    assert "retrying" in job_log, f"the import was not interrupted (no retry in the Job's log):\n{job_log}"
    wait_port(own, 8088, server, 180)
    creds = world.state["superset_url"][url]
    api = superset_api(world, creds)
    world.state["superset_api"] = api
    state = dashboard_state(api)
    assert state == world.state["dashboard_state"], f"after the interrupted import: {state}"
    dataset_id, charts = dashboard_charts(api)
    assert chart_results(api, dataset_id, charts) == world.state["chart_results"]
    report("fault7", f"Superset {superset['spec']['image']['productVersion']} killed 0.3 s into the import request and started again "
                     f"({', '.join(events)}): the import Job finished ({last}); dashboard, charts, dataset and database are the "
                     f"first import's, once each: {state}; the charts return the same data")
