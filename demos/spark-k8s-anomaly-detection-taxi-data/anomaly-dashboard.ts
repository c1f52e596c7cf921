/**
 * The anomaly-detection demo's Superset assets bundle: the Trino database connection, the dataset
 * over the Spark job's results table (columns from `iforest-table.json`, the contract shared with
 * `anomaly_detection.py`), three charts (rides with the outlier half hours, rides with the anomalous
 * days, the anomaly score) and the "Taxi data anomaly detection" dashboard, built with
 * the generic {@link SupersetBundleBuilder}. Imported by `SupersetAssetsImport` in `DemoChart`.
 *
 * Unit tests in `test/demos/spark-k8s-anomaly-detection-taxi-data/anomaly-dashboard.test.ts`; the import into a real Superset 6.1.0
 * by `scripts/test-superset.sh`.
 */
import { OutputTable } from './anomaly-detection-job';
import iforestTable from './iforest-table.json';
import {
  SupersetBundle, SupersetBundleBuilder, timeseriesFormData, TrinoEndpoint, YamlObject,
} from 'cdk8s-stackable-demos';

/** Props of {@link anomalyDashboardBundle}. */
export interface AnomalyDashboardProps {
  /** The Trino cluster Superset queries, as its admin user (e.g. a `TrinoCluster`). */
  readonly trino: TrinoEndpoint;
  /** The results table written by the Spark job (`AnomalyDetectionJob.output`). */
  readonly table: OutputTable;
  /** Path of the PEM CA bundle inside the Superset pods that verifies Trino's certificate (`TlsTrustStore.caFile`). */
  readonly caFile: string;
  /** Name of the database connection in Superset (unique in Superset). @default 'Trino' */
  readonly databaseName?: string;
  /** Dashboard title. @default 'Taxi data anomaly detection' */
  readonly dashboardTitle?: string;
  /** Dashboard slug: the dashboard is at `/superset/dashboard/<slug>/`. @default 'taxi-anomalies' */
  readonly dashboardSlug?: string;
}

/** The generated bundle and what tests look up in Superset. */
export interface AnomalyDashboard {
  /** The bundle. */
  readonly bundle: SupersetBundle;
  /** Path of the database file (needs the Trino password in the import). */
  readonly databaseFile: string;
  /** UUIDs of the objects. */
  readonly uuids: { readonly database: string; readonly dataset: string; readonly ridesChart: string; readonly daysChart: string; readonly scoreChart: string; readonly dashboard: string };
  /** The dashboard's slug. */
  readonly dashboardSlug: string;
  /** Superset's name of the database connection. */
  readonly databaseName: string;
}

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
/** Name of the anomalous-day series of the days chart. */
const ANOMALOUS_DAY_SERIES = 'Rides of anomalous days';

/** Builds the demo's bundle. Throws naming the prop when a value is invalid or a column is missing. */
export function anomalyDashboardBundle(props: AnomalyDashboardProps): AnomalyDashboard {
  const title = props.dashboardTitle ?? 'Taxi data anomaly detection';
  const slug = props.dashboardSlug ?? 'taxi-anomalies';
  if (title.trim().length === 0 || title.length > 500 || /[\x00-\x1f\x7f]/.test(title)) {
    throw new Error(`anomalyDashboardBundle: props.dashboardTitle must be non-empty text of at most 500 characters, got ${JSON.stringify(title)}`);
  }
  const { catalog, schema, table } = props.table;
  for (const [prop, v] of Object.entries({ catalog, schema, table })) {
    if (!/^[a-z_][a-z0-9_]{0,127}$/.test(v)) throw new Error(`anomalyDashboardBundle: props.table.${prop} must be a lower-case Trino identifier ([a-z_][a-z0-9_]*), got ${JSON.stringify(v)}`);
  }
  const b = new SupersetBundleBuilder();
  const db = b.trinoDatabase(props.trino, { catalog, caFile: props.caFile, databaseName: props.databaseName });
  const dataset = b.dataset(db, {
    catalog, schema, table,
    description: `IsolationForest results: one row per 30-minute pickup period (${catalog}.${schema}.${table}, written by the Spark job).`,
    columns: iforestTable.columns.map(c => {
      const type = TRINO_TYPES[c.type];
      if (type === undefined) throw new Error(`anomalyDashboardBundle: column '${c.name}' of iforest-table.json has unsupported type '${c.type}'`);
      return { name: c.name, type, description: c.description, isDttm: c.type === 'timestamp' };
    }),
    mainDttmCol: MAIN_DTTM_COLUMN,
    computedColumns: [
      {
        name: 'outlier_rides', type: 'BIGINT', expression: 'CASE WHEN pred = -1 THEN norides END', uses: ['pred', 'norides'],
        verboseName: 'Outlier rides', description: 'norides of the periods the IsolationForest labelled as outliers (pred = -1), NULL otherwise',
      },
      {
        name: 'outlier_score', type: 'DOUBLE', expression: 'CASE WHEN pred = -1 THEN score END', uses: ['pred', 'score'],
        verboseName: 'Outlier score', description: 'Anomaly score of the periods labelled as outliers (pred = -1), NULL otherwise',
      },
      {
        name: 'anomalous_day_rides', type: 'BIGINT', expression: 'CASE WHEN day_pred = -1 THEN norides END', uses: ['day_pred', 'norides'],
        verboseName: ANOMALOUS_DAY_SERIES, description: 'norides of the periods of the days whose rides as a whole lie outside the normal band (day_pred = -1), NULL otherwise',
      },
    ],
    // Superset puts a saved metric's SQL into queries verbatim, so it can only use physical
    // columns: it expands a computed column where a chart uses it as a column (an ad-hoc metric).
    metrics: [
      { name: 'rides', aggregate: 'SUM', column: 'norides', verboseName: 'Rides', d3format: ',d' },
      { name: 'outlier_periods', sql: 'SUM(CASE WHEN pred = -1 THEN 1 ELSE 0 END)', uses: ['pred'], verboseName: 'Outlier periods', d3format: ',d' },
      { name: 'anomaly_score', aggregate: 'MAX', column: 'score', verboseName: 'Anomaly score', d3format: '.3f' },
    ],
  });

  const ridesTitle = 'Rides per 30 minutes, outliers marked';
  const rides = b.chart(dataset, {
    key: 'rides-with-outliers',
    title: ridesTitle,
    vizType: 'mixed_timeseries',
    description: 'Rides per 30-minute period (line); the periods the IsolationForest labelled as outliers are marked with dots.',
    params: ridesChartParams(),
  });
  const days = b.chart(dataset, {
    key: 'anomalous-days',
    title: 'Rides per 30 minutes, anomalous days marked',
    vizType: 'mixed_timeseries',
    description: 'Rides per 30-minute period (line); the periods of the days whose rides as a whole lie outside the normal band '
      + '(a storm, a holiday, an event: day_pred = -1) are drawn as bars.',
    params: ridesChartParams({ column: 'anomalous_day_rides', label: ANOMALOUS_DAY_SERIES, seriesType: 'bar', opacity: 0.6 }),
  });
  const scoreTitle = 'Anomaly score per 30 minutes';
  const score = b.chart(dataset, {
    key: 'anomaly-score',
    title: scoreTitle,
    vizType: 'echarts_timeseries_line',
    description: 'Anomaly score of each 30-minute period: higher is more anomalous; periods within the normal band share the lowest score.',
    params: scoreChartParams(),
  });
  const dashboard = b.dashboard({
    title,
    slug,
    chartHeight: 60,
    rows: [
      {
        id: 'intro',
        items: [{
          id: 'intro',
          width: 12,
          height: 20,
          markdown: [
            `## ${title}`,
            '',
            'NYC for-hire taxi rides, aggregated into 30-minute periods by the Spark job, scored by an IsolationForest '
            + `and written to \`${catalog}.${schema}.${table}\`. Dots mark the periods the model labelled as `
            + 'outliers (`pred = -1`); bars mark the days whose rides as a whole are unusual (`day_pred = -1`: a storm, '
            + 'a holiday, an event), which the half-hour labels cannot show; the anomaly score is higher for more unusual '
            + 'periods. Drag on a chart to zoom.',
          ].join('\n'),
        }],
      },
      [rides],
      [days],
      [score],
    ],
  });
  const bundle = b.build();
  return {
    bundle,
    databaseFile: db.file,
    uuids: { database: db.uuid, dataset: dataset.uuid, ridesChart: rides.uuid, daysChart: days.uuid, scoreChart: score.uuid, dashboard: dashboard.uuid },
    dashboardSlug: slug,
    databaseName: db.name,
  };
}

/** The "no time filter" adhoc filter Superset's explore view adds to every time-series chart. */
function noTimeFilter(): YamlObject {
  return { clause: 'WHERE', comparator: 'No filter', expressionType: 'SIMPLE', operator: 'TEMPORAL_RANGE', subject: MAIN_DTTM_COLUMN };
}

/** Query B of a rides chart: the computed column it marks, the series' name and how it is drawn. */
interface MarkedSeries {
  readonly column: string;
  readonly label: string;
  readonly seriesType: 'scatter' | 'bar';
  readonly opacity: number;
}

function ridesChartParams(marked: MarkedSeries = { column: 'outlier_rides', label: OUTLIER_SERIES, seriesType: 'scatter', opacity: 1 }): YamlObject {
  return {
    // No time grain: the table already has one row per 30-minute period. (Superset 6.1.0 cannot
    // bucket Trino data by 30 minutes: its Trino grain is PT0.5H, which the chart data API rejects.)
    ...timeseriesFormData('mixed_timeseries', MAIN_DTTM_COLUMN, null),
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
    // Query B: the rides of the marked periods only (the computed column is NULL elsewhere), as
    // dots (or bars) on the same axis.
    metrics_b: [{
      expressionType: 'SIMPLE',
      column: { column_name: marked.column },
      aggregate: 'SUM',
      sqlExpression: null,
      label: marked.label,
      hasCustomLabel: true,
      optionName: `metric_${marked.column}`,
    }],
    groupby_b: [],
    adhoc_filters_b: [noTimeFilter()],
    row_limit_b: 50000,
    order_desc_b: true,
    truncate_metric_b: true,
    seriesTypeB: marked.seriesType,
    markerEnabledB: marked.seriesType === 'scatter',
    markerSizeB: 10,
    yAxisIndexB: 0,
    opacityB: marked.opacity,
    y_axis_format: 'SMART_NUMBER',
    y_axis_title: 'Rides',
  };
}

function scoreChartParams(): YamlObject {
  return {
    ...timeseriesFormData('echarts_timeseries_line', MAIN_DTTM_COLUMN, null),
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
