"""A loopback stand-in for the Trino coordinator, for the Superset import test.

It speaks enough of Trino's client protocol (POST /v1/statement, one-page results) over HTTPS
with password (basic) authentication for Superset's trino driver to connect the way it will in
the cluster: TLS verified against a CA file, HTTP basic auth with the password given at import
time. The metadata statements Superset runs while importing (catalogs, schemas, tables, columns
of the results table) are answered from `iforest-table.json`; every other statement runs in an
in-memory DuckDB holding `<catalog>.<schema>.<table>` with the rows the test gives (DuckDB
understands the Trino SQL Superset generates for these charts: date_trunc, interval arithmetic,
CASE), and a statement DuckDB rejects is answered with a Trino USER_ERROR. Every request
(statement, user, catalog, schema, whether the password matched) is recorded for assertions.

Used by conftest.py; not a general Trino emulator.
"""

import base64
import datetime
import decimal
import ipaddress
import json
import re
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

# Spark SQL types of iforest-table.json -> the Trino types of the Iceberg table, and DuckDB's.
TRINO_TYPES = {"timestamp": "timestamp(6)", "string": "varchar", "int": "integer", "bigint": "bigint", "double": "double"}
DUCKDB_TYPES = {"timestamp": "TIMESTAMP", "string": "VARCHAR", "int": "INTEGER", "bigint": "BIGINT", "double": "DOUBLE"}
# DuckDB result types -> Trino result types.
RESULT_TYPES = {"TIMESTAMP": "timestamp(6)", "VARCHAR": "varchar", "INTEGER": "integer", "BIGINT": "bigint",
                "HUGEINT": "bigint", "DOUBLE": "double", "BOOLEAN": "boolean", "DATE": "date"}


def write_tls_files(directory: Path, host_ip: str = "127.0.0.1") -> tuple[Path, Path, Path]:
    """Creates a CA and a server certificate for host_ip/localhost; returns (ca.crt, tls.crt, tls.key)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake-trino-test-ca")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "trino-coordinator")]))
        .issuer_name(ca_name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(host_ip))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    paths = (directory / "ca.crt", directory / "tls.crt", directory / "tls.key")
    paths[0].write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return paths


def type_signature(trino_type: str) -> dict:
    """Trino's typeSignature of a simple type: varchar carries its length, timestamp its precision."""
    raw = trino_type.split("(")[0]
    if raw == "varchar":
        return {"rawType": raw, "arguments": [{"kind": "LONG", "value": 2147483647}]}
    if raw == "timestamp":
        precision = int(trino_type[len("timestamp("):-1]) if "(" in trino_type else 3
        return {"rawType": raw, "arguments": [{"kind": "LONG", "value": precision}]}
    return {"rawType": raw, "arguments": []}


class FakeTrino:
    """HTTPS server on 127.0.0.1 with one user; see the module docstring."""

    def __init__(self, tls_dir: Path, user: str, password: str, table_json: Path, rows: list[dict],
                 catalog: str = "prediction", schema: str = "ad", table: str = "iforest"):
        self.user, self.password = user, password
        self.catalog, self.schema, self.table = catalog, schema, table
        spec = json.loads(table_json.read_text())["columns"]
        self.columns = [(c["name"], TRINO_TYPES[c["type"]]) for c in spec]
        self.duckdb = duckdb.connect()
        self.duckdb.execute(f"ATTACH ':memory:' AS {catalog}")
        self.duckdb.execute(f"CREATE SCHEMA {catalog}.{schema}")
        self.duckdb.execute(f"CREATE TABLE {catalog}.{schema}.{table} ("
                            + ", ".join(f"{c['name']} {DUCKDB_TYPES[c['type']]}" for c in spec) + ")")
        names = [c["name"] for c in spec]
        if rows:
            self.duckdb.executemany(f"INSERT INTO {catalog}.{schema}.{table} VALUES ({', '.join('?' for _ in names)})",
                                    [[row.get(n) for n in names] for row in rows])
        self.ca_file, cert, key = write_tls_files(tls_dir)
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        self._counter = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_POST(self):
                fake._handle(self)

            def do_GET(self):
                fake._send(self, 404, {"error": "fake trino: only POST /v1/statement"})

            def do_DELETE(self):  # clients cancel finished queries
                self.send_response(204)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "FakeTrino":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def statements(self) -> list[str]:
        with self._lock:
            return [r["statement"] for r in self.requests]

    # -- protocol -----------------------------------------------------------------------------

    def _send(self, handler, status, body):
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _handle(self, handler):
        length = int(handler.headers.get("Content-Length") or 0)
        statement = handler.rfile.read(length).decode("utf-8")
        auth = handler.headers.get("Authorization", "")
        authenticated = auth == "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        record = {
            "path": handler.path,
            "statement": statement,
            "user": handler.headers.get("X-Trino-User"),
            "catalog": handler.headers.get("X-Trino-Catalog"),
            "schema": handler.headers.get("X-Trino-Schema"),
            "source": handler.headers.get("X-Trino-Source"),
            "authenticated": authenticated,
        }
        with self._lock:
            self.requests.append(record)
            self._counter += 1
            query_id = f"fake_{self._counter}"
        if handler.path != "/v1/statement":
            return self._send(handler, 404, {"error": "fake trino: only POST /v1/statement"})
        if not authenticated:
            # What Trino answers to a wrong or missing password.
            handler.send_response(401)
            handler.send_header("WWW-Authenticate", 'Basic realm="Trino"')
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return None
        try:
            columns, rows = self._answer(unwrap_execute_immediate(statement), record["catalog"], record["schema"])
            error = None
        except duckdb.Error as err:
            columns, rows, error = None, None, str(err)
        body = {
            "id": query_id,
            "infoUri": f"https://127.0.0.1:{self.port}/ui/query.html?{query_id}",
            "stats": {"state": "FINISHED" if error is None else "FAILED"},
        }
        if error is not None:
            body["error"] = {"message": f"fake trino: {error}", "errorCode": 1,
                             "errorName": "GENERIC_USER_ERROR", "errorType": "USER_ERROR"}
        else:
            body["columns"] = [{"name": n, "type": t, "typeSignature": type_signature(t)} for n, t in columns]
            body["data"] = rows
        return self._send(handler, 200, body)

    def _answer(self, statement, session_catalog, session_schema):
        """(columns, rows) of a statement: metadata from the table contract, queries from DuckDB."""
        low = " ".join(statement.split()).lower()
        if low.startswith("show catalogs"):
            return [("Catalog", "varchar")], [[self.catalog], ["system"]]
        if '"information_schema".' in low or low.startswith(("show schemas", "show tables")):
            return self._metadata(low, session_catalog)
        cur = self.duckdb.cursor()  # one cursor per request: the server is threaded
        try:
            if session_catalog == self.catalog:
                cur.execute(f"USE {self.catalog}.{self.schema}" if session_schema == self.schema else f"USE {self.catalog}")
            cur.execute(statement.rstrip().rstrip(";"))
            desc = cur.description or []
            columns = [(d[0], RESULT_TYPES.get(str(d[1]), "varchar")) for d in desc]
            rows = [[to_json(v) for v in row] for row in cur.fetchall()]
            return columns, rows
        finally:
            cur.close()

    def _metadata(self, low, session_catalog):
        catalog = session_catalog
        m = re.search(r'from "?(\w+)"?\."information_schema"', low)
        if m:
            catalog = m.group(1)
        if catalog != self.catalog:
            return [("schema_name", "varchar"), ("table_name", "varchar")], []
        if low.startswith("show schemas") or '"information_schema"."schemata"' in low:
            return [("schema_name", "varchar")], [[self.schema], ["information_schema"]]
        ours = f"'{self.schema}'" in low and f"'{self.table}'" in low
        if '"information_schema"."tables"' in low or low.startswith("show tables"):
            views = "'view'" in low
            return [("table_name", "varchar")], ([[self.table]] if f"'{self.schema}'" in low and not views else [])
        if '"information_schema"."columns"' in low and ours:
            return ([("column_name", "varchar"), ("data_type", "varchar"), ("column_default", "varchar"),
                     ("is_nullable", "varchar"), ("comment", "varchar")],
                    [[n, t, None, "YES", None] for n, t in self.columns])
        return [("table_name", "varchar")], []


def unwrap_execute_immediate(statement: str) -> str:
    """`EXECUTE IMMEDIATE '<sql>' USING a, b` (how the trino client sends parameters) -> plain SQL."""
    m = re.match(r"\s*EXECUTE\s+IMMEDIATE\s+'((?:[^']|'')*)'\s*(?:USING\s+(.*))?$", statement, re.S | re.I)
    if not m:
        return statement
    sql = m.group(1).replace("''", "'")
    params = re.findall(r"'(?:[^']|'')*'|[^,\s][^,]*", m.group(2) or "")
    for p in params:
        sql = sql.replace("?", p.strip(), 1)
    return sql


def to_json(value):
    """A DuckDB value as Trino writes it in JSON results."""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value
