/**
 * Superset assets bundle of the demo: the Trino database connection, the `prediction.ad.iforest`
 * dataset, two charts and the "taxi anomalies" dashboard, as the YAML files of Superset 6.1.0's
 * assets export format (`metadata.yaml` of type `assets`, `databases/`, `datasets/`, `charts/`,
 * `dashboards/`). Pure TypeScript, no cdk8s objects: the Superset construct puts the files into a
 * ConfigMap ({@link bundleToConfigMapData}) and a Job runs `import_dashboard.py`, which zips them
 * and posts them to `/api/v1/assets/import/` together with the Trino password.
 *
 * Output is deterministic byte for byte: fixed export timestamp, UUIDv5 identifiers derived from
 * stable names, keys emitted in a fixed order.
 *
 * Checked against a real Superset 6.1.0 by `scripts/test-superset.sh`; unit tests in
 * `test/superset/dashboard-bundle.test.ts` (`npx jest --ci test/superset`).
 */
import { createHash } from 'crypto';
import iforestTable from '../spark/iforest-table.json';

/** Where the Superset pod finds the CA certificate that signed Trino's TLS certificate (see `TlsTrustStore.caFile`). */
export const DEFAULT_TRINO_CA_FILE = '/stackable/trust/ca.crt';

/** Superset's import format version, written into every file (`version: 1.0.0`). */
export const SUPERSET_IMPORT_VERSION = '1.0.0';

/** The fixed `metadata.yaml` timestamp (a real export writes the export time; fixed here so the output is stable). */
export const BUNDLE_TIMESTAMP = '2026-01-01T00:00:00+00:00';

/**
 * The password placeholder of Superset's exports (`constants.PASSWORD_MASK`). The database URI
 * carries it instead of the password: on import Superset then takes the password from the
 * request's `passwords` map (new database) or keeps the stored one (existing database), whereas a
 * URI without any password would erase a stored password.
 */
export const PASSWORD_MASK = 'XXXXXXXXXX';

/** Namespace of the bundle's UUIDv5 identifiers. Never change it: the UUIDs identify the objects across imports. */
export const BUNDLE_UUID_NAMESPACE = '3d0b9d53-1424-49ca-8f87-25d6071233d8';

/** Props of {@link dashboardBundle}. */
export interface DashboardBundleProps {
  /** Trino coordinator host as seen from the Superset pod, e.g. `trino-coordinator.<ns>.svc.cluster.local`. */
  readonly trinoHost: string;
  /** Trino's HTTPS port (Trino with authentication only accepts TLS), e.g. 8443. */
  readonly trinoPort: number;
  /** The Trino user Superset connects as. Its password is not part of the bundle: the import Job supplies it. */
  readonly trinoUser: string;
  /** Trino catalog of the results table (also the default catalog of the connection). @default 'prediction' */
  readonly catalog?: string;
  /** Schema of the results table. @default 'ad' */
  readonly schema?: string;
  /** The results table written by the Spark job. @default 'iforest' */
  readonly table?: string;
  /** Path of the PEM CA bundle inside the Superset pod used to verify Trino's certificate. @default DEFAULT_TRINO_CA_FILE */
  readonly trinoCaFile?: string;
  /** Name of the database connection in Superset (unique in Superset). @default 'Trino' */
  readonly databaseName?: string;
  /** Dashboard title. @default 'Taxi data anomaly detection' */
  readonly dashboardTitle?: string;
  /** Dashboard slug: the dashboard is at `/superset/dashboard/<slug>/`. @default 'taxi-anomalies' */
  readonly dashboardSlug?: string;
}

/** UUIDs of the bundle's objects, e.g. to look them up through Superset's API. */
export interface DashboardBundleUuids {
  readonly database: string;
  readonly dataset: string;
  /** The mixed time-series chart: rides per 30 minutes with the outliers marked. */
  readonly ridesChart: string;
  /** The anomaly score per 30 minutes. */
  readonly scoreChart: string;
  readonly dashboard: string;
}

/** The generated bundle. */
export interface DashboardBundle {
  /**
   * The YAML files by path inside the bundle (relative to the zip's top-level folder, e.g.
   * `databases/trino.yaml`), in a fixed order.
   */
  readonly files: Readonly<Record<string, string>>;
  /** Path (key of {@link files}) of the database file: the key of the Trino password in the import's `passwords` map. */
  readonly databaseFile: string;
  /** UUIDs of the objects. */
  readonly uuids: DashboardBundleUuids;
  /** The dashboard's slug. */
  readonly dashboardSlug: string;
  /** Superset's name of the database connection. */
  readonly databaseName: string;
}

/** Computed columns added to the dataset. SQL is Trino SQL over the table's own columns. */
export const COMPUTED_COLUMNS: ReadonlyArray<{ readonly name: string; readonly type: string; readonly expression: string; readonly verboseName: string; readonly description: string }> = [
  {
    name: 'outlier_rides',
    type: 'BIGINT',
    expression: 'CASE WHEN pred = -1 THEN norides END',
    verboseName: 'Outlier rides',
    description: 'norides of the periods the IsolationForest labelled as outliers (pred = -1), NULL otherwise',
  },
  {
    name: 'outlier_score',
    type: 'DOUBLE',
    expression: 'CASE WHEN pred = -1 THEN score END',
    verboseName: 'Outlier score',
    description: 'Anomaly score of the periods labelled as outliers (pred = -1), NULL otherwise',
  },
];

/**
 * Saved metrics of the dataset. Their SQL goes into queries verbatim, so it can only use physical
 * columns: Superset expands a computed column where a chart uses it as a column (e.g. in an ad-hoc
 * metric), not inside a saved metric's expression.
 */
export const METRICS: ReadonlyArray<{ readonly name: string; readonly expression: string; readonly verboseName: string; readonly d3format: string }> = [
  { name: 'rides', expression: 'SUM(norides)', verboseName: 'Rides', d3format: ',d' },
  { name: 'outlier_periods', expression: 'SUM(CASE WHEN pred = -1 THEN 1 ELSE 0 END)', verboseName: 'Outlier periods', d3format: ',d' },
  { name: 'anomaly_score', expression: 'MAX(score)', verboseName: 'Anomaly score', d3format: '.3f' },
];

/** The dataset's main datetime column (`main_dttm_col`). */
export const MAIN_DTTM_COLUMN = 'pickup_ts';

/** Trino types of the Spark SQL types of `iforest-table.json`, as Superset records them for an Iceberg table. */
const TRINO_TYPES: Readonly<Record<string, string>> = {
  timestamp: 'TIMESTAMP(6)',
  string: 'VARCHAR',
  int: 'INTEGER',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  float: 'REAL',
  boolean: 'BOOLEAN',
  date: 'DATE',
};

/** Name of the outlier series of the rides chart. */
const OUTLIER_SERIES = 'Outlier rides';

/**
 * Builds the assets bundle. Throws an Error naming the prop when a prop is invalid.
 */
export function dashboardBundle(props: DashboardBundleProps): DashboardBundle {
  const p = validateProps(props);
  const dbSlug = fileSlug(p.databaseName);
  const uuids: DashboardBundleUuids = {
    database: uuidV5(`database:${p.databaseName}`),
    dataset: uuidV5(`dataset:${p.databaseName}:${p.catalog}.${p.schema}.${p.table}`),
    ridesChart: uuidV5(`chart:${p.databaseName}:${p.catalog}.${p.schema}.${p.table}:rides-with-outliers`),
    scoreChart: uuidV5(`chart:${p.databaseName}:${p.catalog}.${p.schema}.${p.table}:anomaly-score`),
    dashboard: uuidV5(`dashboard:${p.dashboardSlug}`),
  };
  const databaseFile = `databases/${dbSlug}.yaml`;
  const ridesTitle = 'Rides per 30 minutes, outliers marked';
  const scoreTitle = 'Anomaly score per 30 minutes';

  const files: Record<string, string> = {
    'metadata.yaml': toYaml({ version: SUPERSET_IMPORT_VERSION, type: 'assets', timestamp: BUNDLE_TIMESTAMP }),
    [databaseFile]: toYaml(databaseConfig(p, uuids.database)),
    [`datasets/${dbSlug}/${p.table}.yaml`]: toYaml(datasetConfig(p, uuids)),
    'charts/rides_with_outliers.yaml': toYaml(chartConfig(ridesTitle, 'mixed_timeseries', ridesChartParams(), uuids.ridesChart, uuids.dataset,
      'Rides per 30-minute period (line); the periods the IsolationForest labelled as outliers are marked with dots.')),
    'charts/anomaly_score.yaml': toYaml(chartConfig(scoreTitle, 'echarts_timeseries_line', scoreChartParams(), uuids.scoreChart, uuids.dataset,
      'Anomaly score of each 30-minute period: higher is more anomalous; periods within the normal band share the lowest score.')),
    [`dashboards/${p.dashboardSlug.replace(/-/g, '_')}.yaml`]: toYaml(dashboardConfig(p, uuids, [
      { uuid: uuids.ridesChart, title: ridesTitle, placeholderId: 1 },
      { uuid: uuids.scoreChart, title: scoreTitle, placeholderId: 2 },
    ])),
  };
  return { files, databaseFile, uuids, dashboardSlug: p.dashboardSlug, databaseName: p.databaseName };
}

// ---------------------------------------------------------------------------------------------
// ConfigMap encoding

/**
 * The bundle as ConfigMap data. ConfigMap keys may only contain `[-._a-zA-Z0-9]`, so each path is
 * encoded reversibly ({@link pathToConfigMapKey}); `import_dashboard.py` decodes the keys of the
 * mounted ConfigMap back into paths.
 */
export function bundleToConfigMapData(bundle: DashboardBundle): Record<string, string> {
  const data: Record<string, string> = {};
  for (const [path, content] of Object.entries(bundle.files)) {
    data[pathToConfigMapKey(path)] = content;
  }
  return data;
}

/**
 * Encodes a bundle path as a ConfigMap key: `-` becomes `-_` and `/` becomes `--`
 * (`datasets/trino/iforest.yaml` -> `datasets--trino--iforest.yaml`). Paths may only contain
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
// Superset objects

interface ResolvedProps {
  trinoHost: string; trinoPort: number; trinoUser: string; catalog: string; schema: string; table: string;
  trinoCaFile: string; databaseName: string; dashboardTitle: string; dashboardSlug: string;
}

function validateProps(props: DashboardBundleProps): ResolvedProps {
  const fail = (prop: string, msg: string, value: unknown): never => {
    throw new Error(`dashboardBundle: props.${prop} ${msg}, got ${JSON.stringify(value)}`);
  };
  const hostLabel = '[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
  if (typeof props.trinoHost !== 'string' || props.trinoHost.length > 253 || !new RegExp(`^${hostLabel}(\\.${hostLabel})*$`).test(props.trinoHost)) {
    fail('trinoHost', 'must be a DNS name or IPv4 address', props.trinoHost);
  }
  if (!Number.isInteger(props.trinoPort) || props.trinoPort < 1 || props.trinoPort > 65535) {
    fail('trinoPort', 'must be an integer in 1..65535', props.trinoPort);
  }
  if (typeof props.trinoUser !== 'string' || props.trinoUser.length === 0 || /[\s\x00-\x1f\x7f]/.test(props.trinoUser)) {
    fail('trinoUser', 'must be a non-empty user name without whitespace', props.trinoUser);
  }
  const identifier = (prop: 'catalog' | 'schema' | 'table', dflt: string): string => {
    const v = props[prop] ?? dflt;
    if (typeof v !== 'string' || !/^[a-z_][a-z0-9_]{0,127}$/.test(v)) fail(prop, 'must be a lower-case Trino identifier ([a-z_][a-z0-9_]*)', v);
    return v;
  };
  const trinoCaFile = props.trinoCaFile ?? DEFAULT_TRINO_CA_FILE;
  if (typeof trinoCaFile !== 'string' || !/^\/[^\s\x00-\x1f]*[^/\s]$/.test(trinoCaFile)) fail('trinoCaFile', 'must be an absolute file path', trinoCaFile);
  const text = (prop: 'databaseName' | 'dashboardTitle', dflt: string, max: number): string => {
    const v = props[prop] ?? dflt;
    if (typeof v !== 'string' || v.trim().length === 0 || v.length > max || /[\x00-\x1f\x7f]/.test(v)) fail(prop, `must be non-empty text of at most ${max} characters`, v);
    return v;
  };
  const dashboardSlug = props.dashboardSlug ?? 'taxi-anomalies';
  if (typeof dashboardSlug !== 'string' || !/^[a-z0-9][a-z0-9-]{0,99}$/.test(dashboardSlug)) fail('dashboardSlug', 'must match [a-z0-9][a-z0-9-]* (at most 100 characters)', dashboardSlug);
  return {
    trinoHost: props.trinoHost, trinoPort: props.trinoPort, trinoUser: props.trinoUser,
    catalog: identifier('catalog', 'prediction'), schema: identifier('schema', 'ad'), table: identifier('table', 'iforest'),
    trinoCaFile, databaseName: text('databaseName', 'Trino', 250), dashboardTitle: text('dashboardTitle', 'Taxi data anomaly detection', 500), dashboardSlug,
  };
}

function databaseConfig(p: ResolvedProps, uuid: string): YamlObject {
  return {
    database_name: p.databaseName,
    sqlalchemy_uri: `trino://${encodeURIComponent(p.trinoUser)}:${PASSWORD_MASK}@${p.trinoHost}:${p.trinoPort}/${p.catalog}`,
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
      engine_params: { connect_args: { http_scheme: 'https', verify: p.trinoCaFile } },
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

interface TableColumn { name: string; type: string; description: string }

/** Columns of the results table, from the contract shared with the Spark job. */
function iforestColumns(): ReadonlyArray<TableColumn> {
  return iforestTable.columns;
}

function datasetConfig(p: ResolvedProps, uuids: DashboardBundleUuids): YamlObject {
  const columns = iforestColumns();
  const byName = new Map(columns.map(c => [c.name, c]));
  const main = byName.get(MAIN_DTTM_COLUMN);
  if (!main || main.type !== 'timestamp') throw new Error(`dashboardBundle: iforest-table.json must have a timestamp column '${MAIN_DTTM_COLUMN}'`);
  for (const needed of ['norides', 'pred', 'score']) {
    if (!byName.has(needed)) throw new Error(`dashboardBundle: iforest-table.json has no column '${needed}' used by the computed columns`);
  }
  const column = (name: string, type: string, isDttm: boolean, expression: string | null, verboseName: string | null, description: string): YamlObject => ({
    column_name: name,
    verbose_name: verboseName,
    is_dttm: isDttm,
    is_active: true,
    type,
    advanced_data_type: null,
    groupby: true,
    filterable: true,
    expression,
    description,
    python_date_format: null,
    datetime_format: null,
    extra: null,
  });
  const physical = columns.map(c => {
    const type = TRINO_TYPES[c.type];
    if (!type) throw new Error(`dashboardBundle: column '${c.name}' of iforest-table.json has unsupported type '${c.type}'`);
    return column(c.name, type, c.type === 'timestamp', null, null, c.description);
  });
  const computed = COMPUTED_COLUMNS.map(c => column(c.name, c.type, false, c.expression, c.verboseName, c.description));
  return {
    table_name: p.table,
    main_dttm_col: MAIN_DTTM_COLUMN,
    description: `IsolationForest results: one row per 30-minute pickup period (${p.catalog}.${p.schema}.${p.table}, written by the Spark job).`,
    default_endpoint: null,
    offset: 0,
    cache_timeout: null,
    catalog: p.catalog,
    schema: p.schema,
    sql: null,
    params: null,
    template_params: null,
    filter_select_enabled: true,
    fetch_values_predicate: null,
    extra: null,
    normalize_columns: false,
    always_filter_main_dttm: false,
    uuid: uuids.dataset,
    metrics: METRICS.map(m => ({
      metric_name: m.name,
      verbose_name: m.verboseName,
      metric_type: null,
      expression: m.expression,
      description: null,
      d3format: m.d3format,
      currency: null,
      extra: null,
      warning_text: null,
    })),
    columns: [...physical, ...computed],
    version: SUPERSET_IMPORT_VERSION,
    database_uuid: uuids.database,
  };
}

/** The "no time filter" adhoc filter Superset's explore view adds to every time-series chart. */
function noTimeFilter(): YamlObject {
  return { clause: 'WHERE', comparator: 'No filter', expressionType: 'SIMPLE', operator: 'TEMPORAL_RANGE', subject: MAIN_DTTM_COLUMN };
}

/** Form data shared by both charts: x axis = the period, one point per 30 minutes. */
function timeseriesBase(vizType: string): YamlObject {
  return {
    viz_type: vizType,
    x_axis: MAIN_DTTM_COLUMN,
    // No time grain: the table already has one row per 30-minute period. (Superset 6.1.0 cannot
    // bucket Trino data by 30 minutes: its Trino grain is PT0.5H, which the chart data API rejects.)
    time_grain_sqla: null,
    x_axis_sort_asc: true,
    x_axis_time_format: 'smart_date',
    time_range: 'No filter',
    color_scheme: 'supersetColors',
    show_legend: true,
    legendType: 'scroll',
    legendOrientation: 'top',
    rich_tooltip: true,
    tooltipTimeFormat: 'smart_date',
    zoomable: true,
    truncateYAxis: false,
    y_axis_title_position: 'Left',
    y_axis_title_margin: 50,
    y_axis_bounds: [null, null],
    annotation_layers: [],
    extra_form_data: {},
  };
}

function ridesChartParams(): YamlObject {
  return {
    ...timeseriesBase('mixed_timeseries'),
    // Query A: all rides, as a line.
    metrics: ['rides'],
    groupby: [],
    adhoc_filters: [noTimeFilter()],
    row_limit: 50000,
    order_desc: true,
    truncate_metric: true,
    seriesType: 'line',
    markerEnabled: false,
    markerSize: 6,
    yAxisIndex: 0,
    opacity: 0.2,
    // Query B: the rides of the outlier periods only (the computed column is NULL elsewhere), as
    // dots on the same axis.
    metrics_b: [{
      expressionType: 'SIMPLE',
      column: { column_name: 'outlier_rides' },
      aggregate: 'SUM',
      sqlExpression: null,
      label: OUTLIER_SERIES,
      hasCustomLabel: true,
      optionName: 'metric_outlier_rides',
    }],
    groupby_b: [],
    adhoc_filters_b: [noTimeFilter()],
    row_limit_b: 50000,
    order_desc_b: true,
    truncate_metric_b: true,
    seriesTypeB: 'scatter',
    markerEnabledB: true,
    markerSizeB: 10,
    yAxisIndexB: 0,
    opacityB: 1,
    y_axis_format: 'SMART_NUMBER',
    y_axis_title: 'Rides',
  };
}

function scoreChartParams(): YamlObject {
  return {
    ...timeseriesBase('echarts_timeseries_line'),
    metrics: ['anomaly_score'],
    groupby: [],
    adhoc_filters: [noTimeFilter()],
    row_limit: 50000,
    order_desc: true,
    seriesType: 'line',
    markerEnabled: true,
    markerSize: 4,
    y_axis_format: '.3f',
    y_axis_title: 'Anomaly score',
  };
}

function chartConfig(title: string, vizType: string, params: YamlObject, uuid: string, datasetUuid: string, description: string): YamlObject {
  return {
    slice_name: title,
    description,
    certified_by: null,
    certification_details: null,
    viz_type: vizType,
    params,
    query_context: null,
    cache_timeout: null,
    uuid,
    version: SUPERSET_IMPORT_VERSION,
    dataset_uuid: datasetUuid,
  };
}

interface DashboardChart { uuid: string; title: string; placeholderId: number }

function dashboardConfig(p: ResolvedProps, uuids: DashboardBundleUuids, charts: DashboardChart[]): YamlObject {
  const position: YamlObject = {
    DASHBOARD_VERSION_KEY: 'v2',
    ROOT_ID: { type: 'ROOT', id: 'ROOT_ID', children: ['GRID_ID'] },
    GRID_ID: { type: 'GRID', id: 'GRID_ID', children: ['ROW-intro', ...charts.map((_, i) => `ROW-${i + 1}`)], parents: ['ROOT_ID'] },
    HEADER_ID: { id: 'HEADER_ID', type: 'HEADER', meta: { text: p.dashboardTitle } },
    'ROW-intro': {
      type: 'ROW', id: 'ROW-intro', children: ['MARKDOWN-intro'], parents: ['ROOT_ID', 'GRID_ID'],
      meta: { background: 'BACKGROUND_TRANSPARENT' },
    },
    'MARKDOWN-intro': {
      type: 'MARKDOWN', id: 'MARKDOWN-intro', children: [], parents: ['ROOT_ID', 'GRID_ID', 'ROW-intro'],
      meta: {
        width: 12,
        height: 20,
        code: [
          `## ${p.dashboardTitle}`,
          '',
          `NYC for-hire taxi rides, aggregated into 30-minute periods by the Spark job, scored by an IsolationForest `
          + `and written to \`${p.catalog}.${p.schema}.${p.table}\`. Dots mark the periods the model labelled as `
          + 'outliers (`pred = -1`); the anomaly score is higher for more unusual periods. Drag on a chart to zoom.',
        ].join('\n'),
      },
    },
  };
  charts.forEach((chart, i) => {
    const row = `ROW-${i + 1}`;
    const id = `CHART-${chart.uuid.slice(0, 8)}`;
    position[row] = { type: 'ROW', id: row, children: [id], parents: ['ROOT_ID', 'GRID_ID'], meta: { background: 'BACKGROUND_TRANSPARENT' } };
    position[id] = {
      type: 'CHART', id, children: [], parents: ['ROOT_ID', 'GRID_ID', row],
      // chartId is a placeholder: the importer replaces it with the id of the chart with this uuid.
      meta: { chartId: chart.placeholderId, width: 12, height: 60, sliceName: chart.title, uuid: chart.uuid },
    };
  });
  return {
    dashboard_title: p.dashboardTitle,
    description: null,
    css: null,
    slug: p.dashboardSlug,
    certified_by: null,
    certification_details: null,
    published: true,
    uuid: uuids.dashboard,
    position,
    metadata: {
      color_scheme: 'supersetColors',
      label_colors: {},
      shared_label_colors: [],
      map_label_colors: {},
      color_scheme_domain: [],
      timed_refresh_immune_slices: [],
      expanded_slices: {},
      refresh_frequency: 0,
      cross_filters_enabled: true,
      native_filter_configuration: [],
    },
    version: SUPERSET_IMPORT_VERSION,
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** File name part for a name: lower case, runs of other characters than [a-z0-9] become `_`. */
function fileSlug(name: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return slug.length > 0 ? slug.slice(0, 100) : 'database';
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
