"""The e2e session of the example app trino-iceberg (scripts/test-e2e.sh, after the other apps'):
the app synthesized by scripts/synth-example.ts into a temporary folder and read back
(example_session.py). The app's TrinoSqlJob copies TPC-H tables of the scale factor its
statements name (the guide's `sf5`); here they are copied from `tpch.tiny` (scale factor 0.01:
30M lineitem rows do not fit this suite's budget), rewritten in the objects' strings like the
mirror URL of the other sessions, and said so in the setup line. The harness is the e2e suite's
(test/e2e/harness.py).
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
from example_session import rewrite, synth_example  # noqa: E402
from harness import World, begin, report  # noqa: E402
from harness import hop_guard, pytest_runtest_makereport, pytest_terminal_summary, pytest_unconfigure  # noqa: E402,F401  (pytest finds them here)
from kubelet import Tools  # noqa: E402

EXAMPLE = "trino-iceberg"
#: The TPC-H schema of Trino's tpch connector the tables are copied from here (`tiny` is scale factor 0.01).
TPCH_SCHEMA = os.environ.get("E2E_TPCH_SCHEMA", "tiny")
#: A `tpch.<schema>.` reference in the app's statements.
TPCH_REFERENCE = re.compile(r"\btpch\.(\w+)\.")


@pytest.fixture(scope="session")
def world(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("e2e-trino-iceberg")
    started = time.monotonic()
    synth = synth_example(EXAMPLE, workdir)
    objects = synth["objects"]
    texts = [v for o in objects if o["kind"] == "ConfigMap" for v in (o.get("data") or {}).values()]
    schemas = {m for t in texts for m in TPCH_REFERENCE.findall(t)}
    assert len(schemas) == 1, f"the app's statements should copy from one tpch schema, found {sorted(schemas)}"
    (app_schema,) = schemas
    changed = [0]
    if app_schema != TPCH_SCHEMA:
        objects = rewrite(objects, f"tpch.{app_schema}.", f"tpch.{TPCH_SCHEMA}.", changed)
    world = begin(World(objects, synth["secretVolumes"], workdir, Tools.from_env()), suite="e2e-trino-iceberg")
    world.state["trino_certificate_names"] = synth["trinoCertificateNames"]
    world.state["tpch_schema"] = TPCH_SCHEMA
    world.state["app_tpch_schema"] = app_schema
    world.hosts_file.write_text(world.hosts_text())
    report("setup", f"demos/{EXAMPLE} synthesized by scripts/synth-example.ts ({len(objects)} objects); its statements copy "
                    f"tpch.{app_schema}, here tpch.{TPCH_SCHEMA} ({changed[0]} strings rewritten) ({time.monotonic() - started:.0f}s)")
    try:
        yield world
    finally:
        world.stop_all()
