/**
 * Two of the reference's dashboards over the streamed tables, "Water level measurements" and
 * "Shared bikes" (stackabletech/demos release-26.7, demos/data-lakehouse-iceberg-trino-spark/
 * superset-assets.zip), with the charts the bundle builder can declare: the numbers, the time
 * series and the pie; the three deck.gl maps are left out (README, "Where it differs").
 */
import { SupersetBundle, SupersetBundleBuilder, TrinoEndpoint } from 'cdk8s-stackable-demos';
import { COLUMNS } from './lakehouse-views';

/** Props of {@link lakehouseDashboardBundle}. */
export interface LakehouseDashboardProps {
  /** The Trino cluster (e.g. a TrinoCluster). */
  readonly trino: TrinoEndpoint;
  /** The Iceberg catalog of the tables. */
  readonly catalog: string;
  /** CA file in the Superset pods (TlsTrustStore.caFile). */
  readonly caFile: string;
}

/** The two dashboards and their nine charts. */
export function lakehouseDashboardBundle(props: LakehouseDashboardProps): SupersetBundle {
  const b = new SupersetBundleBuilder();
  const db = b.trinoDatabase(props.trino, { catalog: props.catalog, caFile: props.caFile, databaseName: 'Trino lakehouse' });
  const dataset = (name: string, mainDttmCol?: string) => {
    const [schema, table] = name.split('.');
    return b.dataset(db, { schema, table, columns: [...COLUMNS[name]], ...(mainDttmCol !== undefined ? { mainDttmCol } : {}) });
  };
  const count = { sql: 'COUNT(*)', label: 'count' };

  const measurements = dataset('water_levels.measurements', 'timestamp');
  const stations = dataset('water_levels.stations');
  const joined = dataset('water_levels.measurements_joined', 'timestamp');
  b.dashboard({
    title: 'Water level measurements', slug: 'water-levels',
    rows: [
      [
        b.bigNumber(measurements, { title: 'Number of measurements', metric: count }),
        b.bigNumber(stations, { title: 'Number of measuring stations', metric: count }),
        b.bigNumber(measurements, { title: 'Number of stations with measurements', metric: { aggregate: 'COUNT_DISTINCT', column: 'station_uuid', label: 'stations' } }),
      ],
      [
        { chart: b.timeseries(measurements, { title: 'Number of measurements over time', timeGrain: 'PT1H', metrics: [count] }), width: 8 },
        { chart: b.pie(joined, { title: 'Measurements per water', metric: count, groupby: 'water_long_name' }), width: 4 },
      ],
    ],
  });

  const information = dataset('smart_city.shared_bikes_station_information');
  const status = dataset('smart_city.shared_bikes_station_status', 'last_reported');
  const latest = dataset('smart_city.shared_bikes_station_status_latest', 'last_reported');
  const bikes = { aggregate: 'SUM', column: 'num_bikes_available', label: 'available bikes' } as const;
  b.dashboard({
    title: 'Shared bikes', slug: 'shared-bikes',
    rows: [
      [
        b.bigNumber(information, { title: 'Number of shared bike stations', metric: count }),
        b.bigNumber(status, { title: 'Number of shared bike status updates', metric: count }),
        b.bigNumber(latest, { title: 'Number of available shared bikes in stations', metric: bikes }),
      ],
      [{ chart: b.timeseries(status, { title: 'Available bikes per station over time', timeGrain: 'PT1H', metrics: [{ aggregate: 'AVG', column: 'num_bikes_available', label: 'average available bikes' }] }), width: 12 }],
    ],
  });
  return b.build();
}
