"""NifiFlow's Job (constructs/nifi/upload-flow.sh, json-paths.awk) run as its pod would: the curl
image's BusyBox sh, grep and awk and real curl (test/jobs/kubelet.py), its env with the Secret's
password, the flow ConfigMap and the TrustStore's CA mounted where the pod has them, against the
NiFi REST stand-in (nifi_standin.py, modelled on apache/nifi rel/nifi-2.9.0) on a loopback address
that the sandbox's /etc/hosts gives the name of NifiCluster.apiUrl, with a certificate for the names
the runtime contract says the nodes' certificate has (nifiCertificateNames). Nothing is overridden.

What this proves: the login (form fields, password from stdin), the token as a bearer header, the
root group found and the group uploaded once (a second run of the Job uploads nothing), the
multipart fields the upload requires, controller services enabled until all are ENABLED (one that
needs another takes more than one look), the group started; a wrong password and an untrusted
certificate fail the Job. Not proved: that the real NiFi 2.9.0 accepts the definition (no NiFi
release can run here).
"""

import json
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

from kubelet import Cluster, Tools, run_job, run_job_until_done, runtime_of, shell_scripts
from nifi_standin import NifiStandIn
from services import free_loopback_address, make_pki

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "nifi-Pa55:word/with+specials&="


def synthesize(group: str = "Feeds To Kafka") -> dict:
    out = subprocess.run([str(REPO / "node_modules" / ".bin" / "ts-node"), "--transpile-only", "test/nifi/nifi-flow-fixture.ts", group],
                         cwd=REPO, check=True, capture_output=True, text=True, timeout=300).stdout
    return json.loads(out)


@pytest.fixture(scope="module")
def synthesized() -> dict:
    return synthesize()


def job_of(objs: list[dict]) -> dict:
    (job,) = [o for o in objs if o["kind"] == "Job" and o["metadata"]["labels"]["app.kubernetes.io/name"] == "nifi-flow"]
    return job


def host_of(job: dict) -> str:
    env = {e["name"]: e.get("value") for e in job["spec"]["template"]["spec"]["containers"][0]["env"]}
    return env["NIFI_URL"].removeprefix("https://").split(":")[0]


@pytest.fixture
def nifi(tmp_path, synthesized):
    host = host_of(job_of(synthesized["objects"]))
    ip, port = free_loopback_address(8443)
    (tmp_path / "pki").mkdir()
    pki = make_pki(tmp_path / "pki", synthesized["certificateNames"], [])
    cert, key = tmp_path / "pki" / "tls.crt", tmp_path / "pki" / "tls.key"
    cert.write_text(pki.cert_pem)
    key.write_text(pki.key_pem)
    server = NifiStandIn((ip, port), cert, key, "admin", PASSWORD)
    server.pki, server.host, server.ip = pki, host, ip
    yield server
    server.stop()


def workdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def cluster_for(objs, nifi, ca_pem=None) -> Cluster:
    return Cluster(objs, ca_pem or nifi.pki.ca_pem, {nifi.host: nifi.ip}, Tools.from_env())


def test_the_certificate_names_the_job_host(synthesized):
    assert host_of(job_of(synthesized["objects"])) == "nifi-node-default-0.nifi-node-default-headless.ns.svc.cluster.local"
    assert host_of(job_of(synthesized["objects"])) in synthesized["certificateNames"]


def test_the_script_parses_with_busybox_and_passes_shellcheck(tools, synthesized):
    (where, container, text), = shell_scripts([job_of(synthesized["objects"])])
    assert runtime_of(container["image"]).shell == "busybox"
    parsed = tools.parse_only("busybox", text)
    assert parsed.returncode == 0, f"{where}: {parsed.stderr}"
    lint = subprocess.run([os.environ["JOBS_SHELLCHECK"], "--shell=sh", "--severity=style", "-"], input=text, capture_output=True, text=True, timeout=60)
    assert lint.returncode == 0, f"{where}:\n{lint.stdout}{lint.stderr}"


def test_uploads_enables_and_starts_the_group_once_and_a_rerun_uploads_nothing(tmp_path, synthesized, nifi):
    objs = synthesized["objects"]
    # NiFi starts a few seconds after the Job: connections are refused until then.
    starter = threading.Timer(4, nifi.start)
    starter.start()
    first = run_job(cluster_for(objs, nifi), job_of(objs), workdir(tmp_path / "run1"), timeout=120).of("upload")
    starter.join()
    assert first.returncode == 0, first.output
    assert "waiting for NiFi" in first.output
    # Kafka's service needs the SSL context enabled first: more than one look at the services.
    assert "enabling the controller services" in first.output
    assert nifi.uploads == 1
    (group,) = nifi.groups.values()
    assert group["name"] == "Feeds To Kafka"
    assert {s["name"]: s["state"] for s in group["services"]} == {"SSL context": "ENABLED", "Kafka": "ENABLED"}
    assert {p["name"]: p["state"] for p in group["processors"]} == {"Get feed": "RUNNING", "Publish": "RUNNING"}
    assert all(nifi.validation_errors(p) == [] for p in group["processors"]), [nifi.validation_errors(p) for p in group["processors"]]
    # The Kafka service references the SSL context's new instance, not the versioned id.
    kafka = next(s for s in group["services"] if s["name"] == "Kafka")
    ssl_ctx = next(s for s in group["services"] if s["name"] == "SSL context")
    assert kafka["properties"]["SSL Context Service"] == ssl_ctx["id"]
    assert f"process group \"Feeds To Kafka\" ({group['id']}) is running" in first.output

    second = run_job(cluster_for(objs, nifi), job_of(objs), workdir(tmp_path / "run2"), timeout=120).of("upload")
    assert second.returncode == 0, second.output
    assert f"process group \"Feeds To Kafka\" exists: {group['id']}" in second.output
    assert nifi.uploads == 1 and len(nifi.groups) == 1
    assert not any(status == 401 for _, _, status in nifi.requests)


def test_a_wrong_password_fails_at_once(tmp_path, synthesized, nifi):
    nifi.password = "another-password"
    nifi.start()
    start = time.monotonic()
    history = run_job_until_done(cluster_for(synthesized["objects"], nifi), job_of(synthesized["objects"]), tmp_path, timeout=60)
    assert not history.succeeded
    assert "refused the login of admin (HTTP 400)" in history.output
    assert nifi.uploads == 0
    assert time.monotonic() - start < 60


def test_refuses_a_server_whose_certificate_another_ca_signed(tmp_path, synthesized, nifi):
    nifi.start()
    (tmp_path / "other").mkdir()
    other = make_pki(tmp_path / "other", ["other.test"], [], ca_common_name="another CA")
    objs = synthesized["objects"]
    result = run_job(cluster_for(objs, nifi, other.ca_pem), job_of(objs), tmp_path, env={"upload": {"WAIT_SECONDS": "3"}}, timeout=60).of("upload")
    assert result.returncode == 1
    assert "issued no token within 3 s" in result.output
    assert "certificate" in result.output.lower(), result.output
    assert nifi.requests == []
