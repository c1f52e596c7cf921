/**
 * The reference's six dashboards (stackabletech/demos release-26.7, demos/data-lakehouse-iceberg-
 * trino-spark/superset-assets.zip): "Water level measurements" and "Shared bikes" over the streamed
 * tables, "House sales", "Earthquakes", "E-charging stations" and "Taxi trips" over the batch
 * tables, with the charts the bundle builder declares (numbers, time series, pies and mixed time
 * series; each chart's metric, grouping and time grain as the reference's). Left out, as listed in
 * the README ("Where it differs"): the seven deck.gl maps, the pivot table of sales by city, the
 * chord diagram of cross-zone trips, and the time series of earthquakes grouped by magnitude.
 */
import { SupersetBundle, SupersetBundleBuilder, TrinoEndpoint } from 'cdk8s-stackable-demos';
import { BATCH_COLUMNS } from './batch-tables';
import { COLUMNS as STREAMED_COLUMNS } from './lakehouse-views';

const COLUMNS = { ...STREAMED_COLUMNS, ...BATCH_COLUMNS };

/** Props of {@link lakehouseDashboardBundle}. */
export interface LakehouseDashboardProps {
  /** The Trino cluster (e.g. a TrinoCluster). */
  readonly trino: TrinoEndpoint;
  /** The Iceberg catalog of the tables. */
  readonly catalog: string;
  /** CA file in the Superset pods (TlsTrustStore.caFile). */
  readonly caFile: string;
}

/** The six dashboards and their 22 charts. */
export function lakehouseDashboardBundle(props: LakehouseDashboardProps): SupersetBundle {
  const b = new SupersetBundleBuilder();
  const db = b.trinoDatabase(props.trino, { catalog: props.catalog, caFile: props.caFile, databaseName: 'Trino lakehouse' });
  const dataset = (name: string, mainDttmCol?: string, computedColumns: Parameters<typeof b.dataset>[1]['computedColumns'] = []) => {
    const [schema, table] = name.split('.');
    return b.dataset(db, { schema, table, columns: [...COLUMNS[name]], computedColumns, ...(mainDttmCol !== undefined ? { mainDttmCol } : {}) });
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

  const sales = dataset('house_sales.house_sales', 'date_of_transfer');
  b.dashboard({
    title: 'House sales', slug: 'house-sales',
    rows: [[
      { chart: b.mixedTimeseries(sales, {
        title: 'House sales over time', timeGrain: 'P1M', secondaryAxis: true,
        a: { metrics: [{ aggregate: 'AVG', column: 'price', label: 'average price' }], axisTitle: 'Average price' },
        b: { metrics: [{ aggregate: 'SUM', column: 'price', label: 'sum of prices' }], axisTitle: 'Sum of prices' },
      }), width: 8 },
      { chart: b.pie(sales, { title: 'Number of sales per city', metric: count, groupby: 'city' }), width: 4 },
    ]],
  });

  // The reference's computed column of the earthquakes dataset.
  const quakes = dataset('earthquakes.earthquakes', 'timestamp', [{ name: 'mag_rounded', type: 'DOUBLE', expression: 'round(mag)', uses: ['mag'] }]);
  b.dashboard({
    title: 'Earthquakes', slug: 'earthquakes',
    rows: [[
      { chart: b.bigNumber(quakes, { title: 'Total number of earthquakes', metric: count, numberFormat: ',d' }), width: 3 },
      { chart: b.timeseries(quakes, { title: 'Number of earthquakes', timeGrain: 'P1M', metrics: [count] }), width: 6 },
      { chart: b.pie(quakes, { title: 'Earthquakes by magnitude', metric: count, groupby: 'mag_rounded' }), width: 3 },
    ]],
  });

  const charging = dataset('smart_city.e_charging_stations', 'date_of_installation');
  b.dashboard({
    title: 'E-charging stations', slug: 'e-charging-stations',
    rows: [[
      b.bigNumber(charging, { title: 'Number of E-charging stations', metric: count, numberFormat: '~g' }),
      b.bigNumber(charging, { title: 'Number of E-charging operators', metric: { aggregate: 'COUNT_DISTINCT', column: 'operator', label: 'operators' }, numberFormat: '~g' }),
    ]],
  });

  const monthly = dataset('taxi.yellow_tripdata_monthly_agg', 'month');
  const daily = dataset('taxi.yellow_tripdata_daily_agg', 'day');
  const trips = { aggregate: 'SUM', column: 'trips', label: 'trips' } as const;
  const income = { aggregate: 'SUM', column: 'sum_total_amount', label: 'income' } as const;
  const tripsIncome = (over: typeof daily, timeGrain: 'P1M' | 'P1W') => b.mixedTimeseries(over, {
    title: 'Trips income', key: `trips-income-${timeGrain === 'P1M' ? 'monthly' : 'weekly'}`, timeGrain, secondaryAxis: true,
    a: { metrics: [trips], axisTitle: 'Trips' }, b: { metrics: [income], axisTitle: 'Income' },
  });
  b.dashboard({
    title: 'Taxi trips', slug: 'taxi-trips',
    rows: [
      [
        b.bigNumber(monthly, { title: 'Total number of trips', metric: trips }),
        b.bigNumber(monthly, { title: 'Total trip income', metric: income, numberFormat: '$,.2f' }),
        b.bigNumber(monthly, { title: 'Trips total distance traveled', metric: { aggregate: 'SUM', column: 'sum_trip_distance', label: 'miles' } }),
        b.pie(monthly, { title: 'Trip payment types', metric: trips, groupby: 'payment_type' }),
      ],
      [{ chart: tripsIncome(monthly, 'P1M'), width: 6 }, { chart: tripsIncome(daily, 'P1W'), width: 6 }],
    ],
  });
  return b.build();
}
