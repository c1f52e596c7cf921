"""The main demo's e2e session (scripts/test-e2e.sh): the DemoChart synthesized in-process for the
generated months, served by a loopback mirror (the harness: harness.py)."""

from __future__ import annotations

import os
import sys
import time

import pytest

from harness import REPO, World, begin, report, synthesize
from harness import hop_guard, pytest_runtest_makereport, pytest_terminal_summary, pytest_unconfigure  # noqa: F401  (pytest finds them here)
from kubelet import Tools
from services import Mirror, free_loopback_address

sys.path.insert(0, str(REPO / "test" / "spark"))
sys.path.append(str(REPO / "test" / "superset"))

#: The months the demo loads here, and the rows each generated month has.
MONTHS = ["2020-09", "2020-10", "2020-11"]
ROWS_PER_MONTH = int(os.environ.get("E2E_ROWS_PER_MONTH", "700000"))


@pytest.fixture(scope="session")
def world(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("e2e")
    from fhvhv_generator import write_months

    started = time.monotonic()
    files = workdir / "mirror"
    write_months(MONTHS, rows_per_month=ROWS_PER_MONTH, out_dir=files, seed=7)
    mirror = Mirror(free_loopback_address(0), files)
    mirror.files = files
    synth = synthesize({"months": MONTHS, "dataSourceUrl": mirror.url})
    world = begin(World(synth["objects"], synth["secretVolumes"], workdir, Tools.from_env()))
    world.state["trino_certificate_names"] = synth["trinoCertificateNames"]
    world.state["spark_hive_catalog_conf"] = synth["sparkHiveCatalogConf"]
    world.state["mirror"] = mirror
    world.hosts_file.write_text(world.hosts_text())
    report("setup", f"DemoChart synthesized in-process ({len(world.objects)} objects, months {' '.join(MONTHS)}, "
                    f"data source {mirror.url}); {len(MONTHS)} months x {ROWS_PER_MONTH} generated trips served "
                    f"({time.monotonic() - started:.0f}s)")
    try:
        yield world
    finally:
        world.stop_all()
        mirror.close()


