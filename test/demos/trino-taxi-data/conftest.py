"""The e2e session of the example app trino-taxi-data (scripts/test-e2e.sh, after the demo's):
the app synthesized by scripts/synth-example.ts into a temporary folder, its objects read from
there (test/e2e/world.ts --from-dir, which also computes the secret volumes and Trino's
certificate names), and every yellow file its load Job asks for generated small
(test/demos/yellow_generator.py) and served by a loopback mirror. The harness is the e2e
suite's (test/e2e/harness.py).
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "test" / "e2e"))
sys.path.insert(0, str(REPO / "test" / "demos"))
sys.path.insert(0, str(REPO / "test" / "trino"))
sys.path.append(str(REPO / "test" / "superset"))  # chart_api
from example_session import rewrite, synth_example  # noqa: E402
from harness import World, begin, report  # noqa: E402
from harness import hop_guard, pytest_runtest_makereport, pytest_terminal_summary, pytest_unconfigure  # noqa: E402,F401  (pytest finds them here)
from kubelet import Tools  # noqa: E402
from programs import load_job_files  # noqa: E402
from services import Mirror, free_loopback_address  # noqa: E402

EXAMPLE = "trino-taxi-data"
#: Generated trips per month (every month the example loads gets this many).
ROWS_PER_MONTH = int(os.environ.get("E2E_EXAMPLE_ROWS_PER_MONTH", "2000"))
#: The yellow file names of TlcTripData (demos/lib/tlc-trip-data.ts): the month in each.
YELLOW_FILE = re.compile(r"yellow_tripdata_(\d{4}-\d{2})\.parquet")


def load_files(objects: list[dict]) -> list[tuple[str, str]]:
    """(key, URL) per file of the S3FileLoad Job: its `load` container's FILES, one `key URL` a line."""
    jobs = [o for o in objects if o["kind"] == "Job" and o["metadata"].get("labels", {}).get("app.kubernetes.io/name") == "s3-file-load"]
    assert len(jobs) == 1, f"expected one S3FileLoad Job, found {len(jobs)}"
    return load_job_files(jobs[0])


@pytest.fixture(scope="session")
def world(tmp_path_factory):
    from yellow_generator import write_months

    workdir = tmp_path_factory.mktemp("e2e-example")
    started = time.monotonic()
    synth = synth_example(EXAMPLE, workdir)
    objects = synth["objects"]

    # The months are those the load Job downloads; every URL is <Stackable's mirror><key>.
    files = load_files(objects)
    prefixes = {url[: -len(key)] for key, url in files if url.endswith("/" + key)}
    assert len(prefixes) == 1 and len(files) == len({k for k, _ in files}), f"the load Job's URLs are not <one prefix><key>: {files[:3]}..."
    (stackable_mirror,) = prefixes
    months = []
    for key, _ in files:
        match = YELLOW_FILE.fullmatch(key)
        assert match, f"the load Job loads {key}, not a yellow trip file"
        months.append(match.group(1))
    served = workdir / "mirror"
    paths = write_months(months, rows_per_month=ROWS_PER_MONTH, out_dir=served, seed=7)
    mirror = Mirror(free_loopback_address(0), served)
    mirror.files = served
    # Not a property of the app: the test's stand-in for Stackable's mirror, in the objects' strings.
    changed = [0]
    objects = rewrite(objects, stackable_mirror, mirror.url, changed)
    assert changed[0] >= 1

    world = begin(World(objects, synth["secretVolumes"], workdir, Tools.from_env()), suite="e2e-example")
    world.state["trino_certificate_names"] = synth["trinoCertificateNames"]
    world.state["mirror"] = mirror
    world.state["months"] = months
    world.state["yellow_paths"] = paths
    world.hosts_file.write_text(world.hosts_text())
    report("setup", f"demos/{EXAMPLE} synthesized by scripts/synth-example.ts ({len(objects)} objects); its load Job asks for "
                    f"{len(months)} months ({months[0]}..{months[-1]}): {len(months)} x {ROWS_PER_MONTH} generated yellow trips "
                    f"served at {mirror.url}; Stackable's mirror prefix {stackable_mirror} rewritten to it in the objects "
                    f"({changed[0]} strings) ({time.monotonic() - started:.0f}s)")
    try:
        yield world
    finally:
        world.stop_all()
        mirror.close()

