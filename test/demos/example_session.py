"""What the e2e sessions of the example apps of demos/ share (scripts/test-e2e.sh runs one pytest
session per app after the seed demo's): the app synthesized by scripts/synth-example.ts into a
temporary folder and read back with the secret volumes and Trino's certificate names
(test/e2e/world.ts --from-dir), and the rewriting of strings in its objects where the test stands
in for something outside this machine (a mirror, a scale)."""

from __future__ import annotations

import dataclasses
import os
import subprocess
from pathlib import Path

from harness import REPO, World, synthesize
from kubelet import Cluster, Pod
from programs import trino_query


def synth_example(name: str, workdir: Path) -> dict:
    """demos/<name> synthesized as `make synth` does, into `workdir/synth`; world.ts's view of it."""
    out = workdir / "synth"
    result = subprocess.run([str(REPO / "node_modules" / ".bin" / "ts-node"), "--transpile-only", str(REPO / "scripts" / "synth-example.ts"),
                             name, "--outdir", str(out)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return synthesize(from_dir=out)


def rewrite(value, old: str, new: str, count: list[int]):
    """Every string in `value` (objects, lists) with `old` replaced by `new`; `count[0]` counts the strings changed."""
    if isinstance(value, dict):
        return {k: rewrite(v, old, new, count) for k, v in value.items()}
    if isinstance(value, list):
        return [rewrite(v, old, new, count) for v in value]
    if isinstance(value, str) and old in value:
        count[0] += 1
        return value.replace(old, new)
    return value


# A TrinoSqlJob: its wait for data, its script with the real Trino CLI, and queries as its user.
# `name`: the Job's name (its instance label, before the content hash), for an app with several;
# None: the app's only one.


def sql_job(world: World, name: str | None = None) -> dict:
    jobs = [j for j in world.of_kind("Job") if j["metadata"].get("labels", {}).get("app.kubernetes.io/name") == "trino-sql"
            and (name is None or j["metadata"]["labels"].get("app.kubernetes.io/instance") == name)]
    assert len(jobs) == 1, f"expected one TrinoSqlJob{' ' + name if name else ''}, found {[j['metadata']['name'] for j in jobs]}"
    return jobs[0]


def wait_for_data(world: World, name: str | None = None) -> list[str]:
    """The Job's init containers (mc, each waiting for a load's marker), as its pod runs them."""
    spec = sql_job(world, name)["spec"]["template"]["spec"]
    names = [c["name"] for c in spec["initContainers"]]
    assert names and all(n.startswith("wait-for-data") for n in names), names
    pod = Pod(world.cluster(), spec, world.workdir)
    out = []
    try:
        for container in names:
            result = pod.run(container, timeout=60)
            assert result.returncode == 0 and "data present" in result.output, result.output
            out.append(f"{container}: {result.output.strip().splitlines()[-1][:60]}...")
    finally:
        pod.close()
    return out


def run_sql_job(world: World, name: str | None = None) -> str:
    """The Job's `sql` container as its pod runs it (test/jobs/kubelet.py): its bash script with
    its env (the Secret's password), the statements ConfigMap and the TrustStore's CA (the test
    CA) mounted, user 1000:1000 and a read-only root, the real Trino CLI 476 at the image's CLI
    path run by Java 25 (E2E_JAVA25), TRINO_SERVER as the Job gives it (resolved by the pod's
    /etc/hosts like the cluster's DNS; the JVM told to read that file), the certificate verified.
    Returns its last line and seconds; its whole output is in state sql_job_output[<Job name>]."""
    job = sql_job(world, name)
    spec = job["spec"]["template"]["spec"]
    tools = dataclasses.replace(world.tools, java=os.environ["E2E_JAVA25"], java_options=("-Djdk.net.hosts.file=/etc/hosts",))
    cluster = Cluster(world.objects, world.state["pki"].ca_pem, world.hosts, tools, world.secret_volume_files)
    env = cluster.resolve_env(next(c for c in spec["containers"] if c["name"] == "sql"))
    assert env["TRINO_SERVER"] == f"https://{world.state['trino_host']}:{world.state['trino_port']}", env["TRINO_SERVER"]
    pod = Pod(cluster, spec, world.workdir)
    try:
        result = pod.run("sql", timeout=600)
    finally:
        pod.close()
    assert result.returncode == 0, f"the Job's script failed:\n{result.output[-4000:]}"
    assert env["TRINO_PASSWORD"] not in result.output, "the Job printed the Trino password"
    world.state.setdefault("sql_job_output", {})[job["metadata"]["name"]] = result.output
    last = result.output.strip().splitlines()[-1]
    return f"{last} ({result.seconds:.0f}s)"


def statements(world: World, name: str | None = None) -> str:
    spec = sql_job(world, name)["spec"]["template"]["spec"]
    (volume,) = [v for v in spec["volumes"] if v["name"] == "sql"]
    return "\n".join(world.cluster().config_map_data(volume["configMap"]["name"]).values())


def query(world: World, sql: str) -> list[list]:
    admin = world.state["admin"]
    rows, error = trino_query(world, admin, world.state["users"][admin], sql)
    assert error is None, f"{sql}: {error}"
    return rows
