/**
 * Unit tests of the Superset assets bundle generator (constructs/superset/dashboard-bundle.ts).
 * Run: npx jest --ci test/superset   (the import into a real Superset: scripts/test-superset.sh)
 */
import iforestTable from '../../constructs/spark/iforest-table.json';
import {
  BUNDLE_TIMESTAMP, bundleToConfigMapData, COMPUTED_COLUMNS, configMapKeyToPath, dashboardBundle, DashboardBundleProps,
  DEFAULT_TRINO_CA_FILE, MAIN_DTTM_COLUMN, METRICS, PASSWORD_MASK, pathToConfigMapKey, toYaml, uuidV5,
} from '../../constructs/superset/dashboard-bundle';

const props: DashboardBundleProps = {
  trinoHost: 'trino-coordinator.demo.svc.cluster.local',
  trinoPort: 8443,
  trinoUser: 'admin',
};

/**
 * A reader for exactly the YAML subset the emitter writes (block mappings and sequences,
 * JSON-quoted strings, numbers, booleans, null, [] and {}), so the tests check structure rather
 * than text. Returns the document as plain JS values.
 */
function parseYaml(text: string): any {
  const lines = text.split('\n').filter(l => l.length > 0);
  let i = 0;
  const indentOf = (l: string) => l.length - l.trimStart().length;
  const scalar = (s: string): any => {
    if (s.startsWith('"')) return JSON.parse(s);
    if (s === 'null') return null;
    if (s === 'true' || s === 'false') return s === 'true';
    if (s === '[]') return [];
    if (s === '{}') return {};
    if (/^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(s)) return Number(s);
    throw new Error(`unexpected scalar ${s}`);
  };
  const key = (s: string) => (s.startsWith('"') ? JSON.parse(s) : s);
  const splitKey = (s: string): [string, string] => {
    const m = /^("(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_]*):(?: (.*))?$/.exec(s);
    if (!m) throw new Error(`bad mapping line: ${s}`);
    return [key(m[1]), m[2] ?? ''];
  };
  function block(indent: number): any {
    return lines[i].trimStart().startsWith('- ') && indentOf(lines[i]) === indent ? seq(indent) : map(indent);
  }
  function value(rest: string, indent: number): any {
    if (rest !== '') return scalar(rest);
    const next = lines[i];
    // A sequence under a key sits at the key's indent, a mapping one level deeper.
    if (next.trimStart().startsWith('- ') && indentOf(next) === indent) return seq(indent);
    return map(indentOf(next));
  }
  function map(indent: number): any {
    const out: any = {};
    while (i < lines.length && indentOf(lines[i]) === indent && !lines[i].trimStart().startsWith('- ')) {
      const [k, rest] = splitKey(lines[i].trim());
      i++;
      out[k] = value(rest, indent);
    }
    return out;
  }
  function seq(indent: number): any[] {
    const out: any[] = [];
    while (i < lines.length && indentOf(lines[i]) === indent && lines[i].trimStart().startsWith('- ')) {
      const item = lines[i].slice(indent + 2);
      if (/^("(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_]*):( |$)/.test(item)) {
        lines[i] = ' '.repeat(indent + 2) + item; // continue as a mapping at indent + 2
        out.push(map(indent + 2));
      } else {
        i++;
        out.push(scalar(item));
      }
    }
    return out;
  }
  return block(0);
}

function parsedFiles(p: DashboardBundleProps = props): Record<string, any> {
  const bundle = dashboardBundle(p);
  return Object.fromEntries(Object.entries(bundle.files).map(([path, text]) => [path, parseYaml(text)]));
}

describe('dashboardBundle', () => {
  test('is deterministic: two builds are equal byte for byte', () => {
    const a = dashboardBundle(props);
    const b = dashboardBundle({ ...props });
    expect(JSON.stringify(a)).toEqual(JSON.stringify(b));
    expect(Object.keys(a.files)).toEqual([
      'metadata.yaml', 'databases/trino.yaml', 'datasets/trino/iforest.yaml',
      'charts/rides_with_outliers.yaml', 'charts/anomaly_score.yaml', 'dashboards/taxi_anomalies.yaml',
    ]);
  });

  test('metadata is an assets export of format 1.0.0 with a fixed timestamp', () => {
    expect(parsedFiles()['metadata.yaml']).toEqual({ version: '1.0.0', type: 'assets', timestamp: BUNDLE_TIMESTAMP });
  });

  test('database: Trino over HTTPS, CA verified, password masked', () => {
    const bundle = dashboardBundle({ ...props, trinoUser: 'superset' });
    const db = parseYaml(bundle.files[bundle.databaseFile]);
    expect(bundle.databaseFile).toBe('databases/trino.yaml');
    expect(db.database_name).toBe('Trino');
    expect(db.sqlalchemy_uri).toBe(`trino://superset:${PASSWORD_MASK}@trino-coordinator.demo.svc.cluster.local:8443/prediction`);
    expect(db.extra.engine_params).toEqual({ connect_args: { http_scheme: 'https', verify: DEFAULT_TRINO_CA_FILE } });
    expect(db.password).toBeUndefined();
    expect(db.uuid).toBe(bundle.uuids.database);
  });

  test('user names are URL-encoded in the URI', () => {
    const bundle = dashboardBundle({ ...props, trinoUser: 'a:b@c' });
    expect(parseYaml(bundle.files[bundle.databaseFile]).sqlalchemy_uri).toContain(`trino://a%3Ab%40c:${PASSWORD_MASK}@`);
  });

  test('dataset columns are the columns of iforest-table.json plus the computed ones', () => {
    const ds = parsedFiles()['datasets/trino/iforest.yaml'];
    const physical = ds.columns.filter((c: any) => c.expression === null);
    expect(physical.map((c: any) => c.column_name)).toEqual(iforestTable.columns.map(c => c.name));
    expect(physical.map((c: any) => c.description)).toEqual(iforestTable.columns.map(c => c.description));
    expect(ds.columns.filter((c: any) => c.is_dttm).map((c: any) => c.column_name)).toEqual([MAIN_DTTM_COLUMN]);
    expect(ds.main_dttm_col).toBe('pickup_ts');
    expect([ds.catalog, ds.schema, ds.table_name]).toEqual(['prediction', 'ad', 'iforest']);
    const computed = ds.columns.filter((c: any) => c.expression !== null);
    expect(computed.map((c: any) => [c.column_name, c.expression])).toEqual(COMPUTED_COLUMNS.map(c => [c.name, c.expression]));
    expect(computed.find((c: any) => c.column_name === 'outlier_rides').expression).toBe('CASE WHEN pred = -1 THEN norides END');
    expect(ds.metrics.map((m: any) => m.metric_name)).toEqual(METRICS.map(m => m.name));
    // Saved metrics are sent verbatim: they must not use computed columns.
    for (const m of METRICS) for (const c of COMPUTED_COLUMNS) expect(m.expression).not.toMatch(new RegExp(`\\b${c.name}\\b`));
  });

  test('uuids reference each other consistently', () => {
    const bundle = dashboardBundle(props);
    const f = parsedFiles();
    const db = f['databases/trino.yaml'];
    const ds = f['datasets/trino/iforest.yaml'];
    const charts = [f['charts/rides_with_outliers.yaml'], f['charts/anomaly_score.yaml']];
    const dash = f['dashboards/taxi_anomalies.yaml'];
    expect(ds.database_uuid).toBe(db.uuid);
    for (const c of charts) expect(c.dataset_uuid).toBe(ds.uuid);
    const placed = Object.values(dash.position).filter((n: any) => n.type === 'CHART').map((n: any) => n.meta.uuid);
    expect(placed.sort()).toEqual(charts.map(c => c.uuid).sort());
    expect([db.uuid, ds.uuid, charts[0].uuid, charts[1].uuid, dash.uuid]).toEqual([
      bundle.uuids.database, bundle.uuids.dataset, bundle.uuids.ridesChart, bundle.uuids.scoreChart, bundle.uuids.dashboard,
    ]);
    expect(new Set(Object.values(bundle.uuids)).size).toBe(5);
    // Every layout node's children exist and name it as parent.
    for (const [id, node] of Object.entries<any>(dash.position)) {
      if (typeof node !== 'object' || !node.children) continue;
      for (const child of node.children) {
        expect(dash.position[child]).toBeDefined();
        if (id !== 'ROOT_ID') expect(dash.position[child].parents).toContain(id);
      }
    }
  });

  test('charts: mixed time series of rides with the outliers as dots, and the score', () => {
    const f = parsedFiles();
    const rides = f['charts/rides_with_outliers.yaml'];
    expect(rides.viz_type).toBe('mixed_timeseries');
    expect(rides.params).toMatchObject({ x_axis: 'pickup_ts', time_grain_sqla: null, metrics: ['rides'], seriesType: 'line', seriesTypeB: 'scatter' });
    expect(rides.params.metrics_b).toEqual([expect.objectContaining({ expressionType: 'SIMPLE', aggregate: 'SUM', column: { column_name: 'outlier_rides' } })]);
    const score = f['charts/anomaly_score.yaml'];
    expect(score.viz_type).toBe('echarts_timeseries_line');
    expect(score.params).toMatchObject({ x_axis: 'pickup_ts', metrics: ['anomaly_score'] });
  });

  test('uuids stay the same for the same names and change with them', () => {
    const a = dashboardBundle(props).uuids;
    expect(dashboardBundle({ ...props, trinoHost: 'other', trinoPort: 443 }).uuids).toEqual(a);
    expect(dashboardBundle({ ...props, table: 'iforest2' }).uuids.dataset).not.toBe(a.dataset);
    expect(dashboardBundle({ ...props, databaseName: 'Trino 2' }).uuids.database).not.toBe(a.database);
  });

  test.each<[keyof DashboardBundleProps, unknown]>([
    ['trinoHost', ''], ['trinoHost', 'bad host'], ['trinoHost', 'https://trino'],
    ['trinoPort', 0], ['trinoPort', 65536], ['trinoPort', 8443.5],
    ['trinoUser', ''], ['trinoUser', 'a b'],
    ['catalog', 'Prediction'], ['schema', ''], ['table', 'ad.iforest'],
    ['trinoCaFile', 'relative/ca.crt'],
    ['databaseName', '  '], ['dashboardTitle', ''], ['dashboardSlug', 'Has Spaces'],
  ])('rejects props.%s = %j, naming the prop', (prop, value) => {
    expect(() => dashboardBundle({ ...props, [prop]: value } as DashboardBundleProps)).toThrow(new RegExp(`props\\.${prop} `));
  });
});

describe('ConfigMap encoding', () => {
  test('round-trips every bundle path into a valid ConfigMap key', () => {
    const bundle = dashboardBundle(props);
    const data = bundleToConfigMapData(bundle);
    expect(Object.keys(data)).toContain('datasets--trino--iforest.yaml');
    for (const key of Object.keys(data)) expect(key).toMatch(/^[-._a-zA-Z0-9]{1,253}$/);
    expect(Object.fromEntries(Object.entries(data).map(([k, v]) => [configMapKeyToPath(k), v]))).toEqual(bundle.files);
  });

  test.each(['a/b-c/d.yaml', 'x--y/-_z.yaml', 'a-/-b.yaml', 'plain.yaml'])('round-trips %s', path => {
    expect(configMapKeyToPath(pathToConfigMapKey(path))).toBe(path);
  });

  test('rejects paths it cannot encode and keys that are not encodings', () => {
    expect(() => pathToConfigMapKey('../x.yaml')).toThrow();
    expect(() => pathToConfigMapKey('/abs.yaml')).toThrow();
    expect(() => pathToConfigMapKey('a b.yaml')).toThrow();
    expect(() => configMapKeyToPath('a-b.yaml')).toThrow();
  });
});

describe('helpers', () => {
  test('uuidV5 matches RFC 4122 (Python uuid.uuid5(NAMESPACE_DNS, "www.example.com"))', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  test('toYaml quotes every string so YAML 1.1 readers keep them strings', () => {
    expect(toYaml({ a: 'yes', b: '1.0', 'on': 'x', c: [], d: {}, e: [{ f: 1, g: [true, null] }], h: 'a\u2028b' })).toBe(
      'a: "yes"\nb: "1.0"\n"on": "x"\nc: []\nd: {}\ne:\n- f: 1\n  g:\n  - true\n  - null\nh: "a\\u2028b"\n');
  });
});
