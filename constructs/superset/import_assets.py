#!/usr/bin/env python3
"""Imports a Superset assets bundle (databases, datasets, charts, dashboards) into Superset.

Run by the SupersetAssetsImport Job (in the Superset image; standard library only). It reads the
bundle files from BUNDLE_DIR, the mounted ConfigMap written by `SupersetBundle.toConfigMapData`
(constructs/superset/bundle.ts): one file per ConfigMap key, a bundle path encoded as
`-` -> `-_` and `/` -> `--`. It zips the files under one top-level folder (the layout of a Superset
export), then checks /health, logs in through the REST API (provider db), takes a CSRF token and
posts the zip to the assets import API `/api/v1/assets/import/`, with the password of every
`databases/*.yaml` of the bundle (DATABASE_PASSWORDS names the variable of each). Until
WAIT_SECONDS have passed, every step is retried when the failure may be transient: Superset not
answering, a refused login (the admin user may not exist yet), 429 (rate limit), a 5xx answer
(Superset connects to each database during the import and fails until it answers). Other answers
(e.g. 422, an invalid bundle) end the run at once. The assets import always overwrites the
objects with the bundle's UUIDs, so running it again updates them in place.

Environment:
  SUPERSET_URL            Superset's base URL, e.g. http://superset-node:8088 (required)
  SUPERSET_USERNAME       user that imports (an Admin), from a Secret (required)
  SUPERSET_PASSWORD       its password, from a Secret (required)
  DATABASE_PASSWORDS      JSON map: bundle path of each database file -> name of the environment
                          variable holding its password, e.g. {"databases/trino.yaml": "DATABASE_PASSWORD_1"};
                          every databases/*.yaml of the bundle needs one (required, may be {})
  DATABASE_PASSWORD_<n>   the passwords, from Secrets (the names DATABASE_PASSWORDS gives)
  BUNDLE_DIR              folder of the bundle files (default /bundle)
  WAIT_SECONDS            how long to keep retrying transient failures (default 600)
  WAIT_INTERVAL_SECONDS   pause between attempts (default 5)
  REQUEST_TIMEOUT_SECONDS timeout of one HTTP request; the import can be slow (default 300)

Exit status: 0 on success, 1 on failure (the server's message is printed), 2 on bad configuration.
Secrets are never printed. Run locally: `SUPERSET_URL=... BUNDLE_DIR=... python3 import_assets.py`.
"""

import http.client
import http.cookiejar
import io
import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid
import zipfile

ZIP_ROOT = "bundle"
USER_AGENT = "cdk8s-stackable-demos-superset-import/1"


class Fatal(Exception):
    """A failure that retrying will not fix."""


def log(message):
    print(f"[import-assets] {message}", file=sys.stderr, flush=True)


def config_key_to_path(key):
    """Decodes a ConfigMap key into a bundle path: `--` is `/`, `-_` is `-`."""
    out = []
    i = 0
    while i < len(key):
        c = key[i]
        if c != "-":
            out.append(c)
            i += 1
            continue
        nxt = key[i + 1] if i + 1 < len(key) else ""
        if nxt == "-":
            out.append("/")
        elif nxt == "_":
            out.append("-")
        else:
            raise Fatal(f"bundle file name {key!r} is not an encoded bundle path")
        i += 2
    path = "".join(out)
    if path.startswith("/") or any(part in ("", ".", "..") for part in path.split("/")):
        raise Fatal(f"bundle file name {key!r} decodes to an unsafe path {path!r}")
    return path


def read_bundle(bundle_dir):
    """Returns {bundle path: bytes} of the YAML files of a mounted ConfigMap folder."""
    if not os.path.isdir(bundle_dir):
        raise Fatal(f"BUNDLE_DIR {bundle_dir!r} is not a folder")
    files = {}
    for name in sorted(os.listdir(bundle_dir)):
        # A ConfigMap volume also holds `..data` and `..<timestamp>` entries; skip hidden names.
        full = os.path.join(bundle_dir, name)
        if name.startswith(".") or not os.path.isfile(full):
            continue
        if not name.endswith((".yaml", ".yml")):
            continue
        with open(full, "rb") as f:
            files[config_key_to_path(name)] = f.read()
    if "metadata.yaml" not in files:
        raise Fatal(f"no metadata.yaml in {bundle_dir!r}: not an assets bundle")
    return files


def build_zip(files):
    """Zips the files under the top-level folder ZIP_ROOT, with fixed dates (deterministic)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(files):
            info = zipfile.ZipInfo(f"{ZIP_ROOT}/{path}", date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[path])
    return buf.getvalue()


def multipart(fields, file_field, file_name, file_bytes):
    """Encodes form fields and one file as multipart/form-data; returns (content type, body)."""
    boundary = f"----superset-import-{uuid.uuid4().hex}"
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode("utf-8")
            + b"\r\n"
        )
    parts.append(
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{file_name}"\r\n'
            "Content-Type: application/zip\r\n\r\n"
        ).encode()
        + file_bytes
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


class Retry(Exception):
    """A failure that may go away by itself (Superset or a database still starting): try again."""


class Superset:
    """Minimal Superset REST client keeping the session cookie (the CSRF token is bound to it)."""

    def __init__(self, base_url, request_timeout, secrets):
        self.base_url = base_url.rstrip("/")
        self.timeout = request_timeout
        self.secrets = [s for s in secrets if s]
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}

    def redact(self, text):
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def request(self, method, path, body=None, content_type=None):
        """Returns (status, body text); a connection failure raises Retry."""
        headers = dict(self.headers)
        if content_type:
            headers["Content-Type"] = content_type
        req = urllib.request.Request(self.base_url + path, data=body, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=self.timeout) as resp:
                return resp.status, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as err:  # refused, DNS, timeout, reset
            raise Retry(f"{method} {path}: {type(err).__name__}: {self.redact(str(err))}") from err

    def server_message(self, status, text):
        """The server's error message of a response, secrets removed, shortened."""
        try:
            data = json.loads(text)
            msg = data.get("message") or data.get("msg") or data.get("errors") or data
            msg = msg if isinstance(msg, str) else json.dumps(msg, sort_keys=True)
        except (ValueError, AttributeError):
            msg = " ".join(text.split())
        return f"HTTP {status}: {self.redact(msg)[:4000]}"


def import_once(api, user, password, bundle, passwords):
    """One attempt: health check, login, CSRF token, import. Raises Retry or Fatal."""
    status, text = api.request("GET", "/health")
    if status != 200:
        raise Retry(f"/health answered HTTP {status}")

    body = json.dumps({"username": user, "password": password, "provider": "db", "refresh": False}).encode()
    status, text = api.request("POST", "/api/v1/security/login", body, "application/json")
    if status == 401:
        # Also the answer while the admin user is still being created.
        raise Retry(f"login as {user!r} refused ({api.server_message(status, text)})")
    if status == 429 or status >= 500:
        raise Retry(f"login: {api.server_message(status, text)}")
    if status != 200:
        raise Fatal(f"login as {user!r} failed: {api.server_message(status, text)}")
    api.headers["Authorization"] = f"Bearer {json.loads(text)['access_token']}"

    status, text = api.request("GET", "/api/v1/security/csrf_token/")
    if status != 200:
        raise (Retry if status == 429 or status >= 500 else Fatal)(f"CSRF token: {api.server_message(status, text)}")
    api.headers["X-CSRFToken"] = json.loads(text)["result"]
    api.headers["Referer"] = api.base_url + "/"

    content_type, form = multipart({"passwords": json.dumps(passwords)}, "bundle", "superset-assets.zip", bundle)
    status, text = api.request("POST", "/api/v1/assets/import/", form, content_type)
    if status == 200:
        return text.strip()
    if status == 429 or status >= 500:
        # Superset connects to each database during the import (catalog and schema permissions):
        # it fails with 500 until the database answers. Superset 6.1.0 also answers 500 with the same
        # generic message to a bundle that does not validate: only its log tells the two apart.
        hint = " (Superset's log has the cause: e.g. a database not reachable yet, or an invalid bundle)"
        raise Retry(f"import: {api.server_message(status, text)}{hint if 'unknown reason' in text else ''}")
    raise Fatal(f"import failed: {api.server_message(status, text)}")


def database_passwords(env):
    """{database file: password} from DATABASE_PASSWORDS and the variables it names; raises ValueError."""
    try:
        names = json.loads(env["DATABASE_PASSWORDS"])
    except ValueError as err:
        raise ValueError(f"DATABASE_PASSWORDS is not JSON: {err}") from None
    if not isinstance(names, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in names.items()):
        raise ValueError("DATABASE_PASSWORDS must be a JSON object of database file -> variable name")
    unset = sorted(v for v in names.values() if not env.get(v))
    if unset:
        raise ValueError(f"DATABASE_PASSWORDS names variables that are not set: {', '.join(unset)}")
    return {file: env[var] for file, var in names.items()}


def run(env):
    missing = [k for k in ("SUPERSET_URL", "SUPERSET_USERNAME", "SUPERSET_PASSWORD", "DATABASE_PASSWORDS") if not env.get(k)]
    if missing:
        log(f"missing environment variables: {', '.join(missing)}")
        return 2
    try:
        passwords = database_passwords(env)
    except ValueError as err:
        log(str(err))
        return 2
    try:
        wait_seconds = float(env.get("WAIT_SECONDS", "600"))
        interval = float(env.get("WAIT_INTERVAL_SECONDS", "5"))
        request_timeout = float(env.get("REQUEST_TIMEOUT_SECONDS", "300"))
    except ValueError as err:
        log(f"bad timeout setting: {err}")
        return 2
    secrets = [env["SUPERSET_PASSWORD"], *passwords.values()]
    redact = Superset(env["SUPERSET_URL"], request_timeout, secrets).redact
    deadline = time.monotonic() + wait_seconds
    try:
        files = read_bundle(env.get("BUNDLE_DIR", "/bundle"))
        database_files = sorted(p for p in files if p.startswith("databases/"))
        without = [p for p in database_files if p not in passwords]
        if without:
            log(f"no password for {', '.join(without)}: add it to DATABASE_PASSWORDS")
            return 2
        unknown = sorted(p for p in passwords if p not in files)
        if unknown:
            log(f"DATABASE_PASSWORDS names files that are not in the bundle: {', '.join(unknown)}")
            return 2
        bundle = build_zip(files)
        log(f"bundle: {', '.join(sorted(files))} ({len(bundle)} bytes zipped); "
            f"passwords given for {', '.join(database_files) or 'no database'}")
        attempt = 0
        while True:
            attempt += 1
            # A fresh client (cookies, token) per attempt: a token can expire while we wait.
            api = Superset(env["SUPERSET_URL"], request_timeout, secrets)
            try:
                answer = import_once(api, env["SUPERSET_USERNAME"], env["SUPERSET_PASSWORD"], bundle, passwords)
                log(f"imported into {api.base_url} (attempt {attempt}): {redact(answer)[:200]}")
                return 0
            except Retry as err:
                if time.monotonic() + interval > deadline:
                    raise Fatal(f"gave up after {wait_seconds:g}s (WAIT_SECONDS), {attempt} attempts; last error: {err}")
                log(f"attempt {attempt}: {err}; retrying in {interval:g}s")
                time.sleep(interval)
    except Fatal as err:
        log(f"ERROR: {redact(str(err))}")
        return 1


if __name__ == "__main__":
    sys.exit(run(dict(os.environ)))
