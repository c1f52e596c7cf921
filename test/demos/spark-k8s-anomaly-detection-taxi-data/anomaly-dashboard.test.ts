/**
 * Unit tests of the anomaly demo's Superset bundle (demos/spark-k8s-anomaly-detection-taxi-data/anomaly-dashboard.ts).
 * Run: npx jest --ci test/demos/spark-k8s-anomaly-detection-taxi-data   (the import into a real Superset: scripts/test-superset.sh)
 */
import { createHash } from 'crypto';
import { AnomalyDashboardProps, anomalyDashboardBundle, MAIN_DTTM_COLUMN } from '../../../demos/spark-k8s-anomaly-detection-taxi-data/anomaly-dashboard';
import iforestTable from '../../../demos/spark-k8s-anomaly-detection-taxi-data/iforest-table.json';
import { BUNDLE_TIMESTAMP, PASSWORD_MASK } from '../../../constructs/superset';

const CA_FILE = '/stackable/trust/ca.crt';
const trino = { host: 'trino-coordinator.demo.svc.cluster.local', port: 8443, admin: { username: 'admin' } };
const props: AnomalyDashboardProps = { trino, table: { catalog: 'prediction', schema: 'ad', table: 'iforest' }, caFile: CA_FILE };
const withUser = (username: string): AnomalyDashboardProps => ({ ...props, trino: { ...trino, admin: { username } } });

/**
 * SHA-256 (first 16 hex digits) of the files the bundle writes for the default demo's Trino: dist/
 * changes only when these do. The database, the rides and score charts are those the former
 * generator (constructs/superset/dashboard-bundle.ts, before SupersetBundleBuilder) wrote; the
 * dataset (day_pred, anomalous_day_rides), the anomalous-days chart and the dashboard changed with
 * issue #21 (anomalous days shown).
 */
const SHIPPED: Record<string, string> = {
  'metadata.yaml': '7cfbd6ade1d9e832',
  'databases/trino.yaml': '64ab0c9c0d050650',
  'datasets/trino/iforest.yaml': '33623aa4519e11d3',
  'charts/rides_with_outliers.yaml': 'cc0bf6b0a17afa87',
  'charts/anomalous_days.yaml': '55b9684a40922163',
  'charts/anomaly_score.yaml': '5a3b8f8466ef3a27',
  'dashboards/taxi_anomalies.yaml': '65c0327c8c60accb',
};

function dashboardBundle(p: AnomalyDashboardProps) {
  const d = anomalyDashboardBundle(p);
  return { ...d, files: d.bundle.files };
}

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

function parsedFiles(p: AnomalyDashboardProps = props): Record<string, any> {
  const bundle = dashboardBundle(p);
  return Object.fromEntries(Object.entries(bundle.files).map(([path, text]) => [path, parseYaml(text)]));
}

describe('anomalyDashboardBundle', () => {
  test('is deterministic: two builds are equal byte for byte', () => {
    const a = dashboardBundle(props);
    const b = dashboardBundle({ ...props });
    expect(JSON.stringify(a.files)).toEqual(JSON.stringify(b.files));
    expect(Object.keys(a.files)).toEqual([
      'metadata.yaml', 'databases/trino.yaml', 'datasets/trino/iforest.yaml',
      'charts/rides_with_outliers.yaml', 'charts/anomalous_days.yaml', 'charts/anomaly_score.yaml', 'dashboards/taxi_anomalies.yaml',
    ]);
  });

  test('metadata is an assets export of format 1.0.0 with a fixed timestamp', () => {
    expect(parsedFiles()['metadata.yaml']).toEqual({ version: '1.0.0', type: 'assets', timestamp: BUNDLE_TIMESTAMP });
  });

  test('database: Trino over HTTPS, CA verified, password masked', () => {
    const bundle = dashboardBundle(withUser('superset'));
    const db = parseYaml(bundle.files[bundle.databaseFile]);
    expect(bundle.databaseFile).toBe('databases/trino.yaml');
    expect(db.database_name).toBe('Trino');
    expect(db.sqlalchemy_uri).toBe(`trino://superset:${PASSWORD_MASK}@trino-coordinator.demo.svc.cluster.local:8443/prediction`);
    expect(db.extra.engine_params).toEqual({ connect_args: { http_scheme: 'https', verify: CA_FILE } });
    expect(db.password).toBeUndefined();
    expect(db.uuid).toBe(bundle.uuids.database);
  });

  test('user names are URL-encoded in the URI', () => {
    const bundle = dashboardBundle(withUser('a:b@c'));
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
    expect(computed.map((c: any) => [c.column_name, c.expression])).toEqual([
      ['outlier_rides', 'CASE WHEN pred = -1 THEN norides END'], ['outlier_score', 'CASE WHEN pred = -1 THEN score END'],
      ['anomalous_day_rides', 'CASE WHEN day_pred = -1 THEN norides END'],
    ]);
    expect(computed.find((c: any) => c.column_name === 'outlier_rides').expression).toBe('CASE WHEN pred = -1 THEN norides END');
    expect(ds.metrics.map((m: any) => [m.metric_name, m.expression])).toEqual([
      ['rides', 'SUM(norides)'], ['outlier_periods', 'SUM(CASE WHEN pred = -1 THEN 1 ELSE 0 END)'], ['anomaly_score', 'MAX(score)'],
    ]);
  });

  test('uuids reference each other consistently', () => {
    const bundle = dashboardBundle(props);
    const f = parsedFiles();
    const db = f['databases/trino.yaml'];
    const ds = f['datasets/trino/iforest.yaml'];
    const charts = [f['charts/rides_with_outliers.yaml'], f['charts/anomalous_days.yaml'], f['charts/anomaly_score.yaml']];
    const dash = f['dashboards/taxi_anomalies.yaml'];
    expect(ds.database_uuid).toBe(db.uuid);
    for (const c of charts) expect(c.dataset_uuid).toBe(ds.uuid);
    const placed = Object.values(dash.position).filter((n: any) => n.type === 'CHART').map((n: any) => n.meta.uuid);
    expect(placed.sort()).toEqual(charts.map(c => c.uuid).sort());
    expect([db.uuid, ds.uuid, charts[0].uuid, charts[1].uuid, charts[2].uuid, dash.uuid]).toEqual([
      bundle.uuids.database, bundle.uuids.dataset, bundle.uuids.ridesChart, bundle.uuids.daysChart, bundle.uuids.scoreChart, bundle.uuids.dashboard,
    ]);
    expect(new Set(Object.values(bundle.uuids)).size).toBe(6);
    // Every layout node's children exist and name it as parent.
    for (const [id, node] of Object.entries<any>(dash.position)) {
      if (typeof node !== 'object' || !node.children) continue;
      for (const child of node.children) {
        expect(dash.position[child]).toBeDefined();
        if (id !== 'ROOT_ID') expect(dash.position[child].parents).toContain(id);
      }
    }
  });

  test('charts: mixed time series of rides with the outliers as dots, with the anomalous days as bars, and the score', () => {
    const f = parsedFiles();
    const rides = f['charts/rides_with_outliers.yaml'];
    expect(rides.viz_type).toBe('mixed_timeseries');
    expect(rides.params).toMatchObject({ x_axis: 'pickup_ts', time_grain_sqla: null, metrics: ['rides'], seriesType: 'line', seriesTypeB: 'scatter' });
    expect(rides.params.metrics_b).toEqual([expect.objectContaining({ expressionType: 'SIMPLE', aggregate: 'SUM', column: { column_name: 'outlier_rides' } })]);
    const days = f['charts/anomalous_days.yaml'];
    expect(days.viz_type).toBe('mixed_timeseries');
    expect(days.params).toMatchObject({ x_axis: 'pickup_ts', time_grain_sqla: null, metrics: ['rides'], seriesType: 'line', seriesTypeB: 'bar' });
    expect(days.params.metrics_b).toEqual([expect.objectContaining({
      expressionType: 'SIMPLE', aggregate: 'SUM', column: { column_name: 'anomalous_day_rides' }, label: 'Rides of anomalous days',
    })]);
    const score = f['charts/anomaly_score.yaml'];
    expect(score.viz_type).toBe('echarts_timeseries_line');
    expect(score.params).toMatchObject({ x_axis: 'pickup_ts', metrics: ['anomaly_score'] });
  });

  test('uuids stay the same for the same names and change with them', () => {
    const a = dashboardBundle(props).uuids;
    expect(dashboardBundle({ ...props, trino: { ...trino, host: 'other', port: 443 } }).uuids).toEqual(a);
    expect(dashboardBundle({ ...props, table: { ...props.table, table: 'iforest2' } }).uuids.dataset).not.toBe(a.dataset);
    expect(dashboardBundle({ ...props, databaseName: 'Trino 2' }).uuids.database).not.toBe(a.database);
  });

  test.each<[string, Partial<AnomalyDashboardProps>, RegExp]>([
    ['trino.host', { trino: { ...trino, host: 'bad host' } }, /trino\.host must be a DNS name/],
    ['trino.host', { trino: { ...trino, host: 'https://trino' } }, /trino\.host must be a DNS name/],
    ['trino.port', { trino: { ...trino, port: 65536 } }, /trino\.port must be an integer/],
    ['trino.admin.username', { trino: { ...trino, admin: { username: 'a b' } } }, /trino\.admin\.username must be a non-empty user name/],
    ['table.catalog', { table: { ...props.table, catalog: 'Prediction' } }, /props\.table\.catalog must be a lower-case Trino identifier/],
    ['table.table', { table: { ...props.table, table: 'ad.iforest' } }, /props\.table\.table must be/],
    ['caFile', { caFile: 'relative/ca.crt' }, /caFile must be an absolute file path/],
    ['databaseName', { databaseName: '  ' }, /databaseName must be non-empty text/],
    ['dashboardTitle', { dashboardTitle: '' }, /props\.dashboardTitle must be non-empty text/],
    ['dashboardSlug', { dashboardSlug: 'Has Spaces' }, /slug "Has Spaces" must match/],
  ])('rejects a bad %s, naming it', (_prop, bad, message) => {
    expect(() => anomalyDashboardBundle({ ...props, ...bad })).toThrow(message);
  });

  test('the generated YAML stays byte for byte what the demo ships (dist/ changes only with these hashes)', () => {
    const files = anomalyDashboardBundle({ ...props, trino: { ...trino, host: 'trino-coordinator.default.svc.cluster.local' } }).bundle.files;
    expect(Object.fromEntries(Object.entries(files).map(([p, t]) => [p, createHash('sha256').update(t).digest('hex').slice(0, 16)]))).toEqual(SHIPPED);
  });
});
