"""No one let in (issue #20), after test_e2e.py's hops and test_faults.py's faults in the same
session: every TLS client of ours refuses a server whose certificate another CA issued (an impostor
at the Service's name: faults.Impostor), and sends it nothing; each Secret's credentials work only
where they are meant to; no Secret value in any log line (last: it reads every log the session wrote). test_e2e.py's hop 6b has the requests without or
with wrong credentials (Trino, Superset, MinIO) and the Secrets in ConfigMaps and env.

The hops without TLS in the demo, as Stackable 26.7 runs them, are not here: Trino -> OPA (the
opa-operator publishes an http:// URL, opa-operator 26.7.0 controller/build/resource/discovery.rs),
Trino and Spark -> the Hive metastores (Thrift without TLS), the metastores and Superset ->
PostgreSQL, the import Job -> Superset (http on 8088). README "Faults and access" lists them.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from urllib.parse import urlsplit

from faults import Impostor
from harness import World, _die_with_parent, report
from kubelet import Pod, run_job
from programs import bucket_access, https_request, mc, secret_values, trino_query, wait_for_trino
from services import make_pki
from test_e2e import chart_results, spark_submit_command, trino_table
from test_faults import dashboard_charts


def impostor_for(world: World, host: str, port: int, name: str) -> Impostor:
    """An impostor for the Service `host`: a certificate for the names the real one has, from a
    CA of its own."""
    folder = world.workdir / f"impostor-{name}"
    folder.mkdir(exist_ok=True)
    pki = make_pki(folder, world.state["pki_names"] if name == "minio" else world.state["trino_certificate_names"], [],
                   ca_common_name=f"impostor CA for {name}")
    return Impostor(pki, port)


def refused(impostor: Impostor, who: str) -> str:
    assert impostor.requests == [], f"{who} sent requests to the impostor: {impostor.requests}"
    assert impostor.refused, f"{who} never tried the impostor"
    return f"{who}: {len(impostor.refused)} handshake(s) refused ({', '.join(sorted(set(impostor.refused)))}), no request"


def test_tls_the_jobs_spark_and_superset_refuse_a_server_whose_certificate_another_ca_issued(world: World):
    """MinIO's name -> an impostor: the bucket Job (mc), the load Job (curl), the Spark job's
    wait-for-data (mc) and the Spark job (S3A) refuse it. Trino's name -> an impostor: Superset's
    Trino connection (the trino driver, `verify` = our CA file) refuses it."""
    minio_url = urlsplit(world.state["minio_endpoint"])
    minio_host, minio_port = minio_url.hostname, minio_url.port
    lines = []

    def cluster_with(host: str, impostor: Impostor):
        cluster = world.cluster()
        cluster.hosts = {**world.hosts, host: impostor.address[0]}
        return cluster

    # The Jobs, with a short deadline (their WAIT_SECONDS) instead of 30 minutes.
    for app, container in (("minio-buckets", "create-buckets"), ("s3-file-load", "load")):
        impostor = impostor_for(world, minio_host, minio_port, "minio")
        try:
            run = run_job(cluster_with(minio_host, impostor), world.one("Job", app=app), world.workdir,
                          env={container: {"WAIT_SECONDS": "4"}}, timeout=120)
        finally:
            impostor.close()
        assert not run.succeeded and "gave up after 4 s" in run.output, run.output
        lines.append(refused(impostor, f"Job {app} ({container}), which gave up at its deadline"))

    impostor = impostor_for(world, minio_host, minio_port, "minio")
    app = world.one("SparkApplication")
    pod = Pod(cluster_with(minio_host, impostor), app["spec"]["job"]["podOverrides"]["spec"], world.workdir)
    try:
        waiting = pod.start("wait-for-data")
        time.sleep(8)
        assert waiting.running(), f"wait-for-data passed against the impostor:\n{waiting.output}"
        waiting.kill()
    finally:
        pod.close()
        impostor.close()
    lines.append(refused(impostor, "the SparkApplication's wait-for-data (mc), still waiting after 8 s"))

    # The Spark job's S3A client (its truststore options as the operator sets them), reading the data.
    impostor = impostor_for(world, minio_host, minio_port, "minio")
    hosts = world.workdir / "hosts-impostor-minio"
    hosts.write_text(world.hosts_text({minio_host: impostor.address[0]}))
    script = world.workdir / "read_marker.py"
    script.write_text("import sys\nfrom pyspark.sql import SparkSession\n"
                      "print('lines:', SparkSession.builder.getOrCreate().read.text(sys.argv[1]).count())\n")
    marker = f"s3a://{world.state['data_prefix'].rstrip('/')}/_SUCCESS"
    # S3A's retries cut to one attempt (by default it retries the handshake for about 5 minutes
    # before it fails the same way: fs.s3a.retry.limit 7, fs.s3a.attempts.maximum 5).
    conf = {**world.one("SparkApplication")["spec"].get("sparkConf", {}),
            "spark.hadoop.fs.s3a.retry.limit": "1", "spark.hadoop.fs.s3a.attempts.maximum": "1"}
    argv, env = spark_submit_command(world, "spark-impostor", script, [marker], spark_conf=conf, hosts_file=hosts)
    started = time.monotonic()
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=600, env=env, cwd=world.workdir, preexec_fn=_die_with_parent)
    finally:
        impostor.close()
    (world.workdir / "logs" / "spark-impostor.log").write_text(result.stdout + result.stderr)
    assert result.returncode != 0 and not re.search(r"^lines: \d+", result.stdout, re.M), result.stdout[-2000:]
    pkix = "PKIX path building failed" in result.stderr or "unable to find valid certification path" in result.stderr
    assert pkix, result.stderr[-3000:]
    lines.append(refused(impostor, f"the Spark job's S3A client (PKIX path building failed, {time.monotonic() - started:.0f}s)"))

    # Superset -> Trino: the hosts file Superset's sandbox reads names the impostor for Trino.
    trino_host, trino_port = world.state["trino_host"], world.state["trino_port"]
    impostor = impostor_for(world, trino_host, trino_port, "trino")
    api = world.state["superset_api"]
    dataset_id, charts = dashboard_charts(api)
    world.hosts_file.write_text(world.hosts_text({trino_host: impostor.address[0]}))
    try:
        try:
            chart_results(api, dataset_id, charts)
            error = None
        except AssertionError as e:
            error = str(e)
    finally:
        world.hosts_file.write_text(world.hosts_text())
        impostor.close()
    assert error is not None and "CERTIFICATE_VERIFY_FAILED" in error, error
    lines.append(refused(impostor, "Superset's Trino connection (CERTIFICATE_VERIFY_FAILED)"))
    assert chart_results(api, dataset_id, charts) == world.state["chart_results"], "the charts differ once Trino is back at its name"
    report("tls", "; ".join(lines))


def test_tls_trino_refuses_a_minio_whose_certificate_another_ca_issued(world: World):
    """Trino started again with MinIO's name -> an impostor (its JVM reads the hosts file at start):
    a query of the Iceberg table fails, the impostor gets no request; Trino started again with the
    real MinIO: the same rows."""
    minio_url = urlsplit(world.state["minio_endpoint"])
    impostor = impostor_for(world, minio_url.hostname, minio_url.port, "minio")
    trino = world.process("trino")
    user = world.state["admin"]
    password = world.state["users"][user]

    def restart() -> None:
        trino.kill()
        trino.relaunch()
        wait_for_trino(world, trino)

    world.hosts_file.write_text(world.hosts_text({minio_url.hostname: impostor.address[0]}))
    try:
        restart()
        rows, error = trino_query(world, user, password, f"SELECT count(*) FROM {world.state['table']}")
    finally:
        world.hosts_file.write_text(world.hosts_text())
        impostor.close()
    assert rows == [] and error is not None, rows
    line = refused(impostor, f"Trino's S3 file system ({error['errorName']}: {error['message'][:100]})")
    restart()
    assert trino_table(world) == world.state["trino_rows"]
    report("tls", f"{line}; Trino started again with the real MinIO returns the same {len(world.state['trino_rows'])} rows")


def test_each_secret_s_credentials_work_only_where_they_are_meant_to(world: World):
    """The user and password of every credentials Secret of the chart, tried at every endpoint
    that takes a password: MinIO (signed S3 requests, `mc`), Trino (HTTP basic), Superset (its
    login API) and each PostgreSQL (password over TCP, as the metastores and Superset connect).
    Each works where it is meant to and nowhere else; the MinIO user of the products reads and
    writes its buckets only: no other bucket, no bucket creation, no admin API."""
    import base64

    from operators import secret_data

    def secret(name: str) -> dict[str, str]:
        (found,) = [o for o in world.of_kind("Secret") if o["metadata"]["name"] == name]
        return secret_data(world.objects, name, found["metadata"]["namespace"])

    minio = urlsplit(world.state["minio_endpoint"])
    root = (minio.username, minio.password)
    (root_secret,) = [o["metadata"]["name"] for o in world.of_kind("Secret") if secret(o["metadata"]["name"]).get("accessKey") == root[0]
                      and secret(o["metadata"]["name"]).get("secretKey") == root[1]]
    s3 = world.one("S3Connection")
    from operators import s3_credentials_secret

    product_secret = s3_credentials_secret(world.objects, s3)["metadata"]["name"]
    assert product_secret != root_secret, "the products use MinIO's root user"
    identities: dict[str, tuple[str, str]] = {
        f"Secret {root_secret} (MinIO root)": root,
        f"Secret {product_secret} (S3 of the products)": (secret(product_secret)["accessKey"], secret(product_secret)["secretKey"]),
    }
    users_secret = next(o["metadata"]["name"] for o in world.of_kind("Secret") if o["metadata"]["name"].endswith("-users"))
    for user, password in secret(users_secret).items():
        identities[f"Secret {users_secret} ({user})"] = (user, password)
    superset = world.one("SupersetCluster")
    admin_secret = superset["spec"]["clusterConfig"]["credentialsSecret"]
    identities[f"Secret {admin_secret} (Superset admin)"] = (secret(admin_secret)["adminUser.username"], secret(admin_secret)["adminUser.password"])
    databases = {}
    for host, (uid, base, run, port, env) in world.state["postgres"].items():
        name = base.name
        databases[name] = (host, port, env["POSTGRES_DB"])
        identities[f"Secret {name}-credentials (PostgreSQL {name})"] = (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"])

    def minio_works(user: tuple[str, str]) -> bool:  # mc prints `mc: <ERROR> ...` for a refused request
        return "<ERROR>" not in mc(world, "ls", "t/demo", check=False, user=user)

    def trino_works(user: tuple[str, str]) -> bool:
        auth = "Basic " + base64.b64encode(f"{user[0]}:{user[1]}".encode()).decode()
        status, _ = https_request(world, world.state["trino_host"], world.state["trino_port"], "GET", "/v1/query", {"Authorization": auth})
        assert status in (200, 401, 403), status
        return status != 401

    def superset_works(user: tuple[str, str]) -> bool:
        import urllib.error
        import urllib.request

        url = next(iter(world.state["superset_url"]))
        host = urlsplit(url).hostname
        request = urllib.request.Request(f"http://{world.hosts[host]}:8088/api/v1/security/login", method="POST",
                                         data=json.dumps({"username": user[0], "password": user[1], "provider": "db"}).encode(),
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as r:
                return r.status == 200
        except urllib.error.HTTPError as e:
            assert e.code == 401, e.code
            return False

    def postgres_works(name: str, user: tuple[str, str]) -> bool:
        import os

        host, port, database = databases[name]
        out = subprocess.run([f"{os.environ['E2E_PG_BIN']}/psql", "-h", world.hosts[host], "-p", str(port), "-U", user[0], "-d", database,
                              "-At", "-c", "SELECT 1", "-w"], capture_output=True, text=True, timeout=60,
                             env={"PGPASSWORD": user[1], "PATH": "/usr/bin:/bin", "PGCONNECT_TIMEOUT": "10"})
        # refused: a wrong password, or a role that does not exist on that server
        assert out.returncode == 0 or re.search(r"authentication failed|role \"[^\"]+\" does not exist", out.stderr), out.stderr
        return out.returncode == 0

    endpoints = {"MinIO": minio_works, "Trino": trino_works, "Superset": superset_works,
                 **{f"PostgreSQL {n}": (lambda user, n=n: postgres_works(n, user)) for n in databases}}
    works = {who: sorted(e for e, check in endpoints.items() if check(user)) for who, user in identities.items()}
    admin = world.state["admin"]
    meant = {who: (["MinIO"] if "MinIO root" in who or "S3 of the products" in who
                   else ["Superset", "Trino"] if who.endswith(f"({admin})") or "Superset admin" in who
                   else ["Trino"] if "-users" in who
                   else [f"PostgreSQL {who.split('PostgreSQL ')[1].rstrip(')')}"])
             for who in identities}
    assert works == meant, {who: (works[who], meant[who]) for who in identities if works[who] != meant[who]}

    # The products' MinIO user: its buckets, read and write; nothing else.
    lakehouse = identities[f"Secret {product_secret} (S3 of the products)"]
    buckets = bucket_access(world, lakehouse, ["demo", "prediction"])
    assert buckets == {"read demo": True, "write demo": True, "read prediction": True, "write prediction": True,
                       "list a bucket outside its access": False, "create a bucket": False, "admin API (list users)": False}, buckets
    report("credentials", f"each Secret's user and password tried at MinIO, Trino, Superset and {len(databases)} PostgreSQL: "
                          f"{'; '.join(f'{who} -> {works[who]}' for who in identities)}; the products' MinIO user: {buckets}")


def test_no_secret_value_in_a_log_line_of_our_jobs_or_the_spark_job_s_summary(world: World):
    """Every container the session ran (the Jobs' pods, the init containers, MinIO) and the Spark
    jobs' output (the summary included): no password of a Secret in any line. The servers' own
    logs (Trino, OPA, the metastores, PostgreSQL, Superset) are scanned too."""
    secrets = secret_values(world.objects)
    assert secrets
    leaks = [f"container {name}" for name, log in world.container_logs for s in secrets if s in log]
    logs = sorted((world.workdir / "logs").glob("*.log"))
    leaks += [f"log {p.name}" for p in logs for s in secrets if s in p.read_text(errors="replace")]
    assert leaks == [], sorted(set(leaks))
    summaries = [line for p in logs if p.name.startswith("spark-ad") for line in p.read_text().splitlines() if line.startswith("anomaly_detection:")]
    assert summaries
    report("logs", f"{len(secrets)} Secret passwords in none of {len(world.container_logs)} container logs, {len(logs)} program logs "
                   f"({', '.join(p.stem for p in logs)}), {len(summaries)} Spark job summaries")
