/**
 * The "Taxi data" dashboard of Stackable's trino-taxi-data demo over the view `hive.demo.ny_taxi_data`
 * (taxi-table.ts): the same five charts as the reference's superset-assets.zip (stackabletech/demos
 * release-26.7, demos/trino-taxi-data/: Total trips, Total income, Payment types, Average trip
 * duration per day, Trips income per day), declared with SupersetBundleBuilder, which checks every
 * column a chart names against the view's columns at synth time. The superset suite imports it into
 * a real Superset 6.1.0, the e2e suite runs its charts against a real Trino.
 */
import { SupersetBundle, SupersetBundleBuilder, TableColumn, TrinoEndpoint } from 'cdk8s-stackable-demos';
import { TABLE, VIEW_COLUMNS } from './taxi-table';

/** Props of {@link taxiDashboardBundle}. */
export interface TaxiDashboardProps {
  /** The Trino cluster (e.g. a TrinoCluster). */
  readonly trino: TrinoEndpoint;
  /** CA file in the Superset pods (TlsTrustStore.caFile). */
  readonly caFile: string;
  /** Columns of the view. @default VIEW_COLUMNS */
  readonly columns?: readonly TableColumn[];
}

/** Five charts and the "Taxi data" dashboard over `hive.demo.ny_taxi_data`. */
export function taxiDashboardBundle(props: TaxiDashboardProps): SupersetBundle {
  const b = new SupersetBundleBuilder();
  const db = b.trinoDatabase(props.trino, { catalog: TABLE.catalog, caFile: props.caFile, databaseName: 'Trino taxi' });
  const taxi = b.dataset(db, {
    schema: TABLE.schema, table: TABLE.view, columns: [...(props.columns ?? VIEW_COLUMNS)], mainDttmCol: 'tpep_pickup_datetime',
  });
  const trips = { sql: 'COUNT(*)', label: 'Trips' };
  const income = { aggregate: 'SUM', column: 'total_amount', label: 'Income' } as const;
  const totalTrips = b.bigNumber(taxi, { title: 'Total trips', metric: trips });
  const totalIncome = b.bigNumber(taxi, { title: 'Total income', metric: income, numberFormat: '$,.2f' });
  const paymentTypes = b.pie(taxi, { title: 'Payment types', metric: income, groupby: 'payment_type' });
  const duration = b.timeseries(taxi, {
    title: 'Average trip duration', timeGrain: 'P1D', yAxisTitle: 'Minutes',
    metrics: [{ aggregate: 'AVG', column: 'duration_min', label: 'Average duration' }],
  });
  const tripsIncome = b.mixedTimeseries(taxi, {
    title: 'Trips income', timeGrain: 'P1D', secondaryAxis: true,
    a: { metrics: [trips], axisTitle: 'Trips' },
    b: { metrics: [income], axisTitle: 'Income' },
  });
  b.dashboard({
    title: 'Taxi data', slug: 'taxi-data',
    rows: [
      [totalTrips, totalIncome, paymentTypes],
      [{ chart: duration, width: 6 }, { chart: tripsIncome, width: 6 }],
    ],
  });
  return b.build();
}
