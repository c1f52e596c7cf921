"""The bucket Job's MinIO users (MinioBuckets `users`), run against a real MinIO: the DemoChart's
Job creates user `lakehouse` with its policy; the user reads and writes its buckets and nothing
else; a rerun is harmless and a changed secret key replaces the old one. The secret key reaches
`mc` on its standard input and appears in no log line.
"""

from __future__ import annotations

import subprocess

from kubelet import run_job
from test_jobs import BUCKETS, job, make_buckets


def user_env(env, variant: str) -> tuple[str, str, str]:
    """The first user of the variant's bucket Job: its Secret's access and secret key, its policy name."""
    container = job(env.charts[variant], BUCKETS)["spec"]["template"]["spec"]["containers"][0]
    resolved = env.cluster(variant).resolve_env(container)
    script = container["command"][2]
    policy = script.split("mc admin policy create minio ", 1)[1].split()[0]
    return resolved["USER_0_ACCESS_KEY"], resolved["USER_0_SECRET_KEY"], policy


def as_user(env, access_key: str, secret_key: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """The real `mc` with alias `u` for the user."""
    return subprocess.run([env.minio.mc_binary, "--no-color", *args], input=stdin, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(env.workdir), "MC_CONFIG_DIR": str(env.workdir / "mc-user"),
                               "SSL_CERT_FILE": str(env.pki.ca_file), "MC_HOST_u": f"https://{access_key}:{secret_key}@{env.minio.ip}:{env.minio.port}"})


def test_the_bucket_job_creates_the_lakehouse_user_with_access_to_its_buckets_only(env):
    env.minio.start()
    run = make_buckets(env, "two")
    access_key, secret_key, policy = user_env(env, "two")
    assert f"user ready: {access_key} (policy {policy})" in run.output, run.output
    assert secret_key not in run.output
    info = env.minio.mc("admin", "user", "info", "t", access_key).stdout.decode()
    assert policy in info, info
    for bucket in ("demo", "prediction"):
        put = as_user(env, access_key, secret_key, "pipe", f"u/{bucket}/probe.txt", stdin="probe")
        assert put.returncode == 0, put.stderr
        assert as_user(env, access_key, secret_key, "cat", f"u/{bucket}/probe.txt").stdout == "probe"
        assert as_user(env, access_key, secret_key, "rm", f"u/{bucket}/probe.txt").returncode == 0
    env.minio.mc("mb", "t/elsewhere")
    refused = {
        "list another bucket": as_user(env, access_key, secret_key, "ls", "u/elsewhere"),
        "create a bucket": as_user(env, access_key, secret_key, "mb", "u/mine"),
        "remove its bucket": as_user(env, access_key, secret_key, "rb", "--force", "u/demo"),
        "set a bucket policy": as_user(env, access_key, secret_key, "anonymous", "set", "public", "u/demo"),
        "admin API": as_user(env, access_key, secret_key, "admin", "user", "list", "u"),
    }
    assert {k: r.returncode for k, r in refused.items()} == {k: 1 for k in refused}, {k: r.stderr for k, r in refused.items()}
    assert env.minio.buckets() == ["demo", "elsewhere", "prediction"]


def test_a_rerun_keeps_the_user_and_a_changed_secret_key_replaces_the_old_one(env):
    env.minio.start()
    make_buckets(env, "two")
    access_key, secret_key, _ = user_env(env, "two")
    again = make_buckets(env, "two")
    assert "user ready" in again.output
    assert as_user(env, access_key, secret_key, "ls", "u/demo").returncode == 0
    changed = run_job(env.cluster("two"), job(env.charts["two"], BUCKETS), env.workdir,
                      env={"create-buckets": {"USER_0_SECRET_KEY": "a-new-secret-key"}})
    assert changed.succeeded, changed.output
    assert "a-new-secret-key" not in changed.output
    assert as_user(env, access_key, secret_key, "ls", "u/demo").returncode == 1
    assert as_user(env, access_key, "a-new-secret-key", "ls", "u/demo").returncode == 0
