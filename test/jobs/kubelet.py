"""Runs containers of synthesized pod specs on this machine the way the kubelet runs them.

Everything comes from the synthesized objects: command and args, the environment (literal values,
Secret and ConfigMap references resolved from the chart's own objects, `$(VAR)` references
expanded as Kubernetes does), the volumes (emptyDir -> a temporary directory shared by the
pod's containers; configMap -> its keys as files; the ConfigMap a secret-operator TrustStore
publishes -> the test CA; persistentVolumeClaim -> an empty directory; a secret-operator
ephemeral volume -> the files the caller says it writes; hostPath -> that directory of this
machine) mounted at their mountPaths, a
container without `command` runs its image's entrypoint with its args, a read-only root file
system, and the user of the security context as a real UID: the process runs with the pod's
runAsUser, runAsGroup and, as supplementary groups, its fsGroup and supplementalGroups (setpriv,
after bubblewrap set up the mounts as root; no capabilities, no_new_privs), so the kernel checks
every file access as on a node. Each container runs in a bubblewrap sandbox (its own mount and pid
namespaces; the host network) whose root has:
  - /usr/bin/sh (and /bin/sh) = the shell of the kind the container's image has (IMAGE_RUNTIMES),
  - the image's programs (mc, curl, minio, java, the Trino CLI) at the paths the image has them, and
    its CA bundle, each with the owner, group and mode the image gives it
    (constructs/core/image-files.ts IMAGE_FILES: e.g. the mc image's /usr/bin/mc is root:root
    0711, which UID 10001 may run but not read), as are the image's directories listed there;
    for an image with a JRE, this machine's Java home, read-only at its own path,
  - for an image with a Python venv (the Superset image's /stackable/app), the stand-in venv's
    entries inside the image's venv directory (which keeps the image's owner and mode), and the
    installation of its base interpreter read-only at its own path (parents 0755), that
    interpreter installed with the owner and mode the image gives the venv's python3,
  - /etc/hosts mapping in-cluster Service names to loopback addresses (what cluster DNS does),
  - the volumes at their mountPaths, nothing else writable.

The image's environment variables that matter to the scripts (IMAGE_RUNTIMES: PATH, curl's
CURL_CA_BUNDLE) are set, and its public CA bundle holds this machine's public CAs, or a test CA
standing in for them (Cluster.public_ca_file).

What is *not* reproduced: the image's JRE, CLI and Python versions (this machine's Java,
TRINO_CLI_JAR and the venv's Python stand in for them), other image environment variables,
Service links env vars (none of our scripts reads them), resource limits, the back-off between
a Job's runs (run_job runs one pod; run_job_until_done runs a Job's retries as restartPolicy says, at once).
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

# ---------------------------------------------------------------------------------------------
# What the images run the scripts with. Each fact with its source; test_jobs.py checks that
# every image our objects use is listed here (an unknown image fails the suite).
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageRuntime:
    """How a container of an image runs a `/bin/sh -c` script."""

    #: Which shell /bin/sh is: 'bash' (bash started as sh: POSIX mode), 'busybox' (BusyBox ash), 'dash'.
    shell: str
    #: The image's PATH.
    path: str
    #: Why: where the fact comes from.
    source: str
    #: Programs of the image the scripts call, besides the shell: a name is in /usr/bin, an absolute
    #: path is where the image has it (the stand-in is Tools.program of its file name).
    programs: tuple[str, ...] = ()
    #: What runs a container that gives only `args` (the image's ENTRYPOINT and its effect).
    entrypoint: tuple[str, ...] = ()
    #: The image's environment besides PATH (its ENV lines), under the container's own variables.
    env: tuple[tuple[str, str], ...] = ()
    #: The file of the image's public CA bundle its programs verify servers against ('' if none).
    ca_bundle: str = ""
    #: Where the image has a Python venv ('' if none); its stand-in is Tools.superset_venv, a venv
    #: of this machine (found through its pyvenv.cfg, which works wherever it is mounted as long as
    #: its Python is run by its bin/ path).
    venv: str = ""


#: Where the Stackable trino-cli image has the CLI (constructs/trino/trino-sql-job.ts TRINO_CLI).
TRINO_CLI = "/stackable/trino-cli/trino-cli"

#: The JVM options of the executable jar's stub (trino-cli 476, the jar's first lines), which the
#: image runs as its CLI; the stand-in launcher runs the jar with them.
TRINO_CLI_JVM_OPTIONS = ("-Xmx1G", "--enable-native-access=ALL-UNNAMED", "-XX:+IgnoreUnrecognizedVMOptions")

IMAGE_RUNTIMES: dict[str, ImageRuntime] = {
    # minio/mc tag RELEASE.2025-04-16T18-13-26Z, Dockerfile.release: `FROM
    # registry.access.redhat.com/ubi9/ubi-micro`, mc at /usr/bin/mc, and a `RUN chmod` in that
    # stage, which Docker runs with /bin/sh -c: ubi-micro has a /bin/sh, and in RHEL /bin/sh is
    # the bash package's symlink to bash (ubi-micro's package set: bash, coreutils-single, glibc,
    # ... e.g. github.com/fatherlinux/ubi-micro issue 5). bash started as `sh` runs in POSIX mode.
    "quay.io/minio/mc": ImageRuntime(
        shell="bash",
        path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        source="minio/mc RELEASE.2025-04-16T18-13-26Z Dockerfile.release (ubi9/ubi-micro: /bin/sh is bash)",
        programs=("mc",),
    ),
    # curl/curl-container tag 8.14.1, Makefile: base=docker.io/alpine:3.22.0 and
    # create_base_image.sh copies curl to /usr/bin/curl: Alpine's /bin/sh is BusyBox ash, and
    # grep, mv, ... are BusyBox applets.
    # create_base_image.sh also downloads curl.se's CA bundle to /cacert.pem and sets
    # `ENV CURL_CA_BUNDLE=/cacert.pem`, which curl reads before SSL_CERT_FILE (curl 8.14.1
    # src/tool_operate.c cacertpaths()).
    "docker.io/curlimages/curl": ImageRuntime(
        shell="busybox",
        path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        source="curl/curl-container 8.14.1 Makefile and create_base_image.sh (alpine:3.22.0: /bin/sh is BusyBox ash; CURL_CA_BUNDLE=/cacert.pem)",
        programs=("curl",),
        env=(("CURL_CA_BUNDLE", "/cacert.pem"),),
        ca_bundle="/cacert.pem",
    ),
    # minio/minio tag RELEASE.2025-04-22T22-12-26Z, Dockerfile.release: `FROM
    # registry.access.redhat.com/ubi9/ubi-micro` (so /bin/sh is bash, as for mc), minio at
    # /usr/bin/minio, `ENTRYPOINT ["/usr/bin/docker-entrypoint.sh"]`; dockerscripts/docker-entrypoint.sh
    # puts `minio` before arguments that do not start with it and, without MINIO_USERNAME and
    # MINIO_GROUPNAME (our Deployment sets neither), ends in `exec "$@"`: args `server ...` run
    # `minio server ...`.
    "quay.io/minio/minio": ImageRuntime(
        shell="bash",
        path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        source="minio/minio RELEASE.2025-04-22T22-12-26Z Dockerfile.release and dockerscripts/docker-entrypoint.sh",
        programs=("minio",),
        entrypoint=("minio",),
    ),
    # stackabletech/docker-images 26.7.0 trino-cli/Dockerfile: FROM java-base, `WORKDIR
    # /stackable/trino-cli`, the CLI downloaded as trino-cli-${PRODUCT_VERSION} (Trino's executable
    # jar: a `#!/bin/sh` stub `exec java -Xmx1G ... -jar "$0" "$@"` before the jar) and linked as
    # trino-cli, `USER ${STACKABLE_USER_UID}` (1000), no ENV PATH. java-base/Dockerfile: the
    # temurin-${PRODUCT_VERSION}-jre package (its `java` on PATH, /usr/bin/java), FROM vector, FROM
    # stackable-base, FROM registry.access.redhat.com/ubi9/ubi-minimal: /bin/sh is bash (RHEL's bash
    # package, as in ubi-micro above), PATH is UBI's. Stand-ins: TRINO_CLI_JAR (Trino 476) run by a
    # launcher with the stub's options, and this machine's Java (Tools.java).
    "oci.stackable.tech/sdp/trino-cli": ImageRuntime(
        shell="bash",
        path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        source="stackabletech/docker-images 26.7.0 trino-cli/Dockerfile and java-base/Dockerfile (ubi9/ubi-minimal: /bin/sh is bash; java in /usr/bin)",
        programs=("java", TRINO_CLI),
    ),
    # stackabletech/docker-images 26.7.0 superset/Dockerfile: the venv /stackable/app (`python3.12
    # -m venv`), `ENV PATH="${HOME}/app/bin:${PATH}"` (HOME /stackable), FROM stackable-base, FROM
    # registry.access.redhat.com/ubi9/ubi-minimal: /bin/sh is bash. Its `python3` is the venv's
    # (IMAGE_FILES: /stackable/app/bin/python3); stand-in: Tools.superset_venv (Superset 6.1.0's
    # requirements, this machine's Python).
    "oci.stackable.tech/sdp/superset": ImageRuntime(
        shell="bash",
        path="/stackable/app/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        source="stackabletech/docker-images 26.7.0 superset/Dockerfile (venv /stackable/app first on PATH) and stackable-base/Dockerfile (ubi9/ubi-minimal: /bin/sh is bash)",
        programs=("/stackable/app/bin/python3",),
        venv="/stackable/app",
    ),
    # docker-library/postgres 17/bookworm/Dockerfile: FROM debian:bookworm-slim, whose /bin/sh is
    # dash. Only its readiness probe is a shell script here; it is parsed and linted, not run.
    "docker.io/library/postgres": ImageRuntime(
        shell="dash",
        path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        source="docker-library/postgres 17/bookworm Dockerfile (debian:bookworm-slim: /bin/sh is dash)",
    ),
}


REPO = Path(__file__).resolve().parent.parent.parent
_IMAGE_FILES: dict | None = None


def image_files() -> dict:
    """constructs/core/image-files.ts IMAGE_FILES (repository -> {user, path, entrypoint, files}),
    the facts the contract checks and the stand-ins reproduce; read once from the TypeScript."""
    global _IMAGE_FILES
    if _IMAGE_FILES is None:
        code = "console.log(JSON.stringify(require('./constructs/core/image-files').IMAGE_FILES))"
        out = subprocess.run(["npx", "--no-install", "ts-node", "--transpile-only", "-e", code], cwd=REPO,
                             capture_output=True, text=True, check=True, timeout=120)
        _IMAGE_FILES = json.loads(out.stdout)
    return _IMAGE_FILES


def image_file(image: str, path: str) -> dict:
    """The fact of `path` in `image` (owner, group, mode): a stand-in placed there gets exactly these."""
    facts = image_files().get(image_repository(image))
    found = [f for f in (facts or {}).get("files", []) if f["path"] == path]
    if not found:
        raise KeyError(f"image {image}: no fact for {path} in IMAGE_FILES (constructs/core/image-files.ts): add its owner, group and mode, with the build file")
    return found[0]


_INSTALLED = Path(tempfile.mkdtemp(prefix="kubelet-image-files-"))
atexit.register(shutil.rmtree, _INSTALLED, True)


def install_as(src: str | Path, dest: Path | None, fact: dict) -> Path:
    """A copy of `src` owned and moded as `fact` says (the image's file): at `dest`, or (None) in
    a folder of this process, made once per file and fact."""
    if dest is None:
        st = os.stat(src)
        key = hashlib.sha256(f"{os.path.realpath(src)} {st.st_size} {st.st_mtime_ns} {fact['uid']} {fact['gid']} {fact['mode']}".encode()).hexdigest()[:16]
        dest = _INSTALLED / key / Path(src).name
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".tmp")
        shutil.copyfile(src, tmp)
        os.chown(tmp, fact["uid"], fact["gid"])
        os.chmod(tmp, fact["mode"])
        os.replace(tmp, dest)
    return dest


def image_repository(image: str) -> str:
    """`quay.io/minio/mc:RELEASE...` -> `quay.io/minio/mc` (tag and digest dropped)."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return name[: len(name) - len(last)] + last.split(":", 1)[0]


def image_tag(image: str) -> str:
    last = image.split("@", 1)[0].rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else ""


def runtime_of(image: str) -> ImageRuntime:
    repo = image_repository(image)
    if repo not in IMAGE_RUNTIMES:
        raise KeyError(f"image {image}: no entry in IMAGE_RUNTIMES (test/jobs/kubelet.py): add its shell and programs, with the source")
    return IMAGE_RUNTIMES[repo]


@dataclass(frozen=True)
class Tools:
    """The programs that stand in for the images' (paths on this machine), see scripts/test-jobs.sh."""

    bwrap: str
    bash: str
    dash: str
    busybox: str
    mc: str
    curl: str
    libcurl: str  # the libcurl.so.4.* the curl build needs (bound over the system's in the sandbox)
    minio: str = ""  # the MinIO server (only suites that run its Deployment need it)
    java: str = ""  # this machine's `java` (for the images with a JRE); its Java home is bound read-only at its own path
    java_options: tuple[str, ...] = ()  # JVM options the stand-in `java` adds (e.g. -Djdk.net.hosts.file=...)
    trino_cli_jar: str = ""  # the Trino CLI's executable jar (TRINO_CLI_JAR) for the trino-cli image's CLI
    superset_venv: str = ""  # a venv of Superset's requirements (JOBS_SUPERSET_VENV) for the Superset image's /stackable/app

    @staticmethod
    def from_env() -> "Tools":
        env = os.environ
        return Tools(
            bwrap=env["JOBS_BWRAP"], bash=shutil.which("bash") or "/bin/bash", dash=shutil.which("dash") or "/bin/dash",
            busybox=env["JOBS_BUSYBOX"], mc=env["JOBS_MC"], curl=env["JOBS_CURL"], libcurl=env["JOBS_LIBCURL"],
            minio=env.get("JOBS_MINIO", ""), java=env.get("JOBS_JAVA") or shutil.which("java") or "",
            trino_cli_jar=env.get("TRINO_CLI_JAR", ""), superset_venv=env.get("JOBS_SUPERSET_VENV", ""),
        )

    def shell(self, kind: str) -> str:
        return {"bash": self.bash, "busybox": self.busybox, "dash": self.dash}[kind]

    def program(self, name: str) -> str:
        return {"mc": self.mc, "curl": self.curl, "minio": self.minio}[name]

    def java_home(self) -> Path:
        """The Java home of `java` (bin/java's parent's parent, links resolved)."""
        assert self.java, "no Java on this machine (PATH or JOBS_JAVA): the image's JRE has no stand-in"
        return Path(os.path.realpath(self.java)).parent.parent

    def launchers(self) -> dict[str, str]:
        """Stand-ins that are scripts (name -> text), run in the sandbox: `java` (this machine's,
        with java_options) and `trino-cli` (the CLI jar, run as its executable jar's stub runs it)."""
        out: dict[str, str] = {}
        if self.java:
            java = " ".join(shlex.quote(a) for a in (str(self.java_home() / "bin" / "java"), *self.java_options))
            out["java"] = f'#!/bin/sh\nexec {java} "$@"\n'
        if self.trino_cli_jar:
            opts = " ".join(shlex.quote(a) for a in TRINO_CLI_JVM_OPTIONS)
            out["trino-cli"] = f'#!/bin/sh\nexec java {opts} -jar {TOOLS_DIR}/trino-cli.jar "$@"\n'
        return out

    def parse_only(self, kind: str, script: str) -> subprocess.CompletedProcess:
        """`sh -n -c SCRIPT` with the shell of `kind`, started as `sh` (bash then runs in POSIX mode)."""
        return subprocess.run(["sh", "-n", "-c", script], executable=self.shell(kind), capture_output=True, text=True, timeout=30)


#: Where the sandbox sees this machine's /usr/bin and the stand-in programs (links in the image's /usr/bin point there).
HOST_BIN = "/run/host/usr/bin"
TOOLS_DIR = "/run/tools"


def with_parents(argv: list[str]) -> list[str]:
    """`argv` (bwrap options) with every directory above a mount point created with mode 0755
    just before that mount, as a container runtime creates missing mount points (bubblewrap would
    make them 0700, which only root may enter): also below a tmpfs mounted earlier (e.g. the
    /etc/minio of /etc/minio/certs when /etc is a tmpfs). Directories inside a bound one must
    exist there."""
    one, two = {"--tmpfs", "--proc", "--dev", "--dir"}, {"--bind", "--ro-bind", "--symlink"}

    def target_of(i: int) -> str | None:
        return argv[i + 2] if argv[i] in two else argv[i + 1] if argv[i] in one else None

    targets = {t for i in range(len(argv)) if (t := target_of(i)) is not None}
    out = argv[:1]
    created: set[str] = set()
    bound: list[str] = []  # directories bound so far: what is below them is there already
    i = 1
    while i < len(argv):
        op = i + 2 if argv[i] == "--perms" else i  # --perms MODE belongs to the operation after it
        target = target_of(op) if op < len(argv) else None
        if target is None:
            out.append(argv[i])
            i += 1
            continue
        for parent in reversed(Path(target).parents[:-1]):  # /a, /a/b, ... (not /)
            p = str(parent)
            if p in targets or p in created or any(p.startswith(b + "/") for b in bound):
                continue
            out += ["--perms", "0755", "--dir", p]
            created.add(p)
        if argv[op] in ("--bind", "--ro-bind"):
            bound.append(target)
        end = op + (3 if argv[op] in two else 2)
        out += argv[i:end]
        i = end
    return out


#: The capabilities setpriv needs in the sandbox (as_pod_user): CAP_SETUID and CAP_SETGID to
#: become the pod's user and groups, CAP_SETPCAP to empty the bounding set. No others: setpriv
#: keeps its capabilities across the UID change (PR_SET_KEEPCAPS) until it execs the command, so
#: with CAP_DAC_OVERRIDE or CAP_DAC_READ_SEARCH the command itself would be found and run where
#: the pod's user may not reach (e.g. through the Superset image's /stackable, 0770).
SETPRIV_CAPS = ("CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP")


def as_pod_user(spec: dict, c: dict) -> list[str]:
    """The prefix that runs a command as container `c` of the pod `spec` runs: as root in the
    sandbox (after the mounts), setpriv becomes for real its runAsUser and runAsGroup (the
    container's securityContext over the pod's), with the pod's fsGroup and supplementalGroups as
    supplementary groups, no capabilities and no_new_privs (allowPrivilegeEscalation: false);
    setpriv then looks the command's first word up in the sandbox's PATH (execvp), as the
    container runtime does. The sandbox must leave it only SETPRIV_CAPS."""
    pod_sc = spec.get("securityContext", {})
    sc = {**pod_sc, **c.get("securityContext", {})}
    uid, gid = sc.get("runAsUser"), sc.get("runAsGroup", sc.get("runAsUser"))
    assert uid is not None, f"container {c['name']}: no runAsUser (the image's user is not reproduced)"
    groups = [g for g in dict.fromkeys([gid, pod_sc.get("fsGroup"), *pod_sc.get("supplementalGroups", [])]) if g is not None]
    return [f"{HOST_BIN}/setpriv", "--reuid", str(uid), "--regid", str(gid), "--groups", ",".join(map(str, groups)),
            "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]


def pyvenv_home(venv: Path) -> Path:
    """The `home` of a venv's pyvenv.cfg: the bin/ folder of the Python it was made with."""
    for line in (venv / "pyvenv.cfg").read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() == "home":
            return Path(value.strip())
    raise KeyError(f"{venv}/pyvenv.cfg has no `home`")


def coreutils_programs() -> list[str]:
    """The programs of this machine's GNU coreutils package (Debian's file list)."""
    listed = subprocess.run(["dpkg-query", "-L", "coreutils"], capture_output=True, text=True, check=True).stdout.split()
    return sorted(p for p in listed if p.startswith(("/usr/bin/", "/bin/")) and os.access(p, os.X_OK) and not os.path.isdir(p))


# ---------------------------------------------------------------------------------------------
# Kubernetes semantics
# ---------------------------------------------------------------------------------------------


def expand(text: str, env: dict[str, str]) -> str:
    """Kubernetes' `$(VAR)` expansion (k8s.io/kubernetes v1.35.4
    third_party/forked/golang/expansion/expand.go; the kubelet applies it to env values with the
    variables defined before them, and to command and args with all of them): `$(NAME)` of a
    defined variable is replaced, an undefined one is kept as written, `$$` becomes `$`, anything
    else is copied. test_jobs.py checks it on cases of upstream's expand_test.go."""
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "$" and i + 1 < n:
            nxt = text[i + 1]
            if nxt == "$":
                out.append("$")
                i += 2
                continue
            if nxt == "(":
                close = text.find(")", i + 2)
                if close == -1:
                    out.append("$(")
                    i += 2
                    continue
                name = text[i + 2 : close]
                out.append(env[name] if name in env else f"$({name})")
                i = close + 1
                continue
            out.append("$" + nxt)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


#: The listener-operator's CSI storage class (listener-operator 26.7.0 deploy/helm: `listeners.stackable.tech`).
LISTENER_STORAGE_CLASS = "listeners.stackable.tech"


def write_listener_volume(path: Path, cluster: "Cluster", vol: dict) -> None:
    """What the listener-operator writes into a listener volume (listener-operator 26.7.0
    rust/operator-binary/src/csi_server/node.rs `write_listener_info_to_pod_dir`): per address
    `addresses/<address>/address` and `addresses/<address>/ports/<port name>` (the port number),
    and the symlink `default-address` -> `addresses/<first address>`. The Listener is the one the
    volume's annotation `listeners.stackable.tech/listener-name` names; here its one address is the
    loopback address its Service's host name maps to (as a NodePort on this "node") and its ports
    are the Listener's own."""
    annotations = vol["ephemeral"]["volumeClaimTemplate"]["metadata"]["annotations"]
    name = annotations["listeners.stackable.tech/listener-name"]
    found = [o for o in cluster.objects if o["kind"] == "Listener" and o["metadata"]["name"] == name]
    assert len(found) == 1, f"listener volume {vol['name']}: Listener {name} not in the chart"
    namespace = found[0]["metadata"].get("namespace", "default")
    address = next((ip for host, ip in cluster.hosts.items() if host.split(".")[:2] == [name.removesuffix("-listener"), namespace]), "127.0.0.1")
    ports = path / "addresses" / address / "ports"
    ports.mkdir(parents=True)
    (path / "addresses" / address / "address").write_text(address)
    for port in found[0]["spec"].get("ports", []):
        (ports / port["name"]).write_text(str(port["port"]))
    (path / "default-address").symlink_to(Path("addresses") / address)


class Cluster:
    """The chart's objects plus what the cluster adds: the secret-operator's CA ConfigMap and DNS."""

    def __init__(self, objects: list[dict], ca_pem: str, hosts: dict[str, str], tools: Tools,
                 secret_volume: Callable[[dict], dict[str, str]] | None = None,
                 public_ca_file: Path | None = None, without_image_env: tuple[str, ...] = ()):
        self.objects = objects
        self.ca_pem = ca_pem
        self.hosts = hosts  # DNS name -> IP
        self.tools = tools
        #: What the secret-operator writes into an `ephemeral` secret volume (the volume -> file name -> content).
        self.secret_volume = secret_volume
        #: The CA of the "public" servers (PEM file): in the sandboxes it stands in for the public CAs,
        #: in the image's CA bundle (ImageRuntime.ca_bundle) and in /etc/ssl/certs/ca-certificates.crt
        #: (the default CA file of this machine's curl build, and Alpine's). None: this machine's bundle.
        self.public_ca_file = public_ca_file
        #: Image environment variables left out, to run as an image that does not set them would.
        self.without_image_env = without_image_env

    def of_kind(self, kind: str) -> list[dict]:
        return [o for o in self.objects if o["kind"] == kind]

    def named(self, kind: str, name: str) -> dict | None:
        found = [o for o in self.of_kind(kind) if o["metadata"]["name"] == name]
        if len(found) > 1:
            raise AssertionError(f"{len(found)} {kind} objects named {name}")
        return found[0] if found else None

    def secret_value(self, name: str, key: str) -> str:
        secret = self.named("Secret", name)
        if secret is None:
            raise LookupError(f"Secret {name} is not in the chart (the pod would not start: CreateContainerConfigError)")
        if key in secret.get("stringData", {}):
            return secret["stringData"][key]
        if key in secret.get("data", {}):
            return base64.b64decode(secret["data"][key]).decode()
        raise LookupError(f"Secret {name} has no key {key} (keys: {sorted({**secret.get('data', {}), **secret.get('stringData', {})})})")

    def config_map_data(self, name: str) -> dict[str, str]:
        cm = self.named("ConfigMap", name)
        if cm is not None:
            return dict(cm.get("data", {}))
        # secret-operator 26.7.0 rust/operator-binary/src/truststore_controller.rs: a TrustStore
        # with targetKind ConfigMap makes a ConfigMap of the same name holding the SecretClass's
        # CA in `format`; for tls-pem the file is spec.tlsPemCaName, default `ca.crt`
        # (format/well_known.rs FILE_PEM_CERT_CA). Here the CA is the test CA.
        ts = self.named("TrustStore", name)
        if ts is not None and ts["spec"].get("targetKind") == "ConfigMap" and ts["spec"].get("format") == "tls-pem":
            return {ts["spec"].get("tlsPemCaName", "ca.crt"): self.ca_pem}
        raise LookupError(f"ConfigMap {name} is neither in the chart nor published by a TrustStore of the chart")

    def resolve_env(self, container: dict, overrides: dict[str, str] | None = None) -> dict[str, str]:
        """The container's environment, in order, as the kubelet builds it. `overrides` replaces
        the values of variables the container defines (it may not add new ones)."""
        overrides = dict(overrides or {})
        env: dict[str, str] = {}
        for var in container.get("env", []):
            name = var["name"]
            if "value" in var:
                value = expand(var["value"], env)
            elif "secretKeyRef" in var.get("valueFrom", {}):
                ref = var["valueFrom"]["secretKeyRef"]
                value = self.secret_value(ref["name"], ref["key"])
            elif "configMapKeyRef" in var.get("valueFrom", {}):
                ref = var["valueFrom"]["configMapKeyRef"]
                value = self.config_map_data(ref["name"])[ref["key"]]
            else:
                raise NotImplementedError(f"env {name}: {var}")
            env[name] = overrides.pop(name, value)
        if overrides:
            raise KeyError(f"container {container['name']} defines no env {sorted(overrides)} to override")
        return env


@dataclass
class Result:
    container: str
    returncode: int
    output: str  # stdout and stderr, interleaved as the container log shows them
    seconds: float


class Running:
    """A container running in the background; its log is collected line by line."""

    def __init__(self, name: str, proc: subprocess.Popen):
        self.name = name
        self.proc = proc
        self.started = time.monotonic()
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def running(self) -> bool:
        return self.proc.poll() is None

    def wait_for_lines(self, needle: str, count: int = 1, timeout: float = 30) -> bool:
        """Waits until `count` log lines contain `needle` (False if the container ended first or on timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if sum(needle in line for line in self.lines) >= count:
                return True
            if not self.running():
                self._reader.join(5)
                return sum(needle in line for line in self.lines) >= count
            time.sleep(0.1)
        return False

    def wait(self, timeout: float = 120) -> Result:
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"container {self.name} still running after {timeout}s; log:\n{self.output}")
        self._reader.join(10)
        return Result(self.name, self.proc.returncode, self.output, time.monotonic() - self.started)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()  # bwrap --die-with-parent and its own pid namespace take the script along
            self.proc.wait(10)
        self._reader.join(5)


class Pod:
    """One pod of a pod spec: its volumes live as long as the Pod object (call `close`)."""

    def __init__(self, cluster: Cluster, spec: dict, workdir: Path):
        self.cluster = cluster
        self.spec = spec
        self.dir = Path(tempfile.mkdtemp(prefix="pod-", dir=workdir))
        self.volumes: dict[str, Path] = {}
        for vol in spec.get("volumes", []):
            if "hostPath" in vol:  # this machine's directory itself
                self.volumes[vol["name"]] = Path(vol["hostPath"]["path"])
                continue
            path = self.dir / "volumes" / vol["name"]
            path.mkdir(parents=True)
            if "emptyDir" in vol:
                # k8s.io/kubernetes v1.35.4 pkg/volume/emptydir/empty_dir.go: created with mode 0777.
                path.chmod(0o777)
            elif "configMap" in vol:
                data = cluster.config_map_data(vol["configMap"]["name"])
                items = vol["configMap"].get("items") or [{"key": k, "path": k} for k in data]
                for item in items:
                    target = path / item["path"]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(data[item["key"]])
            elif "persistentVolumeClaim" in vol:
                path.chmod(0o777)  # a fresh claim: an empty directory the pod's user may write
            elif "ephemeral" in vol and vol["ephemeral"]["volumeClaimTemplate"]["spec"].get("storageClassName") == LISTENER_STORAGE_CLASS:
                write_listener_volume(path, cluster, vol)
            elif "ephemeral" in vol and cluster.secret_volume is not None:
                for name, content in cluster.secret_volume(vol).items():
                    (path / name).write_text(content)
            else:
                raise NotImplementedError(f"volume {vol['name']}: only emptyDir, configMap, persistentVolumeClaim, hostPath, secret-operator and listener-operator volumes are mapped")
            self.volumes[vol["name"]] = path
        hosts = self.dir / "hosts"
        hosts.write_text("127.0.0.1 localhost\n" + "".join(f"{ip} {name}\n" for name, ip in cluster.hosts.items()))
        self.hosts_file = hosts

    def container(self, name: str) -> dict:
        found = [c for c in self.spec.get("initContainers", []) + self.spec.get("containers", []) if c["name"] == name]
        assert len(found) == 1, f"expected one container {name}, found {len(found)}"
        return found[0]

    def _argv(self, c: dict, env_overrides: dict[str, str] | None) -> tuple[list[str], dict[str, str]]:
        runtime = runtime_of(c["image"])
        tools = self.cluster.tools
        env = self.cluster.resolve_env(c, env_overrides)
        entrypoint = [expand(a, env) for a in c["command"]] if "command" in c else list(runtime.entrypoint)
        command = entrypoint + [expand(a, env) for a in c.get("args", [])]
        assert entrypoint, f"container {c['name']}: no command, and IMAGE_RUNTIMES has no entrypoint for {c['image']}"
        sc = {**self.spec.get("securityContext", {}), **c.get("securityContext", {})}
        user = as_pod_user(self.spec, c)
        image = self._image_tree(c["image"], runtime)
        argv = [
            # As root, without a user namespace: the mounts are set up with the host's owners and
            # modes, then setpriv (below) becomes the pod's user for real. bubblewrap run by root
            # keeps every capability unless told: only those setpriv needs are left (see as_pod_user).
            tools.bwrap, "--unshare-pid", "--unshare-ipc", "--die-with-parent", "--new-session",
            "--cap-drop", "ALL", *(a for cap in SETPRIV_CAPS for a in ("--cap-add", cap)),
            "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib", "--symlink", "usr/bin", "/bin",
            "--symlink", "usr/bin", "/sbin", *self._etc(c), "--ro-bind", str(self.hosts_file), "/etc/hosts",
            "--dev", "/dev", "--proc", "/proc",
            # The image's programs only: /usr/bin (and so /bin) is a directory of links into these two.
            "--ro-bind", "/usr/bin", HOST_BIN, "--ro-bind", str(self._bin_dir(runtime)), "/usr/bin",
            "--tmpfs", "/usr/sbin", "--tmpfs", "/usr/local",
        ]
        if Path("/usr/lib64").exists():
            argv += ["--symlink", "usr/lib64", "/lib64"]
        argv += ["--ro-bind", tools.busybox, f"{TOOLS_DIR}/busybox"]
        for tool, installed in image["tools"].items():
            argv += ["--ro-bind", str(installed), f"{TOOLS_DIR}/{tool}"]
        for top, tree in image["tops"].items():  # the image's own directories (e.g. /stackable), with their files
            argv += ["--ro-bind", str(tree), top]
        for src, dest in image["binds"]:  # into them, or at their own paths (a venv and its Python)
            argv += ["--ro-bind", src, dest]
        if "java" in runtime.programs:
            home = str(tools.java_home())
            argv += ["--ro-bind", home, home]  # the JRE and its libraries, read-only, where its launcher finds them
        if any(Path(p).name == "trino-cli" for p in runtime.programs):
            assert tools.trino_cli_jar, "TRINO_CLI_JAR is not set: the trino-cli image's CLI has no stand-in"
            argv += ["--ro-bind", tools.trino_cli_jar, f"{TOOLS_DIR}/trino-cli.jar"]
        if "curl" in runtime.programs:
            # The curl build needs its own libcurl: it replaces the system's in the sandbox.
            system_lib = Path("/usr/lib") / Path(tools.libcurl).parent.name / Path(tools.libcurl).name
            assert system_lib.exists(), f"{system_lib} missing: install the system libcurl4 (the sandbox binds over it)"
            argv += ["--ro-bind", tools.libcurl, str(system_lib)]
        system_bundle = "/etc/ssl/certs/ca-certificates.crt"
        public_ca = str(self.cluster.public_ca_file or system_bundle)
        if self.cluster.public_ca_file is not None:
            argv += ["--ro-bind", public_ca, system_bundle]
        if runtime.ca_bundle:
            bundle = install_as(public_ca, None, image_file(c["image"], runtime.ca_bundle))
            argv += ["--ro-bind", str(bundle), runtime.ca_bundle]
        for mount in c.get("volumeMounts", []):
            src = self.volumes[mount["name"]]
            if mount.get("subPath"):
                src = src / mount["subPath"]
            argv += ["--ro-bind" if mount.get("readOnly") else "--bind", str(src), mount["mountPath"]]
        if sc.get("readOnlyRootFilesystem"):
            argv += ["--remount-ro", "/"]
            if self._etc(c)[0] == "--tmpfs":
                argv += ["--remount-ro", "/etc"]
        argv += ["--chdir", c.get("workingDir", "/"), "--clearenv"]
        image_env = {k: v for k, v in runtime.env if k not in self.cluster.without_image_env}
        full_env = {"PATH": runtime.path, **image_env, "HOSTNAME": "pod", **env}
        for k, v in full_env.items():
            argv += ["--setenv", k, v]
        for mount in c.get("volumeMounts", []):  # mount points inside an image directory of ours exist there
            for top, tree in image["tops"].items():
                if mount["mountPath"].startswith(top + "/"):
                    (tree / mount["mountPath"][len(top) + 1:]).mkdir(parents=True, exist_ok=True)
        # The pod's user (as_pod_user), then the command as the container runtime execs it.
        return with_parents(argv) + ["--"] + user + command, full_env

    def _launchers(self) -> dict[str, Path]:
        """The scripts of Tools.launchers, written once per pod (name -> file)."""
        folder = self.dir / "launchers"
        if not folder.exists():
            folder.mkdir()
            for name, text in self.cluster.tools.launchers().items():
                (folder / name).write_text(text)
                (folder / name).chmod(0o755)
        return {p.name: p for p in folder.iterdir()}

    def _image_tree(self, image: str, runtime: ImageRuntime) -> dict:
        """The stand-ins of `image`'s files, installed with the image's owner, group and mode
        (IMAGE_FILES): `tools` (name -> file, bound at TOOLS_DIR, where the image's /usr/bin links
        point), `tops` (an image directory such as /stackable -> a folder holding its files) and
        `binds` ((file here, path in the sandbox), bound read-only after the tops: a venv's)."""
        key = image_repository(image)
        base = self.dir / "image-files" / re.sub(r"\W", "_", key)
        tools = self.cluster.tools
        out: dict = {"tools": {}, "tops": {}, "binds": []}
        launchers = self._launchers()
        for program in runtime.programs:
            name = Path(program).name
            if program.startswith("/"):
                continue
            if name in ("mc", "curl", "minio"):
                out["tools"][name] = install_as(tools.program(name), None, image_file(image, f"/usr/bin/{name}"))
            elif name in launchers:  # java
                out["tools"][name] = install_as(launchers[name], None, image_file(image, f"/usr/bin/{name}"))
        dirs = [f for f in image_files().get(key, {}).get("files", []) if f["kind"] == "directory"]
        for program in (p for p in runtime.programs if p.startswith("/")):
            top = "/" + Path(program).parts[1]
            tree = base / "tree"
            out["tops"][top] = tree / top.lstrip("/")
            if runtime.venv and program.startswith(runtime.venv + "/"):
                continue  # the venv's (below)
            install_as(launchers[Path(program).name], tree / program.lstrip("/"), image_file(image, program))
        if runtime.venv:
            out["binds"] += self._venv(image, runtime, base / "tree" / runtime.venv.lstrip("/"))
        for d in sorted(dirs, key=lambda f: f["path"]):  # the image's directories, as they are there
            folder = base / "tree" / d["path"].lstrip("/")
            folder.mkdir(parents=True, exist_ok=True)
            os.chown(folder, d["uid"], d["gid"])
            os.chmod(folder, d["mode"])
        return out

    def _venv(self, image: str, runtime: ImageRuntime, folder: Path) -> list[tuple[str, str]]:
        """The stand-in of the image's venv (Tools.superset_venv) at runtime.venv: its entries
        bound inside `folder` (the image's venv directory, made with the image's owner and mode by
        _image_tree), so the image's directories decide who reaches its Python; the installation
        of the Python it was made with (pyvenv.cfg `home`) read-only at its own path, and over it
        that interpreter installed with the owner and mode IMAGE_FILES gives the venv's python3."""
        assert self.cluster.tools.superset_venv, f"JOBS_SUPERSET_VENV is not set: {image}'s venv {runtime.venv} has no stand-in"
        venv = Path(self.cluster.tools.superset_venv)
        folder.mkdir(parents=True, exist_ok=True)
        binds: list[tuple[str, str]] = []
        for entry in sorted(venv.iterdir()):
            if entry.name.startswith("."):
                continue  # e.g. the cache's .complete marker
            mount_point = folder / entry.name
            if entry.is_symlink():  # lib64 -> lib
                if not mount_point.is_symlink():
                    mount_point.symlink_to(os.readlink(entry))
                continue
            if entry.is_dir():
                mount_point.mkdir(exist_ok=True)
            else:
                mount_point.touch()
            binds.append((str(entry), f"{runtime.venv}/{entry.name}"))
        home = pyvenv_home(venv).parent
        interpreter = Path(os.path.realpath(venv / "bin" / "python3"))
        installs = list(dict.fromkeys([home, home.resolve()]))
        assert not any(p == Path("/usr") or Path("/usr") in p.parents for p in installs), (
            f"{venv} was made with a Python of this machine's /usr ({home}), where the sandbox has the image's "
            "/usr/bin: make the venv with a Python installed elsewhere (PYTHON=... for scripts/lib/common.sh ensure_venv)")
        assert any(p in interpreter.parents for p in installs), f"{venv}/bin/python3 is {interpreter}, outside its home {home}"
        binds += [(str(p), str(p)) for p in installs]
        installed = install_as(interpreter, None, image_file(image, f"{runtime.venv}/bin/python3"))
        binds.append((str(installed), str(interpreter)))
        return binds

    @staticmethod
    def _etc(c: dict) -> list[str]:
        """This machine's /etc, read-only; a tmpfs holding its entries instead when a mount goes to
        a directory under /etc this machine lacks (the image has it, e.g. /etc/minio/certs)."""
        if all(Path(m["mountPath"]).parent.exists() for m in c.get("volumeMounts", []) if m["mountPath"].startswith("/etc/")):
            return ["--ro-bind", "/etc", "/etc"]
        argv = ["--tmpfs", "/etc"]
        for entry in sorted(os.listdir("/etc")):
            argv += ["--ro-bind", f"/etc/{entry}", f"/etc/{entry}"]
        return argv

    def _bin_dir(self, runtime: ImageRuntime) -> Path:
        """/usr/bin of the image: its shell as `sh`, its other tools, its programs (links)."""
        in_bin = tuple(p for p in runtime.programs if not p.startswith("/"))
        bin_dir = self.dir / "-".join(("bin", runtime.shell, *in_bin))
        if bin_dir.exists():
            return bin_dir
        bin_dir.mkdir()
        tools = self.cluster.tools
        links: dict[str, str] = {}
        if runtime.shell == "busybox":
            # Alpine: every other tool (grep, mv, date, ...) is a BusyBox applet too.
            listed = subprocess.run([tools.busybox, "--list"], capture_output=True, text=True, check=True).stdout.split()
            links.update({applet: f"{TOOLS_DIR}/busybox" for applet in listed})
        else:
            # Debian and RHEL base images: GNU coreutils (ubi-micro: coreutils-single) and the shell.
            links.update({Path(p).name: f"{HOST_BIN}/{Path(p).name}" for p in coreutils_programs()})
            links[runtime.shell] = f"{HOST_BIN}/{runtime.shell}"
        links["sh"] = f"{TOOLS_DIR}/busybox" if runtime.shell == "busybox" else f"{HOST_BIN}/{runtime.shell}"
        links.update({p: f"{TOOLS_DIR}/{p}" for p in in_bin})
        for name, target in links.items():
            (bin_dir / name).symlink_to(target)
        return bin_dir

    def command(self, name: str, env: dict[str, str] | None = None) -> list[str]:
        """The command line here that runs container `name` (bubblewrap, then as_pod_user, then its
        command), for a caller that runs it itself (with PATH=/usr/bin:/bin)."""
        return self._argv(self.container(name), env)[0]

    def start(self, name: str, env: dict[str, str] | None = None) -> Running:
        argv = self.command(name, env)
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={"PATH": "/usr/bin:/bin"})
        return Running(name, proc)

    def run(self, name: str, env: dict[str, str] | None = None, timeout: float = 120) -> Result:
        return self.start(name, env).wait(timeout)

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


@dataclass
class JobRun:
    """What one pod of a Job did: each container's result, in order, up to the first failure."""

    results: list[Result] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return bool(self.results) and all(r.returncode == 0 for r in self.results)

    @property
    def output(self) -> str:
        return "\n".join(f"--- {r.container} (exit {r.returncode}, {r.seconds:.1f}s)\n{r.output}" for r in self.results)

    def of(self, name: str) -> Result:
        return next(r for r in self.results if r.container == name)


def run_job(cluster: Cluster, job: dict, workdir: Path, before: Callable[[str], None] | None = None,
            env: dict[str, dict[str, str]] | None = None, timeout: float = 120,
            on_pod: Callable[[Pod], None] | None = None) -> JobRun:
    """Runs one pod of `job`: its init containers one after the other, then its container(s)
    (ours have one), stopping at the first that fails, as the kubelet does. `before(name)` is
    called before each container starts (to change the world in between); `env` overrides the
    values of variables per container name."""
    spec = job["spec"]["template"]["spec"]
    assert len(spec["containers"]) == 1, "run_job runs pods with one main container"
    pod = Pod(cluster, spec, workdir)
    if on_pod is not None:
        on_pod(pod)  # e.g. to look into its volumes while it runs
    run = JobRun()
    try:
        for c in spec.get("initContainers", []) + spec["containers"]:
            if before is not None:
                before(c["name"])
            result = pod.run(c["name"], (env or {}).get(c["name"]), timeout)
            run.results.append(result)
            if result.returncode != 0:
                break
    finally:
        pod.close()
    return run


@dataclass
class JobHistory:
    """What the runs of a Job did until it finished (run_job_until_done), in order."""

    runs: list[JobRun] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return bool(self.runs) and self.runs[-1].succeeded

    @property
    def output(self) -> str:
        return "\n".join(f"=== run {i + 1}\n{r.output}" for i, r in enumerate(self.runs))


def run_job_until_done(cluster: Cluster, job: dict, workdir: Path, env: dict[str, dict[str, str]] | None = None,
                       timeout: float = 120, on_pod: Callable[[Pod], None] | None = None) -> JobHistory:
    """Runs `job` as the kubelet and the Job controller do until it succeeds or fails (a finished
    Job), each run as run_job runs a pod. How a failed run is retried follows the pod template's
    restartPolicy:
    - OnFailure (restrictedJob's): the kubelet restarts the failed container in the same pod, its
      volumes as they were (and, after a failed main container, not the init containers). The Job
      fails once the restart counts of its running pods sum to backoffLimit (k8s.io/kubernetes
      pkg/controller/job/job_controller.go pastBackoffLimitOnFailure: `result >= BackoffLimit`,
      `> 0` for a limit of 0): the restart that reaches the limit starts a run the controller then
      ends; here it is not run, so at most max(backoffLimit, 1) runs fail.
    - Never: a new pod per failed one; the Job fails after backoffLimit + 1 failed pods.
    The back-off between runs (the kubelet's restart back-off, pkg/kubelet/kubelet.go: 10 s
    doubling up to MaxContainerBackOff = 300 s; the controller's between pods likewise from 10 s)
    is not waited: the next run starts at once, which is no kinder to our Jobs, whose scripts wait
    for MinIO and their bucket anyway. `env` and `on_pod` as for run_job (on_pod: each new pod)."""
    spec = job["spec"]["template"]["spec"]
    limit = job["spec"].get("backoffLimit", 6)  # the API's default
    policy = spec.get("restartPolicy", "Always")
    history = JobHistory()
    if policy == "Never":
        while not history.succeeded and len(history.runs) <= limit:
            history.runs.append(run_job(cluster, job, workdir, env=env, timeout=timeout, on_pod=on_pod))
        return history
    assert policy == "OnFailure", f"a Job's pods restart Never or OnFailure, not {policy}"
    assert len(spec["containers"]) == 1, "run_job_until_done runs pods with one main container"
    containers = spec.get("initContainers", []) + spec["containers"]
    pod = Pod(cluster, spec, workdir)
    if on_pod is not None:
        on_pod(pod)
    first = 0  # the container the run starts with: the failed one
    try:
        while not history.succeeded and len(history.runs) < max(limit, 1):
            run = JobRun()
            for i, c in enumerate(containers[first:], first):
                result = pod.run(c["name"], (env or {}).get(c["name"]), timeout)
                run.results.append(result)
                if result.returncode != 0:
                    first = i
                    break
            history.runs.append(run)
    finally:
        pod.close()
    return history


#: The shells a `SHELL -c SCRIPT` command of ours names: POSIX sh, or bash for a script that needs
#: it (HiveMetastore.waitForMetastoreContainer), in an image whose shell is bash.
SCRIPT_SHELLS = ("sh", "/bin/sh", "bash", "/bin/bash")


def script_dialect(container: dict, script: str) -> str:
    """The dialect of `script`, a `SHELL -c` script of the container (its command or an exec
    probe's): 'bash' when that command runs bash by name, else 'sh'."""
    probes = (container.get(k) or {} for k in ("readinessProbe", "livenessProbe", "startupProbe"))
    for cmd in [container.get("command"), *((p.get("exec") or {}).get("command") for p in probes)]:
        if cmd and len(cmd) >= 3 and cmd[2] == script:
            return "bash" if Path(cmd[0]).name == "bash" else "sh"
    return "sh"


def shell_scripts(objects: Iterable[dict]) -> list[tuple[str, dict, str]]:
    """Every `sh -c SCRIPT` (or `bash -c SCRIPT`) command in `objects`, anywhere (containers, init containers, exec
    probes, podOverrides): (where, the container it belongs to, the script)."""
    found: list[tuple[str, dict, str]] = []

    def walk(value, where: str, container: dict | None) -> None:
        if isinstance(value, dict):
            if "image" in value and "name" in value:
                container = value
                where = f"{where}/{value['name']}"
            cmd = value.get("command")
            if isinstance(cmd, list) and len(cmd) >= 3 and cmd[0] in SCRIPT_SHELLS and cmd[1] == "-c":
                assert container is not None, f"{where}: a shell command outside a container"
                found.append((where if value is container else f"{where}:{_probe_kind(container, value)}", container, cmd[2]))
            for k, v in value.items():
                walk(v, where, container)
        elif isinstance(value, list):
            for v in value:
                walk(v, where, container)

    # Named by kind and `app.kubernetes.io/name` (what the object is), plus the object's name
    # where several objects share that label (the three PostgreSQL StatefulSets).
    objects = list(objects)
    what = [f"{o['kind']}/{o['metadata'].get('labels', {}).get('app.kubernetes.io/name', o['metadata']['name'])}" for o in objects]
    for obj, w in zip(objects, what):
        walk(obj, w if what.count(w) == 1 else f"{w}/{obj['metadata']['name']}", None)
    return found


def _probe_kind(container: dict, handler: dict) -> str:
    for kind in ("readinessProbe", "livenessProbe", "startupProbe"):
        if container.get(kind, {}).get("exec") is handler:
            return kind
    return "exec"
