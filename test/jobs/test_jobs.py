"""The shell scripts embedded in the synthesized manifests, run for real (see kubelet.py and
conftest.py): the bucket bootstrap Job, the taxi-data load Job (an S3FileLoad: curl per file
checks, downloads and uploads with signed S3 requests; marker) and the Spark submit pod's wait-for-data init
container, against a real MinIO with TLS and loopback mirrors of generated taxi files (HTTP, and
HTTPS with a stand-in public CA). Objects are found by kind and by their
`app.kubernetes.io/name` label, never by name or position.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import os
import re
import socket
import struct
import subprocess
import ssl
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import POLICY_BUCKETS, SERVED_MONTHS, VARIANTS, YELLOW, Env, Stall, free_loopback_address, labelled
from kubelet import (IMAGE_RUNTIMES, Cluster, JobHistory, image_files, Pod, expand, image_repository, image_tag, run_job, run_job_until_done,
                     runtime_of, script_dialect, shell_scripts)

# What each object is (its `app.kubernetes.io/name` label, set by the constructs).
BUCKETS = "minio-buckets"
LOAD = "s3-file-load"


def job(objects: list[dict], app: str) -> dict:
    return labelled(objects, "Job", app)


def container_named(workload: dict, name: str) -> dict:
    spec = workload["spec"]["template"]["spec"]
    found = [c for c in spec.get("initContainers", []) + spec["containers"] if c["name"] == name]
    assert len(found) == 1, f"expected one container {name} in {workload['kind']} {workload['metadata']['name']}"
    return found[0]


def wait_pod_spec(objects: list[dict]) -> dict:
    """The part of the Spark submit pod our SparkApplication defines (job.podOverrides.spec)."""
    apps = [o for o in objects if o["kind"] == "SparkApplication"]
    assert len(apps) == 1, f"expected one SparkApplication, found {len(apps)}"
    spec = apps[0]["spec"]["job"]["podOverrides"]["spec"]
    names = [c["name"] for c in spec["initContainers"]]
    assert names == ["wait-for-data", "wait-for-metastore"], f"expected the waits for the data and the metastore, found {names}"
    return spec


def env_value(container: dict, name: str) -> str:
    values = [e["value"] for e in container.get("env", []) if e["name"] == name and "value" in e]
    assert len(values) == 1, f"container {container['name']} has no literal env {name}"
    return values[0]


def data_location(objects: list[dict]) -> tuple[str, str]:
    """(bucket/prefix of the data, the marker's path), as the load Job's container and the Spark
    submit pod's wait have them."""
    target = env_value(container_named(job(objects, LOAD), "load"), "TARGET")  # https://<host>:<port>/<bucket>/<prefix>
    path = target.split("/", 3)[3]
    alias, _, marker = env_value(wait_pod_spec(objects)["initContainers"][0], "MARKER").partition("/")  # minio/<bucket>/<key>
    assert marker.startswith(path), f"the wait's marker {alias}/{marker} is not under the load's target {target}"
    return path, marker


def modified(entry: dict) -> dt.datetime:
    """An `mc ls --json` entry's lastModified (RFC 3339, fraction of a second cut to microseconds)."""
    text = re.sub(r"(\.\d{6})\d+", r"\1", entry["lastModified"]).replace("Z", "+00:00")
    return dt.datetime.fromisoformat(text)


def month_files(months: list[str], kind: str = "fhvhv") -> list[str]:
    """The TLC file names of `months` (the keys the loads use)."""
    return [f"{kind}_tripdata_{m}.parquet" for m in months]


def marker_bytes(months: list[str]) -> bytes:
    """What the marker must hold: the keys of the months' files, space-separated, one line."""
    return (" ".join(month_files(months)) + "\n").encode()


def load(env: Env, variant: str, cluster: Cluster | None = None, **kw):
    return run_job(cluster or env.cluster(variant), job(env.charts[variant], LOAD), env.workdir, **kw)


def load_until_done(env: Env, variant: str, overrides: dict[str, dict[str, str]] | None = None, **kw) -> JobHistory:
    """The variant's load Job run until it succeeds or fails, retried as its restartPolicy says
    (kubelet.run_job_until_done; the back-off between runs is not waited); `overrides` replace
    env values per container."""
    return run_job_until_done(env.cluster(variant), job(env.charts[variant], LOAD), env.workdir, env=overrides, **kw)


def requests_of(env: Env, path: str) -> list[int]:
    """The statuses the mirror answered the GETs of `path` with, in order."""
    return [status for p, status in env.mirror.requests if p == path]


def assert_stored(env: Env, variant: str, files: list[str], marker: bool) -> dict[str, dict]:
    """Under the variant's prefix exactly `files` (and the marker, if `marker`), nothing else; each
    file complete: its size and the sha256 of its content in MinIO are the mirror's file's; the
    marker lists the files and was written after every one of them. Returns the listing."""
    data, marker_path = data_location(env.charts[variant])
    marker_key = marker_path.rpartition("/")[2]
    stored = env.minio.objects(data)
    assert set(stored) == set(files) | ({marker_key} if marker else set()), sorted(stored)
    for f in files:
        mirrored = (env.mirror.files / f).read_bytes()
        content = env.minio.cat(data + f)
        assert (stored[f]["size"], len(content), hashlib.sha256(content).hexdigest()) == (
            len(mirrored), len(mirrored), hashlib.sha256(mirrored).hexdigest()), f"{data}{f} is not the mirror's file"
    if marker:
        assert env.minio.cat(marker_path) == (" ".join(files) + "\n").encode()
        # (MinIO's modification times are in milliseconds; see the fresh-run test.)
        assert all(modified(stored[f]) < modified(stored[marker_key]) for f in files), stored
    return stored


def make_buckets(env: Env, variant: str):
    run = run_job(env.cluster(variant), job(env.charts[variant], BUCKETS), env.workdir)
    assert run.succeeded, run.output
    return run


def downloads(env: Env) -> list[str]:
    return [path for path, _ in env.mirror.requests]


# ---------------------------------------------------------------------------------------------
# Static checks of every embedded script
# ---------------------------------------------------------------------------------------------


def test_every_image_with_a_script_has_a_known_shell_and_the_tools_match_the_images(charts, tools, workdir):
    scripts = shell_scripts(charts["two"])
    kinds = {c["image"] for _, c, _ in scripts}
    assert {image_repository(i) for i in kinds} <= set(IMAGE_RUNTIMES), kinds
    # The stand-ins are the images' versions: mc of the image's release (its Go pseudo-version
    # carries the release's commit time), curl of the image's tag.
    images = {image_repository(i): image_tag(i) for i in kinds}
    stamp = re.sub(r"\D", "", images["quay.io/minio/mc"])  # RELEASE.2025-04-16T18-13-26Z -> 20250416181326
    info = subprocess.run(["go", "version", "-m", tools.mc], capture_output=True, text=True, check=True).stdout
    assert re.search(rf"\bmod\s+github.com/minio/mc\s+v0\.0\.0-{stamp}-[0-9a-f]{{12}}\b", info), info
    pod_like = {"image": "docker.io/curlimages/curl:x", "name": "version", "command": ["curl", "--version"],
                "securityContext": {"runAsUser": 10001}}
    cluster = Cluster([], "", {}, tools)
    pod = Pod(cluster, {"containers": [pod_like]}, workdir)
    try:
        result = pod.run("version")
    finally:
        pod.close()
    assert result.output.startswith(f"curl {images['docker.io/curlimages/curl']} "), result.output


def test_mount_points_are_reachable_by_the_pod_user_also_below_a_tmpfs(tools, workdir):
    """A container runtime creates missing mount point parents 0755: the pod's user reaches a
    volume mounted at /etc/<x>/certs although this machine has no /etc/<x> (kubelet.py then puts a
    tmpfs on /etc, and /etc/<x> must be made 0755 after it), as MinIO's /etc/minio/certs."""
    c = {"image": "docker.io/curlimages/curl:x", "name": "probe", "command": ["sh", "-c", "stat -c %a /etc/kubelet-probe && ls /etc/kubelet-probe/certs"],
         "securityContext": {"runAsUser": 10001}, "volumeMounts": [{"name": "certs", "mountPath": "/etc/kubelet-probe/certs"}]}
    assert not Path("/etc/kubelet-probe").exists()
    pod = Pod(Cluster([], "", {}, tools), {"containers": [c], "volumes": [{"name": "certs", "emptyDir": {}}]}, workdir)
    try:
        result = pod.run("probe")
    finally:
        pod.close()
    assert result.returncode == 0 and result.output.strip() == "755", result.output


def test_the_pod_user_cannot_start_a_program_in_a_folder_it_cannot_enter(tools, workdir, tmp_path):
    """The command is looked up and started as the pod's user (the sandbox leaves setpriv no
    capability that reads or searches for it): a program in a root-only folder does not start for
    UID 10001, and does for root."""
    folder = tmp_path / "root-only"
    folder.mkdir()
    (folder / "hello").write_text("#!/bin/sh\necho hello\n")
    (folder / "hello").chmod(0o755)
    folder.chmod(0o700)
    results = {}
    for uid in (10001, 0):
        c = {"image": "docker.io/curlimages/curl:x", "name": "probe", "command": ["/probe/hello"],
             "securityContext": {"runAsUser": uid}, "volumeMounts": [{"name": "probe", "mountPath": "/probe"}]}
        pod = Pod(Cluster([], "", {}, tools), {"containers": [c], "volumes": [{"name": "probe", "hostPath": {"path": str(folder)}}]}, workdir)
        try:
            results[uid] = pod.run("probe")
        finally:
            pod.close()
    assert results[10001].returncode == 126 and "failed to execute /probe/hello: Permission denied" in results[10001].output, results[10001].output
    assert results[0].returncode == 0 and results[0].output.strip() == "hello", results[0].output


# Cases of k8s.io/kubernetes v1.35.4 third_party/forked/golang/expansion/expand_test.go.
@pytest.mark.parametrize("text,expected", [
    ("$(VAR_A)-$(VAR_A)", "A-A"), ("$$(VAR_B)_$(VAR_A)", "$(VAR_B)_A"), ("f000-$$VAR_A", "f000-$VAR_A"),
    ("$(VAR_A$(VAR_B))", "$(VAR_A$(VAR_B))"), ("$(VAR_REF)", "$(VAR_A)"), ("foo$(VAR_EMPTY)bar", "foobar"),
    ("foo$(VAR_Awhoops!", "foo$(VAR_Awhoops!"), ("$?_boo_$!", "$?_boo_$!"), ("$(VAR_DNE)", "$(VAR_DNE)"),
    ("$$$$$$$(VAR_A)", "$$$A"), ("${VAR_A}", "${VAR_A}"), ("$(VAR_C)_______$(", "C_______$("),
    ("--$($($($($--", "--$($($($($--"), ("$(foo$$var)", "$(foo$$var)"), ("$(VAR_A)foobarzab$", "Afoobarzab$"),
    ('deadline=$(( $(date +%s) + $2 ))', 'deadline=$(( $(date +%s) + $2 ))'),
])
def test_env_and_command_expansion_is_kubernetes(text, expected):
    assert expand(text, {"VAR_A": "A", "VAR_B": "B", "VAR_C": "C", "VAR_REF": "$(VAR_A)", "VAR_EMPTY": ""}) == expected


def test_every_embedded_script_parses_with_its_images_shell(tools, script):
    where, container, text = script
    kind = runtime_of(container["image"]).shell
    if script_dialect(container, text) == "bash":  # runs /bin/bash: the image must have it
        assert kind == "bash", f"{where} runs bash, which the image {container['image']} does not have as its shell"
    result = tools.parse_only(kind, text)
    assert result.returncode == 0, f"{where} ({kind} as sh): {result.stderr}"


# ShellCheck's dialect is POSIX sh for the `sh -c` scripts: they are meant to be portable
# (mcContainer documents "POSIX shell script") and run with bash, BusyBox ash and dash; bash for the
# one script that names /bin/bash (HiveMetastore.waitForMetastoreContainer). No check is excluded.
def test_every_embedded_script_passes_shellcheck(script):
    where, container, text = script
    result = subprocess.run([os.environ["JOBS_SHELLCHECK"], f"--shell={script_dialect(container, text)}", "--severity=style", "-"], input=text,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"{where}:\n{result.stdout}{result.stderr}"


# ---------------------------------------------------------------------------------------------
# Fresh run, rerun, failures
# ---------------------------------------------------------------------------------------------


def test_fresh_run_creates_the_buckets_and_loads_every_month_with_the_marker_last(env):
    env.minio.start()
    objects = env.charts["two"]
    months = VARIANTS["two"]["months"]
    make_buckets(env, "two")
    buckets_env = env_value(container_named(job(objects, BUCKETS), "create-buckets"), "BUCKETS").split()
    assert env.minio.buckets() == sorted(buckets_env)

    run = load(env, "two")
    assert run.succeeded, run.output
    data, marker = data_location(objects)
    stored = env.minio.objects(data)
    files = set(month_files(months))
    assert set(stored) == files | {marker.rpartition("/")[2]}
    for f in files:  # the bytes of the mirror's files
        assert env.minio.cat(data + f) == (env.mirror.files / f).read_bytes()
    assert env.minio.cat(marker) == marker_bytes(months)
    # Written last: its modification time is after every month's. MinIO lists modification times
    # in milliseconds (minio RELEASE.2025-04-22T22-12-26Z cmd/api-response.go, ISO 8601 with
    # .000Z); each upload is its own `mc` process, tens of milliseconds apart.
    marker_time = modified(stored[marker.rpartition("/")[2]])
    assert all(modified(stored[f]) < marker_time for f in files), stored
    assert sorted(downloads(env)) == sorted(f"/{f}" for f in files)


def test_rerun_downloads_nothing_and_leaves_the_same_state(env):
    env.minio.start()
    make_buckets(env, "two")
    assert load(env, "two").succeeded
    data, marker = data_location(env.charts["two"])
    before = {k: (v["etag"], v["size"]) for k, v in env.minio.objects(data).items()}
    months_before = {k: modified(v) for k, v in env.minio.objects(data).items() if k.endswith(".parquet")}
    env.mirror.requests.clear()

    make_buckets(env, "two")  # the bucket Job runs again too (mc mb --ignore-existing)
    run = load(env, "two")
    assert run.succeeded, run.output
    assert downloads(env) == []
    assert run.of("load").output.count("present: fhvhv_tripdata_") == 2, run.output
    after = env.minio.objects(data)
    assert {k: (v["etag"], v["size"]) for k, v in after.items()} == before
    assert {k: modified(v) for k, v in after.items() if k.endswith(".parquet")} == months_before  # not uploaded again
    assert env.minio.cat(marker) == marker_bytes(VARIANTS["two"]["months"])


def test_month_missing_at_the_source_fails_naming_the_url_and_writes_no_marker(env):
    """A 404 is permanent: each run of the Job fails at once, naming the URL and the status, after
    one request for it (curl's --retry-all-errors used to ask five times more, 31 s, in every run);
    the Job fails after its runs (backoffLimit, restartPolicy OnFailure). What was loaded before
    it is complete, nothing of it is left, and no marker claims it."""
    env.minio.start()
    make_buckets(env, "missing")
    history = load_until_done(env, "missing")
    assert not history.succeeded
    load_job = job(env.charts["missing"], LOAD)
    assert load_job["spec"]["template"]["spec"]["restartPolicy"] == "OnFailure"
    assert len(history.runs) == load_job["spec"]["backoffLimit"], history.output
    missing, (loaded,) = "fhvhv_tripdata_2021-01.parquet", month_files(VARIANTS["missing"]["months"][:1])
    url = f"{env.mirror.url}{missing}"
    for run in history.runs:
        failed = run.results[-1]
        assert failed.container == "load", run.output
        assert re.search(rf"^download failed: {re.escape(url)}: HTTP 404$", failed.output, re.M), failed.output
        assert "retrying" not in failed.output, failed.output
        assert failed.seconds < 15, f"a run took {failed.seconds:.1f}s: {failed.output}"
    assert requests_of(env, f"/{missing}") == [404] * len(history.runs)  # one request per run
    assert requests_of(env, f"/{loaded}") == [200]  # the later runs found it present
    # The month before it was loaded (one file at a time); no marker claims the missing one.
    assert_stored(env, "missing", [loaded], marker=False)


def test_mirror_answers_5xx_then_recovers_the_run_retries_and_loads_every_file_complete(env):
    """The mirror answers 503, then 500, for the second file, then serves it: the run waits 1 s,
    then 2 s, asks again and goes on; one run loads every file, complete, and the marker last."""
    env.minio.start()
    make_buckets(env, "two")
    months = VARIANTS["two"]["months"]
    second = month_files(months)[1]
    env.mirror.faults[f"/{second}"] = [503, 500]
    history = load_until_done(env, "two")
    assert history.succeeded and len(history.runs) == 1, history.output
    out = history.runs[0].of("load").output
    url = f"{env.mirror.url}{second}"
    assert f"retrying in 1s: {url}: HTTP 503" in out and f"retrying in 2s: {url}: HTTP 500" in out, out
    assert requests_of(env, f"/{second}") == [503, 500, 200]
    assert_stored(env, "two", month_files(months), marker=True)


def test_mirror_stalls_a_download_then_recovers_the_run_aborts_it_after_stall_seconds_and_retries(env):
    """The mirror sends the headers and half of the first file, then nothing, holding the
    connection open; the next request gets the file. The download moving less than 1 KiB/s for
    STALL_SECONDS is aborted (curl exit 28) and retried: one run loads every file, complete. The
    manifest's STALL_SECONDS (the stallSeconds prop's default) is 60; this run's is 2 (the
    container's env value replaced, as Cluster.resolve_env overrides do)."""
    env.minio.start()
    make_buckets(env, "two")
    assert env_value(container_named(job(env.charts["two"], LOAD), "load"), "STALL_SECONDS") == "60"
    months = VARIANTS["two"]["months"]
    first = month_files(months)[0]
    env.mirror.faults[f"/{first}"] = [Stall(fraction=0.5, hold_seconds=300)]
    history = load_until_done(env, "two", {"load": {"STALL_SECONDS": "2"}})
    assert history.succeeded and len(history.runs) == 1, history.output
    result = history.runs[0].of("load")
    assert "Operation too slow" in result.output, result.output
    assert f"retrying in 1s: {env.mirror.url}{first}: curl exit 28" in result.output, result.output
    assert requests_of(env, f"/{first}") == [200, 200]  # the stalled answer, then the file
    # Noticed after STALL_SECONDS and curl's 5 s speed window (plus the run's own work), not
    # after the 300 s the mirror holds the stalled connection.
    assert result.seconds < 2 + 5 + 15, f"{result.seconds:.1f}s: {result.output}"
    assert_stored(env, "two", month_files(months), marker=True)


def test_minio_killed_in_the_middle_of_the_load_the_next_run_completes_it_with_the_marker_last(env):
    """MinIO is killed (SIGKILL) when the mirror is asked for the second of three files (the
    first is in MinIO), and started again 3 s later on the same data. The run fails at the
    upload of the second file; the kubelet restarts the container (restartPolicy OnFailure; at
    once here), which waits for the bucket, finds the first file present and loads the others:
    every file complete, nothing else, the marker after the last file."""
    env.minio.start()
    make_buckets(env, "three")
    files = month_files(SERVED_MONTHS)
    target = env_value(container_named(job(env.charts["three"], LOAD), "load"), "TARGET")
    killed = threading.Event()

    def on_request(path: str) -> None:
        if path == f"/{files[1]}" and not killed.is_set():
            env.minio.kill()
            killed.set()

    env.mirror.on_request = on_request
    result: dict[str, JobHistory] = {}
    runs = threading.Thread(target=lambda: result.setdefault("history", load_until_done(env, "three")))
    runs.start()
    try:
        assert killed.wait(60), "the mirror was never asked for the second file"
        time.sleep(3)
        # Started by this thread: MinIO ends with the thread that started it (services._die_with_parent).
        env.minio.start()
    finally:
        runs.join(180)
    assert not runs.is_alive(), "the load Job did not finish"
    history = result["history"]
    assert history.succeeded, history.output
    assert len(history.runs) == 2, history.output
    failed = history.runs[0].of("load")
    assert failed.returncode != 0
    assert re.search(rf"^upload failed: {re.escape(target + files[1])}: HTTP 000$", failed.output, re.M), failed.output
    assert_stored(env, "three", files, marker=True)
    out = history.runs[1].of("load").output
    assert "waiting for bucket https://" in out, out  # MinIO still down when the restarted run began
    assert f"present: {files[0]}" in out, out
    lines = out.splitlines()
    order = [next(i for i, line in enumerate(lines) if line.startswith(step)) for step in (f"uploaded: {files[1]}", f"uploaded: {files[2]}", "loaded: ")]
    assert order == sorted(order), out
    assert (requests_of(env, f"/{files[0]}"), requests_of(env, f"/{files[1]}"), requests_of(env, f"/{files[2]}")) == ([200], [200, 200], [200])


def test_minio_stuck_during_an_upload_the_request_ends_after_stall_seconds_and_the_next_run_completes_it(env):
    """MinIO accepts an upload and never answers (a tap in front of it holds the first
    connection that sends more than 16 KiB, i.e. the first file's PUT (28 KB; a check sends 2-3 KB), TLS hiding the request
    line: a stuck disk, a frozen node): the request ends after STALL_SECONDS (curl
    --speed-limit/--speed-time in s3(); without them the run would hang for ever: --connect-timeout
    covers only the connection), the run fails naming the upload (HTTP 000); the restarted run,
    MinIO answering again, loads every file complete with the marker last. STALL_SECONDS is 2 here
    (60 in the manifest)."""
    from faults import Tap

    env.minio.start()
    make_buckets(env, "three")
    files = month_files(SERVED_MONTHS)
    target = env_value(container_named(job(env.charts["three"], LOAD), "load"), "TARGET")
    ((host, ip),) = env.hosts.items()
    tap = Tap((ip, env.minio.port), env.minio.port)
    tap.arm(None, hold=True, after_bytes=16 * 1024)
    cluster = env.cluster("three")
    cluster.hosts = {host: tap.address[0]}
    started = time.monotonic()
    try:
        history = run_job_until_done(cluster, job(env.charts["three"], LOAD), env.workdir, env={"load": {"STALL_SECONDS": "2"}}, timeout=120)
    finally:
        tap.close()
    assert tap.matched.is_set(), "no upload came"
    assert history.succeeded, history.output
    assert len(history.runs) == 2, history.output
    failed = history.runs[0].of("load")
    assert re.search(rf"^upload failed: {re.escape(target + files[0])}: HTTP 000$", failed.output, re.M), failed.output
    assert failed.seconds < 20, f"the held upload took {failed.seconds:.0f}s to end"
    assert_stored(env, "three", files, marker=True)
    assert time.monotonic() - started < 90


def test_month_gone_before_the_final_check_fails_the_job_without_a_marker(env):
    """A month present when the load looked (so not downloaded) but deleted while the load went
    on with the next month: the check after the loop notices it, and no marker claims the month."""
    env.minio.start()
    make_buckets(env, "two")
    assert load(env, "two").succeeded
    data, marker = data_location(env.charts["two"])
    first, second = month_files(VARIANTS["two"]["months"])
    env.minio.mc("rm", f"t/{marker}")  # an earlier load that did not finish: no marker,
    env.minio.mc("rm", f"t/{data}{second}")  # and its second month missing

    def on_request(path: str) -> None:
        if path == f"/{second}":
            env.minio.mc("rm", f"t/{data}{first}")

    env.mirror.on_request = on_request
    run = load(env, "two")
    assert not run.succeeded
    assert run.results[-1].container == "load", run.output
    assert f"present: {first}" in run.results[-1].output
    target = env_value(container_named(job(env.charts["two"], LOAD), "load"), "TARGET")
    assert f"missing after upload: {target}{first}" in run.results[-1].output
    assert marker.rpartition("/")[2] not in env.minio.objects(data)


def test_loads_one_file_at_a_time(env):
    """When a file is requested from the mirror, every file before it is in MinIO already and the
    scratch volume holds no other file: the scratch space needs to hold one file, whatever the number."""
    env.minio.start()
    make_buckets(env, "three")
    data, _ = data_location(env.charts["three"])
    files = month_files(SERVED_MONTHS)
    pods: list[Pod] = []
    seen: list[tuple[str, list[str], dict[str, int]]] = []

    def on_request(path: str) -> None:
        scratch = pods[0].volumes["work"]
        seen.append((path, sorted(env.minio.objects(data)), {f.name: f.stat().st_size for f in scratch.iterdir()}))

    env.mirror.on_request = on_request
    run = load(env, "three", on_pod=pods.append)
    assert run.succeeded, run.output
    assert [path for path, _, _ in seen] == [f"/{f}" for f in files]
    for i, (path, stored, scratch) in enumerate(seen):
        assert stored == sorted(files[:i]), (path, stored)
        # Only the file being loaded may be there (curl creates it when the first bytes arrive).
        assert set(scratch) <= {"download"} and sum(scratch.values()) == 0, (path, scratch)


def test_a_yellow_taxi_preset_loads_yellow_files(env):
    """Another S3FileLoad (test/jobs/synth-demo.ts): TlcTripData's yellow-taxi files, under its own prefix."""
    env.minio.start()
    make_buckets(env, "yellow")
    run = load(env, "yellow")
    assert run.succeeded, run.output
    files = month_files(YELLOW["months"], "yellow")
    stored = env.minio.objects(f"demo/{YELLOW['prefix']}")
    assert set(stored) == set(files) | {"_SUCCESS"}
    for f in files:
        assert env.minio.cat(f"demo/{YELLOW['prefix']}{f}") == (env.mirror.files / f).read_bytes()
    assert env.minio.cat(f"demo/{YELLOW['prefix']}_SUCCESS") == (" ".join(files) + "\n").encode()
    assert sorted(downloads(env)) == sorted(f"/{f}" for f in files)


def elf_interpreter(path: str) -> bool:
    """Whether the ELF file at `path` names a program interpreter (PT_INTERP): it is dynamically linked."""
    with open(path, "rb") as f:
        head = f.read(64)
        assert head[:4] == b"\x7fELF" and head[4] == 2, f"{path} is not a 64-bit ELF file"
        endian = "<" if head[5] == 1 else ">"
        phoff, = struct.unpack_from(endian + "Q", head, 0x20)
        phentsize, phnum = struct.unpack_from(endian + "HH", head, 0x36)
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            if struct.unpack(endian + "I", f.read(4))[0] == 3:  # PT_INTERP
                return True
    return False


def mc_image_container(image: str, name: str, command: list[str], volume: str) -> dict:
    """A container of the mc image as our Jobs run it (UID 10001, restricted), with a volume at /out."""
    return {"name": name, "image": image, "command": command,
            "securityContext": {"runAsUser": 10001, "runAsGroup": 10001, "readOnlyRootFilesystem": True},
            "env": [{"name": "MC_CONFIG_DIR", "value": "/out/.mc"}, {"name": "HOME", "value": "/out"}],
            "volumeMounts": [{"name": volume, "mountPath": "/out"}]}


def test_the_mc_image_lets_a_non_root_user_run_mc_but_not_copy_it(env):
    """The stand-in is not kinder than the image: /usr/bin/mc is root:root 0711 there
    (IMAGE_FILES; minio/mc Dockerfile.release ADD from a URL, chmod +x), so UID 10001 runs it and
    cannot read it. What the load Job of 0.3.0 did (an init container `cp /usr/bin/mc /mc-bin/mc`
    as UID 10001) fails here as it would on a cluster."""
    assert not elf_interpreter(env.tools.mc), f"{env.tools.mc} is dynamically linked; the mc release binary is static"
    mc = container_named(job(env.charts["two"], BUCKETS), "create-buckets")["image"]
    assert image_files()[image_repository(mc)]["files"][0] == {**image_files()[image_repository(mc)]["files"][0], "path": "/usr/bin/mc", "mode": 0o711, "uid": 0, "gid": 0}
    spec = {
        "securityContext": {"runAsNonRoot": True, "runAsUser": 10001, "runAsGroup": 10001, "fsGroup": 10001},
        "containers": [mc_image_container(mc, "copy-mc", ["cp", "/usr/bin/mc", "/out/mc"], "out"),
                       mc_image_container(mc, "mc-version", ["mc", "--version"], "out")],
        "volumes": [{"name": "out", "emptyDir": {}}],
    }
    pod = Pod(env.cluster("two"), spec, env.workdir)
    try:
        copied = pod.run("copy-mc")
        version = pod.run("mc-version")
    finally:
        pod.close()
    assert copied.returncode != 0 and "Permission denied" in copied.output, copied.output
    assert version.returncode == 0 and version.output.startswith("mc version "), version.output


def test_the_load_job_runs_mc_nowhere_and_its_pod_user_owns_nothing_of_the_image(env):
    """The load's one container runs in the curl image as UID 10001: its programs there (curl,
    the shell) belong to root; it writes only to its volumes."""
    spec = job(env.charts["two"], LOAD)["spec"]["template"]["spec"]
    assert [c["name"] for c in spec.get("initContainers", []) + spec["containers"]] == ["load"]
    (c,) = spec["containers"]
    assert image_repository(c["image"]) == "docker.io/curlimages/curl"
    assert (c["securityContext"]["runAsUser"], spec["securityContext"]["fsGroup"]) == (10001, 10001)
    assert not re.search(r"\bmc\b", c["command"][2])


# (MinIO's CA given to curl for every request, as SSL_CERT_FILE; leave out the curl image's CURL_CA_BUNDLE)
@pytest.mark.parametrize("leak,without_image_env,succeeds", [
    (False, (), True),
    (False, ("CURL_CA_BUNDLE",), True),
    (True, (), True),
    # The download fails certificate verification and is retried until the retries run out (31 s).
    pytest.param(True, ("CURL_CA_BUNDLE",), False, marks=pytest.mark.long),
], ids=["as-synthesized", "curl-image-without-CURL_CA_BUNDLE", "leak-hidden-by-the-image", "leak-without-CURL_CA_BUNDLE"])
def test_https_downloads_verify_against_the_public_cas_not_minios(env, leak, without_image_env, succeeds):
    """MinIO's CA goes to the signed S3 requests only (`--cacert`); downloads verify against the
    image's public CA bundle. Were MinIO's CA in SSL_CERT_FILE, curl would take it as its CA
    bundle unless CURL_CA_BUNDLE is set (curl 8.14.1 src/tool_operate.c cacertpaths()), which the
    curl image does, another curl image may not. The `leak` cases add SSL_CERT_FILE=<MinIO CA> to
    the container, to show that the test catches it."""
    env.minio.start()
    make_buckets(env, "https")
    load_job = copy.deepcopy(job(env.charts["https"], LOAD))
    if leak:
        c = load_job["spec"]["template"]["spec"]["containers"][0]
        c["env"].append({"name": "SSL_CERT_FILE", "value": env_value(c, "S3_CA_FILE")})
    cluster = env.cluster("https", public_ca_file=env.public_pki.ca_file, without_image_env=without_image_env)
    run = run_job(cluster, load_job, env.workdir)
    data, marker = data_location(env.charts["https"])
    url = f"{env.https_mirror.url}{month_files(VARIANTS['https']['months'])[0]}"
    assert url.startswith("https://")
    if succeeds:
        assert run.succeeded, run.output
        assert env.minio.cat(marker) == marker_bytes(VARIANTS["https"]["months"])
    else:
        assert not run.succeeded
        assert "SSL certificate problem" in run.output and f"download failed: {url}" in run.output, run.output


def test_s3_requests_refuse_a_minio_certificate_of_another_ca_and_wrong_credentials(env):
    """The signed requests verify MinIO against the secret-operator CA (S3_CA_FILE), and MinIO
    checks the signature: with another CA, or another secret key, the load never sees the bucket
    and gives up at its deadline, saying so, without writing anything."""
    env.minio.start()
    make_buckets(env, "two")
    data, marker = data_location(env.charts["two"])
    other_ca = env.public_pki.ca_file.read_text()
    for overrides in ({"S3_CA_FILE": "/tmp-other-ca/ca.crt"}, {"S3_SECRET_KEY": "not-the-secret-key"}):
        spec = copy.deepcopy(job(env.charts["two"], LOAD)["spec"]["template"]["spec"])
        c = spec["containers"][0]
        if "S3_CA_FILE" in overrides:
            spec["volumes"].append({"name": "other-ca", "emptyDir": {}})
            c["volumeMounts"].append({"name": "other-ca", "mountPath": "/tmp-other-ca"})
        pod = Pod(env.cluster("two"), spec, env.workdir)
        try:
            if "S3_CA_FILE" in overrides:
                (pod.volumes["other-ca"] / "ca.crt").write_text(other_ca)
            result = pod.run("load", {"WAIT_SECONDS": "2", **overrides}, timeout=60)
        finally:
            pod.close()
        assert result.returncode != 0, (overrides, result.output)
        assert re.search(r"^gave up after 2 s: bucket https://\S+/demo$", result.output, re.M), (overrides, result.output)
        assert env.minio.objects(data) == {}, overrides


# ---------------------------------------------------------------------------------------------
# MinIO not up yet: wait, then succeed; or give up at the deadline
# ---------------------------------------------------------------------------------------------


def anonymous(env: Env, method: str, path: str, data: bytes | None = None) -> int:
    """The HTTP status of an unsigned request to MinIO (TLS verified against the suite's CA)."""
    context = ssl.create_default_context(cafile=str(env.pki.ca_file))
    request = urllib.request.Request(f"https://{env.minio.ip}:{env.minio.port}/{path}", data=data, method=method)
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_bucket_policies_apply_to_anonymous_requests_and_a_rerun_keeps_them(env):
    """Each bucket's policy (as `mc anonymous set` means it) decides what an unsigned GET and PUT
    get; a bucket without a policy stays private. Run twice: the second run changes nothing."""
    env.minio.start()
    objects = env.charts["policies"]
    policies = dict(e.split("=") for e in env_value(container_named(job(objects, BUCKETS), "create-buckets"), "BUCKET_POLICIES").split())
    assert policies == {b["name"]: b["policy"] for b in POLICY_BUCKETS if isinstance(b, dict)}
    for run in range(2):
        make_buckets(env, "policies")
        assert env.minio.buckets() == sorted(b if isinstance(b, str) else b["name"] for b in POLICY_BUCKETS)
        for bucket in env.minio.buckets():
            env.minio.mc("pipe", f"t/{bucket}/object.txt", input=b"hello")
            policy = policies.get(bucket, "none")
            get, put = anonymous(env, "GET", f"{bucket}/object.txt"), anonymous(env, "PUT", f"{bucket}/anon-{run}.txt", b"x")
            assert get == (200 if policy in ("download", "public") else 403), (run, bucket, policy, get)
            assert put == (200 if policy in ("upload", "public") else 403), (run, bucket, policy, put)


def test_bucket_location_wait_blocks_until_the_bucket_job_made_the_bucket(env):
    """MinioBuckets.location(...)'s wait container (`mc stat` of the bucket, as the mc image runs
    it): MinIO up but the bucket missing, it keeps waiting; once the bucket Job ran, it passes."""
    env.minio.start()
    (consumer,) = [o for o in env.charts["policies"] if o["kind"] == "Pod" and o["metadata"]["name"] == "bucket-location-consumer"]
    spec = consumer["spec"]
    (wait,) = spec["initContainers"]
    bucket = env_value(wait, "BUCKET").split("/", 1)[1]
    assert bucket not in env.minio.buckets()
    pod = Pod(env.cluster("policies"), spec, env.workdir)
    running = pod.start(wait["name"])
    try:
        assert_blocks(running)
        assert_blocks(running, after=sum("waiting for " in line for line in running.lines))
        make_buckets(env, "policies")
        result = running.wait(30)
    finally:
        running.kill()
        pod.close()
    assert result.returncode == 0, result.output
    assert f"bucket present: minio/{bucket}" in result.output, result.output


def test_objects_under_wait_blocks_until_an_object_is_below_the_prefix(env):
    """MinioBuckets.objectsUnder(...)'s wait container (`mc ls --recursive` of the prefix, as the mc
    image runs it): the bucket there but empty, then an object beside the prefix (`tables/t/x`) and
    one under a sibling prefix that starts alike (`tables/t/metadata-old/`): it keeps waiting; once
    an object is below the prefix, it passes."""
    env.minio.start()
    make_buckets(env, "policies")
    (consumer,) = [o for o in env.charts["policies"] if o["kind"] == "Pod" and o["metadata"]["name"] == "objects-under-consumer"]
    spec = consumer["spec"]
    (wait,) = spec["initContainers"]
    prefix = env_value(wait, "PREFIX").split("/", 1)[1]
    assert prefix.endswith("/tables/t/metadata/"), prefix
    bucket = prefix.split("/", 1)[0]
    pod = Pod(env.cluster("policies"), spec, env.workdir)
    running = pod.start(wait["name"])
    try:
        assert_blocks(running)
        env.minio.mc("pipe", f"t/{bucket}/tables/t/x", input=b"beside")
        env.minio.mc("pipe", f"t/{bucket}/tables/t/metadata-old/v1.json", input=b"sibling")
        assert_blocks(running, after=sum("waiting for " in line for line in running.lines))
        env.minio.mc("pipe", f"t/{prefix}00000-a.metadata.json", input=b"{}")
        result = running.wait(30)
    finally:
        running.kill()
        pod.close()
    assert result.returncode == 0, result.output
    assert f"objects present under minio/{prefix}" in result.output, result.output


def test_bucket_job_waits_for_minio_then_succeeds(env):
    cluster = env.cluster("two")
    pod = Pod(cluster, job(env.charts["two"], BUCKETS)["spec"]["template"]["spec"], env.workdir)
    try:
        running = pod.start("create-buckets")
        assert running.wait_for_lines("waiting: mc ls minio", 1, timeout=30), running.output
        time.sleep(1)
        assert running.running(), running.output
        env.minio.start()
        result = running.wait(60)
    finally:
        pod.close()
    assert result.returncode == 0, result.output
    assert "buckets ready" in result.output
    assert env.minio.buckets() == sorted(env_value(pod.container("create-buckets"), "BUCKETS").split())


def test_load_job_waits_for_minio_and_the_bucket_then_succeeds(env):
    """Applied together: the load Job starts before MinIO and its buckets exist."""
    result = {}

    def run_load():
        result["run"] = load(env, "two")

    t = threading.Thread(target=run_load)
    t.start()
    time.sleep(7)  # at least one failed attempt and one 5 s pause of the load container
    assert t.is_alive(), "the load Job ended while MinIO was down"
    env.minio.start()
    time.sleep(6)  # MinIO is up, the bucket does not exist yet: still waiting
    assert t.is_alive(), "the load Job ended before its bucket existed"
    make_buckets(env, "two")
    t.join(60)
    run = result["run"]
    assert run.succeeded, run.output
    assert run.of("load").output.count("waiting for bucket https://") >= 2, run.output
    data, marker = data_location(env.charts["two"])
    assert env.minio.cat(marker) == marker_bytes(VARIANTS["two"]["months"])


@pytest.mark.parametrize("app,container", [(BUCKETS, "create-buckets"), (LOAD, "load")])
def test_scripts_give_up_at_their_deadline_with_a_clear_message(env, app, container):
    """MinIO never comes: the script fails once WAIT_SECONDS (the variable the manifest sets from
    the construct's waitSeconds prop, shortened here) have passed, saying what it waited for."""
    spec = job(env.charts["two"], app)["spec"]["template"]["spec"]
    pod = Pod(env.cluster("two"), spec, env.workdir)
    assert int(env_value(pod.container(container), "WAIT_SECONDS")) >= 60  # the manifest's deadline
    try:
        for init in spec.get("initContainers", []):  # (the load's copy of mc)
            assert pod.run(init["name"]).returncode == 0
        result = pod.run(container, {"WAIT_SECONDS": "3"}, timeout=60)
    finally:
        pod.close()
    assert result.returncode != 0, result.output
    # The deadline is in whole seconds (`date +%s`): it may come up to 1 s early.
    assert result.seconds >= 3 - 1, f"gave up after {result.seconds:.1f}s, before its deadline of 3 s: {result.output}"
    # One attempt (mc itself retries a refused connection for about 5 s; curl's connect timeout is 10 s) and one 5 s pause at most after the deadline.
    assert result.seconds < 3 + 5 + 12, result.output
    waited_for = {BUCKETS: r"mc ls minio", LOAD: r"bucket https://\S+/demo"}[app]
    assert re.search(rf"^gave up after 3 s: {waited_for}$", result.output, re.M), result.output


# ---------------------------------------------------------------------------------------------
# The Spark submit pod's wait for the data
# ---------------------------------------------------------------------------------------------


def start_wait(env: Env, variant: str):
    spec = wait_pod_spec(env.charts[variant])
    pod = Pod(env.cluster(variant), spec, env.workdir)
    return pod, pod.start(spec["initContainers"][0]["name"])


def assert_blocks(running, after: int = 0) -> None:
    """The wait looked at the marker (again, after `after` looks), did not accept it and goes on."""
    assert running.wait_for_lines("waiting for ", after + 1, timeout=20), running.output
    assert running.running(), running.output


def test_wait_for_data_blocks_while_minio_is_down_or_the_marker_missing_and_passes_once_the_load_wrote_it(env):
    pod, running = start_wait(env, "two")  # applied together with everything: MinIO is not up yet
    try:
        assert_blocks(running)
        env.minio.start()
        make_buckets(env, "two")
        assert_blocks(running, after=sum("waiting for " in line for line in running.lines))  # MinIO up, no marker
        assert load(env, "two").succeeded
        result = running.wait(30)
    finally:
        running.kill()
        pod.close()
    assert result.returncode == 0, result.output
    assert f"data present: {' '.join(month_files(VARIANTS['two']['months']))}" in result.output


def test_wait_for_metastore_blocks_until_the_metastore_host_resolves_and_its_port_accepts(env):
    """The submit pod's wait-for-metastore (HiveMetastore.waitForMetastoreContainer), as the mc
    image's bash runs it: no such host yet (the listener-operator has not made the Service), then
    a host that refuses, then a listener on the thrift port: it passes."""
    spec = wait_pod_spec(env.charts["two"])
    wait = next(c for c in spec["initContainers"] if c["name"] == "wait-for-metastore")
    host, port = env_value(wait, "METASTORE_HOST"), int(env_value(wait, "METASTORE_PORT"))
    ip, _ = free_loopback_address(port)
    hosts = dict(env.hosts)
    cluster = Cluster(env.charts["two"], env.pki.ca_pem, hosts, env.tools)
    listener = None
    pod = Pod(cluster, spec, env.workdir)  # its /etc/hosts without the metastore
    try:
        running = pod.start(wait["name"])
        assert_blocks(running)
        running.kill()
        pod.close()
        hosts[host] = ip  # resolves now, nothing listens
        pod = Pod(cluster, spec, env.workdir)
        running = pod.start(wait["name"])
        assert_blocks(running)
        assert_blocks(running, after=sum("waiting for " in line for line in running.lines))
        listener = socket.create_server((ip, port))
        result = running.wait(30)
    finally:
        running.kill()
        pod.close()
        if listener is not None:
            listener.close()
    assert result.returncode == 0, result.output
    assert f"Hive metastore answers at {host}:{port}" in result.output, result.output


# (A marker of fewer months is the months-change case below.)
@pytest.mark.parametrize("content", [b"loaded\n", marker_bytes(VARIANTS["two"]["months"]) + b"extra\n"], ids=["other-text", "extra-line"])
def test_wait_for_data_blocks_on_a_marker_with_other_content(env, content):
    env.minio.start()
    make_buckets(env, "two")
    _, marker = data_location(env.charts["two"])
    env.minio.mc("pipe", f"t/{marker}", input=content)
    pod, running = start_wait(env, "two")
    try:
        assert_blocks(running)
        env.minio.mc("pipe", f"t/{marker}", input=marker_bytes(VARIANTS["two"]["months"]))
        result = running.wait(30)
    finally:
        running.kill()
        pod.close()
    assert result.returncode == 0, result.output


def test_months_change_the_wait_does_not_accept_the_old_marker(env):
    """Two months loaded, then the chart asks for three: the new submit pod waits until the
    new load (which downloads only the added month) has written the new marker."""
    env.minio.start()
    make_buckets(env, "two")
    assert load(env, "two").succeeded
    pod, running = start_wait(env, "three")
    try:
        assert_blocks(running)
        env.mirror.requests.clear()
        run = load(env, "three")
        assert run.succeeded, run.output
        assert downloads(env) == [f"/{month_files(SERVED_MONTHS)[2]}"]
        result = running.wait(30)
    finally:
        running.kill()
        pod.close()
    assert result.returncode == 0, result.output
    _, marker = data_location(env.charts["three"])
    assert env.minio.cat(marker) == marker_bytes(SERVED_MONTHS)


def test_the_default_chart_runs_the_same_scripts(charts):
    """The variants differ from dist/'s chart only in env values (months, source URL)."""
    def scripts(variant):
        # Content-named Jobs and SparkApplications carry a hash of their spec, which the months change.
        return [(re.sub(r"-[0-9a-f]{8}/", "/", w), s) for w, _, s in shell_scripts(charts[variant])]
    assert scripts("default") == scripts("two") == scripts("three")
