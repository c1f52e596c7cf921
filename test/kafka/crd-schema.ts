/**
 * Validation of synthesized Stackable objects against their CRD's openAPIV3Schema in jest, with
 * unknown fields as errors (as the manifests suite's kube-check does): the CRDs come from the
 * folder the suites use (scripts/lib/common.sh `crd_dir`: STACKABLE_CRDS_DIR, ../shared/crds or
 * the cache of scripts/fetch-crds.sh). Not a test file itself.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import * as YAML from 'yaml';
import { K8sObject } from '../util';

const REPO = path.join(__dirname, '..', '..');
let schemas: Map<string, any> | undefined;
const validators = new Map<string, ValidateFunction>();
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });

/** The CRD folder of the suites; throws with `crd_dir`'s message when there is none. */
function crdDir(): string {
  const r = spawnSync('bash', ['-c', '. scripts/lib/common.sh; crd_dir jest'], { cwd: REPO, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr.trim());
  return r.stdout.trim();
}

/**
 * A structural schema with unknown fields refused: Kubernetes prunes a field no `properties`
 * names (silently: it is lost), except under `x-kubernetes-preserve-unknown-fields` or
 * `additionalProperties`.
 */
function strict(schema: any): any {
  if (schema === null || typeof schema !== 'object') return schema;
  if (Array.isArray(schema)) return schema.map(strict);
  const out: any = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, strict(v)]));
  // OpenAPI `nullable` without `type` (int-or-string, free-form fields) already allows null; Ajv refuses it there.
  if (out.nullable === true && out.type === undefined) delete out.nullable;
  if (out.properties !== undefined && out.additionalProperties === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

/** The openAPIV3Schema of every CRD version in the folder, by `<group>/<version>/<kind>`, read once. */
function load(): Map<string, any> {
  if (schemas !== undefined) return schemas;
  const out = new Map<string, any>();
  const dir = crdDir();
  for (const file of fs.readdirSync(dir).filter(f => f.endsWith('.yaml'))) {
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'))) {
      const crd = doc.toJS();
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      for (const v of crd.spec.versions) {
        out.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, v.schema.openAPIV3Schema);
      }
    }
  }
  schemas = out;
  return out;
}

/** The schema errors of `obj` against its CRD (`[]` when valid); throws when no CRD defines its kind. */
export function crdErrors(obj: K8sObject): string[] {
  const key = `${obj.apiVersion}/${obj.kind}`;
  const schema = load().get(key);
  if (schema === undefined) throw new Error(`no CRD defines ${obj.apiVersion} ${obj.kind}`);
  // Ajv implements OpenAPI's `nullable: true` (null allowed besides `type`) itself.
  // The API server supplies apiVersion, kind and metadata at the root; CRD schemas may leave them out.
  const root = { ...schema, properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...schema.properties } };
  const validate = validators.get(key) ?? ajv.compile(strict(root));
  validators.set(key, validate);
  const what = `${obj.kind}/${obj.metadata.name}`;
  if (validate(obj)) return [];
  return (validate.errors ?? []).map(e => `${what}${e.instancePath} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
}
