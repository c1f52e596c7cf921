"""Fixtures of the jobs suite (run it with scripts/test-jobs.sh): the synthesized DemoChart, a
test CA, a real MinIO server on a loopback address with TLS from that CA, a loopback HTTP server
with generated taxi files, and `mc` for the tests' own checks (the services: services.py).

MinIO listens on a random 127.x.y.z address at the port of the synthesized Service, and the
sandboxes' /etc/hosts maps the Service's in-cluster name to that address (cluster DNS), so the
scripts reach `https://minio.<namespace>.svc.cluster.local:9000` exactly as their `MC_HOST_minio`
says and verify the certificate for that name against the CA mounted where the pod has it.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "test" / "spark"))
from fhvhv_generator import write_months  # noqa: E402
from kubelet import Cluster, Tools, shell_scripts  # noqa: E402
from services import Minio, Mirror, Pki, demo_objects, free_loopback_address, labelled, make_pki, mirror_url  # noqa: E402,F401

#: Months the generated mirror serves (tiny files); the charts ask for subsets of them, or more.
SERVED_MONTHS = ["2020-09", "2020-10", "2020-11"]
ROWS_PER_MONTH = 300


# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def tools() -> Tools:
    return Tools.from_env()


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("jobs")


@pytest.fixture(scope="session")
def mirror(workdir):
    files = workdir / "mirror"
    write_months(SERVED_MONTHS, rows_per_month=ROWS_PER_MONTH, out_dir=files, seed=3)
    m = Mirror(MIRROR_ADDRESS, files)
    m.files = files
    yield m
    m.close()



#: Where the mirror will listen, chosen up front: the charts name it as their data source.
MIRROR_ADDRESS = free_loopback_address(0)

#: The DemoChart variants the tests run, besides the default (dist/'s props): the data source is
#: the loopback mirror; `missing` asks for a month the mirror does not have.
VARIANTS = {
    "two": {"months": SERVED_MONTHS[:2]},
    "three": {"months": SERVED_MONTHS},
    "missing": {"months": [SERVED_MONTHS[0], "2021-01"]},
}
_charts: dict[str, list[dict]] | None = None


def all_charts() -> dict[str, list[dict]]:
    """The default chart and the variants, synthesized once per session."""
    global _charts
    if _charts is None:
        url = mirror_url(MIRROR_ADDRESS)
        _charts = demo_objects({"default": {}, **{k: {**v, "dataSourceUrl": url} for k, v in VARIANTS.items()}})
    return _charts


@pytest.fixture(scope="session")
def charts() -> dict[str, list[dict]]:
    return all_charts()


@dataclass
class Env:
    """What a test needs: the charts' objects, MinIO, the mirror and a way to make a Cluster."""

    charts: dict[str, list[dict]]
    minio: Minio
    mirror: Mirror
    tools: Tools
    pki: Pki
    hosts: dict[str, str]
    workdir: Path

    def cluster(self, variant: str) -> Cluster:
        return Cluster(self.charts[variant], self.pki.ca_pem, self.hosts, self.tools)


@pytest.fixture(scope="session")
def session_env(charts, mirror, tools, workdir):
    objects = charts["two"]
    service = labelled(objects, "Service", "minio")
    ns = service["metadata"]["namespace"]
    fqdn = f"{service['metadata']['name']}.{ns}.svc.cluster.local"
    # The port clients use is the Service's; MinIO listens on the targetPort (the same here).
    https = next(p for p in service["spec"]["ports"] if p["name"] == "https")
    port = https["targetPort"]
    ip, _ = free_loopback_address(port)
    pki = make_pki(workdir, [fqdn], [ip])
    # The server's root user and password as its Deployment gets them (from the chart's Secret).
    deployment = labelled(objects, "Deployment", "minio")
    servers = [c for c in deployment["spec"]["template"]["spec"]["containers"]
               if {"MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"} <= {e["name"] for e in c.get("env", [])}]
    assert len(servers) == 1, "expected one container with MINIO_ROOT_USER and MINIO_ROOT_PASSWORD in the MinIO Deployment"
    server = servers[0]
    env = Cluster(objects, pki.ca_pem, {}, tools).resolve_env(server)
    minio = Minio(os.environ["JOBS_MINIO"], ip, port, env["MINIO_ROOT_USER"], env["MINIO_ROOT_PASSWORD"], pki, tools.mc, workdir / "minio")
    yield Env(charts, minio, mirror, tools, pki, {fqdn: ip}, workdir)
    minio.stop()


@pytest.fixture
def env(session_env):
    """A fresh world per test: MinIO stopped with an empty data directory, no mirror requests."""
    session_env.minio.wipe()
    session_env.mirror.requests.clear()
    yield session_env
    session_env.minio.wipe()


def pytest_generate_tests(metafunc):
    """`script`: every `sh -c` script of the default chart (dist/'s props), one test each, named
    by the object's kind and `app.kubernetes.io/name` (or name) and the container."""
    if "script" in metafunc.fixturenames:
        scripts = shell_scripts(all_charts()["default"])
        metafunc.parametrize("script", scripts, ids=[where for where, _, _ in scripts])
