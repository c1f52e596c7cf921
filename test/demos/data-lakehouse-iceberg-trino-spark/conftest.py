"""The e2e session of the example app data-lakehouse-iceberg-trino-spark (scripts/test-e2e.sh,
after the seed demo's): the app synthesized by scripts/synth-example.ts into a temporary folder and
read back (example_session.py), the brokers' certificate names from the library's model
(test/e2e/world.ts kafkaCertificateNames), and the feeds of its NiFi flow served by a loopback
mirror: a fixed batch in two rounds (feeds_fixture.py), the services' origins rewritten to the
mirror in the objects' strings (the flow's URLs), as the other sessions rewrite their data's.
NiFi itself does not run (its release is not on the registries this machine reaches): its flow,
as synthesized, is run by nifi_flow_standin.py, whose messages Kafka's own ConsoleProducer sends.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "test" / "e2e"))
sys.path.insert(0, str(REPO / "test" / "demos"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.append(str(REPO / "test" / "superset"))  # chart_api
from example_session import rewrite, synth_example  # noqa: E402
from harness import World, begin, report  # noqa: E402
from harness import hop_guard, pytest_runtest_makereport, pytest_terminal_summary, pytest_unconfigure  # noqa: E402,F401  (pytest finds them here)
from kubelet import Tools  # noqa: E402
from services import Mirror, free_loopback_address  # noqa: E402

EXAMPLE = "data-lakehouse-iceberg-trino-spark"
#: The feeds' origins in the app (demos/data-lakehouse-iceberg-trino-spark/feeds.ts) and their folder in the mirror.
ORIGINS = {"https://www.pegelonline.wsv.de/webservices/rest-api/v2/": "pegelonline/", "https://api.mobidata-bw.de/sharing/gbfs/v2/deer/": "gbfs/"}


@pytest.fixture(scope="session")
def world(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("e2e-lakehouse")
    started = time.monotonic()
    synth = synth_example(EXAMPLE, workdir)
    objects = synth["objects"]
    served = workdir / "mirror"
    served.mkdir()
    mirror = Mirror(free_loopback_address(0), served)
    changed = [0]
    for origin, folder in ORIGINS.items():
        before = changed[0]
        objects = rewrite(objects, origin, f"{mirror.url.rstrip('/')}/{folder}", changed)
        assert changed[0] > before, f"no object names {origin}"
    world = begin(World(objects, synth["secretVolumes"], workdir, Tools.from_env()), suite="e2e-lakehouse")
    world.state["trino_certificate_names"] = synth["trinoCertificateNames"]
    world.state["kafka_certificate_names"] = synth["kafkaCertificateNames"]
    world.state["mirror"] = mirror
    world.state["mirror_dir"] = served
    world.hosts_file.write_text(world.hosts_text())
    report("setup", f"demos/{EXAMPLE} synthesized by scripts/synth-example.ts ({len(objects)} objects); the feeds' origins "
                    f"{', '.join(ORIGINS)} rewritten to the mirror {mirror.url} ({changed[0]} strings) ({time.monotonic() - started:.0f}s)")
    try:
        yield world
    finally:
        world.stop_all()
        mirror.close()
