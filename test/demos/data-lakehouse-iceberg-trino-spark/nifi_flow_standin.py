"""A stand-in for NiFi running the demo's flow (NiFi itself cannot run here: its binary
distribution `nifi-assembly` is not on the registries this machine reaches). It interprets the
flow definition the demo synthesizes (the NifiFlow ConfigMap's `flow.json`, what the upload Job
gives NiFi) for the processors that flow uses, as NiFi 2.9.0 runs them (apache/nifi tag
rel/nifi-2.9.0), and returns the Kafka messages each PublishKafka would send. A processor type
or setting it does not model raises: it is never kinder than NiFi by guessing.

- InvokeHTTP (nifi-standard-processors InvokeHTTP): a GET of `HTTP URL` with `${attribute}`
  replaced from the flow file's attributes; a 2xx answer goes to `Response` with the body as
  content; anything else to a relationship the flow auto-terminates (here: an error, so that the
  test sees it).
- JoltTransformJSON (nifi-jolt-processors, Jolt 0.1.x `chainr`): operations `shift` whose spec is
  nested keys ending in "" (the value at that path becomes the output) and `default` with spec
  `{"*": {field: value}}` (each element of a top-level array gets `field` if it lacks it), the
  value with `${attribute}` replaced (Expression Language is evaluated on the spec first).
- SplitRecord (nifi-standard-processors SplitRecord, `Records Per Split` 1): one flow file per
  record of the content (JsonTreeReader: a top-level array's elements, or one object), the
  attributes copied.
- EvaluateJsonPath (`Destination` flowfile-attribute): each dynamic property `$.<field>` as an
  attribute; `matched` when every path is found.
- PublishKafka (nifi-kafka-processors PublishKafka, `Publish Strategy` USE_VALUE with a Record
  Reader and Writer): one message per record (RecordStreamKafkaRecordConverter and
  RecordValueFactory: `writer.write(record)` then `flush()` for each record, outside a record set).
  The writer is JsonRecordSetWriter without pretty printing (WriteJsonResult `writeRecord`): a
  compact JSON object; its Jackson generator is shared by the records of one flow file, and
  Jackson writes its root value separator, a space, before every root value after the first
  (jackson-core UTF8JsonGenerator `_verifyValueWrite`, `DEFAULT_ROOT_VALUE_SEPARATOR`), so each
  message after the first of a flow file starts with a space.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections import defaultdict

EXPRESSION = re.compile(r"\$\{([A-Za-z0-9_.-]+)\}")


def _evaluate(text: str, attributes: dict[str, str]) -> str:
    def value(m: re.Match) -> str:
        if m.group(1) not in attributes:
            raise ValueError(f"attribute {m.group(1)} is not set (flow file attributes: {sorted(attributes)})")
        return attributes[m.group(1)]
    return EXPRESSION.sub(value, text)


def _records(content: bytes) -> list:
    data = json.loads(content)
    return data if isinstance(data, list) else [data]


def _jolt(spec_text: str, content: bytes) -> bytes:
    data = json.loads(content)
    for step in json.loads(spec_text):
        operation, spec = step["operation"], step["spec"]
        if operation == "shift":
            path = []
            node = spec
            while isinstance(node, dict):
                (key, node), = node.items()
                path.append(key)
            if node != "" or any(k in ("*", "&", "@", "$") for k in path):
                raise NotImplementedError(f"shift spec {spec}: only nested literal keys ending in \"\" are modelled")
            for key in path:
                data = data[key]
        elif operation == "default":
            (star, fields), = spec.items()
            if star != "*" or not isinstance(data, list):
                raise NotImplementedError(f"default spec {spec} on {type(data).__name__}: only {{\"*\": {{...}}}} on a top-level array is modelled")
            data = [{**r, **{k: v for k, v in fields.items() if k not in r}} for r in data]
        else:
            raise NotImplementedError(f"Jolt operation {operation}")
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


class FlowRun:
    """One run of every timer-driven source of the flow: the messages per topic and what each processor did."""

    def __init__(self, definition: dict):
        contents = definition["flowContents"]
        self.processors = {p["identifier"]: p for p in contents["processors"]}
        self.connections: dict[str, list[tuple[list[str], str]]] = defaultdict(list)
        for c in contents["connections"]:
            self.connections[c["source"]["id"]].append((c["selectedRelationships"], c["destination"]["id"]))
        targets = {c["destination"]["id"] for c in contents["connections"]}
        self.sources = [p for p in contents["processors"] if p["identifier"] not in targets]
        self.messages: dict[str, list[str]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)

    def run(self) -> dict[str, list[str]]:
        for source in self.sources:
            self._process(source["identifier"], b"", {})
        return dict(self.messages)

    def _route(self, processor: dict, relationship: str, content: bytes, attributes: dict[str, str]) -> None:
        routed = False
        for relationships, destination in self.connections.get(processor["identifier"], []):
            if relationship in relationships:
                routed = True
                self._process(destination, content, attributes)
        if not routed and relationship not in processor.get("autoTerminatedRelationships", []):
            raise AssertionError(f"{processor['name']}: relationship {relationship} is neither connected nor auto-terminated")

    def _process(self, identifier: str, content: bytes, attributes: dict[str, str]) -> None:
        p = self.processors[identifier]
        kind = p["type"].rsplit(".", 1)[1]
        props = p["properties"]
        self.counts[p["name"]] += 1
        if kind == "InvokeHTTP":
            if props.get("HTTP Method", "GET") != "GET":
                raise NotImplementedError(f"{p['name']}: HTTP Method {props['HTTP Method']}")
            url = _evaluate(props["HTTP URL"], attributes)
            with urllib.request.urlopen(url, timeout=10) as answer:  # raises on a non-2xx status: the test fails
                body = answer.read()
            self._route(p, "Response", body, attributes)
        elif kind == "JoltTransformJSON":
            if props.get("Jolt Transform") != "jolt-transform-chain":
                raise NotImplementedError(f"{p['name']}: Jolt Transform {props.get('Jolt Transform')}")
            self._route(p, "success", _jolt(_evaluate(props["Jolt Specification"], attributes), content), attributes)
        elif kind == "SplitRecord":
            if props.get("Records Per Split") != "1":
                raise NotImplementedError(f"{p['name']}: Records Per Split {props.get('Records Per Split')}")
            for record in _records(content):
                self._route(p, "splits", json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode(), dict(attributes))
        elif kind == "EvaluateJsonPath":
            if props.get("Destination") != "flowfile-attribute":
                raise NotImplementedError(f"{p['name']}: Destination {props.get('Destination')}")
            data = json.loads(content)
            found = dict(attributes)
            matched = True
            for name, path in props.items():
                if name in ("Destination", "Return Type", "Path Not Found Behavior", "Null Value Representation", "Max String Length") or path is None:
                    continue
                if not re.fullmatch(r"\$\.[A-Za-z0-9_]+", path):
                    raise NotImplementedError(f"{p['name']}: JSON path {path}")
                if isinstance(data, dict) and path[2:] in data:
                    found[name] = str(data[path[2:]])
                else:
                    matched = False
            self._route(p, "matched" if matched else "unmatched", content, found)
        elif kind == "PublishKafka":
            if props.get("Publish Strategy") != "USE_VALUE":
                raise NotImplementedError(f"{p['name']}: Publish Strategy {props.get('Publish Strategy')}")
            topic = _evaluate(props["Topic Name"], attributes)
            for n, record in enumerate(_records(content)):
                self.messages[topic].append((" " if n > 0 else "") + json.dumps(record, separators=(",", ":"), ensure_ascii=False))
            self._route(p, "success", content, attributes)
        else:
            raise NotImplementedError(f"processor type {p['type']} ({p['name']})")
