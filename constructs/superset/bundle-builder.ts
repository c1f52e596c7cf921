/**
 * Building blocks of Superset assets bundles: the YAML files of Superset 6.1.0's assets export
 * format (`metadata.yaml` of type `assets`, `databases/`, `datasets/`, `charts/`, `dashboards/`),
 * generated from typed descriptions, deterministic byte for byte (fixed export timestamp, UUIDv5
 * identifiers derived from stable names, keys in a fixed order).
 *
 * {@link SupersetBundleBuilder} checks what Superset only finds out when a chart runs: every column
 * a dataset or chart names (time column, x axis, group-by, metric columns, filters, the columns a
 * computed column or SQL metric declares it uses) and every saved metric a chart names must exist
 * in the dataset. Its result is a {@link SupersetBundle} (see `bundle.ts`), which the
 * `SupersetAssetsImport` Job imports. Pure TypeScript, no cdk8s objects; no demo knowledge.
 *
 * Checked against a real Superset 6.1.0 by `scripts/test-superset.sh`; unit tests in
 * `test/superset/bundle-builder.test.ts`.
 */
import { SupersetBundle } from './bundle';
import { fileSlug, SUPERSET_IMPORT_VERSION, BUNDLE_TIMESTAMP, toYaml, TrinoDatabaseOptions, trinoDatabaseYaml, TrinoEndpoint, uuidV5, YamlObject, YamlValue } from './bundle-yaml';

/** A physical column of a table or view, with its type as the database reports it (Superset shows and stores it). */
export interface TableColumn {
  /** Column name as the database returns it. */
  readonly name: string;
  /** SQL type, e.g. `BIGINT`, `TIMESTAMP(3)`, `VARCHAR(12)`. */
  readonly type: string;
  /** Description shown in Superset. @default - none */
  readonly description?: string;
  /** Label shown in Superset instead of the name. @default - the name */
  readonly verboseName?: string;
  /** Whether Superset treats it as temporal (time filters, x axis with time grain). @default - the type starts with TIMESTAMP or DATE */
  readonly isDttm?: boolean;
}

/** A computed (virtual) column: SQL over the table's columns. */
export interface ComputedColumn {
  /** Name of the computed column. */
  readonly name: string;
  /** SQL type of the expression's result. */
  readonly type: string;
  /** The SQL expression. */
  readonly expression: string;
  /** The columns the expression reads: checked to exist (the SQL itself is not parsed). */
  readonly uses: string[];
  /** Description shown in Superset. @default - none */
  readonly description?: string;
  /** Label shown in Superset instead of the name. @default - none */
  readonly verboseName?: string;
}

/** SQL aggregates of simple ad-hoc metrics (superset 6.1.0 superset/connectors/sqla/models.py `sqla_aggregations`). */
export type Aggregate = 'SUM' | 'AVG' | 'MIN' | 'MAX' | 'COUNT' | 'COUNT_DISTINCT';

/** A saved metric of a dataset: an aggregate of one column, or SQL declaring the columns it reads. */
export interface SavedMetric {
  /** Metric name (charts refer to it by this name). */
  readonly name: string;
  /** Aggregate of {@link column}. Give either `aggregate` + `column` or `sql` (+ `uses`). */
  readonly aggregate?: Aggregate;
  /** The aggregated column. */
  readonly column?: string;
  /** The metric's SQL. */
  readonly sql?: string;
  /** The columns {@link sql} reads: checked to exist. @default [] */
  readonly uses?: string[];
  /** Label shown in charts. @default - the name */
  readonly verboseName?: string;
  /** d3 number format, e.g. `,d`. @default - Superset's default */
  readonly d3format?: string;
}

/**
 * A metric as a chart uses it: the name of a saved metric of the dataset, an aggregate of a
 * column (a simple ad-hoc metric), or ad-hoc SQL with a label (declare the columns it reads in
 * `uses`, e.g. `{ sql: 'COUNT(*)', label: 'Trips' }`).
 */
export type ChartMetric =
  | string
  | { readonly aggregate: Aggregate; readonly column: string; readonly label?: string }
  | { readonly sql: string; readonly label: string; readonly uses?: string[] };

/** Props of {@link SupersetBundleBuilder.dataset}. */
export interface DatasetOptions {
  /** Catalog of the table. @default - the database's default catalog */
  readonly catalog?: string;
  /** Schema of the table. */
  readonly schema: string;
  /** Table or view name. */
  readonly table: string;
  /** The table's columns. */
  readonly columns: TableColumn[];
  /** Computed columns. @default [] */
  readonly computedColumns?: ComputedColumn[];
  /** Saved metrics. @default [] */
  readonly metrics?: SavedMetric[];
  /** The default time column (`main_dttm_col`): a temporal column. @default - none */
  readonly mainDttmCol?: string;
  /** Description shown in Superset. @default - none */
  readonly description?: string;
}

/** Props of {@link SupersetBundleBuilder.chart}: any chart type, as Superset's form data. */
export interface ChartOptions {
  /** Chart title (`slice_name`). */
  readonly title: string;
  /** Superset's `viz_type`, e.g. `echarts_timeseries_line`. */
  readonly vizType: string;
  /** The form data. Every column and metric it names in Superset's standard fields is checked against the dataset. */
  readonly params: YamlObject;
  /** Stable key of the chart: its file name and (with the dataset) its UUID. @default - derived from the title */
  readonly key?: string;
  /** Description shown in Superset. @default - none */
  readonly description?: string;
}

/** Options shared by the typed chart helpers. */
export interface CommonChartOptions {
  /** Chart title. */
  readonly title: string;
  /** See {@link ChartOptions.key}. @default - derived from the title */
  readonly key?: string;
  /** Description shown in Superset. @default - none */
  readonly description?: string;
}

/**
 * Time grains of Superset's Trino engine spec (superset 6.1.0 superset/constants.py `TimeGrain`,
 * db_engine_specs/presto.py `_time_grain_expressions`, which trino.py inherits). Not PT0.5H:
 * Superset 6.1.0's chart data API rejects it.
 */
export type TimeGrain = 'PT1S' | 'PT1M' | 'PT1H' | 'P1D' | 'P1W' | 'P1M' | 'P3M' | 'P1Y';

/** Props of {@link SupersetBundleBuilder.bigNumber}. */
export interface BigNumberOptions extends CommonChartOptions {
  /** The number shown. */
  readonly metric: ChartMetric;
  /** Text under the number. @default - none */
  readonly subheader?: string;
  /** d3 number format. @default 'SMART_NUMBER' */
  readonly numberFormat?: string;
}

/** Props of {@link SupersetBundleBuilder.pie}. */
export interface PieOptions extends CommonChartOptions {
  /** Size of the slices. */
  readonly metric: ChartMetric;
  /** The column whose values are the slices. */
  readonly groupby: string;
  /** d3 number format. @default 'SMART_NUMBER' */
  readonly numberFormat?: string;
}

/** Props of {@link SupersetBundleBuilder.timeseries}. */
export interface TimeseriesOptions extends CommonChartOptions {
  /** The series. */
  readonly metrics: ChartMetric[];
  /** Temporal x axis column. @default - the dataset's mainDttmCol */
  readonly x?: string;
  /** Bucket of the x axis. @default - none (one point per distinct value) */
  readonly timeGrain?: TimeGrain;
  /** Series kind. @default 'line' */
  readonly kind?: 'line' | 'bar' | 'area' | 'scatter' | 'smooth';
  /** Y axis title. @default - none */
  readonly yAxisTitle?: string;
  /** d3 number format. @default 'SMART_NUMBER' */
  readonly numberFormat?: string;
}

/** One query of a {@link SupersetBundleBuilder.mixedTimeseries} chart. */
export interface MixedSeries {
  /** The series of the query. */
  readonly metrics: ChartMetric[];
  /** Series kind. @default 'line' */
  readonly seriesType?: 'line' | 'scatter' | 'smooth' | 'bar' | 'start' | 'middle' | 'end';
  /** Draw as area. @default false */
  readonly area?: boolean;
  /** Y axis title (secondary axis: the B query with `secondaryAxis`). @default - none */
  readonly axisTitle?: string;
}

/** Props of {@link SupersetBundleBuilder.mixedTimeseries}. */
export interface MixedTimeseriesOptions extends CommonChartOptions {
  /** Temporal x axis column. @default - the dataset's mainDttmCol */
  readonly x?: string;
  /** Bucket of the x axis. @default - none */
  readonly timeGrain?: TimeGrain;
  /** Query A (left axis). */
  readonly a: MixedSeries;
  /** Query B. */
  readonly b: MixedSeries;
  /** Put query B on a second (right) y axis. @default false */
  readonly secondaryAxis?: boolean;
}

/** A dashboard cell: a chart, or Markdown text. */
export type DashboardItem =
  | SupersetChart
  | { readonly chart: SupersetChart; readonly width?: number; readonly height?: number }
  | { readonly markdown: string; readonly id?: string; readonly width?: number; readonly height?: number };

/** A row of a dashboard: its cells, left to right (widths sum to at most 12 grid columns). */
export type DashboardRow = DashboardItem[] | { readonly id: string; readonly items: DashboardItem[] };

/** Props of {@link SupersetBundleBuilder.dashboard}. */
export interface DashboardOptions {
  /** Dashboard title. */
  readonly title: string;
  /** URL slug: the dashboard is at `/superset/dashboard/<slug>/`; also its file name and UUID. */
  readonly slug: string;
  /** Rows, top to bottom. Rows without `id` are `ROW-1`, `ROW-2`, ... */
  readonly rows: DashboardRow[];
  /** Chart height in grid units (8 px). @default 50 */
  readonly chartHeight?: number;
  /** Markdown height in grid units. @default 20 */
  readonly markdownHeight?: number;
}

/** A dashboard of the builder. */
export interface SupersetDashboard {
  /** The UUID. */
  readonly uuid: string;
  /** The slug. */
  readonly slug: string;
  /** Bundle path of its YAML file. */
  readonly file: string;
}

/** A database of the builder. */
export class SupersetDatabase {
  /** @internal */
  constructor(
    /** Superset's name of the connection. */
    public readonly name: string,
    /** The UUID. */
    public readonly uuid: string,
    /** Bundle path of its YAML file. */
    public readonly file: string,
    /** Default catalog of the connection. */
    public readonly catalog: string | undefined,
  ) {}
}

/** A dataset of the builder. */
export class SupersetDataset {
  /** @internal */
  constructor(
    /** Table name. */
    public readonly table: string,
    /** The UUID. */
    public readonly uuid: string,
    /** `catalog.schema.table` for messages and UUIDs. */
    public readonly qualifiedName: string,
    /** The default time column. */
    public readonly mainDttmCol: string | undefined,
    /** Names of all columns (physical and computed). */
    public readonly columnNames: ReadonlyArray<string>,
    /** Names of the temporal columns. */
    public readonly temporalColumns: ReadonlyArray<string>,
    /** Names of the saved metrics. */
    public readonly metricNames: ReadonlyArray<string>,
    /** @internal */
    public readonly databaseName: string,
  ) {}

  /** Throws unless `column` is a column of this dataset. */
  public checkColumn(owner: string, column: string, where: string): void {
    if (!this.columnNames.includes(column)) {
      throw new Error(`${owner}: ${where} names column '${column}', which dataset '${this.qualifiedName}' does not have; known columns: ${this.columnNames.join(', ')}`);
    }
  }
}

/** A chart of the builder. */
export class SupersetChart {
  /** @internal */
  constructor(
    /** The title. */
    public readonly title: string,
    /** The UUID. */
    public readonly uuid: string,
  ) {}
}

/**
 * Builds a Superset assets bundle from typed descriptions, checking the references between its
 * objects. Example (a database, a dataset, a chart, a dashboard):
 *
 * ```ts
 * const b = new SupersetBundleBuilder();
 * const db = b.trinoDatabase(trino, { catalog: 'hive', caFile: trust.caFile });
 * const trips = b.dataset(db, { schema: 'sales', table: 'trips', columns: [...], mainDttmCol: 'pickup' });
 * const total = b.bigNumber(trips, { title: 'Total trips', metric: { sql: 'COUNT(*)', label: 'Trips' } });
 * b.dashboard({ title: 'Trips', slug: 'trips', rows: [[total]] });
 * const bundle = b.build();
 * ```
 */
export class SupersetBundleBuilder {
  private readonly databases: Array<{ database: SupersetDatabase; yaml: YamlObject; trino?: TrinoEndpoint; caFile?: string }> = [];
  private readonly datasets: Array<{ file: string; yaml: YamlObject }> = [];
  private readonly charts: Array<{ file: string; yaml: YamlObject; dataset: SupersetDataset; chart: SupersetChart }> = [];
  private readonly dashboards: Array<{ file: string; yaml: YamlObject }> = [];
  private readonly files = new Set<string>();

  /**
   * A Trino connection (`trino://<admin user>:<mask>@<host>:<port>/<catalog>`, https, the
   * certificate verified against `caFile`); the import Job supplies the password.
   */
  public trinoDatabase(trino: TrinoEndpoint, options: TrinoDatabaseOptions): SupersetDatabase {
    const name = options.databaseName ?? 'Trino';
    const uuid = uuidV5(`database:${name}`);
    const database = new SupersetDatabase(name, uuid, this.claim(`databases/${fileSlug(name, 'database')}.yaml`, `database '${name}'`), options.catalog);
    this.databases.push({ database, yaml: trinoDatabaseYaml('SupersetBundleBuilder.trinoDatabase', trino, options, uuid), trino, caFile: options.caFile });
    return database;
  }

  /** A dataset (a physical table or view of `database`). Throws when a column it names is not a column. */
  public dataset(database: SupersetDatabase, options: DatasetOptions): SupersetDataset {
    const catalog = options.catalog ?? database.catalog;
    const qualified = [catalog, options.schema, options.table].filter(x => x !== undefined).join('.');
    const owner = `SupersetBundleBuilder.dataset(${qualified})`;
    const computed = options.computedColumns ?? [];
    const names = [...options.columns.map(c => c.name), ...computed.map(c => c.name)];
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate !== undefined) throw new Error(`${owner}: column '${duplicate}' is defined twice`);
    if (options.columns.length === 0) throw new Error(`${owner}: columns must not be empty`);
    const isDttm = (c: TableColumn) => c.isDttm ?? /^(TIMESTAMP|DATE)/i.test(c.type);
    const temporal = options.columns.filter(isDttm).map(c => c.name);
    const metricNames = (options.metrics ?? []).map(m => m.name);
    const uuid = uuidV5(`dataset:${database.name}:${qualified}`);
    const dataset = new SupersetDataset(options.table, uuid, qualified, options.mainDttmCol, names, temporal, metricNames, database.name);
    const physicalNames = options.columns.map(c => c.name);
    const physical = new SupersetDataset(options.table, uuid, qualified, undefined, physicalNames, temporal, [], database.name);
    for (const c of computed) {
      for (const used of c.uses) physical.checkColumn(owner, used, `computedColumns '${c.name}' uses`);
    }
    if (options.mainDttmCol !== undefined) {
      dataset.checkColumn(owner, options.mainDttmCol, 'mainDttmCol');
      if (!temporal.includes(options.mainDttmCol)) throw new Error(`${owner}: mainDttmCol '${options.mainDttmCol}' is not a temporal column; temporal columns: ${temporal.join(', ') || 'none'}`);
    }
    const metrics = (options.metrics ?? []).map(m => {
      let expression: string;
      if (m.sql !== undefined && m.aggregate === undefined && m.column === undefined) {
        // Superset puts a saved metric's SQL into queries verbatim: only physical columns work there.
        for (const used of m.uses ?? []) physical.checkColumn(owner, used, `metrics '${m.name}' uses`);
        expression = m.sql;
      } else if (m.sql === undefined && m.aggregate !== undefined && m.column !== undefined) {
        physical.checkColumn(owner, m.column, `metrics '${m.name}' column`);
        expression = aggregateSql(m.aggregate, m.column);
      } else {
        throw new Error(`${owner}: metrics '${m.name}' needs either aggregate and column, or sql`);
      }
      return {
        metric_name: m.name,
        verbose_name: m.verboseName ?? null,
        metric_type: null,
        expression,
        description: null,
        d3format: m.d3format ?? null,
        currency: null,
        extra: null,
        warning_text: null,
      };
    });
    const column = (name: string, type: string, dttm: boolean, expression: string | null, verboseName: string | undefined, description: string | undefined): YamlObject => ({
      column_name: name,
      verbose_name: verboseName ?? null,
      is_dttm: dttm,
      is_active: true,
      type,
      advanced_data_type: null,
      groupby: true,
      filterable: true,
      expression,
      description: description ?? null,
      python_date_format: null,
      datetime_format: null,
      extra: null,
    });
    const yaml: YamlObject = {
      table_name: options.table,
      main_dttm_col: options.mainDttmCol ?? null,
      description: options.description ?? null,
      default_endpoint: null,
      offset: 0,
      cache_timeout: null,
      catalog: catalog ?? null,
      schema: options.schema,
      sql: null,
      params: null,
      template_params: null,
      filter_select_enabled: true,
      fetch_values_predicate: null,
      extra: null,
      normalize_columns: false,
      always_filter_main_dttm: false,
      uuid,
      metrics,
      columns: [
        ...options.columns.map(c => column(c.name, c.type, isDttm(c), null, c.verboseName, c.description)),
        ...computed.map(c => column(c.name, c.type, false, c.expression, c.verboseName, c.description)),
      ],
      version: SUPERSET_IMPORT_VERSION,
      database_uuid: database.uuid,
    };
    const file = this.claim(`datasets/${fileSlug(database.name, 'database')}/${fileSlug(options.table, 'dataset')}.yaml`, `dataset '${qualified}'`);
    this.datasets.push({ file, yaml });
    return dataset;
  }

  /**
   * A chart of any type from its form data. Throws when the form data names a column or saved
   * metric the dataset does not have (fields checked: see {@link checkFormData}).
   */
  public chart(dataset: SupersetDataset, options: ChartOptions): SupersetChart {
    const key = options.key ?? fileSlug(options.title, 'chart').replace(/_/g, '-');
    if (!/^[a-z0-9][a-z0-9-]{0,99}$/.test(key)) throw new Error(`SupersetBundleBuilder.chart: key "${key}" must match [a-z0-9][a-z0-9-]*`);
    checkFormData(`SupersetBundleBuilder.chart '${options.title}'`, dataset, options.params);
    const uuid = uuidV5(`chart:${dataset.databaseName}:${dataset.qualifiedName}:${key}`);
    const chart = new SupersetChart(options.title, uuid);
    const yaml: YamlObject = {
      slice_name: options.title,
      description: options.description ?? null,
      certified_by: null,
      certification_details: null,
      viz_type: options.vizType,
      params: options.params,
      query_context: null,
      cache_timeout: null,
      uuid,
      version: SUPERSET_IMPORT_VERSION,
      dataset_uuid: dataset.uuid,
    };
    this.charts.push({ file: this.claim(`charts/${key.replace(/-/g, '_')}.yaml`, `chart '${options.title}'`), yaml, dataset, chart });
    return chart;
  }

  /** A single number (`big_number_total`). */
  public bigNumber(dataset: SupersetDataset, options: BigNumberOptions): SupersetChart {
    checkUses(dataset, options.title, [options.metric]);
    return this.chart(dataset, {
      ...common(options),
      vizType: 'big_number_total',
      params: {
        viz_type: 'big_number_total',
        metric: adhocMetric(options.metric),
        adhoc_filters: [],
        header_font_size: 0.4,
        subtitle_font_size: 0.15,
        subheader: options.subheader ?? '',
        y_axis_format: options.numberFormat ?? 'SMART_NUMBER',
        time_format: 'smart_date',
        extra_form_data: {},
      },
    });
  }

  /** A pie chart of `metric` by the values of `groupby`. */
  public pie(dataset: SupersetDataset, options: PieOptions): SupersetChart {
    checkUses(dataset, options.title, [options.metric]);
    return this.chart(dataset, {
      ...common(options),
      vizType: 'pie',
      params: {
        viz_type: 'pie',
        groupby: [options.groupby],
        metric: adhocMetric(options.metric),
        adhoc_filters: [],
        row_limit: 100,
        sort_by_metric: true,
        color_scheme: 'supersetColors',
        show_labels_threshold: 5,
        show_legend: true,
        legendType: 'scroll',
        legendOrientation: 'top',
        label_type: 'key_percent',
        number_format: options.numberFormat ?? 'SMART_NUMBER',
        date_format: 'smart_date',
        show_labels: true,
        labels_outside: true,
        outerRadius: 70,
        donut: false,
        innerRadius: 30,
        extra_form_data: {},
      },
    });
  }

  /** A time-series chart (`echarts_timeseries_<kind>`) of `metrics` over a temporal column. */
  public timeseries(dataset: SupersetDataset, options: TimeseriesOptions): SupersetChart {
    checkUses(dataset, options.title, options.metrics);
    const kind = options.kind ?? 'line';
    const vizType = kind === 'line' ? 'echarts_timeseries_line' : `echarts_timeseries_${kind}`;
    const params: YamlObject = {
      ...timeseriesFormData(vizType, xAxis(dataset, options.title, options.x), options.timeGrain ?? null),
      metrics: options.metrics.map(adhocMetric),
      groupby: [],
      adhoc_filters: [],
      row_limit: 10000,
      order_desc: true,
      seriesType: 'line',
      markerEnabled: false,
      y_axis_format: options.numberFormat ?? 'SMART_NUMBER',
    };
    if (options.yAxisTitle !== undefined) params.y_axis_title = options.yAxisTitle;
    return this.chart(dataset, { ...common(options), vizType, params });
  }

  /** Two queries over the same temporal x axis (`mixed_timeseries`), B optionally on a second y axis. */
  public mixedTimeseries(dataset: SupersetDataset, options: MixedTimeseriesOptions): SupersetChart {
    checkUses(dataset, options.title, [...options.a.metrics, ...options.b.metrics]);
    const x = xAxis(dataset, options.title, options.x);
    const params: YamlObject = {
      ...timeseriesFormData('mixed_timeseries', x, options.timeGrain ?? null),
      metrics: options.a.metrics.map(adhocMetric),
      groupby: [],
      adhoc_filters: [],
      row_limit: 10000,
      order_desc: true,
      seriesType: options.a.seriesType ?? 'line',
      area: options.a.area ?? false,
      yAxisIndex: 0,
      metrics_b: options.b.metrics.map(adhocMetric),
      groupby_b: [],
      adhoc_filters_b: [],
      row_limit_b: 10000,
      order_desc_b: true,
      seriesTypeB: options.b.seriesType ?? 'line',
      areaB: options.b.area ?? false,
      yAxisIndexB: (options.secondaryAxis ?? false) ? 1 : 0,
      y_axis_format: 'SMART_NUMBER',
      y_axis_format_secondary: 'SMART_NUMBER',
    };
    if (options.a.axisTitle !== undefined) params.y_axis_title = options.a.axisTitle;
    if (options.b.axisTitle !== undefined) params.yAxisTitleSecondary = options.b.axisTitle;
    return this.chart(dataset, { ...common(options), vizType: 'mixed_timeseries', params });
  }

  /** A dashboard of charts of this builder, laid out in rows. */
  public dashboard(options: DashboardOptions): SupersetDashboard {
    const owner = `SupersetBundleBuilder.dashboard '${options.title}'`;
    if (!/^[a-z0-9][a-z0-9-]{0,99}$/.test(options.slug)) throw new Error(`${owner}: slug "${options.slug}" must match [a-z0-9][a-z0-9-]* (at most 100 characters)`);
    const known = new Map(this.charts.map(c => [c.chart, c]));
    const position: YamlObject = {
      DASHBOARD_VERSION_KEY: 'v2',
      ROOT_ID: { type: 'ROOT', id: 'ROOT_ID', children: ['GRID_ID'] },
      GRID_ID: { type: 'GRID', id: 'GRID_ID', children: [], parents: ['ROOT_ID'] },
      HEADER_ID: { id: 'HEADER_ID', type: 'HEADER', meta: { text: options.title } },
    };
    const grid = (position.GRID_ID as YamlObject).children as string[];
    let rowNumber = 0;
    let markdownNumber = 0;
    let placeholder = 0;
    for (const row of options.rows) {
      const items = Array.isArray(row) ? row : row.items;
      const rowId = Array.isArray(row) ? `ROW-${++rowNumber}` : `ROW-${row.id}`;
      if (position[rowId] !== undefined) throw new Error(`${owner}: row id '${rowId}' is used twice`);
      if (items.length === 0) throw new Error(`${owner}: row ${rowId} is empty`);
      const children: string[] = [];
      position[rowId] = { type: 'ROW', id: rowId, children, parents: ['ROOT_ID', 'GRID_ID'], meta: { background: 'BACKGROUND_TRANSPARENT' } };
      grid.push(rowId);
      const defaultWidth = Math.floor(12 / items.length);
      let widths = 0;
      for (const item of items) {
        const parents = ['ROOT_ID', 'GRID_ID', rowId];
        if ('markdown' in item) {
          const id = `MARKDOWN-${item.id ?? ++markdownNumber}`;
          const width = item.width ?? defaultWidth;
          widths += width;
          position[id] = { type: 'MARKDOWN', id, children: [], parents, meta: { width, height: item.height ?? options.markdownHeight ?? 20, code: item.markdown } };
          children.push(id);
          continue;
        }
        const cell = item instanceof SupersetChart ? { chart: item } : item;
        const entry = known.get(cell.chart);
        if (entry === undefined) throw new Error(`${owner}: chart '${cell.chart.title}' was not made by this builder`);
        const id = `CHART-${cell.chart.uuid.slice(0, 8)}`;
        if (position[id] !== undefined) throw new Error(`${owner}: chart '${cell.chart.title}' is placed twice`);
        const width = cell.width ?? defaultWidth;
        widths += width;
        position[id] = {
          type: 'CHART', id, children: [], parents,
          // chartId is a placeholder: the importer replaces it with the id of the chart with this uuid.
          meta: { chartId: ++placeholder, width, height: cell.height ?? options.chartHeight ?? 50, sliceName: cell.chart.title, uuid: cell.chart.uuid },
        };
        children.push(id);
      }
      if (widths > 12) throw new Error(`${owner}: the widths of row ${rowId} sum to ${widths}, more than the 12 grid columns`);
    }
    const yaml: YamlObject = {
      dashboard_title: options.title,
      description: null,
      css: null,
      slug: options.slug,
      certified_by: null,
      certification_details: null,
      published: true,
      uuid: uuidV5(`dashboard:${options.slug}`),
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
    const file = this.claim(`dashboards/${options.slug.replace(/-/g, '_')}.yaml`, `dashboard '${options.slug}'`);
    this.dashboards.push({ file, yaml });
    return { uuid: yaml.uuid as string, slug: options.slug, file };
  }

  /** The bundle: metadata.yaml, then databases, datasets, charts, dashboards in the order they were added. */
  public build(): SupersetBundle {
    const files: Record<string, string> = {
      'metadata.yaml': toYaml({ version: SUPERSET_IMPORT_VERSION, type: 'assets', timestamp: BUNDLE_TIMESTAMP }),
    };
    for (const d of this.databases) files[d.database.file] = toYaml(d.yaml);
    for (const d of [...this.datasets, ...this.charts, ...this.dashboards]) files[d.file] = toYaml(d.yaml);
    const connections = this.databases.filter(d => d.trino !== undefined).map(d => ({ file: d.database.file, trino: d.trino!, caFile: d.caFile! }));
    return SupersetBundle.fromFiles(files).withConnections(connections);
  }

  private claim(file: string, what: string): string {
    if (this.files.has(file)) throw new Error(`SupersetBundleBuilder: ${what} would be written to ${file}, which another object of the bundle uses: give it another name or key`);
    this.files.add(file);
    return file;
  }
}

/** Checks the columns ad-hoc SQL metrics declare in `uses` (Superset never sees `uses`). */
function checkUses(dataset: SupersetDataset, title: string, metrics: ChartMetric[]): void {
  for (const m of metrics) {
    if (typeof m !== 'string' && 'sql' in m) {
      for (const used of m.uses ?? []) dataset.checkColumn(`SupersetBundleBuilder.chart '${title}'`, used, `metric '${m.label}' uses`);
    }
  }
}

function common(options: CommonChartOptions): { title: string; key?: string; description?: string } {
  return { title: options.title, key: options.key, description: options.description };
}

function xAxis(dataset: SupersetDataset, title: string, x: string | undefined): string {
  const column = x ?? dataset.mainDttmCol;
  if (column === undefined) throw new Error(`SupersetBundleBuilder.chart '${title}': x is not given and dataset '${dataset.qualifiedName}' has no mainDttmCol`);
  dataset.checkColumn(`SupersetBundleBuilder.chart '${title}'`, column, 'x');
  return column;
}

/** SQL of a simple aggregate (Superset writes COUNT_DISTINCT as COUNT(DISTINCT col)). */
function aggregateSql(aggregate: Aggregate, column: string): string {
  return aggregate === 'COUNT_DISTINCT' ? `COUNT(DISTINCT ${column})` : `${aggregate}(${column})`;
}

/**
 * A chart metric as Superset's form data holds it: a saved metric's name as is; a simple
 * ad-hoc metric (`expressionType: SIMPLE`, the column by name); ad-hoc SQL (`expressionType: SQL`).
 */
export function adhocMetric(metric: ChartMetric): YamlValue {
  if (typeof metric === 'string') return metric;
  if ('sql' in metric) {
    return {
      expressionType: 'SQL',
      sqlExpression: metric.sql,
      column: null,
      aggregate: null,
      label: metric.label,
      hasCustomLabel: true,
      optionName: `metric_${fileSlug(metric.label, 'sql')}`,
    };
  }
  const label = metric.label ?? aggregateSql(metric.aggregate, metric.column);
  return {
    expressionType: 'SIMPLE',
    column: { column_name: metric.column },
    aggregate: metric.aggregate,
    sqlExpression: null,
    label,
    hasCustomLabel: metric.label !== undefined,
    optionName: `metric_${fileSlug(label, 'metric')}`,
  };
}

/** The fields every time-series chart's form data starts with (Superset's explore defaults). */
export function timeseriesFormData(vizType: string, x: string, timeGrain: string | null): YamlObject {
  return {
    viz_type: vizType,
    x_axis: x,
    time_grain_sqla: timeGrain,
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

/** Form-data fields holding one column name or a list of them (plain strings; ad-hoc SQL columns are objects and not checked). */
const COLUMN_FIELDS = ['x_axis', 'granularity_sqla', 'groupby', 'groupby_b', 'columns', 'all_columns', 'series', 'entity'];
/** Form-data fields holding one metric or a list of them. */
const METRIC_FIELDS = ['metric', 'metrics', 'metrics_b', 'percent_metrics', 'secondary_metric', 'timeseries_limit_metric', 'x', 'y', 'size'];
/** Form-data fields holding ad-hoc filters. */
const FILTER_FIELDS = ['adhoc_filters', 'adhoc_filters_b'];

/**
 * Checks the column and metric references of a chart's form data: column fields name columns of
 * the dataset, metric fields name its saved metrics or carry ad-hoc metrics whose column (SIMPLE)
 * it has, SIMPLE filters name its columns. Ad-hoc SQL is not parsed (the typed helpers check the
 * columns an ad-hoc SQL metric declares in `uses`).
 */
export function checkFormData(owner: string, dataset: SupersetDataset, params: YamlObject): void {
  const asList = (v: YamlValue | undefined): YamlValue[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
  for (const field of COLUMN_FIELDS) {
    for (const c of asList(params[field])) {
      if (typeof c === 'string') dataset.checkColumn(owner, c, field);
    }
  }
  for (const field of METRIC_FIELDS) {
    for (const m of asList(params[field])) {
      if (typeof m === 'string') {
        if (!dataset.metricNames.includes(m)) {
          throw new Error(`${owner}: ${field} names saved metric '${m}', which dataset '${dataset.qualifiedName}' does not have; known metrics: ${dataset.metricNames.join(', ') || 'none'}`);
        }
      } else if (m !== null && typeof m === 'object' && !Array.isArray(m)) {
        const column = m.column;
        if (m.expressionType === 'SIMPLE' && column !== null && typeof column === 'object' && !Array.isArray(column) && typeof column.column_name === 'string') {
          dataset.checkColumn(owner, column.column_name, `${field} '${String(m.label)}'`);
        }
      }
    }
  }
  for (const field of FILTER_FIELDS) {
    for (const f of asList(params[field])) {
      if (f !== null && typeof f === 'object' && !Array.isArray(f) && f.expressionType === 'SIMPLE' && typeof f.subject === 'string') {
        dataset.checkColumn(owner, f.subject, `${field} subject`);
      }
    }
  }
}

