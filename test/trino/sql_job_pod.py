"""The TrinoSqlJob's container, runnable on this machine with the real Trino CLI (the jar of
TRINO_CLI_JAR; the pod uses the Stackable trino-cli image of the cluster's version), for the
superset suite (test/trino/test_trino_sql_job.py, against a stand-in for Trino) and the e2e suite
of the trino-taxi-data example (against the real Trino).

Taken from the synthesized objects: the container's command, its environment (Secret references
resolved from the chart's own Secrets), the ConfigMap volumes. Mapped: the mount paths to
folders, the CLI's path in the image to the jar, the TrustStore's ConfigMap (which the
secret-operator fills) to the given CA file.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

IMAGE_CLI = "/stackable/trino-cli/trino-cli"  # constructs/trino/trino-sql-job.ts TRINO_CLI


class JobPod:
    """The Job's container, runnable here: mounts mapped to folders, Secret refs resolved."""

    def __init__(self, objs, tmp: Path, ca_file: Path, server: str | None = None, java: list[str] | None = None):
        """`server`: TRINO_SERVER instead of the Job's (None: the Job's own); `java`: the command
        that runs the CLI jar (default `java` of PATH), e.g. with JVM options."""
        job = next(o for o in objs if o["kind"] == "Job" and o["metadata"]["labels"]["app.kubernetes.io/name"] == "trino-sql")
        pod = job["spec"]["template"]["spec"]
        self.container = next(c for c in pod["containers"] if c["name"] == "sql")
        secrets = {o["metadata"]["name"]: o["stringData"] for o in objs if o["kind"] == "Secret"}
        config_maps = {o["metadata"]["name"]: o["data"] for o in objs if o["kind"] == "ConfigMap"}
        volumes = {v["name"]: v for v in pod["volumes"]}
        self.paths = {}
        for mount in self.container["volumeMounts"]:
            folder = tmp / mount["name"]
            folder.mkdir(parents=True, exist_ok=True)
            volume = volumes[mount["name"]]
            if "configMap" in volume:
                name = volume["configMap"]["name"]
                if name in config_maps:
                    for key, text in config_maps[name].items():
                        (folder / key).write_text(text)
                else:  # the TrustStore's ConfigMap, written by the secret-operator: the stand-in's CA
                    for item in volume["configMap"]["items"]:
                        (folder / item["path"]).write_bytes(ca_file.read_bytes())
            self.paths[mount["mountPath"]] = str(folder)
        self.env = {}
        for e in self.container["env"]:
            if "value" in e:
                self.env[e["name"]] = self.map(e["value"])
            else:
                ref = e["valueFrom"]["secretKeyRef"]
                self.env[e["name"]] = secrets[ref["name"]][ref["key"]]
        if server is not None:
            self.env["TRINO_SERVER"] = server
        cli = tmp / "trino-cli"
        java_command = " ".join(shlex.quote(a) for a in (java or ["java"]))
        cli.write_text(f'#!/bin/sh\nexec {java_command} -jar "{os.environ["TRINO_CLI_JAR"]}" "$@"\n')
        cli.chmod(0o755)
        self.command = [self.map(a).replace(IMAGE_CLI, str(cli)) for a in self.container["command"]]

    def map(self, value: str) -> str:
        """Replaces each mount path at the start of a path (one pass, so mapped paths stay mapped)."""
        alternatives = "|".join(re.escape(p) for p in sorted(self.paths, key=len, reverse=True))
        return re.sub(rf"(?<![\w/.-])({alternatives})(?=/|$|[\s\"'])", lambda m: self.paths[m.group(1)], value)

    def run(self, timeout: float = 120, **overrides):
        env = {"PATH": os.environ["PATH"], **self.env, **overrides}
        return subprocess.run(self.command, env=env, capture_output=True, text=True, timeout=timeout)
