/**
 * Unit tests of SupersetBundleBuilder (constructs/superset/bundle-builder.ts): the generated
 * files of the trino-taxi-data dashboard (taxi-dashboard.ts) and the column/metric checks.
 * The import into a real Superset 6.1.0: scripts/test-superset.sh.
 */
import { parse } from 'yaml';
import { PASSWORD_MASK, SupersetBundleBuilder, TableColumn, uuidV5 } from '../../constructs/superset';
import { taxiDashboardBundle } from '../../demos/trino-taxi-data/taxi-dashboard';
import { VIEW_COLUMNS as NY_TAXI_DATA_COLUMNS } from '../../demos/trino-taxi-data/taxi-table';

const trino = { host: 'trino-coordinator.demo.svc.cluster.local', port: 8443, admin: { username: 'admin' } };
const caFile = '/stackable/trust/ca.crt';

function parsed(files: Readonly<Record<string, string>>): Record<string, any> {
  return Object.fromEntries(Object.entries(files).map(([p, text]) => [p, parse(text)]));
}

describe('the trino-taxi-data dashboard', () => {
  const bundle = taxiDashboardBundle({ trino, caFile });
  const f = parsed(bundle.files);

  test('files, in a fixed order', () => {
    expect(Object.keys(bundle.files)).toEqual([
      'metadata.yaml', 'databases/trino_taxi.yaml', 'datasets/trino_taxi/ny_taxi_data.yaml',
      'charts/total_trips.yaml', 'charts/total_income.yaml', 'charts/payment_types.yaml',
      'charts/average_trip_duration.yaml', 'charts/trips_income.yaml', 'dashboards/taxi_data.yaml',
    ]);
    expect(bundle.databaseFiles).toEqual(['databases/trino_taxi.yaml']);
    expect(taxiDashboardBundle({ trino, caFile }).files).toEqual(bundle.files);
  });

  test('database and dataset', () => {
    const db = f['databases/trino_taxi.yaml'];
    expect(db.sqlalchemy_uri).toBe(`trino://admin:${PASSWORD_MASK}@trino-coordinator.demo.svc.cluster.local:8443/hive`);
    expect(db.extra.engine_params.connect_args).toEqual({ http_scheme: 'https', verify: caFile });
    expect(db.uuid).toBe(uuidV5('database:Trino taxi'));
    const ds = f['datasets/trino_taxi/ny_taxi_data.yaml'];
    expect([ds.catalog, ds.schema, ds.table_name, ds.main_dttm_col]).toEqual(['hive', 'demo', 'ny_taxi_data', 'tpep_pickup_datetime']);
    expect(ds.database_uuid).toBe(db.uuid);
    expect(ds.columns.map((c: any) => [c.column_name, c.type])).toEqual(NY_TAXI_DATA_COLUMNS.map(c => [c.name, c.type]));
    expect(ds.columns.filter((c: any) => c.is_dttm).map((c: any) => c.column_name)).toEqual(['tpep_pickup_datetime', 'tpep_dropoff_datetime']);
  });

  test('five charts of the right types and metrics', () => {
    const chart = (name: string) => f[`charts/${name}.yaml`];
    expect(chart('total_trips')).toMatchObject({ slice_name: 'Total trips', viz_type: 'big_number_total', params: { metric: { expressionType: 'SQL', sqlExpression: 'COUNT(*)', label: 'Trips' } } });
    expect(chart('total_income').params.metric).toMatchObject({ expressionType: 'SIMPLE', aggregate: 'SUM', column: { column_name: 'total_amount' } });
    expect(chart('payment_types')).toMatchObject({ viz_type: 'pie', params: { groupby: ['payment_type'], metric: { aggregate: 'SUM' } } });
    expect(chart('average_trip_duration')).toMatchObject({
      viz_type: 'echarts_timeseries_line',
      params: { x_axis: 'tpep_pickup_datetime', time_grain_sqla: 'P1D', metrics: [{ aggregate: 'AVG', column: { column_name: 'duration_min' } }] },
    });
    expect(chart('trips_income')).toMatchObject({
      viz_type: 'mixed_timeseries',
      params: { time_grain_sqla: 'P1D', yAxisIndexB: 1, metrics: [{ sqlExpression: 'COUNT(*)' }], metrics_b: [{ label: 'Income' }] },
    });
    const ds = f['datasets/trino_taxi/ny_taxi_data.yaml'];
    for (const name of ['total_trips', 'total_income', 'payment_types', 'average_trip_duration', 'trips_income']) expect(chart(name).dataset_uuid).toBe(ds.uuid);
  });

  test('dashboard: two rows, every chart placed once with its uuid', () => {
    const dash = f['dashboards/taxi_data.yaml'];
    expect(dash).toMatchObject({ dashboard_title: 'Taxi data', slug: 'taxi-data', uuid: uuidV5('dashboard:taxi-data') });
    expect(dash.position.GRID_ID.children).toEqual(['ROW-1', 'ROW-2']);
    const charts = Object.values<any>(dash.position).filter(n => n.type === 'CHART');
    expect(charts.map(c => [c.meta.sliceName, c.meta.width, c.meta.chartId])).toEqual([
      ['Total trips', 4, 1], ['Total income', 4, 2], ['Payment types', 4, 3], ['Average trip duration', 6, 4], ['Trips income', 6, 5],
    ]);
    const uuids = Object.entries(f).filter(([p]) => p.startsWith('charts/')).map(([, c]) => c.uuid);
    expect(charts.map(c => c.meta.uuid)).toEqual(uuids);
  });
});

describe('column validation', () => {
  const columns: TableColumn[] = [{ name: 'ts', type: 'TIMESTAMP(3)' }, { name: 'amount', type: 'DOUBLE' }, { name: 'kind', type: 'VARCHAR' }];
  const setup = () => {
    const b = new SupersetBundleBuilder();
    const db = b.trinoDatabase(trino, { catalog: 'hive', caFile });
    return { b, db, ds: b.dataset(db, { schema: 's', table: 't', columns, mainDttmCol: 'ts', metrics: [{ name: 'total', aggregate: 'SUM', column: 'amount' }] }) };
  };
  const known = /known columns: ts, amount, kind/;

  test('dataset: mainDttmCol, computed columns and metrics must name columns', () => {
    const { b, db } = setup();
    expect(() => b.dataset(db, { schema: 's', table: 'u', columns, mainDttmCol: 'tss' }))
      .toThrow(/dataset\(hive\.s\.u\): mainDttmCol names column 'tss', which dataset 'hive\.s\.u' does not have; known columns: ts, amount, kind/);
    expect(() => b.dataset(db, { schema: 's', table: 'u', columns, mainDttmCol: 'amount' })).toThrow(/mainDttmCol 'amount' is not a temporal column; temporal columns: ts/);
    expect(() => b.dataset(db, { schema: 's', table: 'u', columns, computedColumns: [{ name: 'c', type: 'DOUBLE', expression: 'amount * 2', uses: ['amt'] }] }))
      .toThrow(/computedColumns 'c' uses names column 'amt'/);
    expect(() => b.dataset(db, { schema: 's', table: 'u', columns, metrics: [{ name: 'm', aggregate: 'SUM', column: 'amt' }] })).toThrow(/metrics 'm' column names column 'amt'/);
    expect(() => b.dataset(db, { schema: 's', table: 'u', columns, metrics: [{ name: 'm', sql: 'SUM(x)', uses: ['x'] }] })).toThrow(/metrics 'm' uses names column 'x'/);
    expect(() => b.dataset(db, { schema: 's', table: 'u', columns, metrics: [{ name: 'm' }] })).toThrow(/metrics 'm' needs either aggregate and column, or sql/);
    expect(() => b.dataset(db, { schema: 's', table: 'u', columns: [...columns, { name: 'ts', type: 'DATE' }] })).toThrow(/column 'ts' is defined twice/);
  });

  test('saved metrics may not use computed columns (Superset sends their SQL verbatim)', () => {
    const { b, db } = setup();
    expect(() => b.dataset(db, {
      schema: 's', table: 'u', columns,
      computedColumns: [{ name: 'c', type: 'DOUBLE', expression: 'amount * 2', uses: ['amount'] }],
      metrics: [{ name: 'm', aggregate: 'SUM', column: 'c' }],
    })).toThrow(/metrics 'm' column names column 'c', which dataset 'hive\.s\.u' does not have; known columns: ts, amount, kind$/);
  });

  test('typed charts: every column and metric they name must exist', () => {
    const { b, ds } = setup();
    expect(() => b.pie(ds, { title: 'P', metric: 'total', groupby: 'knd' })).toThrow(/chart 'P': groupby names column 'knd', which dataset 'hive\.s\.t' does not have; known columns: ts, amount, kind/);
    expect(() => b.bigNumber(ds, { title: 'B', metric: 'totl' })).toThrow(/chart 'B': metric names saved metric 'totl', which dataset 'hive\.s\.t' does not have; known metrics: total/);
    expect(() => b.bigNumber(ds, { title: 'B', metric: { aggregate: 'MAX', column: 'amt' } })).toThrow(known);
    expect(() => b.bigNumber(ds, { title: 'B', metric: { sql: 'SUM(amt)', label: 'x', uses: ['amt'] } })).toThrow(/metric 'x' uses names column 'amt'/);
    expect(() => b.timeseries(ds, { title: 'T', x: 'when', metrics: ['total'] })).toThrow(/chart 'T': x names column 'when'/);
    expect(() => b.mixedTimeseries(ds, { title: 'M', a: { metrics: ['total'] }, b: { metrics: [{ aggregate: 'SUM', column: 'x' }] } })).toThrow(/metrics_b 'SUM\(x\)' names column 'x'/);
  });

  test('raw charts: form data fields are checked', () => {
    const { b, ds } = setup();
    expect(() => b.chart(ds, { title: 'R', vizType: 'table', params: { all_columns: ['ts', 'nope'] } })).toThrow(/all_columns names column 'nope'/);
    expect(() => b.chart(ds, { title: 'R', vizType: 'table', params: { adhoc_filters: [{ expressionType: 'SIMPLE', subject: 'nope', operator: '==', comparator: 1 }] } }))
      .toThrow(/adhoc_filters subject names column 'nope'/);
    expect(() => b.chart(ds, { title: 'R', vizType: 'table', params: { groupby: ['kind'], metrics: ['total'] } })).not.toThrow();
  });

  test('x defaults to mainDttmCol, which must then exist', () => {
    const { b, db } = setup();
    const noTime = b.dataset(db, { schema: 's', table: 'v', columns });
    expect(() => b.timeseries(noTime, { title: 'T', metrics: [{ aggregate: 'SUM', column: 'amount' }] })).toThrow(/x is not given and dataset 'hive\.s\.v' has no mainDttmCol/);
  });

  test('dashboard: rows fit the grid, charts come from this builder, names are unique', () => {
    const { b, ds } = setup();
    const c = b.bigNumber(ds, { title: 'B', metric: 'total' });
    expect(() => b.dashboard({ title: 'D', slug: 'd', rows: [[{ chart: c, width: 8 }, { markdown: 'x', width: 6 }]] })).toThrow(/widths of row ROW-1 sum to 14/);
    const other = new SupersetBundleBuilder();
    const foreign = other.bigNumber(other.dataset(other.trinoDatabase(trino, { catalog: 'hive', caFile }), { schema: 's', table: 't', columns }), { title: 'F', metric: { sql: 'COUNT(*)', label: 'n' } });
    expect(() => b.dashboard({ title: 'D', slug: 'd', rows: [[foreign]] })).toThrow(/chart 'F' was not made by this builder/);
    expect(() => b.dashboard({ title: 'D', slug: 'D d', rows: [[c]] })).toThrow(/slug "D d" must match/);
    expect(() => b.bigNumber(ds, { title: 'B', metric: 'total' })).toThrow(/would be written to charts\/b\.yaml, which another object of the bundle uses/);
  });
});
