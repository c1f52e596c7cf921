"""The programs of the e2e suites, started and run as the cluster would, configured from the
synthesized objects: MinIO, `mc`, PostgreSQL, the Hive metastore, OPA, Trino, Superset and the
import Job, Kafka (KRaft) with its console clients, and local Spark with the Kafka source (what
the operators derive: operators.py). Each hop of a suite calls these; `hop` names
the hop in the report lines and for the logs shown when it fails.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import re
import secrets
import socket
import ssl
import subprocess
import time
from pathlib import Path

from harness import World, report
from kubelet import Pod, Tools, run_job
from operators import (HIVE_PORT, TRUSTSTORE_PASSWORD, hive_jvm_truststore_options, hive_metastore_host, hive_site, service_fqdn, spark_s3_conf,
                       spark_truststore_java_options)
from services import make_pki


def https_get(ip: str, port: int, host: str, path: str, ca_file: Path) -> int:
    """GET https://host:port/path at `ip`, the certificate verified for `host` against `ca_file`."""
    context = ssl.create_default_context(cafile=str(ca_file))
    with socket.create_connection((ip, port), timeout=5) as raw, context.wrap_socket(raw, server_hostname=host) as tls:
        tls.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
        status_line = tls.recv(4096).split(b"\r\n", 1)[0].decode()
    return int(status_line.split()[1])


def pod_ip_address(arg: str, ip: str) -> str:
    """A listen address without a host (`:9000`) binds every address of the pod, that is the pod's
    IP; here the pod's IP is its loopback address (nothing listens beyond loopback)."""
    return f"{ip}{arg}" if re.fullmatch(r":\d+", arg) else arg


def mc(world: World, *args: str, check: bool = True, user: tuple[str, str] | None = None, binds: dict[str, Path] | None = None) -> str:
    """`mc` of the bucket Job's image, in a sandbox that resolves the Services like the cluster,
    as the root user of the chart's Secret (or `user`: access key, secret key), trusting the CA
    of the chart's TrustStore; alias `t`; `binds`: directories of this machine at paths of the
    sandbox (hostPath volumes)."""
    from urllib.parse import urlsplit

    job = world.one("Job", app="minio-buckets")
    image = job["spec"]["template"]["spec"]["containers"][0]["image"]
    trust = world.one("TrustStore")
    endpoint = world.state["minio_endpoint"]
    if user is not None:
        url = urlsplit(endpoint)
        endpoint = f"https://{user[0]}:{user[1]}@{url.hostname}:{url.port}"
    spec = {
        "volumes": [{"name": "trust", "configMap": {"name": trust["metadata"]["name"]}}, {"name": "tmp", "emptyDir": {}}],
        "containers": [{
            "name": "mc", "image": image, "command": ["mc", "--no-color", *args],
            "env": [{"name": "MC_HOST_t", "value": endpoint}, {"name": "HOME", "value": "/tmp"},
                    {"name": "SSL_CERT_FILE", "value": "/trust/" + trust["spec"].get("tlsPemCaName", "ca.crt")}],
            "volumeMounts": [{"name": "trust", "mountPath": "/trust"}, {"name": "tmp", "mountPath": "/tmp"}],
            "securityContext": {"runAsUser": 10001},
        }],
    }
    for i, (inside, here) in enumerate((binds or {}).items()):
        spec["volumes"].append({"name": f"bind{i}", "hostPath": {"path": str(here)}})
        spec["containers"][0]["volumeMounts"].append({"name": f"bind{i}", "mountPath": inside})
    pod = Pod(world.cluster(), spec, world.workdir)
    try:
        result = pod.run("mc", timeout=120)
    finally:
        pod.close()
    if check:
        assert result.returncode == 0, f"mc {' '.join(args)}: {result.output}"
    return result.output


def bucket_access(world: World, user: tuple[str, str], buckets: list[str]) -> dict[str, bool]:
    """What `user` may do, tried with `mc`: per bucket, list it (`read`) and put and remove a probe
    object (`write`); list a bucket outside its access (made as root, removed after); create a
    bucket; call the admin API. `mc` prints `mc: <ERROR> ...` for a refused request."""
    works = {}
    for bucket in buckets:
        works[f"read {bucket}"] = "<ERROR>" not in mc(world, "ls", f"t/{bucket}", check=False, user=user)
        probe = f"t/{bucket}/scope-check/probe.txt"
        written = mc(world, "cp", "--quiet", "/trust/ca.crt", probe, check=False, user=user)
        removed = mc(world, "rm", "--quiet", probe, check=False, user=user)
        works[f"write {bucket}"] = "<ERROR>" not in written + removed
        mc(world, "rm", "--recursive", "--force", f"t/{bucket}/scope-check/", check=False)  # as root: nothing left, whatever the user could do
    mc(world, "mb", "t/scope-check-other")
    try:
        works["list a bucket outside its access"] = "<ERROR>" not in mc(world, "ls", "t/scope-check-other", check=False, user=user)
    finally:
        mc(world, "rb", "t/scope-check-other")
    works["create a bucket"] = "<ERROR>" not in mc(world, "mb", "t/scope-check-new", check=False, user=user)
    works["admin API (list users)"] = "<ERROR>" not in mc(world, "admin", "user", "list", "t", check=False, user=user)
    return works


def listing(world: World, path: str) -> dict[str, int]:
    """`mc ls --recursive --json t/<path>`: key -> size."""
    out = mc(world, "ls", "--recursive", "--json", f"t/{path}")
    entries = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return {e["key"]: e["size"] for e in entries if e.get("type") == "file"}


def env_value(container: dict, name: str) -> str:
    values = [e["value"] for e in container.get("env", []) if e["name"] == name and "value" in e]
    assert len(values) == 1, f"container {container['name']} has no literal env {name}"
    return values[0]

# ---------------------------------------------------------------------------------------------
# MinIO, the bucket Job and the load Job
# ---------------------------------------------------------------------------------------------


def start_minio(world: World, hop: str = "hop1") -> None:
    """MinIO as its Deployment runs it (args, env with the Secret refs resolved, mounts, user),
    with TLS from the files the secret-operator writes into its volume (a test CA for the volume
    scope's names), until its readiness probe answers over TLS verified for its Service's name.
    Sets the test CA (state pki) and the root user's endpoint for `mc` (state minio_endpoint)."""
    deployment = world.one("Deployment", app="minio")
    service = world.one("Service", app="minio")
    fqdn = service_fqdn(service["metadata"]["name"], service["metadata"]["namespace"])
    https = next(p for p in service["spec"]["ports"] if p["name"] == "https")
    ip = world.address(fqdn, https["targetPort"])
    volumes = [v for v in world.secret_volumes if v["where"] == f"Deployment/{deployment['metadata']['name']}"]
    assert len(volumes) == 1, "expected one secret-operator volume in the MinIO Deployment"
    names = volumes[0]["dnsNames"]
    assert fqdn in names, f"MinIO's certificate would be for {names}, clients use {fqdn}"
    world.state["pki"] = make_pki(world.workdir, names, [])  # the scope's names, no IP (secret-operator service scope)
    world.state["pki_names"] = names
    report(hop, f"test CA; MinIO certificate for {', '.join(names)} (scope {volumes[0]['volume']}: files {', '.join(volumes[0]['files'].values())})")

    spec = copy.deepcopy(deployment["spec"]["template"]["spec"])
    servers = [c for c in spec["containers"] if "MINIO_ROOT_USER" in {e["name"] for e in c.get("env", [])}]
    assert len(servers) == 1
    server = servers[0]
    server["args"] = [pod_ip_address(a, ip) for a in server["args"]]
    pod = Pod(world.cluster(), spec, world.workdir)
    running = pod.start(server["name"])
    world.adopt(hop, "minio", running)

    probe = server["readinessProbe"]["httpGet"]
    assert probe["scheme"] == "HTTPS"
    port = probe["port"] if isinstance(probe["port"], int) else next(p["containerPort"] for p in server["ports"] if p["name"] == probe["port"])
    deadline = time.monotonic() + 60
    status = None
    while time.monotonic() < deadline and running.running():
        try:
            status = https_get(ip, port, fqdn, probe["path"], world.state["pki"].ca_file)
            if status == 200:
                break
        except OSError:
            pass
        time.sleep(0.3)
    assert status == 200, f"MinIO's readiness probe did not pass (last status {status}); log:\n{running.output[-3000:]}"
    report(hop, f"MinIO {server['image'].rsplit(':', 1)[1]} started with the Deployment's args, env (Secret refs resolved) and mounts "
                   f"(uid {spec['securityContext']['runAsUser']}, read-only root), at {fqdn} -> {ip}; readiness probe "
                   f"{probe['path']} answers 200 over TLS verified for {fqdn}")
    env = world.cluster().resolve_env(server)
    world.state["minio_endpoint"] = f"https://{env['MINIO_ROOT_USER']}:{env['MINIO_ROOT_PASSWORD']}@{fqdn}:{https['port']}"

def run_bucket_job(world: World, hop: str = "hop2") -> list[str]:
    """The MinioBuckets Job (its own script, as its pod runs it); returns the buckets MinIO then has."""
    buckets_job = world.one("Job", app="minio-buckets")
    run = run_job(world.cluster(), buckets_job, world.workdir)
    assert run.succeeded, run.output
    buckets = sorted(json.loads(line)["key"].rstrip("/") for line in mc(world, "ls", "--json", "t").splitlines() if line.startswith("{"))
    report(hop, f"Job {buckets_job['metadata']['name']}: its script ran ({', '.join(f'{r.container} {r.seconds:.1f}s' for r in run.results)}); buckets now: {', '.join(buckets)}")
    return buckets


def load_target(job: dict) -> str:
    """`<bucket>/<prefix>` of an S3FileLoad Job (its `load` container's TARGET, https://<host>:<port>/<bucket>/<prefix>)."""
    load = next(c for c in job["spec"]["template"]["spec"]["containers"] if c["name"] == "load")
    return env_value(load, "TARGET").split("/", 3)[3]


def load_job_files(load_job: dict) -> list[tuple[str, str]]:
    """(key, URL) per file of an S3FileLoad Job, in order: its `load` container's FILES, one `key URL` a line."""
    load = next(c for c in load_job["spec"]["template"]["spec"]["containers"] if c["name"] == "load")
    return [tuple(line.split(" ", 1)) for line in env_value(load, "FILES").splitlines() if line.strip()]


def run_load_job(world: World, load_job: dict, hop: str = "hop2") -> str:
    """An S3FileLoad Job (its own script, as its pod runs it): afterwards its target holds exactly
    the keys of its FILES (plus the marker), each byte for byte the file the loopback mirror
    (state mirror, serving the folder `mirror.files` at `mirror.url`) serves at its URL: the same
    size and MD5 (MinIO's ETag of a single-part upload, which the Job's curl makes). Returns the
    load's `_SUCCESS` marker (the keys it lists)."""
    import hashlib

    started = time.monotonic()
    run = run_job(world.cluster(), load_job, world.workdir, timeout=600)
    assert run.succeeded, run.output
    target = load_target(load_job)
    mirror = world.state["mirror"]
    served = {}
    for key, url in load_job_files(load_job):
        assert url.startswith(mirror.url), f"{load_job['metadata']['name']} loads {url}, which the loopback mirror {mirror.url} does not serve"
        data = (mirror.files / url[len(mirror.url):]).read_bytes()
        served[key] = (len(data), hashlib.md5(data).hexdigest())
    out = mc(world, "ls", "--recursive", "--json", f"t/{target}")
    entries = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    loaded = {e["key"]: (e["size"], e["etag"].strip('"')) for e in entries if e.get("type") == "file" and e["key"] != "_SUCCESS"}
    assert loaded == served, f"{target} holds {loaded}, the mirror serves {served}"
    marker = mc(world, "cat", f"t/{target.rstrip('/')}/_SUCCESS").strip()
    size = sum(s for s, _ in served.values())
    report(hop, f"Job {load_job['metadata']['name']}: downloaded {len(served)} files from the loopback mirror and uploaded them "
                f"byte for byte (size and MD5) to {target} ({size // 1024} KiB, {time.monotonic() - started:.0f}s); marker lists "
                f"{marker if len(marker) < 200 else marker[:90] + ' ... ' + marker[-90:]}")
    return marker


def run_load_jobs(world: World, hop: str = "hop2") -> dict[str, str]:
    """Every S3FileLoad Job of the objects, in their order (run_load_job); returns each one's
    marker by the Job's instance name."""
    jobs = [j for j in world.of_kind("Job") if j["metadata"].get("labels", {}).get("app.kubernetes.io/name") == "s3-file-load"]
    assert jobs, "no S3FileLoad Job"
    return {j["metadata"]["labels"]["app.kubernetes.io/instance"]: run_load_job(world, j, hop) for j in jobs}


def run_bucket_and_load_jobs(world: World, hop: str = "hop2") -> str:
    """The bucket Job, then the one S3FileLoad Job (their own scripts, as their pods run them): the
    buckets exist, the load's target holds every file of its FILES byte for byte as the mirror
    serves it (run_load_job). Sets state data_prefix; returns the load's `_SUCCESS` marker."""
    run_bucket_job(world, hop)
    load_job = world.one("Job", app="s3-file-load")
    marker = run_load_job(world, load_job, hop)
    world.state["data_prefix"] = load_target(load_job)
    return marker


# ---------------------------------------------------------------------------------------------
# PostgreSQL and the Hive metastore
# ---------------------------------------------------------------------------------------------


def sandbox(uid: int, binds: list[Path], argv: list[str]) -> list[str]:
    """`argv` as user `uid` (PostgreSQL refuses to run as root) in a user namespace over this
    machine's root, the given directories writable. The user is `postgres`, as in the image
    (docker-library/postgres 17/bookworm/Dockerfile: `useradd -r -g postgres --uid=999`): initdb
    looks its name up. Its own PID namespace, as a container's: a PostgreSQL started again after a
    crash finds its postmaster.pid naming its own PID, which it takes for stale (in the host's
    namespace that PID may be another live process: "lock file already exists")."""
    etc = binds[0] / "etc"
    etc.mkdir(exist_ok=True)
    (etc / "passwd").write_text(Path("/etc/passwd").read_text() + f"postgres:x:{uid}:{uid}::/var/lib/postgresql:/bin/sh\n")
    (etc / "group").write_text(Path("/etc/group").read_text() + f"postgres:x:{uid}:\n")
    out = [Tools.from_env().bwrap, "--unshare-user", "--unshare-pid", "--uid", str(uid), "--gid", str(uid), "--die-with-parent",
           "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
           "--ro-bind", str(etc / "passwd"), "/etc/passwd", "--ro-bind", str(etc / "group"), "/etc/group"]
    for b in binds:
        out += ["--bind", str(b), str(b)]
    return out + ["--"] + argv


def wait_port(ip: str, port: int, proc, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise AssertionError(f"{proc.name} exited; log:\n{proc.tail()}")
        try:
            with socket.create_connection((ip, port), timeout=1):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{proc.name} does not listen on {ip}:{port} after {timeout}s; log:\n{proc.tail()}")


def client_service(world: World, statefulset: dict) -> dict:
    """The Service (with a cluster IP) that selects the StatefulSet's pods."""
    labels = statefulset["spec"]["template"]["metadata"]["labels"]
    found = [s for s in world.of_kind("Service") if s["spec"].get("clusterIP") != "None"
             and s["spec"].get("selector") and all(labels.get(k) == v for k, v in s["spec"]["selector"].items())]
    assert len(found) == 1, f"expected one client Service for StatefulSet {statefulset['metadata']['name']}, found {len(found)}"
    return found[0]


def start_postgres(world: World, host: str, port: int, hop: str = "hop3") -> dict[str, str]:
    """The PostgreSQL StatefulSet whose client Service is `host`, as its image's entrypoint starts
    it (docker-library/postgres 17/bookworm/docker-entrypoint.sh: initdb with POSTGRES_USER as the
    superuser and POSTGRES_PASSWORD as its password; `host all all all scram-sha-256` appended to
    pg_hba.conf, POSTGRES_HOST_AUTH_METHOD's default; CREATE DATABASE POSTGRES_DB), as the pod's
    user, listening on the Service's loopback address. Returns the container's environment."""

    sts = next(s for s in world.of_kind("StatefulSet")
               if service_fqdn(client_service(world, s)["metadata"]["name"], s["metadata"]["namespace"]) == host)
    container = next(c for c in sts["spec"]["template"]["spec"]["containers"] if "POSTGRES_USER" in {e["name"] for e in c.get("env", [])})
    env = world.cluster().resolve_env(container)
    uid = {**sts["spec"]["template"]["spec"].get("securityContext", {}), **container.get("securityContext", {})}["runAsUser"]
    ip = world.address(host, port)
    name = sts["metadata"]["name"]
    base = world.workdir / name
    data, run = base / "data", base / "run"
    run.mkdir(parents=True)
    base.chmod(0o777)
    pg = Path(os.environ["E2E_PG_BIN"])
    (base / "pwfile").write_text(env["POSTGRES_PASSWORD"] + "\n")
    init = subprocess.run(sandbox(uid, [base], [str(pg / "initdb"), "-D", str(data), "--username", env["POSTGRES_USER"],
                                                f"--pwfile={base / 'pwfile'}"]), capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, init.stdout + init.stderr
    # The image's pg_hba.conf: initdb's (`local all all trust`, and `host ... 127.0.0.1/32 trust`,
    # `::1/128 trust`: connections from inside the pod) plus `host all all all scram-sha-256`. Every
    # client of ours is another pod, so on a cluster it matches the scram-sha-256 line. Here every
    # client connects over loopback with source address 127.0.0.1, which the host trust lines would
    # let in without a password (this suite found that: each Secret's password worked on every
    # PostgreSQL): they are dropped, the unix-socket trust stays (the suite's own psql).
    hba = data / "pg_hba.conf"
    lines = [line for line in hba.read_text().splitlines() if not re.match(r"^host\S*\s.*\strust\s*$", line)]
    hba.write_text("\n".join(lines) + "\nhost all all all scram-sha-256\n")
    proc = world.start(hop, name, sandbox(uid, [base], [str(pg / "postgres"), "-D", str(data), "-c", f"listen_addresses={ip}",
                                                           "-c", f"port={port}", "-c", f"unix_socket_directories={run}"]),
                       env={"PATH": "/usr/bin:/bin"})
    wait_port(ip, port, proc, 60)
    created = subprocess.run(sandbox(uid, [base], [str(pg / "psql"), "-h", str(run), "-p", str(port), "-U", env["POSTGRES_USER"],
                                                   "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", f'CREATE DATABASE "{env["POSTGRES_DB"]}"']),
                             capture_output=True, text=True, timeout=60)
    assert created.returncode == 0, created.stdout + created.stderr
    world.state.setdefault("postgres", {})[host] = (uid, base, run, port, env)
    report(hop, f"PostgreSQL {pg.parent.name} (StatefulSet {name}) as uid {uid} at {host}:{port} -> {ip}; "
                   f"superuser {env['POSTGRES_USER']} with the Secret's password, database {env['POSTGRES_DB']}")
    return env


def psql(world: World, host: str, sql: str) -> str:

    uid, base, run, port, env = world.state["postgres"][host]
    out = subprocess.run(sandbox(uid, [base], [str(Path(os.environ["E2E_PG_BIN"]) / "psql"), "-h", str(run), "-p", str(port),
                                               "-U", env["POSTGRES_USER"], "-d", env["POSTGRES_DB"], "-At", "-v", "ON_ERROR_STOP=1", "-c", sql]),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout.strip()


def java_truststore(world: World) -> Path:
    """A pkcs12 truststore with the test CA, as the operators' init steps build it (the system
    bundle they start from is left out: nothing here talks to a public server)."""

    store = world.workdir / "truststore.p12"
    if not store.exists():
        keytool = Path(os.environ["E2E_JAVA17"]).parent / "keytool"
        out = subprocess.run([str(keytool), "-importcert", "-noprompt", "-alias", "test-ca", "-file", str(world.state["pki"].ca_file),
                              "-keystore", str(store), "-storetype", "pkcs12", "-storepass", TRUSTSTORE_PASSWORD],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stdout + out.stderr
    return store


def hive_site_xml(properties: dict[str, str]) -> str:
    from xml.sax.saxutils import escape

    body = "".join(f"  <property><name>{escape(k)}</name><value>{escape(v)}</value></property>\n" for k, v in properties.items())
    return f'<?xml version="1.0"?>\n<configuration>\n{body}</configuration>\n'


def start_metastore(world: World, hive: dict, hop: str = "hop3") -> str:
    """The Hive metastore of `hive` with the hive-site the hive-operator writes (operators.py) plus
    `metastore.async.log.enabled=false` and, to stay on loopback, the bind host; the commands of
    hive-operator 26.7.0 controller/build/resource/statefulset.rs for 4.x: `schemaTool -dbType
    postgres -initOrUpgradeSchema`, then the metastore. Returns the thrift URI."""

    host = hive_metastore_host(hive)
    ip = world.address(host, HIVE_PORT)
    name = hive["metadata"]["name"]
    connection = world.one("S3Connection", name=hive["spec"]["clusterConfig"]["s3"]["reference"])
    conf = world.workdir / f"{name}-conf"
    warehouse = world.workdir / f"{name}-warehouse"
    conf.mkdir()
    properties = {**hive_site(hive, world.objects, connection, str(warehouse)),
                  "metastore.async.log.enabled": "false", "metastore.thrift.bind.host": ip}
    (conf / "hive-site.xml").write_text(hive_site_xml(properties))
    home = Path(os.environ["E2E_METASTORE_HOME"])
    (conf / "metastore-log4j2.properties").write_text((home / "conf" / "metastore-log4j2.properties").read_text())
    # bin/ext/metastore.sh and schemaTool.sh run `hadoop jar` with the metastore's lib/ and conf/ on
    # the Hadoop classpath: the same classpath, without the hadoop launcher.
    classpath = f"{conf}:{home}/lib/*:{os.environ['E2E_HADOOP_JARS']}/*"
    java = [os.environ["E2E_JAVA17"], "-Xmx512m", f"-Djdk.net.hosts.file={world.hosts_file}", *hive_jvm_truststore_options(str(java_truststore(world))),
            "-Dlog4j.configurationFile=metastore-log4j2.properties", "-Dmetastore.root.logger=console",
            f"-Dmetastore.log.dir={world.workdir / 'logs'}", "-cp", classpath]
    env = {"PATH": "/usr/bin:/bin", "METASTORE_HOME": str(home), "HOME": str(world.workdir)}
    started = time.monotonic()
    schema = subprocess.run([*java, "org.apache.hadoop.hive.metastore.tools.schematool.MetastoreSchemaTool", "-dbType", "postgres", "-initOrUpgradeSchema"],
                            capture_output=True, text=True, timeout=300, env=env, cwd=conf)
    assert schema.returncode == 0, (schema.stdout + schema.stderr)[-5000:]
    db_host = hive["spec"]["clusterConfig"]["metadataDatabase"]["postgresql"]["host"]
    version = psql(world, db_host, 'SELECT "SCHEMA_VERSION" FROM "VERSION"')
    asked = hive["spec"]["image"]["productVersion"]
    assert version == os.environ.get("E2E_HIVE_VERSION", asked), f"schema version {version}; the suite runs {os.environ.get('E2E_HIVE_VERSION')}"
    divergence = "" if version == asked else f"; NOT the HiveCluster's productVersion {asked}, which scripts/test-e2e.sh explains"
    report(hop, f"schematool -initOrUpgradeSchema on {db_host}: schema version {version}{divergence} ({time.monotonic() - started:.0f}s)")
    proc = world.start(hop, f"{name}-metastore", [*java, "org.apache.hadoop.hive.metastore.HiveMetaStore"], env=env, cwd=conf)
    wait_port(ip, HIVE_PORT, proc, 180)
    uri = f"thrift://{host}:{HIVE_PORT}"
    report(hop, f"Hive metastore {version}{' (the HiveCluster asks for ' + asked + ')' if version != asked else ''} of HiveCluster {name} listens at {uri} -> {ip} "
                   f"(hive-site: {', '.join(k for k in properties if k.startswith('fs.s3a.'))}; {time.monotonic() - started:.0f}s)")
    return uri

# ---------------------------------------------------------------------------------------------
# OPA and Trino
# ---------------------------------------------------------------------------------------------


def https_request(world: World, host: str, port: int, method: str, path: str, headers: dict[str, str], body: bytes | None = None) -> tuple[int, bytes]:
    """An HTTPS request to the Service `host` (resolved like the cluster), its certificate
    verified for `host` against the test CA."""
    import http.client

    context = ssl.create_default_context(cafile=str(world.state["pki"].ca_file))
    conn = http.client.HTTPSConnection(host, port, context=context, timeout=120)
    raw = socket.create_connection((world.hosts[host], port), timeout=120)
    conn.sock = context.wrap_socket(raw, server_hostname=host)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def trino_query(world: World, user: str, password: str, sql: str) -> tuple[list[list], dict | None]:
    """Runs `sql` through Trino's client protocol (POST /v1/statement, then nextUri) as `user`
    with password authentication; returns (rows, error). A query that finds no active node
    (NO_NODES_AVAILABLE: the one-node cluster's failure detector may drop the coordinator for a
    few seconds after a CPU-heavy hop on this 2-core machine, as a client of a real cluster would
    see during a restart) is sent again for up to 90 s; any other error is returned at once."""
    deadline = time.monotonic() + 90
    while True:
        rows, error = _trino_query_once(world, user, password, sql)
        if error is None or error.get("errorName") != "NO_NODES_AVAILABLE" or time.monotonic() > deadline:
            return rows, error
        time.sleep(2)


def _trino_query_once(world: World, user: str, password: str, sql: str) -> tuple[list[list], dict | None]:
    import base64
    from urllib.parse import urlsplit

    host, port = world.state["trino_host"], world.state["trino_port"]
    headers = {"X-Trino-User": user, "X-Trino-Time-Zone": "UTC",
               "Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}
    status, body = https_request(world, host, port, "POST", "/v1/statement", headers, sql.encode())
    assert status == 200, f"Trino answered {status}: {body[:500]!r}"
    rows: list[list] = []
    while True:
        result = json.loads(body)
        rows += result.get("data", [])
        if result.get("error"):
            return rows, result["error"]
        if "nextUri" not in result:
            return rows, None
        next_uri = urlsplit(result["nextUri"])
        assert next_uri.hostname == host, f"Trino's nextUri names {next_uri.hostname}, not the host the client uses ({host})"
        status, body = https_request(world, host, port, "GET", next_uri.path + (f"?{next_uri.query}" if next_uri.query else ""), headers)
        assert status == 200, f"Trino answered {status}: {body[:500]!r}"


def start_opa(world: World, hop: str = "hop5") -> str:
    """OPA serving the chart's bundle ConfigMaps (label opa.stackable.tech/bundle, which the
    opa-operator's bundle builder serves) at the address the opa-operator publishes: returns the
    discovery URL (opa-operator 26.7.0 controller/build/resource/discovery.rs: key OPA =
    http://<cluster>-server.<ns>.svc.<domain>:8081/ without TLS)."""

    opa = world.one("OpaCluster")
    host = service_fqdn(f"{opa['metadata']['name']}-server", opa["metadata"]["namespace"])
    port = 8081
    ip = world.address(host, port)
    bundle = world.workdir / "opa-bundle"
    bundle.mkdir()
    for cm in world.of_kind("ConfigMap"):
        if cm["metadata"].get("labels", {}).get("opa.stackable.tech/bundle") == "true":
            for key, content in cm["data"].items():
                (bundle / f"{cm['metadata']['name']}-{key}").write_text(content)
    proc = world.start(hop, "opa", [os.environ["E2E_OPA"], "run", "--server", "--addr", f"{ip}:{port}", "--log-format", "json",
                                       "--set", "decision_logs.console=true", "--bundle", str(bundle)], env={"PATH": "/usr/bin:/bin"})
    wait_port(ip, port, proc, 60)
    world.state["opa_log"] = proc.log
    report(hop, f"OPA {opa['spec']['image']['productVersion']} serves the bundle ConfigMaps ({', '.join(sorted(p.name for p in bundle.iterdir()))}) "
                   f"at {host}:{port} -> {ip}")
    return f"http://{host}:{port}/"


def htpasswd_bcrypt(user: str, password: str) -> str:
    """`htpasswd -nbBC 12 user password` (trino-operator 26.7.0 authentication/password/file.rs:
    the password-file-updater builds the file this way): bcrypt with cost 12, `$2y$` as htpasswd writes it."""
    import crypt  # noqa: deprecated module; glibc's crypt does bcrypt

    hashed = crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=2 ** 12))
    return f"{user}:{'$2y$' + hashed[4:]}"


def write_properties(path: Path, properties: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{k}={v}\n" for k, v in properties.items()))


def start_trino(world: World, extra_users: dict[str, str], hop: str = "hop5") -> tuple[dict[str, str], list[dict]]:
    """OPA with the chart's bundle (start_opa), then the TrinoCluster's coordinator as the
    trino-operator configures it (below) with the chart's TrinoCatalogs (operators.py), the users
    of its AuthenticationClass's Secret plus `extra_users`, OPA access control; waits until it
    serves. Sets state trino_host/trino_port; returns (users, catalogs)."""
    import secrets

    from operators import opa_discovery_url, trino_access_control, trino_catalog

    cluster = world.one("TrinoCluster")
    opa_url = start_opa(world, hop)
    assert opa_url == opa_discovery_url(world.objects, cluster["spec"]["clusterConfig"]["authorization"]["opa"]["configMapName"],
                                        cluster["metadata"]["namespace"])
    names = world.state["trino_certificate_names"]
    host = names[0]  # the role group's headless Service: the name clients use (TrinoCluster.host)
    port = 8443
    ip = world.address(host, port)
    for name in names[1:]:
        world.hosts[name] = ip
    world.hosts_file.write_text(world.hosts_text())
    world.state["trino_host"], world.state["trino_port"] = host, port

    # The users Secret of the AuthenticationClass, with the extra users.
    auth = [a for a in world.of_kind("AuthenticationClass")
            if a["metadata"]["name"] in {x["authenticationClass"] for x in cluster["spec"]["clusterConfig"]["authentication"]}]
    assert len(auth) == 1
    users_secret = world.one("Secret", name=auth[0]["spec"]["provider"]["static"]["userCredentialsSecret"]["name"])
    users = {**operators_secret(world, users_secret)}
    assert not set(extra_users) & set(users), f"{sorted(extra_users)} are in the users Secret already"
    users.update(extra_users)
    world.state["users"] = users

    etc = world.workdir / "trino-etc"
    cert, key = world.state["pki"].issue(names, [])
    (etc / "tls").mkdir(parents=True)
    (etc / "tls" / "server.pem").write_text(key + cert)
    (etc / "users.db").write_text("".join(htpasswd_bcrypt(u, p) + "\n" for u, p in users.items()))
    write_properties(etc / "node.properties", {
        "node.environment": "e2e", "node.id": "coordinator-0", "node.data-dir": str(world.workdir / "trino-data"),
        "node.bind-ip": ip, "node.internal-address": names[-1]})
    (etc / "tls" / "ca.crt").write_text(world.state["pki"].ca_pem)
    # trino-operator 26.7.0 controller/build/properties/config_properties.rs: with server and
    # internal TLS (serverSecretClass tls, internalSecretClass default tls) HTTPS on 8443 with the
    # pod's certificate for the server and for internal communication (here one PEM file, its
    # key first, and the CA as PEM instead of their pkcs12 stores), password authentication,
    # a shared secret; the node's address is its FQDN (node.internal-address-source=FQDN: the
    # pod's name under the headless Service, set directly here since this host has another name).
    write_properties(etc / "config.properties", {
        "coordinator": "true", "node-scheduler.include-coordinator": "true",
        "http-server.https.enabled": "true", "http-server.https.port": str(port),
        "http-server.https.keystore.path": str(etc / "tls" / "server.pem"),
        "http-server.https.truststore.path": str(etc / "tls" / "ca.crt"),
        "internal-communication.https.keystore.path": str(etc / "tls" / "server.pem"),
        "internal-communication.https.truststore.path": str(etc / "tls" / "ca.crt"),
        "http-server.authentication.type": "PASSWORD",
        "internal-communication.shared-secret": secrets.token_hex(32),
        "discovery.uri": f"https://{host}:{port}",
        "query.max-memory": "1GB", "query.max-memory-per-node": "1GB"})
    write_properties(etc / "password-authenticator.properties", {
        "password-authenticator.name": "file", "file.password-file": str(etc / "users.db")})
    write_properties(etc / "access-control.properties", trino_access_control(cluster, opa_url))
    catalogs = [c for c in world.of_kind("TrinoCatalog")
                if all(c["metadata"].get("labels", {}).get(k) == v for k, v in cluster["spec"]["clusterConfig"]["catalogLabelSelector"]["matchLabels"].items())]
    for catalog in catalogs:
        write_properties(etc / "catalog" / f"{catalog['metadata']['name']}.properties", trino_catalog(world.objects, catalog))
    truststore = java_truststore(world)
    (etc / "jvm.config").write_text("\n".join([
        "-server", "-Xmx2G", "-XX:+UseG1GC", "-XX:G1HeapRegionSize=32M", "-XX:+ExplicitGCInvokesConcurrent",
        "-XX:+ExitOnOutOfMemoryError", "-XX:-OmitStackTraceInFastThrow", "-XX:ReservedCodeCacheSize=256M",
        "-Djdk.attach.allowAttachSelf=true", "-Djdk.nio.maxCachedBufferSize=2000000", "-Dfile.encoding=UTF-8",
        "-XX:+EnableDynamicAgentLoading", f"-Djdk.net.hosts.file={world.hosts_file}",
        # trino-operator 26.7.0 config/jvm.rs L82-85: the truststore with the S3 (and OPA) CAs
        *hive_jvm_truststore_options(str(truststore)),
    ]) + "\n")
    home = Path(os.environ["E2E_TRINO_HOME"])
    java = Path(os.environ["E2E_JAVA25"])
    started = time.monotonic()
    proc = world.start(hop, "trino", [str(home / "bin" / "launcher"), "run", f"--etc-dir={etc}", f"--data-dir={world.workdir / 'trino-data'}"],
                       env={"PATH": f"{java.parent}:/usr/bin:/bin", "JAVA_HOME": str(java.parent.parent), "HOME": str(world.workdir)})
    version = wait_for_trino(world, proc)["nodeVersion"]["version"]
    report(hop, f"Trino {version} (TrinoCluster asks for {cluster['spec']['image']['productVersion']}) up at https://{host}:{port} -> {ip} "
                   f"with catalogs {', '.join(c['metadata']['name'] for c in catalogs)}, file password authentication of "
                   f"{', '.join(users)}, OPA access control ({time.monotonic() - started:.0f}s)")
    return users, catalogs


def operators_secret(world: World, secret: dict) -> dict[str, str]:
    from operators import secret_data

    return secret_data(world.objects, secret["metadata"]["name"], secret["metadata"]["namespace"])

# ---------------------------------------------------------------------------------------------
# Superset and the import Job
# ---------------------------------------------------------------------------------------------


def python_sandbox(world: World, binds: dict[str, Path], argv: list[str], env: dict[str, str], writable: list[Path]) -> list[str]:
    """`argv` with this machine's programs, the Services resolved like the cluster (/etc/hosts), and
    the pod's files at their paths (`binds`: path in the pod -> file or directory here, writable
    if it is one of `writable`)."""
    out = [world.tools.bwrap, "--die-with-parent", "--unshare-pid", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    for top in ("/usr", "/etc", "/root", "/var", "/opt"):
        if Path(top).exists():
            out += ["--ro-bind", top, top]
    for link in ("bin", "lib", "lib64", "sbin"):
        if Path(f"/{link}").is_symlink():
            out += ["--symlink", os.readlink(f"/{link}"), f"/{link}"]
    out += ["--ro-bind", str(world.hosts_file), "/etc/hosts"]
    for w in writable:
        out += ["--bind", str(w), str(w)]
    for inside, here in binds.items():
        out += ["--bind" if here in writable else "--ro-bind", str(here), inside]
    venv = Path(os.environ["E2E_SUPERSET_VENV"])  # last: the cache may live anywhere, e.g. under /tmp
    for path in dict.fromkeys([venv, venv.resolve()]):
        out += ["--ro-bind", str(path), str(path)]
    out += ["--clearenv"]
    for k, v in env.items():
        out += ["--setenv", k, v]
    return out + ["--"] + argv


def superset_secret_key(world: World, superset: dict) -> tuple[str, str]:
    """Superset's SECRET_KEY as superset-operator 26.7.0 provides it, and where it came from. The pods
    read it from Secret `<cluster>-secret-key`, key SECRET_KEY (crd/mod.rs L557-558,
    `INTERNAL_SECRET_SECRET_KEY` L71). Before it builds the StatefulSet, the operator creates that
    Secret if it is missing (controller.rs L556-568): with the credentials Secret's
    `connections.secretKey` if it holds one (`migrate_legacy_secret_key_secret_from_26_3`,
    L722-782), else with 256 random bytes, base64 (operator-rs 0.113.3
    commons/random_secret_creation.rs `create_random_secret_if_not_exists`, `get_random_base64`);
    it never replaces an existing one. Our charts write none by default, so the key is random; it is
    kept in `world.state` (the operator's Secret outlives a restart of Superset)."""
    from operators import secret_data

    name, namespace = superset["metadata"]["name"], superset["metadata"]["namespace"]

    def chart_secret(secret_name: str) -> dict[str, str] | None:
        found = any(o["metadata"]["name"] == secret_name and o["metadata"].get("namespace") == namespace for o in world.of_kind("Secret"))
        return secret_data(world.objects, secret_name, namespace) if found else None

    own = chart_secret(f"{name}-secret-key")
    if own is not None:
        return own["SECRET_KEY"], f"from Secret {name}-secret-key"
    state = f"superset-secret-key/{namespace}/{name}"
    if state not in world.state:
        credentials = superset["spec"]["clusterConfig"]["credentialsSecret"]
        legacy = (chart_secret(credentials) or {}).get("connections.secretKey")
        if legacy is not None:
            world.state[state] = (legacy, f"migrated from connections.secretKey of Secret {credentials}, as the operator does")
        else:
            world.state[state] = (base64.b64encode(secrets.token_bytes(256)).decode(), "random, as the operator generates it (no Secret in the chart)")
    return world.state[state]


def wait_for_trino(world: World, proc, timeout: float = 240) -> dict:
    """Until the coordinator `proc` (started or started again) answers /v1/info as no longer
    starting, over verified HTTPS at its Service name; returns that answer."""
    host, port = world.state["trino_host"], world.state["trino_port"]
    deadline = time.monotonic() + timeout
    while True:
        assert proc.alive(), f"Trino exited; log:\n{proc.tail(80)}"
        try:
            status, body = https_request(world, host, port, "GET", "/v1/info", {})
            if status == 200 and not json.loads(body).get("starting", True):
                return json.loads(body)
        except OSError:
            pass
        assert time.monotonic() < deadline, f"Trino not up after {timeout:.0f}s; log:\n{proc.tail(80)}"
        time.sleep(1)


def start_superset(world: World, hop: str = "hop6") -> tuple[str, dict[str, str]]:
    """Superset 6.1.0 of the SupersetCluster: the commands of superset-operator 26.7.0
    controller/build/resource/statefulset.rs L157-167 (`superset db upgrade`, `superset fab
    create-admin` with the credentials Secret's adminUser.*, `superset init`, gunicorn on 8088),
    SECRET_KEY as the operator provides it (`superset_secret_key`), the Trino CA of
    our podOverrides at its mount path. The metadata database is the chart's PostgreSQL of
    `clusterConfig.metadataDatabase` (started here if no earlier hop did), reached as the operator
    configures it: superset_config.py's SQLALCHEMY_DATABASE_URI =
    os.path.expandvars('postgresql+psycopg2://${METADATA_DATABASE_USERNAME}:${METADATA_DATABASE_PASSWORD}@<host>:<port>/<database>')
    with both variables from the credentials Secret's `username` and `password` (superset-operator
    26.7.0 controller/build/properties/superset_config.rs `core_config_properties`, resource/mod.rs
    `metadata_database_connection_details` with BashEnvSubstitution; operator-rs
    stackable-operator-0.113.3 database_connections/databases/postgresql.rs and helpers.rs
    `username_and_password_env_names`: prefix METADATA); psycopg2-binary, as the image installs
    it (docker-images 26.7.0 superset/Dockerfile). The password goes into the URL as it is: the
    operator does not URL-encode it. Listens at the Service the listener-operator creates for the
    Listener `<cluster>-node` (crd/mod.rs L569-574): returns (URL, admin credentials)."""
    superset = world.one("SupersetCluster")
    name, namespace = superset["metadata"]["name"], superset["metadata"]["namespace"]
    creds = operators_secret(world, world.one("Secret", name=superset["spec"]["clusterConfig"]["credentialsSecret"]))
    secret_key, secret_key_source = superset_secret_key(world, superset)
    host = service_fqdn(f"{name}-node", namespace)
    port = 8088
    ip = world.address(host, port)
    base = world.workdir / "superset"
    base.mkdir()
    db = superset["spec"]["clusterConfig"]["metadataDatabase"]["postgresql"]
    if db["host"] not in world.state.get("postgres", {}):
        start_postgres(world, db["host"], db["port"], hop)
    db_creds = operators_secret(world, world.one("Secret", name=db["credentialsSecretName"]))
    url_template = (f"postgresql+psycopg2://${{METADATA_DATABASE_USERNAME}}:${{METADATA_DATABASE_PASSWORD}}"
                    f"@{db['host']}:{db['port']}/{db['database']}")
    # The configOverrides of superset_config.py last, each `KEY = <Python expression>` (operator-rs
    # stackable-operator-0.113.3 v2/flask_config_writer.rs `write`: unknown keys are expressions).
    overrides = superset["spec"]["nodes"].get("configOverrides", {}).get("superset_config.py", {})
    (base / "superset_config.py").write_text(f"import os\nSECRET_KEY = {secret_key!r}\n"
                                             f"SQLALCHEMY_DATABASE_URI = os.path.expandvars({url_template!r})\n"
                                             + "".join(f"{k} = {v}\n" for k, v in overrides.items()))
    # The podOverrides' volumes of the superset container, at their mount paths.
    pod = superset["spec"]["nodes"]["podOverrides"]["spec"]
    container = next(c for c in pod["containers"] if c["name"] == "superset")
    binds: dict[str, Path] = {}
    for mount in container.get("volumeMounts", []):
        volume = next(v for v in pod["volumes"] if v["name"] == mount["name"])
        data = world.cluster().config_map_data(volume["configMap"]["name"])
        folder = base / "volumes" / mount["name"]
        folder.mkdir(parents=True)
        for item in volume["configMap"].get("items") or [{"key": k, "path": k} for k in data]:
            (folder / item["path"]).write_text(data[item["key"]])
        binds[mount["mountPath"]] = folder
    venv = Path(os.environ["E2E_SUPERSET_VENV"])
    env = {"PATH": f"{venv}/bin:/usr/bin:/bin", "HOME": str(base), "SUPERSET_CONFIG_PATH": str(base / "superset_config.py"),
           "FLASK_APP": "superset", "SUPERSET_LOG_LEVEL": "warning",
           "METADATA_DATABASE_USERNAME": db_creds["username"], "METADATA_DATABASE_PASSWORD": db_creds["password"]}
    started = time.monotonic()
    for step in (["superset", "db", "upgrade"],
                 ["superset", "fab", "create-admin", "--username", creds["adminUser.username"], "--firstname", creds["adminUser.firstname"],
                  "--lastname", creds["adminUser.lastname"], "--email", creds["adminUser.email"], "--password", creds["adminUser.password"]],
                 ["superset", "init"]):
        out = subprocess.run(python_sandbox(world, binds, [str(venv / "bin" / step[0]), *step[1:]], env, [base]),
                             capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, f"{' '.join(step[:3])}: {(out.stdout + out.stderr)[-3000:]}"
    proc = world.start(hop, "superset", python_sandbox(world, binds, [
        # superset-operator 26.7.0 controller/build/resource/statefulset.rs L167: `gunicorn --bind
        # 0.0.0.0:${SUPERSET_PORT} --worker-class gthread --threads 20 --timeout <SUPERSET_WEBSERVER_TIMEOUT>
        # --limit-request-line 0 --limit-request-field_size 0 'superset.app:create_app()'`: one worker
        # (gunicorn's default) of 20 threads; the timeout here is the e2e's, 300 s.
        str(venv / "bin" / "gunicorn"), "--no-control-socket", "--worker-class", "gthread", "--threads", "20", "--timeout", "300",
        "--limit-request-line", "0", "--limit-request-field_size", "0",
        "--bind", f"{ip}:{port}", "superset.app:create_app()"], env, [base]), env={"PATH": "/usr/bin:/bin"})
    wait_port(ip, port, proc, 180)
    url = f"http://{host}:{port}"
    report(hop, f"Superset {superset['spec']['image']['productVersion']} at {url} -> {ip} (db upgrade, admin "
                   f"{creds['adminUser.username']} from the credentials Secret, init; SECRET_KEY {secret_key_source}; metadata in PostgreSQL "
                   f"{db['host']}/{db['database']} as {db_creds['username']}; Trino CA at {', '.join(binds)}; "
                   f"{time.monotonic() - started:.0f}s)")
    return url, creds


def superset_api(world: World, creds: dict[str, str]):
    """Superset's REST API as the admin (the Service name resolved to its loopback address;
    urllib: the pytest venv has no requests)."""
    import http.cookiejar
    import urllib.parse
    import urllib.request

    superset = world.one("SupersetCluster")
    host = service_fqdn(f"{superset['metadata']['name']}-node", superset["metadata"]["namespace"])
    base = f"http://{world.hosts[host]}:8088"
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    headers = {"Content-Type": "application/json"}

    def call(method: str, path: str, body=None, params=None):
        url = base + path + (f"?{urllib.parse.urlencode(params)}" if params else "")
        request = urllib.request.Request(url, data=None if body is None else json.dumps(body).encode(), method=method, headers=headers)
        try:
            with opener.open(request, timeout=300) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as e:
            raise AssertionError(f"{method} {path}: {e.code} {e.read()[:2000]!r}") from None

    token = call("POST", "/api/v1/security/login", {"username": creds["adminUser.username"], "password": creds["adminUser.password"],
                                                    "provider": "db", "refresh": False})["access_token"]
    headers["Authorization"] = f"Bearer {token}"
    headers["X-CSRFToken"] = call("GET", "/api/v1/security/csrf_token/")["result"]
    headers["Referer"] = base + "/"

    class Api:
        def get(self, path, params=None):
            return call("GET", path, params=params)

        def post(self, path, body):
            return call("POST", path, body)

    return Api()


def run_import_job(world: World, app: str = "superset-import-assets") -> str:
    """The import Job's pod as test/jobs/kubelet.py runs pods: its command (`python3` found on
    the Superset image's PATH, the stand-in venv at the image's /stackable/app with its owner and
    mode) as the pod's user and groups, its env with the Secrets resolved, its ConfigMap volumes
    and the emptyDir at their mount paths, read-only root, the Services resolved like the cluster.
    Returns the last line of its log."""
    job = world.one("Job", app=app)
    run = run_job(world.cluster(), job, world.workdir, timeout=600)
    assert run.succeeded, f"import Job failed:\n{run.output[-4000:]}"
    (container,) = job["spec"]["template"]["spec"]["containers"]
    env = world.cluster().resolve_env(container)
    log = run.of(container["name"]).output
    passwords = [env[var] for var in json.loads(env["DATABASE_PASSWORDS"]).values()]
    assert passwords and all(p not in log for p in passwords), "the import Job printed a database password"
    return log.strip().splitlines()[-1]


def dashboard_state(api) -> dict:
    """What the import made: the dashboard, charts, dataset and database, by uuid."""
    state = {}
    for kind in ("dashboard", "chart", "dataset", "database"):
        result = api.get(f"/api/v1/{kind}/", params={"q": "(page_size:100)"})["result"]
        state[kind] = sorted((r.get("dashboard_title") or r.get("slice_name") or r.get("table_name") or r.get("database_name"), r["id"]) for r in result)
    return state


def secret_values(objects: list[dict]) -> set[str]:
    """The password-like values of the Secrets of `objects` (see secret_leaks)."""
    import base64

    known: set[str] = set()
    for o in objects:
        if o["kind"] != "Secret":
            continue
        values = {**{k: base64.b64decode(v).decode() for k, v in (o.get("data") or {}).items()}, **(o.get("stringData") or {})}
        # Passwords: keys naming a password or secret key, and a users Secret's values (user -> password).
        # A password equal to its user's name (the demo's `superset`/`superset`) cannot be told from the name: skipped.
        names = {v for k, v in values.items() if re.search(r"user|accesskey", k, re.I)}
        passwords = values.values() if o["metadata"]["name"].endswith("-users") else [v for k, v in values.items() if re.search(r"pass|secret", k, re.I)]
        known |= {v for v in passwords if len(v) >= 6 and v not in names}
    return known


def secret_leaks(objects: list[dict]) -> list[str]:
    """Where a password-like value of a Secret (a key naming a password or secret) appears in plain
    text in a ConfigMap or in a container's env value, command or args."""
    known = secret_values(objects)
    found = []

    def walk(value, where: str):
        if isinstance(value, dict):
            if "name" in value and "image" in value:  # a container
                texts = [e.get("value", "") for e in value.get("env", [])] + value.get("command", []) + value.get("args", [])
                found.extend(f"{where}/{value['name']}" for t in texts for s in known if s in t)
            for k, v in value.items():
                walk(v, f"{where}.{k}" if not isinstance(v, (dict, list)) else where)
        elif isinstance(value, list):
            for v in value:
                walk(v, where)

    for o in objects:
        where = f"{o['kind']}/{o['metadata']['name']}"
        if o["kind"] == "ConfigMap":
            found.extend(f"{where}:{k}" for k, t in (o.get("data") or {}).items() for s in known if s in t)
        walk(o, where)
    return sorted(set(found))

# ---------------------------------------------------------------------------------------------
# Kafka (kafka-operator 26.7.0, Kafka 4.2.1 from Maven Central) and Spark's Kafka source
# ---------------------------------------------------------------------------------------------


def tls_pkcs12_volume(directory: Path, cert_pem: str, key_pem: str, ca_pem: str, password: str) -> Path:
    """What a secret-operator volume of format `tls-pkcs12` holds (26.7.0 format/well_known.rs:
    keystore.p12, truststore.p12; the password of the annotation
    `secrets.stackable.tech/format.compatibility.tls-pkcs12.password`, default empty), written
    into `directory`. The keystore as format/convert.rs `convert_tls_to_pkcs12` builds it: OpenSSL's
    PKCS#12 builder with the key, the certificate and the CA chain (here the openssl CLI, same
    library); the truststore as utils/src/pkcs12.rs `pkcs12_truststore`: the CA as a cert bag with
    Java's trusted-key-usage attribute, which Java needs to trust it (here cryptography's
    serialize_java_truststore; with the empty password unencrypted and without a MAC, where the
    operator's is encrypted with the empty password: Java reads both)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    directory.mkdir(parents=True, exist_ok=True)
    pem = directory / ".pem"
    pem.mkdir(exist_ok=True)
    (pem / "tls.crt").write_text(cert_pem)
    (pem / "tls.key").write_text(key_pem)
    (pem / "ca.crt").write_text(ca_pem)
    out = subprocess.run(["openssl", "pkcs12", "-export", "-inkey", str(pem / "tls.key"), "-in", str(pem / "tls.crt"),
                          "-certfile", str(pem / "ca.crt"), "-passout", f"pass:{password}", "-out", str(directory / "keystore.p12")],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    ca = pkcs12.PKCS12Certificate(x509.load_pem_x509_certificate(ca_pem.encode()), b"ca")
    encryption = serialization.BestAvailableEncryption(password.encode()) if password else serialization.NoEncryption()
    (directory / "truststore.p12").write_bytes(pkcs12.serialize_java_truststore([ca], encryption))
    return directory


def kafka_java(world: World, main_class: str, args: list[str], heap: str = "256m") -> list[str]:
    """A Kafka 4.2.1 class run as bin/kafka-run-class.sh runs it (the release's bin/ is not on Maven
    Central): Java 17 (Kafka 4.x brokers need 17: its classes are version 61), the jars of
    test/e2e/kafka/pom.xml (E2E_KAFKA_JARS), log4j2 to the console, the Services resolved like the
    cluster (the hosts file)."""
    log4j2 = world.workdir / "kafka-log4j2.properties"
    if not log4j2.exists():
        log4j2.write_text("rootLogger.level = INFO\nrootLogger.appenderRef.stdout.ref = STDOUT\nappender.console.type = Console\n"
                          "appender.console.name = STDOUT\nappender.console.layout.type = PatternLayout\n"
                          "appender.console.layout.pattern = [%d] %p %m (%c)%n\nlogger.kafka.name = org.apache.kafka\n"
                          "logger.kafka.level = WARN\nlogger.raft.name = org.apache.kafka.raft\nlogger.raft.level = WARN\n")
    return [os.environ["E2E_JAVA17"], f"-Xmx{heap}", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true",
            f"-Djdk.net.hosts.file={world.hosts_file}", f"-Dlog4j2.configurationFile=file:{log4j2}",
            "-cp", f"{os.environ['E2E_KAFKA_JARS']}/*", main_class, *args]


def write_kafka_properties(path: Path, properties: dict[str, str]) -> Path:
    """A Java properties file (values with `\\`, `=` or `:` escaped as Properties.load reads them)."""
    def esc(v: str) -> str:
        return v.replace("\\", "\\\\").replace("=", "\\=").replace(":", "\\:")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{k}={esc(v)}\n" for k, v in properties.items()))
    return path


def kafka_client_properties(tls_dir: Path, password: str) -> dict[str, str]:
    """The client settings of the operator's client.properties for TLS client authentication
    (kafka-operator 26.7.0 controller/build/security.rs `client_properties`, `push_client_ssl_stores`:
    security.protocol SSL, PKCS12 keystore and truststore), with a client pod's own tls-pkcs12
    volume `tls_dir` and its password."""
    return {"security.protocol": "SSL",
            "ssl.keystore.type": "PKCS12", "ssl.keystore.location": str(tls_dir / "keystore.p12"), "ssl.keystore.password": password,
            "ssl.truststore.type": "PKCS12", "ssl.truststore.location": str(tls_dir / "truststore.p12"), "ssl.truststore.password": password}


def kafka_client_tls(world: World, name: str, password: str, pki=None) -> Path:
    """A client pod's tls-pkcs12 secret volume (`tls_pkcs12_volume`) with a certificate from the
    session's test CA (or `pki`'s) for `name`; its directory."""
    pki = pki or world.state["pki"]
    cert, key = pki.issue([name], [])
    return tls_pkcs12_volume(world.workdir / "kafka-clients" / name, cert, key, pki.ca_pem, password)


def kafka_metadata(world: World, bootstrap: str, cert_pem: str | None, key_pem: str | None, ca_pem: str | None = None,
                   timeout: float = 10) -> tuple[str, list[tuple[int, str, int]]]:
    """A Kafka Metadata request (API key 3, version 4: not yet the flexible encoding of v9+)
    over TLS to `bootstrap` (host:port, resolved like the cluster), the broker's certificate
    verified for the host against the test CA (or `ca_pem`), with the client certificate
    `cert_pem`/`key_pem` (None: none). Returns (cluster id, [(node id, host, port)]); raises
    OSError (ssl.SSLError among them) when the broker refuses the client."""
    import struct
    import tempfile

    host, port = bootstrap.rsplit(":", 1)
    context = ssl.create_default_context(cadata=ca_pem or world.state["pki"].ca_pem)
    if cert_pem is not None:
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "c.pem").write_text(cert_pem)
            (Path(tmp) / "k.pem").write_text(key_pem or "")
            context.load_cert_chain(str(Path(tmp) / "c.pem"), str(Path(tmp) / "k.pem"))
    client_id = b"e2e"
    # header v1: api_key, api_version, correlation_id, client_id; body v4: topics null (all), allow_auto_topic_creation false
    request = struct.pack(">hhih", 3, 4, 7, len(client_id)) + client_id + struct.pack(">i?", -1, False)
    with socket.create_connection((world.hosts[host], int(port)), timeout=timeout) as raw, \
            context.wrap_socket(raw, server_hostname=host) as tls:
        tls.sendall(struct.pack(">i", len(request)) + request)
        data = b""
        while len(data) < 4 or len(data) < 4 + struct.unpack(">i", data[:4])[0]:
            chunk = tls.recv(65536)
            if not chunk:
                raise ConnectionError(f"{bootstrap} closed the connection after {len(data)} bytes")
            data += chunk
    pos = 4

    def take(fmt: str):
        nonlocal pos
        values = struct.unpack_from(fmt, data, pos)
        pos += struct.calcsize(fmt)
        return values

    def string() -> str | None:
        nonlocal pos
        (n,) = take(">h")
        if n < 0:
            return None
        pos += n
        return data[pos - n:pos].decode()

    correlation, _throttle, count = take(">iii")
    assert correlation == 7, f"correlation id {correlation}"
    brokers = []
    for _ in range(count):
        (node,) = take(">i")
        broker_host = string()
        (broker_port,) = take(">i")
        string()  # rack
        brokers.append((node, broker_host, broker_port))
    return string(), brokers


def start_kafka(world: World, cluster: dict | None = None, hop: str = "kafka") -> str:
    """The KafkaCluster (KRaft: one controller and one broker, each in its own JVM as the
    operator's StatefulSets run them) with the configuration of operators.py, the commands of
    kafka-operator 26.7.0 controller/build/command.rs (`kafka-storage.sh format --cluster-id
    $KAFKA_CLUSTER_ID --config ... --ignore-formatted --initial-controllers ...`, then
    `kafka-server-start.sh`) and the TLS volumes the secret-operator writes (tls-pkcs12, empty
    password; certificates from the session's test CA for the pods' names, the broker's server
    certificate also for the bootstrap Listener's address). Waits until the broker answers a
    Metadata request over mutual TLS listing itself. Sets state kafka (bootstrap, cluster id);
    returns the bootstrap servers as the discovery ConfigMap's KAFKA has them (host:port)."""
    from operators import (KAFKA_INTERNAL_PORT, KAFKA_SECURE_CLIENT_PORT, KAFKA_STORE_PASSWORD, kafka_bootstrap_host,
                           kafka_broker_properties, kafka_client_auth_secret_class, kafka_cluster_id, kafka_controller_properties,
                           kafka_pod_fqdn, kafka_voters)

    cluster = cluster or world.one("KafkaCluster")
    name = cluster["metadata"]["name"]
    (broker_group, broker_spec), = cluster["spec"]["brokers"]["roleGroups"].items()
    (controller_group, controller_spec), = cluster["spec"]["controllers"]["roleGroups"].items()
    assert broker_spec.get("replicas", 1) == 1 and controller_spec.get("replicas", 1) == 1, "start_kafka runs one broker and one controller"
    version = cluster["spec"]["image"]["productVersion"]
    assert version == "4.2.1", f"KafkaCluster {name} asks for Kafka {version}; test/e2e/kafka/pom.xml has 4.2.1"
    pki = world.state["pki"]
    controller = kafka_pod_fqdn(cluster, "controller", controller_group, 0)
    broker = kafka_pod_fqdn(cluster, "broker", broker_group, 0)
    bootstrap = kafka_bootstrap_host(cluster, broker_group)
    controller_ip = world.address(controller, KAFKA_SECURE_CLIENT_PORT)
    broker_ip = world.address(broker, KAFKA_INTERNAL_PORT)
    world.hosts[bootstrap] = broker_ip
    # The brokers' headless Service (the StatefulSet's serviceName): cluster DNS answers it with the pod's address.
    headless = broker.split(".", 1)[1]
    world.hosts[headless] = broker_ip
    world.hosts_file.write_text(world.hosts_text())
    # The names of the broker's server certificate: the library's model of what the secret-operator
    # issues for its volume's scopes (world.ts kafkaCertificateNames), where the session has it;
    # else the pod's name and the bootstrap Listener's.
    server_names = world.state.get("kafka_certificate_names", {}).get(name) or [broker, bootstrap]
    # The readiness probe connects by a name of the certificate: the bootstrap Listener's, else the headless Service's.
    probe_host = bootstrap if bootstrap in server_names else headless
    servers, voters = kafka_voters(cluster)
    base = world.workdir / "kafka"

    def volume(pod: str, vol: str, names: list[str]) -> Path:
        cert, key = pki.issue(names, [])
        return tls_pkcs12_volume(base / pod / vol, cert, key, pki.ca_pem, KAFKA_STORE_PASSWORD)

    # The broker's advertised CLIENT address is its listener-broker volume's (listener.rs
    # node_address_cmd); on a cluster-internal ListenerClass that is a Service of the pod, here
    # its pod FQDN. Its server volume's scopes: pod, listener volumes broker and bootstrap (security.rs).
    pods = {
        controller: kafka_controller_properties(world.objects, cluster, controller_group, 0, servers, str(base / controller / "data"),
                                                str(volume(controller, "tls-kafka-internal", [controller]))),
        broker: kafka_broker_properties(world.objects, cluster, broker_group, 0, servers, broker, str(base / broker / "data"),
                                        str(volume(broker, "tls-kafka-server", server_names)),
                                        str(volume(broker, "tls-kafka-internal", [broker])), broker_ip),
    }
    started = time.monotonic()
    formats = []
    for pod, properties in pods.items():
        config = write_kafka_properties(base / pod / f"{properties['process.roles']}.properties", properties)
        formats.append(subprocess.Popen(kafka_java(world, "kafka.tools.StorageTool", [
            "format", "--cluster-id", kafka_cluster_id(cluster), "--config", str(config), "--ignore-formatted",
            "--initial-controllers", ",".join(voters)]), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    for f in formats:
        out, _ = f.communicate(timeout=120)
        assert f.returncode == 0, f"kafka-storage format: {out[-3000:]}"
    formatted = time.monotonic() - started
    procs = [world.start(hop, f"kafka-{properties['process.roles']}",
                         kafka_java(world, "kafka.Kafka", [str(base / pod / f"{properties['process.roles']}.properties")], heap="512m"),
                         env={"PATH": "/usr/bin:/bin", "HOME": str(world.workdir)})
             for pod, properties in pods.items()]
    cert, key = pki.issue(["kafka-readiness-probe"], [])
    deadline = time.monotonic() + 120
    while True:
        for proc in procs:
            assert proc.alive(), f"{proc.name} exited; log:\n{proc.tail(80)}"
        try:
            cluster_id, brokers = kafka_metadata(world, f"{probe_host}:{KAFKA_SECURE_CLIENT_PORT}", cert, key)
            if brokers:
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, f"Kafka not up after 120s; logs:\n{procs[0].tail(40)}\n{procs[1].tail(40)}"
        time.sleep(0.5)
    assert brokers == [(int(pods[broker]["node.id"]), broker, KAFKA_SECURE_CLIENT_PORT)], brokers
    world.state["kafka"] = {"bootstrap": f"{probe_host}:{KAFKA_SECURE_CLIENT_PORT}", "cluster_id": cluster_id}
    auth = kafka_client_auth_secret_class(world.objects, cluster)
    report(hop, f"Kafka {version} (KRaft) of KafkaCluster {name}: controller {controller} -> {controller_ip} and broker {broker} -> {broker_ip} "
                f"(storage format {formatted:.1f}s, both answering {time.monotonic() - started:.1f}s after the format started); "
                f"bootstrap {probe_host}:{KAFKA_SECURE_CLIENT_PORT} answers Metadata v4 over TLS"
                f"{' with a client certificate (ssl.client.auth=required, SecretClass ' + auth + ')' if auth else ''}: "
                f"cluster id {cluster_id}, brokers {brokers}")
    return world.state["kafka"]["bootstrap"]


def kafka_tool(world: World, name: str, main_class: str, args: list[str], stdin: str | None = None, timeout: float = 120) -> str:
    """A Kafka command-line tool (kafka-tools 4.2.1) to its end; its output (stdout and stderr),
    also in logs/<name>.log."""
    out = subprocess.run(kafka_java(world, main_class, args), input=stdin, capture_output=True, text=True, timeout=timeout,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(world.workdir)})
    log = world.workdir / "logs" / f"{name}.log"
    log.parent.mkdir(exist_ok=True)
    with open(log, "a") as f:
        f.write(out.stdout + out.stderr)
    assert out.returncode == 0, f"{main_class} {' '.join(args)}:\n{(out.stdout + out.stderr)[-3000:]}"
    return out.stdout + out.stderr


def kafka_produce(world: World, bootstrap: str, topic: str, records: list[str] | list[tuple[str, str]], client: dict[str, str],
                  name: str = "kafka-producer") -> None:
    """`records` (values, or (key, value) pairs: keyed records spread over the partitions by the
    key's hash) to `topic` with Kafka's ConsoleProducer (bin/kafka-console-producer.sh), one a
    line on its stdin; `client` its client settings (kafka_client_properties), acks=all."""
    config = write_kafka_properties(world.workdir / "kafka-clients" / f"{name}.properties", {**client, "acks": "all"})
    keyed = bool(records) and isinstance(records[0], tuple)
    lines = [f"{r[0]}\t{r[1]}" if keyed else str(r) for r in records]
    assert all(line.count("\n") == 0 and (not keyed or line.count("\t") == 1) for line in lines), "kafka_produce: a record with a newline or tab"
    reader = ["--reader-property", "parse.key=true", "--reader-property", "key.separator=\t"] if keyed else []
    kafka_tool(world, name, "org.apache.kafka.tools.ConsoleProducer",
               ["--bootstrap-server", bootstrap, "--topic", topic, "--command-config", str(config), *reader],
               stdin="".join(line + "\n" for line in lines))


def kafka_end_offsets(world: World, bootstrap: str, topic: str, client: dict[str, str], name: str = "kafka-offsets") -> dict[int, int]:
    """The latest offset of each partition of `topic` (GetOffsetShell, bin/kafka-get-offsets.sh):
    the number of records each holds (nothing is deleted here)."""
    config = write_kafka_properties(world.workdir / "kafka-clients" / f"{name}.properties", client)
    out = kafka_tool(world, name, "org.apache.kafka.tools.GetOffsetShell",
                     ["--bootstrap-server", bootstrap, "--topic", topic, "--time", "-1", "--command-config", str(config)])
    lines = [line.rsplit(":", 2) for line in out.splitlines() if line.startswith(f"{topic}:")]
    return {int(p): int(o) for _, p, o in lines}


def spark_kafka_options(bootstrap: str, tls_dir: Path, password: str) -> dict[str, str]:
    """The options of Spark's Kafka source (spark-sql-kafka-0-10: `kafka.`-prefixed consumer
    settings) for a cluster with TLS client authentication: kafka_client_properties with the prefix."""
    return {"kafka.bootstrap.servers": bootstrap, **{f"kafka.{k}": v for k, v in kafka_client_properties(tls_dir, password).items()}}


def spark_submit_local(world: World, name: str, script: Path, args: list[str], conf: dict[str, str] | None = None,
                       timeout: float = 900) -> subprocess.CompletedProcess:
    """A PySpark script with spark-submit in local mode (local[2], no UI) with the e2e's jars
    (E2E_SPARK_JARS: Iceberg runtime, hadoop-aws with its SDK, the Kafka source), Java 17, the
    session's hosts file (-Djdk.net.hosts.file, added to `conf`'s extraJavaOptions, e.g. the
    truststore options of operators.spark_truststore_java_options), `conf` on top (a demo's
    sparkConf, operators.spark_s3_conf); to its end, its output also in logs/<name>.log. Fails on
    a non-zero exit."""
    conf = {"spark.driver.memory": "1g", "spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "2", **(conf or {})}
    for key in ("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions"):  # the hosts file, before conf's own options
        conf[key] = f"-Djdk.net.hosts.file={world.hosts_file} {conf.get(key, '')}".strip()
    venv = Path(os.environ["E2E_SPARK_VENV"])
    argv = [str(venv / "bin" / "spark-submit"), "--master", "local[2]", "--name", name, "--jars", os.environ["E2E_SPARK_JARS"]]
    for key, value in conf.items():
        argv += ["--conf", f"{key}={value}"]
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "JAVA_HOME": str(Path(os.environ["E2E_JAVA17"]).parent.parent),
           "PYSPARK_PYTHON": str(venv / "bin" / "python"), "HOME": str(world.workdir), "SPARK_LOCAL_IP": "127.0.0.1"}
    from harness import _die_with_parent

    result = subprocess.run(argv + [str(script), *args], capture_output=True, text=True, timeout=timeout, env=env, cwd=world.workdir,
                            preexec_fn=_die_with_parent)
    log = world.workdir / "logs" / f"{name}.log"
    log.parent.mkdir(exist_ok=True)
    with open(log, "a") as f:
        f.write(result.stdout + result.stderr)
    assert result.returncode == 0, f"{name} failed; last lines:\n{(result.stdout + result.stderr)[-5000:]}"
    return result


# Local Spark with a SparkApplication's settings (the seed demo's job, the lakehouse's streaming job).


def spark_submit_command(world: World, name: str, script: Path, args: list[str], spark_conf: dict[str, str] | None = None,
                         hosts_file: Path | None = None) -> tuple[list[str], dict[str, str]]:
    """spark-submit in local mode (no Kubernetes: driver and executors are this JVM) with the
    SparkApplication's sparkConf, what the operator adds for its s3connection, the truststore
    options, and the dependency jars (deps.packages' Iceberg runtime, hadoop-aws with its SDK):
    (argv, env). `spark_conf` replaces the SparkApplication's sparkConf (another job's, on the
    same S3 connection); `hosts_file` the session's hosts file (to send the job elsewhere)."""
    app = world.one("SparkApplication")
    connection = world.one("S3Connection", name=app["spec"]["s3connection"]["reference"])
    namespace = app["metadata"]["namespace"]
    java_options = f"{spark_truststore_java_options(str(java_truststore(world)))} -Djdk.net.hosts.file={hosts_file or world.hosts_file}"
    conf = {
        **(app["spec"].get("sparkConf", {}) if spark_conf is None else spark_conf),
        **spark_s3_conf(world.objects, connection, namespace),
        "spark.driver.extraJavaOptions": java_options,
        "spark.executor.extraJavaOptions": java_options,
        # local mode only: two cores of this machine, a driver heap for the whole job, no UI
        "spark.driver.memory": "2g", "spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "4",
    }
    venv = Path(os.environ["E2E_SPARK_VENV"])
    argv = [str(venv / "bin" / "spark-submit"), "--master", "local[2]", "--name", name, "--jars", os.environ["E2E_SPARK_JARS"]]
    for key, value in conf.items():
        argv += ["--conf", f"{key}={value}"]
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "JAVA_HOME": str(Path(os.environ["E2E_JAVA17"]).parent.parent),
           "PYSPARK_PYTHON": str(venv / "bin" / "python"), "HOME": str(world.workdir), "SPARK_LOCAL_IP": "127.0.0.1"}
    return argv + [str(script), *args], env


def spark_job_script(world: World) -> tuple[Path, list[str]]:
    """The SparkApplication's main file (from the ConfigMap volume at its mount path) and its args."""
    app = world.one("SparkApplication")
    main = app["spec"]["mainApplicationFile"]
    assert main.startswith("local://"), main
    mount = next(m for m in app["spec"]["job"]["config"]["volumeMounts"] if main[len("local://"):].startswith(m["mountPath"] + "/"))
    volume = next(v for v in app["spec"]["volumes"] if v["name"] == mount["name"])
    files = world.cluster().config_map_data(volume["configMap"]["name"])
    jobs = world.workdir / "spark-jobs"
    jobs.mkdir(exist_ok=True)
    for key, content in files.items():
        (jobs / key).write_text(content)
    return jobs / main[len("local://") + len(mount["mountPath"]) + 1:], app["spec"]["args"]
