"""A stand-in for the NiFi 2.9.0 REST API, only the part NifiFlow's Job uses, over HTTPS.

Modelled on apache/nifi tag rel/nifi-2.9.0 (paths below are under
nifi-framework-bundle/nifi-framework/nifi-web/nifi-web-api/src/main/java/org/apache/nifi/web/api/
unless said otherwise); each rule names its source. It is no kinder than NiFi: what NiFi refuses,
it refuses with NiFi's status; what it does not model, it refuses with 501 so that a script that
relies on more fails here. Not modelled: clustering and request
replication, revisions sent by clients (the Job sends none), authorization (the single user may
do everything, as with the nifi-operator's static login).
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import secrets
import ssl
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

#: Types of the NiFi 2.9.0 distribution the stand-in "has installed", by (type, NAR artifact), with
#: the relationships of processors: apache/nifi rel/nifi-2.9.0, the classes' `Relationship`
#: constants and their bundles' `*-nar/pom.xml` (the same list as constructs/nifi/nifi-flow-builder.ts,
#: read from the source independently).
INSTALLED = {
    ("org.apache.nifi.processors.standard.InvokeHTTP", "nifi-standard-nar"): ["Original", "Response", "Retry", "No Retry", "Failure"],
    ("org.apache.nifi.processors.standard.SplitRecord", "nifi-standard-nar"): ["splits", "original", "failure"],
    ("org.apache.nifi.processors.standard.EvaluateJsonPath", "nifi-standard-nar"): ["matched", "unmatched", "failure"],
    ("org.apache.nifi.processors.standard.GenerateFlowFile", "nifi-standard-nar"): ["success"],
    ("org.apache.nifi.processors.standard.LogAttribute", "nifi-standard-nar"): ["success"],
    ("org.apache.nifi.processors.jolt.JoltTransformJSON", "nifi-jolt-nar"): ["success", "failure"],
    ("org.apache.nifi.kafka.processors.PublishKafka", "nifi-kafka-nar"): ["success", "failure"],
    ("org.apache.nifi.ssl.StandardRestrictedSSLContextService", "nifi-ssl-context-service-nar"): [],
    ("org.apache.nifi.json.JsonTreeReader", "nifi-record-serialization-services-nar"): [],
    ("org.apache.nifi.json.JsonRecordSetWriter", "nifi-record-serialization-services-nar"): [],
    ("org.apache.nifi.kafka.service.Kafka3ConnectionService", "nifi-kafka-3-service-nar"): [],
}
NIFI_VERSION = "2.9.0"


class NifiStandIn:
    """The stand-in server: `start()`, `stop()`; what happened is in `groups`, `requests`, `uploads`."""

    def __init__(self, address: tuple[str, int], cert_file: Path, key_file: Path, username: str, password: str):
        self.address = address
        self.username = username
        self.password = password
        self.tokens: set[str] = set()
        self.root_id = str(uuid.uuid4())
        #: Child groups of the root: id -> {"name", "processors": [...], "services": [...], "connections": [...], "running"}
        self.groups: dict[str, dict] = {}
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status)
        self.uploads = 0
        self.lock = threading.Lock()
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(str(cert_file), str(key_file))
        handler = type("Handler", (_Handler,), {"nifi": self})
        # Listens only from start(): until then a connection is refused, as before NiFi's Jetty is up.
        self.server = ThreadingHTTPServer(address, handler, bind_and_activate=False)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "NifiStandIn":
        self.server.server_bind()
        self.server.server_activate()
        self.server.socket = self.tls.wrap_socket(self.server.socket, server_side=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.thread.is_alive():
            self.server.shutdown()
            self.server.server_close()

    # -- the flow ------------------------------------------------------------------------------

    def import_flow(self, name: str, snapshot: dict) -> dict:
        """ProcessGroupResource.java `importProcessGroup`: a new group named `groupName` (the
        snapshot's name is replaced, `setName(groupName)`), its components with new instance ids;
        a property of a service-referencing descriptor that names a versioned service id points to
        that service's new instance (nifi-framework-components StandardVersionedComponentSynchronizer
        `populatePropertiesMap`). The services arrive DISABLED, processors STOPPED."""
        contents = snapshot["flowContents"]
        group_id = str(uuid.uuid4())
        services = {}
        for s in contents.get("controllerServices", []):
            services[s["identifier"]] = {"id": str(uuid.uuid4()), "name": s["name"], "type": s["type"], "bundle": s["bundle"], "state": "DISABLED",
                                         "properties": dict(s.get("properties") or {}), "descriptors": s.get("propertyDescriptors") or {}}
        for svc in services.values():
            svc["references"] = _service_references(svc["properties"], svc["descriptors"], services)
        processors = {}
        for p in contents.get("processors", []):
            processors[p["identifier"]] = {"id": str(uuid.uuid4()), "name": p["name"], "type": p["type"], "bundle": p["bundle"], "state": "STOPPED",
                                           "properties": dict(p.get("properties") or {}), "autoTerminated": set(p.get("autoTerminatedRelationships") or []),
                                           "references": _service_references(p.get("properties") or {}, p.get("propertyDescriptors") or {}, services),
                                           "connected": set()}
        for c in contents.get("connections", []):
            processors[c["source"]["id"]]["connected"].update(c.get("selectedRelationships") or [])
        group = {"id": group_id, "name": name, "services": list(services.values()), "processors": list(processors.values())}
        self.groups[group_id] = group
        return group

    def validation_errors(self, component: dict) -> list[str]:
        """Why a component is invalid: a type NiFi does not have (a "ghost" component), a
        referenced service that is not enabled, a relationship neither connected nor auto-terminated."""
        errors = []
        # The stand-in has one bundle per type, so the version does not matter
        # (nifi-framework-components util/BundleUtils.java: an exact coordinate, else the only bundle of the type).
        key = (component["type"], component["bundle"]["artifact"])
        if key not in INSTALLED:
            errors.append(f"Missing Processor/Controller Service: {component['type']} from {component['bundle']['artifact']}")
            return errors
        for svc in component["references"]:
            if svc["state"] != "ENABLED":
                errors.append(f"Controller Service {svc['name']} is {svc['state']}")
        for rel in INSTALLED[key]:
            if "connected" in component and rel not in component["connected"] and rel not in component["autoTerminated"]:
                errors.append(f"'Relationship {rel}' is invalid because Relationship '{rel}' is not connected to any component and is not auto-terminated")
        return errors

    def advance(self) -> None:
        """Enabling is asynchronous (StandardControllerServiceProvider `enableControllerServicesAsync`,
        in dependency order): each look at the group moves an ENABLING service whose referenced
        services are ENABLED to ENABLED."""
        for group in self.groups.values():
            for svc in group["services"]:
                if svc["state"] == "ENABLING" and all(r["state"] == "ENABLED" for r in svc["references"]):
                    svc["state"] = "ENABLED"


def _service_references(properties: dict, descriptors: dict, services: dict) -> list[dict]:
    found = []
    for key, value in properties.items():
        if value in services:
            if not (descriptors.get(key) or {}).get("identifiesControllerService"):
                # The stand-in knows no component's own descriptors: without the versioned
                # descriptor it cannot tell that the property references a service.
                raise ValueError(f"property {key} names service {value} without a descriptor that identifies a controller service")
            properties[key] = services[value]["id"]
            found.append(services[value])
    return found


class _Handler(BaseHTTPRequestHandler):
    nifi: NifiStandIn
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def _send(self, status: int, body, content_type: str = "application/json") -> None:
        data = (json.dumps(body) if content_type == "application/json" else str(body)).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.nifi.requests.append((self.command, self.path, status))

    def _text(self, status: int, message: str) -> None:
        # The exception mappers answer text/plain with the message (api/config/*ExceptionMapper.java).
        self._send(status, message, "text/plain")

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def _host_port_ok(self) -> bool:
        """nifi-jetty server/connector/HostPortValidatorCustomizer.java: on HTTPS, the Host header's
        port, when given, must be the server's port (or one of nifi.web.proxy.host): else 421
        "Invalid Port Requested". Host names are not checked there (Jetty's SNI host check, off with
        the nifi-operator overrides NifiCluster sets, is not modelled)."""
        host = self.headers.get("Host", "")
        port = host.rsplit(":", 1)[1] if ":" in host and not host.endswith("]") else None
        if port is not None and int(port) != self.nifi.address[1]:
            self._body()
            self._text(421, "Invalid Port Requested")
            return False
        return True

    def _authenticated(self) -> bool:
        """A bearer token (nifi-web-security jwt/resolver/StandardBearerTokenResolver: the
        `Authorization: Bearer` header, or the `__Secure-Authorization-Bearer` cookie); a request
        carrying the cookie must also carry the CSRF header `Request-Token`
        (csrf/CsrfCookieRequestMatcher.java); none: 401 (Spring Security's entry point)."""
        cookie = self.headers.get("Cookie", "")
        if "__Secure-Authorization-Bearer" in cookie and self.headers.get("Request-Token") is None:
            self._text(403, "CSRF token not found")
            return False
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer ") and auth[len("Bearer "):] in self.nifi.tokens:
            return True
        self._text(401, "Authentication required")
        return False

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        with self.nifi.lock:
            if not self._host_port_ok():
                return
            if path == "/nifi-api/access/token":
                return self._token()
            if not self._authenticated():
                return
            parts = path.split("/")
            # /nifi-api/process-groups/{id}/process-groups/upload
            if len(parts) == 6 and parts[1:3] == ["nifi-api", "process-groups"] and parts[4:] == ["process-groups", "upload"]:
                return self._upload(parts[3])
            self._text(501, f"not modelled: POST {path}")

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        parts = url.path.split("/")
        with self.nifi.lock:
            if not self._host_port_ok() or not self._authenticated():
                return
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            if len(parts) == 5 and parts[1:4] == ["nifi-api", "flow", "process-groups"]:
                return self._flow(parts[4])
            if len(parts) == 6 and parts[1:4] == ["nifi-api", "flow", "process-groups"] and parts[5] == "controller-services":
                return self._services(parts[4], query)
            self._text(501, f"not modelled: GET {url.path}")

    def do_PUT(self) -> None:
        parts = urlsplit(self.path).path.split("/")
        with self.nifi.lock:
            if not self._host_port_ok() or not self._authenticated():
                return
            if self.headers.get_content_type() != "application/json":
                # @Consumes(MediaType.APPLICATION_JSON): JAX-RS answers 415 to another type.
                self._body()
                return self._text(415, "Unsupported Media Type")
            try:
                body = json.loads(self._body() or b"null")
            except ValueError:
                return self._text(400, "Message body is malformed. Unable to map into expected format.")
            if len(parts) == 5 and parts[1:4] == ["nifi-api", "flow", "process-groups"]:
                return self._schedule(parts[4], body)
            if len(parts) == 6 and parts[1:4] == ["nifi-api", "flow", "process-groups"] and parts[5] == "controller-services":
                return self._activate(parts[4], body)
            self._text(501, f"not modelled: PUT {self.path}")

    # -- endpoints ----------------------------------------------------------------------------

    def _token(self) -> None:
        """AccessResource.java `createAccessToken`: @Consumes APPLICATION_FORM_URLENCODED (else
        415); blank username or password: IllegalArgumentException "The username and password
        must be specified." (400); wrong: "The supplied username and password are not valid."
        (400); else 201, the JWT as text/plain."""
        body = self._body()
        if self.headers.get_content_type() != "application/x-www-form-urlencoded":
            return self._text(415, "Unsupported Media Type")
        form = {k: v[-1] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
        username, password = form.get("username", ""), form.get("password", "")
        if not username.strip() or not password.strip():
            return self._text(400, "The username and password must be specified.")
        if (username, password) != (self.nifi.username, self.nifi.password):
            return self._text(400, "The supplied username and password are not valid.")
        token = "eyJ" + secrets.token_urlsafe(24)
        self.nifi.tokens.add(token)
        self._send(201, token, "text/plain")

    def _group_id(self, gid: str) -> str | None:
        # nifi-framework-core StandardFlowManager: `root` is an alias of the root group's id.
        if gid in ("root", self.nifi.root_id):
            return self.nifi.root_id
        return gid if gid in self.nifi.groups else None

    def _flow(self, gid: str) -> None:
        """FlowResource.java `getFlow`: ProcessGroupFlowEntity {processGroupFlow: {id, flow: {processGroups: [ProcessGroupEntity]}}};
        an unknown id: ResourceNotFoundException, 404."""
        resolved = self._group_id(gid)
        if resolved is None:
            return self._text(404, f"Unable to locate group with id '{gid}'.")
        self.nifi.advance()
        children = [] if resolved != self.nifi.root_id else [
            {"revision": {"version": 1}, "id": g["id"], "uri": f"https://nifi/nifi-api/process-groups/{g['id']}",
             "position": {"x": 0.0, "y": 0.0}, "permissions": {"canRead": True, "canWrite": True}, "bulletins": [],
             "component": {"id": g["id"], "parentGroupId": self.nifi.root_id, "position": {"x": 0.0, "y": 0.0}, "name": g["name"],
                           "comments": "", "runningCount": sum(p["state"] == "RUNNING" for p in g["processors"]),
                           "stoppedCount": sum(p["state"] == "STOPPED" for p in g["processors"])},
             "runningCount": sum(p["state"] == "RUNNING" for p in g["processors"])}
            for g in self.nifi.groups.values()]
        self._send(200, {"permissions": {"canRead": True, "canWrite": True},
                         "processGroupFlow": {"id": resolved, "uri": f"https://nifi/nifi-api/flow/process-groups/{resolved}",
                                              "breadcrumb": {"id": resolved, "breadcrumb": {"id": resolved, "name": "NiFi Flow"}},
                                              "flow": {"processGroups": children, "remoteProcessGroups": [], "processors": [], "inputPorts": [],
                                                       "outputPorts": [], "connections": [], "labels": [], "funnels": []},
                                              "lastRefreshed": "12:00:00 UTC"}})

    def _upload(self, gid: str) -> None:
        """ProcessGroupResource.java `uploadProcessGroup`: @Consumes MULTIPART_FORM_DATA (else
        415); groupName blank: "The process group name is required." (400); positionX or
        positionY missing: "The x/y coordinate of the proposed position must be specified." (400);
        clientId blank: "The client id must be specified" (400); `file` not a RegisteredFlowSnapshot:
        "Deserialization of uploaded JSON failed" (400); an unknown parent: 404. 201 with the new
        ProcessGroupEntity."""
        body = self._body()
        if self.headers.get_content_type() != "multipart/form-data":
            return self._text(415, "Unsupported Media Type")
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + body)
        form = {}
        for part in message.iter_parts():
            form[part.get_param("name", header="content-disposition")] = part.get_payload(decode=True)
        text = {k: v.decode() for k, v in form.items() if k != "file"}
        if not text.get("groupName", "").strip():
            return self._text(400, "The process group name is required.")
        resolved = self._group_id(gid)
        if resolved is None:
            return self._text(404, f"Unable to locate group with id '{gid}'.")
        for axis in ("X", "Y"):
            if f"position{axis}" not in text:
                return self._text(400, f"The {axis.lower()} coordinate of the proposed position must be specified.")
            try:
                float(text[f"position{axis}"])
            except ValueError:
                # Jersey cannot convert the value to the @FormParam Double: the request fails (its
                # exact status is not modelled).
                return self._text(400, f"position{axis} is not a number")
        if not text.get("clientId", "").strip():
            return self._text(400, "The client id must be specified")
        try:
            snapshot = json.loads(form.get("file") or b"")
            assert isinstance(snapshot, dict) and isinstance(snapshot.get("flowContents"), dict)
        except (ValueError, AssertionError):
            return self._text(400, "Deserialization of uploaded JSON failed")
        try:
            group = self.nifi.import_flow(text["groupName"], snapshot)
        except (KeyError, TypeError, ValueError) as e:
            return self._text(400, f"flow definition not importable: {e}")
        self.nifi.uploads += 1
        self._send(201, {"revision": {"clientId": text["clientId"], "version": 1}, "id": group["id"],
                         "uri": f"https://nifi/nifi-api/process-groups/{group['id']}",
                         "component": {"id": group["id"], "parentGroupId": resolved, "name": group["name"]}})

    def _services(self, gid: str, query: dict) -> None:
        """FlowResource.java `getControllerServicesFromGroup`: {controllerServices: [ControllerServiceEntity]},
        each `component.state` ENABLED, ENABLING, DISABLED or DISABLING (ControllerServiceDTO)."""
        resolved = self._group_id(gid)
        if resolved is None:
            return self._text(404, f"Unable to locate group with id '{gid}'.")
        self.nifi.advance()
        services = self.nifi.groups[resolved]["services"] if resolved in self.nifi.groups else []
        self._send(200, {"controllerServices": [
            {"revision": {"version": 1}, "id": s["id"], "parentGroupId": resolved,
             "component": {"id": s["id"], "name": s["name"], "type": s["type"], "state": s["state"],
                           "validationErrors": self.nifi.validation_errors(s), "properties": s["properties"]},
             "status": {"runStatus": s["state"]}} for s in services], "currentTime": "12:00:00 UTC"})

    def _activate(self, gid: str, body) -> None:
        """FlowResource.java `activateControllerServices`: no body: "Controller service must be
        specified." (400); body id != path id (400); state missing or not ENABLED/DISABLED (400);
        without `components`, every disabled service of the group that is valid, or invalid only
        for other disabled services (`isControllerServiceNodeEligibleForEnabling`), starts ENABLING."""
        if body is None:
            return self._text(400, "Controller service must be specified.")
        if body.get("id") != gid:
            return self._text(400, f"The process group id ({body.get('id')}) in the request body does not equal the process group id of the requested resource ({gid}).")
        state = body.get("state")
        if state is None:
            return self._text(400, "The controller service state must be specified.")
        if state not in ("ENABLED", "DISABLED"):
            return self._text(400, "The controller service state must be one of [ENABLED, DISABLED].")
        resolved = self._group_id(gid)
        if resolved is None:
            return self._text(404, f"Unable to locate group with id '{gid}'.")
        if body.get("components") is not None:
            return self._text(501, "not modelled: components with revisions")
        for svc in self.nifi.groups.get(resolved, {"services": []})["services"]:
            if state == "ENABLED" and svc["state"] == "DISABLED":
                others = [e for e in self.nifi.validation_errors(svc) if not e.startswith("Controller Service ")]
                if not others:
                    svc["state"] = "ENABLING"
            elif state == "DISABLED" and svc["state"] in ("ENABLED", "ENABLING"):
                svc["state"] = "DISABLED"
        self._send(200, {"id": gid, "state": state, "components": {}})

    def _schedule(self, gid: str, body) -> None:
        """FlowResource.java `scheduleComponents`: no body: "Schedule Component must be specified."
        (400); body id != path id (400); state missing (400) or not RUNNING/STOPPED/ENABLED/DISABLED
        (400); without `components`, every processor not running and not disabled
        (ProcessGroup.START_PROCESSORS_FILTER) is scheduled; validity is not checked
        (StandardProcessorNode `verifyCanStart` checks only the state)."""
        if body is None:
            return self._text(400, "Schedule Component must be specified.")
        if body.get("id") != gid:
            return self._text(400, f"The process group id ({body.get('id')}) in the request body does not equal the process group id of the requested resource ({gid}).")
        state = body.get("state")
        if state is None:
            return self._text(400, "The scheduled state must be specified.")
        if state not in ("RUNNING", "STOPPED", "ENABLED", "DISABLED"):
            return self._text(400, "The scheduled must be one of [RUNNING, STOPPED, ENABLED, DISABLED].")
        resolved = self._group_id(gid)
        if resolved is None:
            return self._text(404, f"Unable to locate group with id '{gid}'.")
        if body.get("components") is not None:
            return self._text(501, "not modelled: components with revisions")
        for p in self.nifi.groups.get(resolved, {"processors": []})["processors"]:
            if state == "RUNNING" and p["state"] == "STOPPED":
                p["state"] = "RUNNING"
            elif state == "STOPPED" and p["state"] == "RUNNING":
                p["state"] = "STOPPED"
        self._send(200, {"id": gid, "state": state})
