#!/usr/bin/env bash
# Suite "jobs": the shell scripts embedded in the synthesized manifests run for real, as their
# pods would run them (test/jobs/, pytest): the bucket bootstrap Job (buckets, policies, MinIO
# users: test_minio_users.py), the taxi-data load Job (an S3FileLoad: curl alone, signed S3
# requests, one file at a time: check, download, upload; marker; also a yellow-taxi preset and an
# HTTPS source; and under faults: MinIO killed or stuck mid-load, the mirror answering 5xx,
# stalling mid-file or 404, the Job's runs retried as
# its restartPolicy does, the final objects checked by size and sha256) and the Spark submit
# pod's wait-for-data init container, against a real MinIO with TLS from a test CA on a loopback
# address and loopback mirrors of generated taxi files (HTTP, and HTTPS with a stand-in public CA);
# plus `sh -n` with each image's shell and ShellCheck on every embedded script. See
# test/jobs/kubelet.py for what "as the pod would" covers.
#
# Tools, installed on first use and cached: scripts/lib/jobs-tools.sh (MinIO and mc from the Go
# module proxy at the images' releases, curl, BusyBox and bubblewrap from Debian packages, a venv).
# Usage: scripts/test-jobs.sh [PYTEST_ARGS...]   (or scripts/test.sh jobs). Needs Debian (apt-get,
# dpkg), Go, Python 3.11, node_modules (npm ci), and unprivileged user namespaces or root.
. "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

. "$REPO_ROOT/scripts/lib/jobs-tools.sh"

start=$(date +%s)
ensure_jobs_tools
venv="$JOBS_VENV"
log "jobs: tools ready ($(( $(date +%s) - start ))s)"

# no .pytest_cache nor __pycache__ in the repo
export PYTHONDONTWRITEBYTECODE=1
# The tests run in parallel (pytest-xdist): they mostly wait (for the scripts' pauses and retries,
# MinIO, the mirrors' stalls), using a small part of the CPU. Each worker has its own session
# fixtures: MinIO (on its own loopback address), the mirrors, the CA, the synthesized charts; a
# test still gets a stopped and wiped MinIO of its worker (conftest.py `env`).
exec "$venv/bin/python" -m pytest -p no:cacheprovider -q --durations=5 -n "${JOBS_WORKERS:-6}" test/jobs "$@"
