"""Fixtures of the Superset import test (run by scripts/test-superset.sh, which starts Superset).

Environment set by the suite script:
  SUPERSET_URL             the running Superset 6.1.0 (loopback)
  SUPERSET_ADMIN_USER      its admin user
  SUPERSET_ADMIN_PASSWORD  and password
  SUPERSET_METADATA_DB     path of its SQLite metadata database
  SUPERSET_CONFIG_PATH     its superset_config.py (to read the stored Trino password)
  JOBS_*                   the jobs suite's tools, with which the import Job's pod runs (test/jobs/kubelet.py)
  JOBS_SUPERSET_VENV       the Superset venv, standing in for the Superset image's /stackable/app
"""

import copy
import datetime
import functools
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import requests

from fake_trino import FakeTrino

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "test" / "jobs"))
from kubelet import Cluster, Pod, Tools  # noqa: E402

SCRIPT = REPO / "constructs" / "superset" / "import_assets.py"
TABLE_JSON = REPO / "demos" / "spark-k8s-anomaly-detection-taxi-data" / "iforest-table.json"
TRINO_USER = "admin"
TRINO_PASSWORD = "trino-Pa55:word/with+specials"
PASSWORD_MASK = "XXXXXXXXXX"

# Synthetic results table: two days of 30-minute periods, a daily ride pattern, a few periods
# labelled as outliers (pred = -1) with a high score, and the second day anomalous as a whole
# (day_pred = -1 on its periods).
START = datetime.datetime(2024, 1, 1, 0, 0)
PERIODS = 96
OUTLIER_INDEXES = (13, 40, 77)
ANOMALOUS_DAY_INDEXES = range(48, 96)


def _rows():
    rows = []
    for i in range(PERIODS):
        ts = START + datetime.timedelta(minutes=30 * i)
        outlier = i in OUTLIER_INDEXES
        norides = int(1000 + 600 * math.sin(2 * math.pi * i / 48)) + (2500 if outlier else 0)
        rows.append({
            "pickup_ts": ts, "pickup_minute_group": f"{ts.minute:02d}", "pickup_hour": ts.hour,
            "pickup_year": ts.year, "pickup_month": ts.month, "pickup_dayofmonth": ts.day,
            "pickup_dayofweek": (ts.isoweekday() % 7) + 1, "norides": norides,
            "total_bill": round(norides * 21.5, 2), "avg_bill": 21.5,
            "norides_lag": None if i < 48 else norides, "pred": -1 if outlier else 1,
            "score": round(0.62 + 0.001 * i, 4) if outlier else round(0.38 + 0.0005 * i, 4),
            "day_pred": -1 if i in ANOMALOUS_DAY_INDEXES else 1,
        })
    return rows


IFOREST_ROWS = _rows()


def env(name):
    value = os.environ.get(name)
    if not value:
        pytest.exit(f"{name} is not set: run this test through scripts/test-superset.sh", returncode=2)
    return value


@pytest.fixture(scope="session")
def superset_url():
    return env("SUPERSET_URL")


@pytest.fixture(scope="session")
def admin():
    return env("SUPERSET_ADMIN_USER"), env("SUPERSET_ADMIN_PASSWORD")


@pytest.fixture(scope="session")
def metadata_db():
    return Path(env("SUPERSET_METADATA_DB"))


@pytest.fixture(scope="session")
def fake_trino(tmp_path_factory):
    trino = FakeTrino(tmp_path_factory.mktemp("trino-tls"), TRINO_USER, TRINO_PASSWORD, TABLE_JSON, IFOREST_ROWS)
    trino.start()
    yield trino
    trino.stop()


def write_bundle(out_dir, fake_trino, *extra):
    """Runs the TypeScript CLI that writes the anomaly demo's bundle (ConfigMap layout unless --tree)."""
    cmd = ["npx", "--no-install", "ts-node", "--transpile-only", "scripts/write-superset-bundle.ts", str(out_dir),
           "--trinoHost=127.0.0.1", f"--trinoPort={fake_trino.port}", f"--trinoUser={TRINO_USER}",
           f"--trinoCaFile={fake_trino.ca_file}", *extra]
    subprocess.run(cmd, cwd=REPO, check=True, capture_output=True, text=True)
    return out_dir


def configmap_mount(flat_dir, mount_dir):
    """Lays out flat_dir the way the kubelet mounts a ConfigMap: `..data` -> timestamped folder, keys as symlinks."""
    stamp = mount_dir / "..2026_01_01_00_00_00.000000001"
    stamp.mkdir(parents=True)
    for f in flat_dir.iterdir():
        if f.is_file() and not f.name.startswith("."):
            shutil.copy(f, stamp / f.name)
            (mount_dir / f.name).symlink_to(Path("..data") / f.name)
    (mount_dir / "..data").symlink_to(stamp.name)
    return mount_dir


def write_test_bundle(out_dir, fake_trino, source, *extra):
    """Runs test/superset/write-test-bundle.ts: a bundle of another source, in ConfigMap layout; returns its .bundle.json."""
    cmd = ["npx", "--no-install", "ts-node", "--transpile-only", "-r", "tsconfig-paths/register", "test/superset/write-test-bundle.ts", str(out_dir),
           f"--source={source}", "--trinoHost=127.0.0.1", f"--trinoPort={fake_trino.port}", f"--trinoUser={TRINO_USER}",
           f"--trinoCaFile={fake_trino.ca_file}", *extra]
    out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads((out_dir / ".bundle.json").read_text())


@pytest.fixture(scope="session")
def bundle(tmp_path_factory, fake_trino):
    """The bundle as the import Job sees it (mounted ConfigMap), its tree layout and bundle.json."""
    base = tmp_path_factory.mktemp("bundle")
    flat = write_bundle(base / "flat", fake_trino)
    tree = write_bundle(base / "tree", fake_trino, "--tree")
    mount = configmap_mount(flat, base / "mount")
    meta = json.loads((tree / "bundle.json").read_text())
    return {"flat": flat, "tree": tree, "mount": mount, "meta": meta}


@functools.cache
def import_job():
    """The DemoChart of default props (test/jobs/synth-demo.ts) and its SupersetAssetsImport Job,
    whose script ConfigMap holds constructs/superset/import_assets.py."""
    out = subprocess.run([str(REPO / "node_modules" / ".bin" / "ts-node"), "--transpile-only", str(REPO / "test" / "jobs" / "synth-demo.ts"),
                          json.dumps({"demo": {}})], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    objects = json.loads(out.stdout)["demo"]
    (job,) = [o for o in objects if o["kind"] == "Job" and o["metadata"].get("labels", {}).get("app.kubernetes.io/name") == "superset-import-assets"]
    return objects, job


def run_import(bundle_dir, superset_url, admin, trino_password=TRINO_PASSWORD, passwords=None, pod_security=None, **overrides):
    """Runs the import Job's pod as test/jobs/kubelet.py runs pods: its command (`python3
    /scripts/import_assets.py`, python3 found on the Superset image's PATH: the Superset venv at
    the image's /stackable/app, with the image's owners and modes) as its user and groups
    (`pod_security` changes its pod securityContext), its script ConfigMap, its emptyDir /tmp, a
    read-only root; `bundle_dir` stands in for its bundle ConfigMap (a hostPath volume at the same
    mount path). Its env holds the Job's variables with this test's values (DATABASE_PASSWORDS
    names one DATABASE_PASSWORD_<n> per database file), plus WAIT_INTERVAL_SECONDS; `overrides`
    set variables, None removes one. `passwords` maps database files to passwords; by default the
    anomaly bundle's databases/trino.yaml gets `trino_password`."""
    passwords = {"databases/trino.yaml": trino_password} if passwords is None else passwords
    variables = {file: f"DATABASE_PASSWORD_{i + 1}" for i, file in enumerate(sorted(passwords))}
    objects, job = import_job()
    spec = copy.deepcopy(job["spec"]["template"]["spec"])
    spec["securityContext"] = {**spec.get("securityContext", {}), **(pod_security or {})}
    (container,) = spec["containers"]
    literal = {e["name"]: e["value"] for e in container["env"] if "value" in e}
    job_env = {
        **literal,  # BUNDLE_DIR, HOME
        "SUPERSET_URL": superset_url,
        "SUPERSET_USERNAME": admin[0],
        "SUPERSET_PASSWORD": admin[1],
        "DATABASE_PASSWORDS": json.dumps(variables),
        **{variables[file]: password for file, password in passwords.items()},
        "WAIT_SECONDS": "60",
        "WAIT_INTERVAL_SECONDS": "1",
    }
    missing = {e["name"] for e in container["env"] if not e["name"].startswith("DATABASE_PASSWORD_")} - set(job_env)
    assert not missing, f"the Job sets {sorted(missing)}, which run_import does not"
    job_env.update({k: v for k, v in overrides.items() if v is not None})
    for k in [k for k, v in overrides.items() if v is None]:
        job_env.pop(k, None)
    container["env"] = [{"name": k, "value": v} for k, v in job_env.items()]
    (bundle_mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == literal["BUNDLE_DIR"]]
    spec["volumes"] = [{"name": v["name"], "hostPath": {"path": str(bundle_dir)}} if v["name"] == bundle_mount["name"] else v
                       for v in spec["volumes"]]
    pod = Pod(Cluster(objects, "", {}, Tools.from_env()), spec, Path(tempfile.gettempdir()))
    try:
        return subprocess.run(pod.command(container["name"]), env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=300)
    finally:
        pod.close()


@pytest.fixture(scope="session")
def api(superset_url, admin):
    """A requests session logged in to Superset's REST API as the admin."""
    s = requests.Session()
    r = s.post(f"{superset_url}/api/v1/security/login",
               json={"username": admin[0], "password": admin[1], "provider": "db", "refresh": False}, timeout=60)
    r.raise_for_status()
    s.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    s.headers["X-CSRFToken"] = s.get(f"{superset_url}/api/v1/security/csrf_token/", timeout=60).json()["result"]
    s.headers["Referer"] = superset_url + "/"
    base = superset_url

    class Api:
        def get(self, path, **kw):
            r = s.get(base + path, timeout=120, **kw)
            assert r.status_code == 200, f"GET {path}: {r.status_code} {r.text[:1000]}"
            return r.json()

        def post(self, path, body):
            r = s.post(base + path, json=body, timeout=120)
            assert r.status_code == 200, f"POST {path}: {r.status_code} {r.text[:2000]}"
            return r.json()

    return Api()


@pytest.fixture(scope="session")
def stored_trino_password():
    """Reads the Trino password Superset stored (encrypted with SECRET_KEY) through Superset's own models."""
    code = (
        "import sys\n"
        "from superset.app import create_app\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    from superset import db\n"
        "    from superset.models.core import Database\n"
        "    database = db.session.query(Database).filter_by(uuid=__import__('uuid').UUID(sys.argv[1])).one()\n"
        "    sys.stdout.write('PASSWORD=' + (database.password or ''))\n"
    )

    def read(database_uuid):
        out = subprocess.run([sys.executable, "-c", code, database_uuid], capture_output=True, text=True, timeout=180,
                             env=dict(os.environ, SUPERSET_LOG_LEVEL="error"))
        assert out.returncode == 0, out.stderr[-3000:]
        return out.stdout.rsplit("PASSWORD=", 1)[1]

    return read
