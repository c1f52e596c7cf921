/**
 * Unit tests of SupersetBundle (constructs/superset/bundle.ts): its sources (files, export
 * folder, zip, a Trino database), replacing a database by our Trino, and the checks at synth.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { Credentials } from '../../constructs/core';
import { TlsTrustStore } from '../../constructs/secret-operator';
import { PASSWORD_MASK, readZip, SupersetBundle, topLevelScalars, uuidV5 } from '../../constructs/superset';
import { OpaServer, TrinoPolicy } from '../../constructs/opa';
import { TrinoCluster } from '../../constructs/trino';
import { writeZip } from './zip-writer';
import { namespacedChart } from '../util';

const endpoint = { host: 'trino.example', port: 8443, admin: { username: 'admin' } };
const caFile = '/stackable/trust/ca.crt';
const DB_UUID = '3dbf65a2-24d8-477f-8a26-14b45ffea214';
const DS_UUID = 'd363d1c3-4db3-414d-b5f4-d5159b6aa0a7';

/** An export in the shape of Superset's own (PyYAML block style, plain and single-quoted scalars), with a Trino database reached without verification. */
function foreignExport(): Record<string, string> {
  return {
    'metadata.yaml': "version: 1.0.0\ntype: assets\ntimestamp: '2022-08-08T13:06:07.743262+00:00'\n",
    'databases/Trino.yaml': [
      'database_name: Trino', 'sqlalchemy_uri: trino://admin:XXXXXXXXXX@trino-coordinator:8443/hive', 'extra:', '  engine_params:',
      '    connect_args:', '      verify: false', '      http_scheme: https', `uuid: ${DB_UUID}`, 'version: 1.0.0', '',
    ].join('\n'),
    'datasets/Trino/ny_taxi_data.yaml': ['table_name: ny_taxi_data', 'schema: demo', `uuid: ${DS_UUID}`, 'version: 1.0.0', `database_uuid: ${DB_UUID}`, ''].join('\n'),
    'charts/Total_trips_140.yaml': ['slice_name: Total trips', 'viz_type: big_number_total', 'uuid: 1f5b4f4e-1c1f-4a8e-9a55-55a1a8c1a2b3', `dataset_uuid: ${DS_UUID}`, ''].join('\n'),
  };
}

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-test-'));
}

function writeTree(root: string, files: Record<string, string>): void {
  for (const [p, c] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), c);
  }
}

describe('SupersetBundle sources', () => {
  test('fromFiles keeps the files and lists the database files', () => {
    const b = SupersetBundle.fromFiles(foreignExport());
    expect(b.files).toEqual(foreignExport());
    expect(b.databaseFiles).toEqual(['databases/Trino.yaml']);
    expect(b.trinoConnections).toEqual([]);
  });

  test('fromDirectory: metadata.yaml at the top, or in the one folder inside (an unzipped export)', () => {
    const flat = tmpDir();
    writeTree(flat, foreignExport());
    fs.writeFileSync(path.join(flat, '.DS_Store'), 'x');
    expect(SupersetBundle.fromDirectory(flat).files).toEqual(foreignExport());
    const nested = tmpDir();
    writeTree(path.join(nested, 'assets_export_20250722T101007'), foreignExport());
    expect(SupersetBundle.fromDirectory(nested).files).toEqual(foreignExport());
    const two = tmpDir();
    writeTree(path.join(two, 'a'), foreignExport());
    writeTree(path.join(two, 'b'), foreignExport());
    expect(() => SupersetBundle.fromDirectory(two)).toThrow(/fromDirectory\(".*"\): no metadata.yaml at its top nor in a single folder inside it/);
    expect(() => SupersetBundle.fromDirectory(path.join(two, 'missing'))).toThrow(/: not a folder/);
    fs.writeFileSync(path.join(flat, 'README.md'), '#');
    expect(() => SupersetBundle.fromDirectory(flat)).toThrow(/file "README.md" is not a YAML file/);
  });

  test.each([['deflated', 8], ['stored', 0]])('fromZip: a zip with one top-level folder and folder entries, %s (method %d)', (_name, method) => {
    const dir = tmpDir();
    const top = 'assets_export_20250722T101007';
    const files = Object.fromEntries(Object.entries(foreignExport()).map(([p, c]) => [`${top}/${p}`, c]));
    fs.writeFileSync(path.join(dir, 'export.zip'), writeZip(files, { method, folders: [top, `${top}/databases`, `${top}/datasets/Trino`] }));
    expect(SupersetBundle.fromZip(path.join(dir, 'export.zip')).files).toEqual(foreignExport());
    fs.writeFileSync(path.join(dir, 'flat.zip'), writeZip(foreignExport(), { method }));
    expect(SupersetBundle.fromZip(path.join(dir, 'flat.zip')).files).toEqual(foreignExport());
  });

  test('fromZip reads a zip written by Python\'s zipfile, as Superset writes exports', () => {
    const dir = tmpDir();
    writeTree(path.join(dir, 'src', 'export_1'), foreignExport());
    const zip = path.join(dir, 'py.zip');
    execFileSync('python3', ['-c', [
      'import os, sys, zipfile',
      'root, out = sys.argv[1], sys.argv[2]',
      'with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:',
      '    for d, _, fs in sorted(os.walk(root)):',
      '        for f in sorted(fs): p = os.path.join(d, f); z.write(p, os.path.relpath(p, root))',
    ].join('\n'), path.join(dir, 'src'), zip]);
    expect(SupersetBundle.fromZip(zip).files).toEqual(foreignExport());
  });

  test('fromZip rejects what it cannot read', () => {
    const dir = tmpDir();
    const write = (name: string, data: Buffer) => { fs.writeFileSync(path.join(dir, name), data); return path.join(dir, name); };
    expect(() => SupersetBundle.fromZip(write('bzip2.zip', writeZip(foreignExport(), { method: 12 })))).toThrow(/uses compression method 12; only stored \(0\) and deflate \(8\) are supported/);
    expect(() => SupersetBundle.fromZip(write('text.zip', Buffer.from('not a zip at all, just text')))).toThrow(/not a zip file/);
    expect(() => SupersetBundle.fromZip(path.join(dir, 'missing.zip'))).toThrow(/no such file/);
    const two = writeZip({ 'a/metadata.yaml': foreignExport()['metadata.yaml'], 'b/metadata.yaml': foreignExport()['metadata.yaml'] });
    expect(() => SupersetBundle.fromZip(write('two.zip', two))).toThrow(/no metadata.yaml at the top nor in a single top-level folder/);
    expect(() => readZip('t', writeZip({ 'a.yaml': 'x' }).subarray(0, 40))).toThrow(/not a zip file/);
  });

  test('trinoDatabase: only a database connection to our Trino, TLS verified', () => {
    const b = SupersetBundle.trinoDatabase(endpoint, { catalog: 'hive', caFile, databaseName: 'Trino SQL' });
    expect(Object.keys(b.files)).toEqual(['metadata.yaml', 'databases/trino_sql.yaml']);
    const db = parse(b.files['databases/trino_sql.yaml']);
    expect(db).toMatchObject({
      database_name: 'Trino SQL', sqlalchemy_uri: `trino://admin:${PASSWORD_MASK}@trino.example:8443/hive`, uuid: uuidV5('database:Trino SQL'),
      extra: { engine_params: { connect_args: { http_scheme: 'https', verify: caFile } } },
    });
    expect(b.trinoConnections).toEqual([{ file: 'databases/trino_sql.yaml', trino: endpoint, caFile }]);
    expect(() => SupersetBundle.trinoDatabase(endpoint, { catalog: 'Hive', caFile })).toThrow(/SupersetBundle.trinoDatabase: catalog must be a lower-case Trino identifier/);
    expect(() => SupersetBundle.trinoDatabase(endpoint, { catalog: 'hive', caFile: 'ca.crt' })).toThrow(/caFile must be an absolute file path/);
  });

  test('withTrinoDatabase points a foreign database at our Trino, keeping its uuid and name', () => {
    const b = SupersetBundle.fromFiles(foreignExport()).withTrinoDatabase('databases/Trino.yaml', endpoint, { catalog: 'hive', caFile });
    const db = parse(b.files['databases/Trino.yaml']);
    expect(db.uuid).toBe(DB_UUID);
    expect(db.database_name).toBe('Trino');
    expect(db.sqlalchemy_uri).toBe(`trino://admin:${PASSWORD_MASK}@trino.example:8443/hive`);
    expect(db.extra.engine_params.connect_args).toEqual({ http_scheme: 'https', verify: caFile });
    expect(b.files['datasets/Trino/ny_taxi_data.yaml']).toBe(foreignExport()['datasets/Trino/ny_taxi_data.yaml']);
    expect(b.trinoConnections.map(c => c.file)).toEqual(['databases/Trino.yaml']);
    expect(() => b.withTrinoDatabase('databases/trino.yaml', endpoint, { catalog: 'hive', caFile }))
      .toThrow(/withTrinoDatabase\("databases\/trino.yaml"\): the bundle has no database file databases\/trino.yaml; its database files: databases\/Trino.yaml/);
  });
});

describe('SupersetBundle checks', () => {
  const without = (key: string) => { const f = foreignExport(); delete f[key]; return f; };
  test.each<[string, Record<string, string>, RegExp]>([
    ['no metadata.yaml', without('metadata.yaml'), /fromFiles: no metadata.yaml: not a Superset assets bundle/],
    ['a dashboard export', { ...foreignExport(), 'metadata.yaml': 'version: 1.0.0\ntype: Dashboard\n' }, /metadata.yaml has type "Dashboard", but the assets import API needs type: assets/],
    ['an unsafe path', { ...foreignExport(), '../x.yaml': 'a: 1' }, /file "\.\.\/x.yaml" is not a safe relative path/],
    ['an absolute path', { ...foreignExport(), '/etc/x.yaml': 'a: 1' }, /file "\/etc\/x.yaml" is not a safe relative path/],
    ['a dataset of a missing database', without('databases/Trino.yaml'), /datasets\/Trino\/ny_taxi_data.yaml refers to database 3dbf65a2-24d8-477f-8a26-14b45ffea214, which is not in the bundle/],
    ['a chart of a missing dataset', without('datasets/Trino/ny_taxi_data.yaml'), /charts\/Total_trips_140.yaml refers to dataset d363d1c3-.*, which is not in the bundle/],
    ['a database without uuid', { ...foreignExport(), 'databases/Trino.yaml': 'database_name: Trino\n' }, /databases\/Trino.yaml has no uuid \(a UUID\), got null/],
  ])('rejects %s', (_what, files, message) => {
    expect(() => SupersetBundle.fromFiles(files)).toThrow(message);
  });

  test('topLevelScalars reads plain, quoted and null top-level scalars only', () => {
    const m = topLevelScalars("a: plain text\nb: 'it''s'\nc: \"q\\u0041\"\nd: null\nnested:\n  e: 1\nf: x # comment\n");
    expect(Object.fromEntries(m)).toEqual({ a: 'plain text', b: "it's", c: 'qA', d: null, f: 'x' });
  });
});

describe('SupersetBundle with a TrinoCluster', () => {
  test('trinoDatabase takes the cluster\'s host, port and admin user', () => {
    const chart = namespacedChart();
    const opa = new OpaServer(chart, 'Opa');
    const policy = new TrinoPolicy(chart, 'Policy', { admins: ['admin'] });
    const trino = new TrinoCluster(chart, 'Trino', { admin: Credentials.literal('admin', 'pw'), opa, policy });
    const trust = new TlsTrustStore(chart, 'Trust');
    const b = SupersetBundle.trinoDatabase(trino, { catalog: 'hive', caFile: trust.caFile });
    expect(parse(b.files['databases/trino.yaml']).sqlalchemy_uri).toBe(`trino://admin:${PASSWORD_MASK}@${trino.host}:${trino.port}/hive`);
  });
});
