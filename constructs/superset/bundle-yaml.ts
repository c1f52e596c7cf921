/**
 * The low-level pieces of Superset assets bundles: constants of the export format, UUIDv5,
 * a deterministic YAML emitter, the ConfigMap encoding of bundle paths, and the YAML of a Trino
 * database connection. Used by `bundle.ts` ({@link SupersetBundle}) and `bundle-builder.ts`.
 */
import { createHash } from 'crypto';

/** Superset's import format version, written into every file (`version: 1.0.0`). */
export const SUPERSET_IMPORT_VERSION = '1.0.0';

/** The fixed `metadata.yaml` timestamp (a real export writes the export time; fixed here so the output is stable). */
export const BUNDLE_TIMESTAMP = '2026-01-01T00:00:00+00:00';

/**
 * The password placeholder of Superset's exports (superset 6.1.0 superset/constants.py
 * `PASSWORD_MASK`). The database URI carries it instead of the password: on import Superset then
 * takes the password from the request's `passwords` map (new database) or keeps the stored one
 * (existing database), whereas a URI without any password would erase a stored password.
 */
export const PASSWORD_MASK = 'XXXXXXXXXX';

/** Namespace of the bundles' UUIDv5 identifiers. Never change it: the UUIDs identify the objects across imports. */
export const BUNDLE_UUID_NAMESPACE = '3d0b9d53-1424-49ca-8f87-25d6071233d8';

/** What a Trino database connection needs of a Trino cluster (`TrinoCluster` has it). */
export interface TrinoEndpoint {
  /** Coordinator host as seen from the Superset pods. */
  readonly host: string;
  /** HTTPS port. */
  readonly port: number;
  /** The user Superset connects as; its password comes from the import Job's `databases`. */
  readonly admin: { readonly username: string };
}

/** Options of a Trino database connection. */
export interface TrinoDatabaseOptions {
  /** Default catalog of the connection (the database URI's path). */
  readonly catalog: string;
  /** Path of the PEM CA bundle inside the Superset pods that verifies Trino's certificate, e.g. `TlsTrustStore.caFile`. */
  readonly caFile: string;
  /** Superset's name of the connection (unique in Superset; also the source of its UUID). @default 'Trino' */
  readonly databaseName?: string;
}

/**
 * The database YAML of a Trino connection: `trino://<user>:<mask>@<host>:<port>/<catalog>` over
 * https, the certificate verified against `caFile`. Throws naming `owner` for bad values.
 */
export function trinoDatabaseYaml(owner: string, trino: TrinoEndpoint, options: TrinoDatabaseOptions, uuid: string, databaseName?: string): YamlObject {
  const fail = (prop: string, msg: string, value: unknown): never => {
    throw new Error(`${owner}: ${prop} ${msg}, got ${JSON.stringify(value)}`);
  };
  const hostLabel = '[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
  if (typeof trino.host !== 'string' || trino.host.length > 253 || !new RegExp(`^${hostLabel}(\\.${hostLabel})*$`).test(trino.host)) {
    fail('trino.host', 'must be a DNS name or IPv4 address', trino.host);
  }
  if (!Number.isInteger(trino.port) || trino.port < 1 || trino.port > 65535) fail('trino.port', 'must be an integer in 1..65535', trino.port);
  const user = trino.admin.username;
  if (typeof user !== 'string' || user.length === 0 || /[\s\x00-\x1f\x7f]/.test(user)) fail('trino.admin.username', 'must be a non-empty user name without whitespace', user);
  if (typeof options.catalog !== 'string' || !/^[a-z_][a-z0-9_]{0,127}$/.test(options.catalog)) fail('catalog', 'must be a lower-case Trino identifier ([a-z_][a-z0-9_]*)', options.catalog);
  if (typeof options.caFile !== 'string' || !/^\/[^\s\x00-\x1f]*[^/\s]$/.test(options.caFile)) fail('caFile', 'must be an absolute file path', options.caFile);
  const name = databaseName ?? options.databaseName ?? 'Trino';
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > 250 || /[\x00-\x1f\x7f]/.test(name)) fail('databaseName', 'must be non-empty text of at most 250 characters', name);
  return {
    database_name: name,
    sqlalchemy_uri: `trino://${encodeURIComponent(user)}:${PASSWORD_MASK}@${trino.host}:${trino.port}/${options.catalog}`,
    cache_timeout: null,
    expose_in_sqllab: true,
    allow_run_async: false,
    allow_ctas: false,
    allow_cvas: false,
    allow_dml: false,
    allow_csv_upload: false,
    extra: {
      metadata_params: {},
      // The trino driver speaks plain HTTP unless told otherwise; `verify` is requests' CA bundle path.
      engine_params: { connect_args: { http_scheme: 'https', verify: options.caFile } },
      metadata_cache_timeout: {},
      schemas_allowed_for_csv_upload: [],
      allows_virtual_table_explore: true,
    },
    impersonate_user: false,
    configuration_method: 'sqlalchemy_form',
    uuid,
    version: SUPERSET_IMPORT_VERSION,
  };
}

// ---------------------------------------------------------------------------------------------
// ConfigMap encoding

/**
 * Encodes a bundle path as a ConfigMap key: `-` becomes `-_` and `/` becomes `--`
 * (`datasets/trino/trips.yaml` -> `datasets--trino--trips.yaml`). Paths may only contain
 * letters, digits, `.`, `_`, `-` and `/`.
 */
export function pathToConfigMapKey(path: string): string {
  if (!/^[A-Za-z0-9._/-]+$/.test(path) || path.startsWith('/') || path.split('/').some(s => s === '' || s === '.' || s === '..')) {
    throw new Error(`pathToConfigMapKey: '${path}' is not a relative path of letters, digits, '.', '_', '-' and '/'`);
  }
  const key = path.replace(/-/g, '-_').replace(/\//g, '--');
  if (key.length > 253) throw new Error(`pathToConfigMapKey: key of '${path}' is longer than 253 characters`);
  return key;
}

/** Decodes {@link pathToConfigMapKey}. */
export function configMapKeyToPath(key: string): string {
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const c = key[i];
    if (c !== '-') { out += c; continue; }
    const next = key[++i];
    if (next === '-') out += '/';
    else if (next === '_') out += '-';
    else throw new Error(`configMapKeyToPath: '${key}' is not an encoded path (lone '-' at ${i - 1})`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** File name part for a name: lower case, runs of other characters than [a-z0-9] become `_`. */
export function fileSlug(name: string, fallback: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return slug.length > 0 ? slug.slice(0, 100) : fallback;
}

/** RFC 4122 name-based UUID, version 5 (SHA-1), in {@link BUNDLE_UUID_NAMESPACE} unless another namespace is given. */
export function uuidV5(name: string, namespace: string = BUNDLE_UUID_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16 || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(namespace)) {
    throw new Error(`uuidV5: namespace '${namespace}' is not a UUID`);
  }
  const hash = createHash('sha1').update(ns).update(Buffer.from(name, 'utf8')).digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Values the YAML emitter writes. */
export type YamlValue = string | number | boolean | null | YamlValue[] | YamlObject;
/** A YAML mapping; keys are written in insertion order. */
export interface YamlObject { [key: string]: YamlValue }

/**
 * Deterministic block-style YAML. Strings are always double-quoted (JSON escapes are valid YAML),
 * so no value can be re-typed by a YAML 1.1 reader such as PyYAML (`yes`, `1.0`, dates...).
 */
export function toYaml(value: YamlObject): string {
  return renderMapping(value, 0).join('\n') + '\n';
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const YAML11_WORDS = /^(y|n|yes|no|on|off|true|false|null)$/i;

function quote(s: string): string {
  return JSON.stringify(s).replace(/[\u0085\u2028\u2029]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function scalar(v: YamlValue): string | undefined {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`toYaml: cannot write the number ${v}`);
    return String(v);
  }
  if (typeof v === 'string') return quote(v);
  if (Array.isArray(v)) return v.length === 0 ? '[]' : undefined;
  return Object.keys(v).length === 0 ? '{}' : undefined;
}

function renderKey(k: string): string {
  return PLAIN_KEY.test(k) && !YAML11_WORDS.test(k) ? k : quote(k);
}

function renderMapping(obj: YamlObject, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    const s = scalar(v);
    if (s !== undefined) lines.push(`${pad}${renderKey(k)}: ${s}`);
    else if (Array.isArray(v)) lines.push(`${pad}${renderKey(k)}:`, ...renderSequence(v, indent));
    else lines.push(`${pad}${renderKey(k)}:`, ...renderMapping(v as YamlObject, indent + 2));
  }
  return lines;
}

function renderSequence(items: YamlValue[], indent: number): string[] {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  for (const item of items) {
    const s = scalar(item);
    if (s !== undefined) { lines.push(`${pad}- ${s}`); continue; }
    const nested = Array.isArray(item) ? renderSequence(item, indent + 2) : renderMapping(item as YamlObject, indent + 2);
    lines.push(`${pad}- ${nested[0].slice(indent + 2)}`, ...nested.slice(1));
  }
  return lines;
}
