"""The e2e suites' harness (scripts/test-e2e.sh): the `World` a session holds (the synthesized
objects, the test CA, the loopback addresses standing in for the cluster's Services and every
process the hops start), the report lines each hop prints, the guard that skips the hops after a
failed one, and the final count line. A suite's conftest.py imports the hooks and the guard from
here and defines its own session `world` fixture, which calls `begin(world)`.

Every server listens on its own 127.x.y.z address; a hosts file maps the Services' in-cluster
names to those addresses (for the JVMs: `-Djdk.net.hosts.file`; for the sandboxed containers:
their /etc/hosts). Processes are stopped by their PID when the session ends, also on failure.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "test" / "jobs"))
from kubelet import Cluster, Running, Tools  # noqa: E402
from services import free_loopback_address  # noqa: E402

#: The suite's name at the start of its report lines and count line (set by `begin`).
_suite = ["e2e"]
#: The session's World, once its fixture made it (the guard and the hooks look at it).
_current: list = [None]


def begin(world: "World", suite: str = "e2e") -> "World":
    """Makes `world` the session's World (for the guard and the failure report) and records the
    log of every container the session runs in it (`container_logs`, for the secret scan)."""
    _current[0] = world
    _suite[0] = suite
    _record_container_logs()
    return world


def _record_container_logs() -> None:
    """Every container run ends in kubelet's Running.wait (Pod.run, run_job) or Running.kill (a
    server the harness stops): both append (container, log) to the current World's container_logs."""
    if getattr(Running, "_recorded", False):
        return
    wait, kill = Running.wait, Running.kill

    def recorded_wait(self, timeout: float = 120):
        try:
            return wait(self, timeout)
        finally:
            _current[0].container_logs.append((self.name, self.output))

    def recorded_kill(self):
        kill(self)
        _current[0].container_logs.append((self.name, self.output))

    Running.wait, Running.kill, Running._recorded = recorded_wait, recorded_kill, True


def report(hop: str, text: str) -> None:
    """One line of what a hop checked, printed as it happens."""
    sys.stdout.write(f"{_suite[0]} {hop}: {text}\n")
    sys.stdout.flush()


@dataclass
class Process:
    """A process a hop started: its log file and how to stop it."""

    hop: str
    name: str
    log: Path
    popen: subprocess.Popen | None = None
    running: Running | None = None
    #: How it was started (World.start), to start it again after a fault.
    argv: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None

    def alive(self) -> bool:
        if self.running is not None:
            return self.running.running()
        return self.popen is not None and self.popen.poll() is None

    def stop(self) -> None:
        if self.running is not None:
            self.running.kill()
            self.log.write_text(self.running.output)
            return
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()  # by PID (the process leads its own session)
            try:
                self.popen.wait(30)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(10)

    def kill(self) -> None:
        """SIGKILL to its whole process group at once, as when its node dies: no shutdown of
        its own (a database does crash recovery when it starts again)."""
        assert self.popen is not None, f"{self.name}: only a process World.start started can be killed"
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(30)

    def relaunch(self) -> None:
        """Starts it again with the same command, environment and directory (its log goes on).
        Call it from the test's own thread: the process gets SIGTERM when the thread that started
        it ends (PR_SET_PDEATHSIG, _die_with_parent), so one started from a helper thread would die
        with that thread."""
        assert self.popen is not None and self.popen.poll() is not None, f"{self.name} still runs"
        with open(self.log, "ab") as out:
            out.write(f"\n--- started again by the harness at {time.strftime('%H:%M:%S')} ---\n".encode())
            out.flush()
            self.popen = subprocess.Popen(self.argv, stdout=out, stderr=subprocess.STDOUT, env=self.env, cwd=self.cwd,
                                          start_new_session=True, preexec_fn=_die_with_parent)

    def tail(self, lines: int = 60) -> str:
        if self.running is not None:
            text = self.running.output
        else:
            text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class World:
    objects: list[dict]
    secret_volumes: list[dict]
    workdir: Path
    tools: Tools
    hosts: dict[str, str] = field(default_factory=dict)  # in-cluster DNS name -> loopback IP
    processes: list[Process] = field(default_factory=list)
    failed_hop: str | None = None
    state: dict = field(default_factory=dict)
    #: (container name, log) of every container run so far (see begin)
    container_logs: list[tuple[str, str]] = field(default_factory=list)

    # -- objects -----------------------------------------------------------------------------
    def of_kind(self, kind: str) -> list[dict]:
        return [o for o in self.objects if o["kind"] == kind]

    def one(self, kind: str, name: str | None = None, app: str | None = None) -> dict:
        found = [o for o in self.of_kind(kind) if (name is None or o["metadata"]["name"] == name)
                 and (app is None or o["metadata"].get("labels", {}).get("app.kubernetes.io/name") == app)]
        assert len(found) == 1, f"expected one {kind} (name={name}, app={app}), found {len(found)}"
        return found[0]

    # -- addresses ---------------------------------------------------------------------------
    def address(self, dns_name: str, port: int) -> str:
        """A loopback address where `port` is free, for the Service `dns_name` (cluster DNS)."""
        if dns_name not in self.hosts:
            self.hosts[dns_name], _ = free_loopback_address(port)
            self.hosts_file.write_text(self.hosts_text())
        return self.hosts[dns_name]

    def hosts_text(self, overrides: dict[str, str] | None = None) -> str:
        """As a pod's /etc/hosts: localhost, its own host name, and the Services (cluster DNS),
        with `overrides` (name -> address) instead of their own addresses."""
        hosts = {**self.hosts, **(overrides or {})}
        return f"127.0.0.1 localhost {socket.gethostname()}\n" + "".join(f"{ip} {name}\n" for name, ip in hosts.items())

    @property
    def hosts_file(self) -> Path:
        return self.workdir / "hosts"

    def cluster(self) -> Cluster:
        return Cluster(self.objects, self.state["pki"].ca_pem, self.hosts, self.tools, self.secret_volume_files)

    def secret_volume_files(self, volume: dict) -> dict[str, str]:
        """What the secret-operator writes into this volume: the files its annotations name
        (test/e2e/world.ts), a certificate for the names of its scope from the test CA."""
        found = [v for v in self.secret_volumes if v["volume"] == volume["name"]]
        assert len(found) == 1, f"secret volume {volume['name']}: {len(found)} matches in world.ts output"
        files, names = found[0]["files"], found[0]["dnsNames"]
        pki = self.state["pki"]
        assert self.state["pki_names"] == names, f"the test certificate is for {self.state['pki_names']}, the volume's scope gives {names}"
        content = {"cert-name": pki.cert_pem, "key-name": pki.key_pem, "ca-name": pki.ca_pem}
        return {file: content[option] for option, file in files.items()}

    # -- processes ---------------------------------------------------------------------------
    def start(self, hop: str, name: str, argv: list[str], env: dict[str, str], cwd: Path | None = None) -> Process:
        log = self.workdir / "logs" / f"{name}.log"
        log.parent.mkdir(exist_ok=True)
        with open(log, "ab") as out:
            popen = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True,
                                     preexec_fn=_die_with_parent)
        proc = Process(hop, name, log, popen=popen, argv=argv, env=env, cwd=cwd)
        self.processes.append(proc)
        return proc

    def adopt(self, hop: str, name: str, running: Running) -> Process:
        proc = Process(hop, name, self.workdir / "logs" / f"{name}.log", running=running)
        proc.log.parent.mkdir(exist_ok=True)
        self.processes.append(proc)
        return proc

    def process(self, name: str) -> Process:
        (found,) = [p for p in self.processes if p.name == name]
        return found

    def stop_all(self) -> None:
        for proc in reversed(self.processes):
            proc.stop()


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when pytest dies without its finalizers (e.g. killed by a
    timeout), so no server outlives the suite (Linux prctl PR_SET_PDEATHSIG; kept across exec)."""
    import ctypes
    import signal

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


def synthesize(props: dict | None = None, from_dir: Path | None = None) -> dict:
    """test/e2e/world.ts: the DemoChart of `props`, or the objects of the YAML files in `from_dir`;
    with the secret volumes and the Trino coordinator's certificate names."""
    args = ["--from-dir", str(from_dir)] if from_dir is not None else [json.dumps(props or {})]
    out = subprocess.run(
        [str(REPO / "node_modules" / ".bin" / "ts-node"), "--transpile-only", str(HERE / "world.ts"), *args],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)



# Hops run in file order; a later hop needs the earlier ones, so after a failure it is skipped.
@pytest.fixture(autouse=True)
def hop_guard(request):
    world = _current[0]
    if world is not None and world.failed_hop is not None:
        pytest.skip(f"needs {world.failed_hop}, which failed")
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    world = _current[0]
    if rep.when == "call" and rep.failed and world is not None:
        hop = item.name.split("_")[1]
        world.failed_hop = hop
        logs = [p for p in world.processes if p.hop == hop]
        for p in logs:
            rep.sections.append((f"log of {p.name} (last lines)", p.tail()))


def pytest_terminal_summary(terminalreporter):
    stats = terminalreporter.stats
    passed = len(stats.get("passed", []))
    failed = len(stats.get("failed", [])) + len(stats.get("error", []))
    skipped = len(stats.get("skipped", []))
    _counts.append(f"{_suite[0]}: {passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))


_counts: list[str] = []


def pytest_unconfigure(config):
    """The count line last, after pytest's own summary."""
    for line in _counts:
        sys.stdout.write(line + "\n")
    sys.stdout.flush()
