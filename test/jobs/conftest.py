"""Fixtures of the jobs suite (run it with scripts/test-jobs.sh): the synthesized DemoChart (and a
chart of another S3FileLoad), a test CA, a real MinIO server on a loopback address with TLS from
that CA, a loopback HTTP server with generated taxi files and an HTTPS one with a certificate of a
second CA standing in for the public CAs, and `mc` for the tests' own checks (services.py).

MinIO listens on a random 127.x.y.z address at the port of the synthesized Service, and the
sandboxes' /etc/hosts maps the Service's in-cluster name to that address (cluster DNS), so the
scripts reach `https://minio.<namespace>.svc.cluster.local:9000` exactly as their `MC_HOST_minio`
says and verify the certificate for that name against the CA mounted where the pod has it.
"""

from __future__ import annotations

import os
import shutil
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
from services import Minio, Mirror, Pki, Stall, demo_objects, free_loopback_address, labelled, make_pki, mirror_url  # noqa: E402,F401

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
def mirror_files(workdir) -> Path:
    """The generated fhvhv months, and copies of some named as yellow-taxi files (the loads only
    copy bytes: the content need not be of that kind)."""
    files = workdir / "mirror"
    write_months(SERVED_MONTHS, rows_per_month=ROWS_PER_MONTH, out_dir=files, seed=3)
    for m in YELLOW_MONTHS:
        shutil.copyfile(files / f"fhvhv_tripdata_{m}.parquet", files / f"yellow_tripdata_{m}.parquet")
    return files


@pytest.fixture(scope="session")
def mirror(mirror_files):
    m = Mirror(MIRROR_ADDRESS, mirror_files)
    m.files = mirror_files
    yield m
    m.close()


@pytest.fixture(scope="session")
def public_pki(workdir) -> Pki:
    """A CA standing in for the public CAs, and the HTTPS mirror's certificate from it."""
    directory = workdir / "public-ca"
    directory.mkdir()
    return make_pki(directory, ["mirror.public.test"], [HTTPS_MIRROR_ADDRESS[0]], ca_common_name="jobs-suite stand-in public CA")


@pytest.fixture(scope="session")
def https_mirror(mirror_files, public_pki, workdir):
    """The mirror's files over HTTPS, with a certificate of the "public" CA (public_pki)."""
    cert, key = workdir / "public-ca" / "server.crt", workdir / "public-ca" / "server.key"
    cert.write_text(public_pki.cert_pem)
    key.write_text(public_pki.key_pem)
    m = Mirror(HTTPS_MIRROR_ADDRESS, mirror_files, tls=(cert, key))
    yield m
    m.close()



#: Where the mirrors will listen, chosen up front: the charts name them as their data source.
MIRROR_ADDRESS = free_loopback_address(0)
HTTPS_MIRROR_ADDRESS = free_loopback_address(0)

#: Months the mirror also serves as yellow-taxi files.
YELLOW_MONTHS = SERVED_MONTHS[:2]

#: The DemoChart variants the tests run, besides the default (dist/'s props): the data source is
#: the loopback mirror; `missing` asks for a month the mirror does not have; `https` loads from
#: the HTTPS mirror.
VARIANTS = {
    "two": {"months": SERVED_MONTHS[:2]},
    "three": {"months": SERVED_MONTHS},
    "missing": {"months": [SERVED_MONTHS[0], "2021-01"]},
    "https": {"months": SERVED_MONTHS[:1]},
}
#: Not a DemoChart: MinIO and an S3FileLoad of the yellow-taxi preset (test/jobs/synth-demo.ts).
YELLOW = {"kind": "yellow", "months": YELLOW_MONTHS, "prefix": "tlc/yellow/"}
#: Not a DemoChart: MinIO and a bucket Job with one bucket per anonymous-access policy, and one without.
POLICY_BUCKETS = [{"name": f"{p}-bucket", "policy": p} for p in ("none", "download", "upload", "public")] + ["plain-bucket"]
_charts: dict[str, list[dict]] | None = None


def all_charts() -> dict[str, list[dict]]:
    """The default chart and the variants, synthesized once per session."""
    global _charts
    if _charts is None:
        url = mirror_url(MIRROR_ADDRESS)
        variants = {k: {**v, "dataSourceUrl": mirror_url(HTTPS_MIRROR_ADDRESS, https=True) if k == "https" else url} for k, v in VARIANTS.items()}
        _charts = demo_objects({"default": {}, **variants, "yellow": {"tlcLoad": {**YELLOW, "baseUrl": url}},
                                 "policies": {"buckets": POLICY_BUCKETS}})
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
    https_mirror: Mirror
    public_pki: Pki

    def cluster(self, variant: str, **options) -> Cluster:
        """The variant's objects in a cluster; `options` go to Cluster (public_ca_file, without_image_env)."""
        return Cluster(self.charts[variant], self.pki.ca_pem, self.hosts, self.tools, **options)


@pytest.fixture(scope="session")
def session_env(charts, mirror, https_mirror, public_pki, tools, workdir):
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
    yield Env(charts, minio, mirror, tools, pki, {fqdn: ip}, workdir, https_mirror, public_pki)
    minio.stop()


@pytest.fixture
def env(session_env):
    """A fresh world per test: MinIO stopped with an empty data directory, no mirror requests,
    hooks nor faults (and afterwards no stalled answer held)."""
    session_env.minio.wipe()
    for m in (session_env.mirror, session_env.https_mirror):
        m.reset()
    yield session_env
    for m in (session_env.mirror, session_env.https_mirror):
        m.reset()
    session_env.minio.wipe()


def pytest_configure(config):
    config.addinivalue_line("markers", "long: takes several times as long as the other tests; runs first")


def pytest_collection_modifyitems(items):
    """The `long` tests first, the others in their order: scripts/test-jobs.sh spreads the tests
    over parallel workers (pytest-xdist), and a long test handed out last would end the run alone."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


def pytest_generate_tests(metafunc):
    """`script`: every `sh -c` script of the default chart (dist/'s props), one test each, named
    by the object's kind and `app.kubernetes.io/name` (or name) and the container."""
    if "script" in metafunc.fixturenames:
        scripts = shell_scripts(all_charts()["default"])
        metafunc.parametrize("script", scripts, ids=[where for where, _, _ in scripts])
