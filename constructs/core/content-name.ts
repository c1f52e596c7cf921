import { createHash } from 'crypto';
import { ApiObject, JsonPatch } from 'cdk8s';

/** Hex digits of the hash that {@link contentName} appends. */
export const CONTENT_HASH_LENGTH = 8;

/**
 * Label of every object named by {@link contentName}: the selector of the README's prune after an
 * upgrade, which deletes the replaced ones (`kubectl apply --prune -l` also filters what it applies,
 * so it selects exactly these objects).
 */
export const CONTENT_NAMED_LABEL = 'cdk8s-stackable-demos/content-named';

/**
 * JSON text of `value` with the keys of every object sorted and `undefined` members left out, and
 * strings escaped exactly as Go's `encoding/json` does (`<`, `>`, `&`, U+2028 and U+2029 as
 * `\u003c`…): Helm's `toJson` is `json.Marshal`, so a Helm template can rebuild this text around
 * values it substitutes (scripts/synth-helm.ts) and hash it with `sha256sum` to the same name.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    if (text === undefined) throw new Error(`canonicalJson: ${typeof value} is not JSON`);
    return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${canonicalJson(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The SHA-256 (hex) of `canonicalJson(value)`, e.g. of the ConfigMap data a pod reads, for a checksum annotation. */
export function jsonSha256(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/** The first {@link CONTENT_HASH_LENGTH} hex digits of {@link jsonSha256} of `spec`. */
export function specHash(spec: unknown): string {
  return jsonSha256(spec).slice(0, CONTENT_HASH_LENGTH);
}

/**
 * Renames `obj` to `<its name>-<specHash of its synthesized spec>` and returns the new name: an
 * object whose `spec` changes gets a new name, an unchanged one keeps its name.
 *
 * For objects whose spec cannot change once they exist or have run: Kubernetes rejects any
 * change to a Job's `spec.template` (batch/v1 JobSpec: "field is immutable"), and the spark-k8s
 * operator never runs a SparkApplication again once it has created its submit Job (it skips every
 * application with a status; stackabletech/spark-k8s-operator main,
 * rust/operator-binary/src/spark_k8s_controller.rs `reconcile`: `k8s_job_has_been_created()` →
 * `Action::await_change()`). Applying a changed one therefore creates a new object next to the old
 * one, which runs. Inputs outside `spec` (mounted ConfigMaps) must be hashed into the spec by the
 * caller, e.g. as a pod annotation.
 *
 * The object gets the label {@link CONTENT_NAMED_LABEL}. Call it after the object is complete: the hash is taken over `obj.toJson().spec` once, here, and
 * the name is replaced with a JSON patch (the name given at construction stays `obj.name`).
 */
export function contentName(obj: ApiObject): string {
  const name = `${obj.name}-${specHash(obj.toJson().spec)}`;
  obj.addJsonPatch(JsonPatch.replace('/metadata/name', name));
  obj.metadata.addLabel(CONTENT_NAMED_LABEL, 'true');
  return name;
}
