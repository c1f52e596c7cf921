/**
 * The dashboard of Stackable's trino-taxi-data demo, declared with SupersetBundleBuilder over the
 * Trino view `hive.demo.ny_taxi_data`: the example the builder's API is measured by (to move into
 * that demo's example). Used by bundle-builder.test.ts and, through write-test-bundle.ts, by the
 * superset suite, which imports it into a real Superset 6.1.0.
 */
import { SupersetBundle, SupersetBundleBuilder, TableColumn, TrinoEndpoint } from '../../constructs/superset';

/** Columns of the view `hive.demo.ny_taxi_data` (demos release-26.7 demos/trino-taxi-data). */
export const NY_TAXI_DATA_COLUMNS: TableColumn[] = [
  { name: 'vendorid', type: 'BIGINT' },
  { name: 'tpep_pickup_datetime', type: 'TIMESTAMP(3)' },
  { name: 'tpep_dropoff_datetime', type: 'TIMESTAMP(3)' },
  { name: 'duration_min', type: 'BIGINT' },
  { name: 'passenger_count', type: 'DOUBLE' },
  { name: 'trip_distance', type: 'DOUBLE' },
  { name: 'payment_type', type: 'VARCHAR(12)' },
  { name: 'fare_amount', type: 'DOUBLE' },
  { name: 'tip_amount', type: 'DOUBLE' },
  { name: 'total_amount', type: 'DOUBLE' },
];

/** Props of {@link taxiDashboardBundle}. */
export interface TaxiDashboardProps {
  /** The Trino cluster (e.g. a TrinoCluster). */
  readonly trino: TrinoEndpoint;
  /** CA file in the Superset pods (TlsTrustStore.caFile). */
  readonly caFile: string;
  /** Columns of the view. @default NY_TAXI_DATA_COLUMNS */
  readonly columns?: TableColumn[];
}

/** Five charts and the "Taxi data" dashboard over `hive.demo.ny_taxi_data`. */
export function taxiDashboardBundle(props: TaxiDashboardProps): SupersetBundle {
  const b = new SupersetBundleBuilder();
  const db = b.trinoDatabase(props.trino, { catalog: 'hive', caFile: props.caFile, databaseName: 'Trino taxi' });
  const taxi = b.dataset(db, {
    schema: 'demo', table: 'ny_taxi_data', columns: props.columns ?? NY_TAXI_DATA_COLUMNS, mainDttmCol: 'tpep_pickup_datetime',
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
