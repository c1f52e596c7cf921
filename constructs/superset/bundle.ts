import * as fs from 'fs';
import * as path from 'path';
import { inflateRawSync } from 'zlib';
import { BUNDLE_TIMESTAMP, fileSlug, pathToConfigMapKey, SUPERSET_IMPORT_VERSION, toYaml, TrinoDatabaseOptions, trinoDatabaseYaml, TrinoEndpoint, uuidV5 } from './bundle-yaml';

/** A database file of a bundle that connects to a Trino cluster of this chart, verifying its certificate against `caFile`. */
export interface TrinoConnection {
  /** Bundle path of the database file. */
  readonly file: string;
  /** The Trino cluster (a `TrinoCluster` construct when made from one). */
  readonly trino: TrinoEndpoint;
  /** CA file inside the Superset pods. */
  readonly caFile: string;
}

/**
 * A Superset assets bundle: the YAML files of an assets export (`metadata.yaml` of type `assets`,
 * `databases/`, `datasets/`, `charts/`, `dashboards/`), by path relative to the export's top-level
 * folder. Made from generated files, an export folder or zip on the synth machine, or
 * {@link SupersetBundleBuilder}; imported by `SupersetAssetsImport`.
 *
 * Every source is checked at synth: `metadata.yaml` with `type: assets`, safe relative paths of
 * YAML files, a `uuid` in every database file, every dataset's `database_uuid` and every chart's
 * `dataset_uuid` found in the bundle. The YAML is read with a minimal reader of top-level
 * `key: scalar` lines (what exports write, see {@link topLevelScalars}), not a full YAML parser:
 * the library has no YAML dependency.
 */
export class SupersetBundle {
  /** A bundle of the given files (path -> YAML text), e.g. generated ones. */
  public static fromFiles(files: Record<string, string>): SupersetBundle {
    return new SupersetBundle('SupersetBundle.fromFiles', files, []);
  }

  /**
   * An export folder on the synth machine: `metadata.yaml` at its top, or one folder inside that
   * has it (an unzipped Superset export). Hidden files are skipped; other files must be YAML.
   */
  public static fromDirectory(dir: string): SupersetBundle {
    const owner = `SupersetBundle.fromDirectory(${JSON.stringify(dir)})`;
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${owner}: not a folder`);
    let root = dir;
    if (!fs.existsSync(path.join(dir, 'metadata.yaml'))) {
      const inner = fs.readdirSync(dir, { withFileTypes: true }).filter(e => !e.name.startsWith('.'));
      if (inner.length !== 1 || !inner[0].isDirectory() || !fs.existsSync(path.join(dir, inner[0].name, 'metadata.yaml'))) {
        throw new Error(`${owner}: no metadata.yaml at its top nor in a single folder inside it: not a Superset assets export`);
      }
      root = path.join(dir, inner[0].name);
    }
    const files: Record<string, string> = {};
    const walk = (rel: string): void => {
      for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        if (entry.name.startsWith('.')) continue;
        const p = rel === '' ? entry.name : `${rel}/${entry.name}`;
        if (entry.isDirectory()) walk(p);
        else if (entry.isFile()) files[p] = fs.readFileSync(path.join(root, p), 'utf8');
        else throw new Error(`${owner}: ${p} is neither a file nor a folder`);
      }
    };
    walk('');
    return new SupersetBundle(owner, files, []);
  }

  /**
   * A Superset export zip on the synth machine (read at synth time): its entries under one
   * top-level folder `<name>/metadata.yaml` (as Superset writes them) or at the top. Stored and
   * deflated entries only.
   */
  public static fromZip(zipPath: string): SupersetBundle {
    const owner = `SupersetBundle.fromZip(${JSON.stringify(zipPath)})`;
    if (!fs.existsSync(zipPath)) throw new Error(`${owner}: no such file`);
    const entries = readZip(owner, fs.readFileSync(zipPath));
    const names = Object.keys(entries);
    // superset 6.1.0 superset/importexport/api.py writes the entries under `assets_export_<timestamp>/`;
    // the import drops the first folder of every entry (commands/importers/v1/utils.py `remove_root`).
    let prefix = '';
    if (!names.includes('metadata.yaml')) {
      const tops = new Set(names.map(n => n.split('/')[0]));
      const top = [...tops][0];
      if (tops.size !== 1 || !names.includes(`${top}/metadata.yaml`)) {
        throw new Error(`${owner}: no metadata.yaml at the top nor in a single top-level folder: not a Superset assets export`);
      }
      prefix = `${top}/`;
    }
    const files: Record<string, string> = {};
    for (const [name, data] of Object.entries(entries)) files[name.slice(prefix.length)] = new TextDecoder('utf-8').decode(data);
    return new SupersetBundle(owner, files, []);
  }

  /** A bundle of only a Trino database connection (see {@link trinoDatabaseYaml}), e.g. for SQL Lab. */
  public static trinoDatabase(trino: TrinoEndpoint, options: TrinoDatabaseOptions): SupersetBundle {
    const name = options.databaseName ?? 'Trino';
    const file = `databases/${fileSlug(name, 'database')}.yaml`;
    const files = {
      'metadata.yaml': toYaml({ version: SUPERSET_IMPORT_VERSION, type: 'assets', timestamp: BUNDLE_TIMESTAMP }),
      [file]: toYaml(trinoDatabaseYaml('SupersetBundle.trinoDatabase', trino, options, uuidV5(`database:${name}`))),
    };
    return new SupersetBundle('SupersetBundle.trinoDatabase', files, [{ file, trino, caFile: options.caFile }]);
  }

  /** The YAML files by bundle path, e.g. `databases/trino.yaml`. */
  public readonly files: Readonly<Record<string, string>>;
  /** Paths of the database files (`databases/*.yaml`): each needs a password in the import. */
  public readonly databaseFiles: ReadonlyArray<string>;
  /** Database files that connect to a Trino cluster of this chart (made by this library). */
  public readonly trinoConnections: ReadonlyArray<TrinoConnection>;

  private constructor(owner: string, files: Record<string, string>, connections: ReadonlyArray<TrinoConnection>) {
    validate(owner, files);
    this.files = Object.freeze({ ...files });
    this.databaseFiles = Object.keys(files).filter(isDatabaseFile).sort();
    this.trinoConnections = connections;
  }

  /**
   * This bundle with the database file `file` replaced by a connection to `trino` (see
   * {@link SupersetBundle.trinoDatabase}) that keeps the file's `uuid` and `database_name`, so the
   * bundle's datasets now query our Trino with its certificate verified. For exports made
   * elsewhere, e.g. one pointing at `trino-coordinator:8443` with `verify: false`.
   */
  public withTrinoDatabase(file: string, trino: TrinoEndpoint, options: Omit<TrinoDatabaseOptions, 'databaseName'>): SupersetBundle {
    const owner = `SupersetBundle.withTrinoDatabase(${JSON.stringify(file)})`;
    if (!this.databaseFiles.includes(file)) {
      throw new Error(`${owner}: the bundle has no database file ${file}; its database files: ${this.databaseFiles.join(', ') || 'none'}`);
    }
    const scalars = topLevelScalars(this.files[file]);
    const uuid = scalars.get('uuid');
    const name = scalars.get('database_name');
    if (typeof name !== 'string' || name === '') throw new Error(`${owner}: ${file} has no database_name`);
    const yaml = toYaml(trinoDatabaseYaml(owner, trino, options, uuid as string, name));
    return new SupersetBundle(owner, { ...this.files, [file]: yaml }, [...this.trinoConnections.filter(c => c.file !== file), { file, trino, caFile: options.caFile }]);
  }

  /** @internal This bundle, recording which database files connect to which Trino (for the import's trust checks). */
  public withConnections(connections: ReadonlyArray<TrinoConnection>): SupersetBundle {
    return new SupersetBundle('SupersetBundle', { ...this.files }, [...this.trinoConnections, ...connections]);
  }

  /**
   * The bundle as ConfigMap data. ConfigMap keys may only contain `[-._a-zA-Z0-9]`, so each path is
   * encoded reversibly ({@link pathToConfigMapKey}); `import_assets.py` decodes the keys of the
   * mounted ConfigMap back into paths.
   */
  public toConfigMapData(): Record<string, string> {
    const data: Record<string, string> = {};
    for (const [p, content] of Object.entries(this.files)) data[pathToConfigMapKey(p)] = content;
    return data;
  }
}

function isDatabaseFile(p: string): boolean {
  return /^databases\/[^/]+\.ya?ml$/.test(p);
}

function validate(owner: string, files: Record<string, string>): void {
  const paths = Object.keys(files);
  for (const p of paths) {
    if (!/^[A-Za-z0-9._/-]+$/.test(p) || p.startsWith('/') || p.split('/').some(s => s === '' || s === '.' || s === '..')) {
      throw new Error(`${owner}: file "${p}" is not a safe relative path (letters, digits, '.', '_', '-', '/'; no '..')`);
    }
    if (!/\.ya?ml$/.test(p)) throw new Error(`${owner}: file "${p}" is not a YAML file (.yaml): an assets bundle holds only YAML files`);
  }
  if (files['metadata.yaml'] === undefined) throw new Error(`${owner}: no metadata.yaml: not a Superset assets bundle (files: ${paths.join(', ') || 'none'})`);
  const type = topLevelScalars(files['metadata.yaml']).get('type');
  if (type !== 'assets') {
    throw new Error(`${owner}: metadata.yaml has type ${JSON.stringify(type ?? null)}, but the assets import API needs type: assets (export with "Export" of the assets, not of a single dashboard)`);
  }
  const uuidsOf = (prefix: string, key: string): Map<string, string> => {
    const out = new Map<string, string>();
    for (const p of paths.filter(x => x.startsWith(prefix))) {
      const uuid = topLevelScalars(files[p]).get(key);
      if (typeof uuid !== 'string' || !UUID.test(uuid)) throw new Error(`${owner}: ${p} has no ${key} (a UUID), got ${JSON.stringify(uuid ?? null)}`);
      out.set(p, uuid.toLowerCase());
    }
    return out;
  };
  const databases = new Set(uuidsOf('databases/', 'uuid').values());
  const datasets = new Set(uuidsOf('datasets/', 'uuid').values());
  for (const [p, dbUuid] of uuidsOf('datasets/', 'database_uuid')) {
    if (!databases.has(dbUuid)) {
      throw new Error(`${owner}: ${p} refers to database ${dbUuid}, which is not in the bundle (its databases/*.yaml have ${[...databases].join(', ') || 'none'})`);
    }
  }
  for (const [p, dsUuid] of uuidsOf('charts/', 'dataset_uuid')) {
    if (!datasets.has(dsUuid)) throw new Error(`${owner}: ${p} refers to dataset ${dsUuid}, which is not in the bundle`);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The top-level `key: value` lines of a YAML mapping whose value is a scalar on the same line:
 * plain (`type: assets`), single- or double-quoted, or `null`. Nested and multi-line values are
 * not read. Enough for the keys checked here, which Superset's exporter (PyYAML `safe_dump`,
 * block style) and {@link toYaml} both write that way.
 */
export function topLevelScalars(text: string): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*):[ \t]+(.+?)[ \t]*$/.exec(line);
    if (m === null) continue;
    const raw = m[2].replace(/[ \t]+#.*$/, '');
    let value: string | null;
    if (raw.startsWith('"')) {
      try { value = JSON.parse(raw); } catch { continue; }
    } else if (raw.startsWith("'")) {
      if (!/^'(?:[^']|'')*'$/.test(raw)) continue;
      value = raw.slice(1, -1).replace(/''/g, "'");
    } else if (raw === 'null' || raw === '~') {
      value = null;
    } else {
      value = raw;
    }
    out.set(m[1], value);
  }
  return out;
}

/**
 * Reads the files of a zip (PKZIP APPNOTE 6.3.x: end of central directory record, central
 * directory headers, local file headers). Stored (0) and deflated (8) entries only; no ZIP64, no
 * encryption, no multi-disk archives. Folder entries (names ending in `/`) are skipped.
 */
export function readZip(owner: string, zipBytes: Uint8Array): Record<string, Uint8Array> {
  // Typed with Uint8Array (Buffer's base class) so that the declarations need no Node types.
  const zip = Buffer.from(zipBytes.buffer, zipBytes.byteOffset, zipBytes.byteLength);
  const fail = (msg: string): never => { throw new Error(`${owner}: ${msg}`); };
  // End of central directory: signature 0x06054b50, at most a 65535-byte comment after it.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) fail('not a zip file (no end of central directory record)');
  if (zip.readUInt16LE(eocd + 4) !== 0 || zip.readUInt16LE(eocd + 6) !== 0) fail('multi-disk zip files are not supported');
  const count = zip.readUInt16LE(eocd + 10);
  const cdOffset = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) fail('ZIP64 archives are not supported');
  const out: Record<string, Buffer> = {};
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > zip.length || zip.readUInt32LE(p) !== 0x02014b50) fail(`central directory entry ${n} is damaged`);
    const flags = zip.readUInt16LE(p + 8);
    const method = zip.readUInt16LE(p + 10);
    const compressedSize = zip.readUInt32LE(p + 20);
    const size = zip.readUInt32LE(p + 24);
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    const localOffset = zip.readUInt32LE(p + 42);
    const name = zip.subarray(p + 46, p + 46 + nameLength).toString('utf8');
    p += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue;
    if ((flags & 0x1) !== 0) fail(`entry ${name} is encrypted`);
    if (compressedSize === 0xffffffff || size === 0xffffffff || localOffset === 0xffffffff) fail(`entry ${name} needs ZIP64, which is not supported`);
    if (zip.readUInt32LE(localOffset) !== 0x04034b50) fail(`entry ${name}: no local file header at offset ${localOffset}`);
    const start = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const raw = zip.subarray(start, start + compressedSize);
    let data: Buffer;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) data = inflateRawSync(raw);
    else return fail(`entry ${name} uses compression method ${method}; only stored (0) and deflate (8) are supported`);
    if (data.length !== size) fail(`entry ${name} has ${data.length} bytes, its header says ${size}`);
    if (out[name] !== undefined) fail(`entry ${name} appears twice`);
    out[name] = data;
  }
  return out;
}
