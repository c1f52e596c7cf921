/**
 * The Trino tables of Stackable's demo data-lakehouse-iceberg-trino-spark over its batch datasets
 * (stackabletech/demos release-26.7, demos/data-lakehouse-iceberg-trino-spark/create-trino-tables.yaml,
 * every statement before "At this point Spark should have created the needed underlying tables"):
 * - staging: external Hive tables over the loaded files (datasets.ts), CSV columns as varchar,
 *   Parquet columns typed as in the files;
 * - lakehouse: Iceberg tables made from them with CREATE TABLE AS (casts, date parsing, the joins
 *   with the lookups), and the two materialized views of daily and monthly yellow-trip aggregates.
 * The statements are the reference's, with the catalogs as parameters, the staging DDL written
 * from the column lists below, and one check per lakehouse table that it has rows (Trino's
 * `fail` ends the Job with the message, so empty data is not a silent success). The columns of
 * the lakehouse objects are what the dashboards declare; the e2e suite compares them with a real
 * Trino's DESCRIBE.
 */
import { TableColumn } from 'cdk8s-stackable-demos';
import { SCHEMA_FOLDERS } from './datasets';

/** A staging table: an external Hive table over the files of one folder. */
interface StagingTable {
  readonly schema: keyof typeof SCHEMA_FOLDERS;
  readonly name: string;
  /** Its folder below the schema's. */
  readonly folder: string;
  readonly format: 'csv' | 'parquet';
  /** CSV files with a header line. */
  readonly header?: boolean;
  /** Column names (CSV: all varchar) or names and types (Parquet). */
  readonly columns: ReadonlyArray<string | TableColumn>;
}

const v = (names: string): string[] => names.split(/\s+/).filter(n => n !== '');
const typed = (spec: string): TableColumn[] => spec.split(',').map(s => s.trim().split(/\s+/)).map(([name, type]) => ({ name, type }));

/** The reference's ten staging tables. */
const STAGING: readonly StagingTable[] = [
  {
    schema: 'house_sales', name: 'house_sales', folder: 'house-sales/', format: 'csv',
    columns: v(`transaction_id price date_of_transfer postcode property_type new_build tenure paon saon street locality city district county
      ppd_category record_status`),
  },
  {
    schema: 'house_sales', name: 'postcode_geo_lookup', folder: 'postcode-geo-lookup/', format: 'csv',
    columns: v(`postcode status usertype easting northing positional_quality_indicator country latitude longitude postcode_no_space
      postcode_fixed_width_seven postcode_fixed_width_eight postcode_area postcode_district postcode_sector outcode incode`),
  },
  {
    schema: 'earthquakes', name: 'earthquakes', folder: 'earthquakes/', format: 'csv', header: true,
    columns: v(`timestamp latitude longitude depth mag mag_type nst gap dmin rms net id updated place type horizontal_error depth_error
      mag_error mag_nst status location_source mag_source`),
  },
  {
    schema: 'smart_city', name: 'e_charging_stations', folder: 'e-charging-stations/', format: 'csv', header: true,
    columns: v(`operator street street_number address_supplement zip_code city state state_iso_3166_2 district latitude longitude
      date_of_installation power speed_type number_of_charging_ports port_1_types port_1_power port_1_pubkey port_2_types port_2_power
      port_2_pubkey port_3_types port_3_power port_3_pubkey port_4_types port_4_power port_4_pubkey`),
  },
  { schema: 'taxi', name: 'taxi_zone_lookup', folder: 'taxi-zone-lookup/', format: 'csv', header: true, columns: v('location_id borough zone service_zone') },
  { schema: 'taxi', name: 'payment_type_lookup', folder: 'payment-type-lookup/', format: 'csv', header: true, columns: v('payment_type_id payment_type') },
  { schema: 'taxi', name: 'rate_code_lookup', folder: 'rate-code-lookup/', format: 'csv', header: true, columns: v('rate_code_id rate_code') },
  {
    schema: 'taxi', name: 'yellow_tripdata', folder: 'yellow-tripdata/', format: 'parquet',
    columns: typed(`VendorID BIGINT, tpep_pickup_datetime TIMESTAMP, tpep_dropoff_datetime TIMESTAMP, passenger_count DOUBLE, trip_distance DOUBLE,
      RatecodeID DOUBLE, store_and_fwd_flag VARCHAR, PULocationID BIGINT, DOLocationID BIGINT, payment_type BIGINT, fare_amount DOUBLE, extra DOUBLE,
      mta_tax DOUBLE, tip_amount DOUBLE, tolls_amount DOUBLE, improvement_surcharge DOUBLE, total_amount DOUBLE, congestion_surcharge DOUBLE,
      airport_fee DOUBLE`),
  },
  {
    schema: 'taxi', name: 'green_tripdata', folder: 'green-tripdata/', format: 'parquet',
    columns: typed(`VendorID BIGINT, lpep_pickup_datetime TIMESTAMP, lpep_dropoff_datetime TIMESTAMP, store_and_fwd_flag VARCHAR, RatecodeID DOUBLE,
      PULocationID BIGINT, DOLocationID BIGINT, passenger_count DOUBLE, trip_distance DOUBLE, fare_amount DOUBLE, extra DOUBLE, mta_tax DOUBLE,
      tip_amount DOUBLE, tolls_amount DOUBLE, ehail_fee INTEGER, improvement_surcharge DOUBLE, total_amount DOUBLE, payment_type DOUBLE,
      trip_type DOUBLE, congestion_surcharge DOUBLE`),
  },
  {
    schema: 'taxi', name: 'fhvhv_tripdata', folder: 'fhvhv-tripdata/', format: 'parquet',
    columns: typed(`hvfhs_license_num VARCHAR, dispatching_base_num VARCHAR, originating_base_num VARCHAR, request_datetime TIMESTAMP,
      on_scene_datetime TIMESTAMP, pickup_datetime TIMESTAMP, dropoff_datetime TIMESTAMP, PULocationID BIGINT, DOLocationID BIGINT,
      trip_miles DOUBLE, trip_time BIGINT, base_passenger_fare DOUBLE, tolls DOUBLE, bcf DOUBLE, sales_tax DOUBLE, congestion_surcharge DOUBLE,
      airport_fee DOUBLE, tips DOUBLE, driver_pay DOUBLE, shared_request_flag VARCHAR, shared_match_flag VARCHAR, access_a_ride_flag VARCHAR,
      wav_request_flag VARCHAR, wav_match_flag VARCHAR`),
  },
];

/** `<schema>.<table>` of every staging table, e.g. for tests. */
export const STAGING_TABLES: readonly string[] = STAGING.map(t => `${t.schema}.${t.name}`);

/** The folder (key prefix in the bucket) of a staging table, e.g. 'house-sales/house-sales/'. */
export function stagingFolder(table: string): string {
  const t = STAGING.find(s => `${s.schema}.${s.name}` === table);
  if (t === undefined) throw new Error(`stagingFolder: no staging table '${table}'; tables: ${STAGING_TABLES.join(', ')}`);
  return `${SCHEMA_FOLDERS[t.schema]}${t.folder}`;
}

function stagingDdl(catalog: string, bucket: string, t: StagingTable): string {
  const columns = t.columns.map(c => (typeof c === 'string' ? `${c} varchar` : `${c.name} ${c.type}`));
  const csv = t.format === 'csv'
    ? [`format = 'csv'`, `csv_escape = '\\'`, `csv_quote = '"'`, `csv_separator = ','`, ...(t.header === true ? ['skip_header_line_count = 1'] : [])]
    : [`format = 'parquet'`];
  return `CREATE TABLE IF NOT EXISTS ${catalog}.${t.schema}.${t.name} (\n  ${columns.join(',\n  ')}\n) WITH (\n  `
    + [`external_location = 's3a://${bucket}/${SCHEMA_FOLDERS[t.schema]}${t.folder}'`, ...csv].join(',\n  ') + '\n)';
}

/** Where the statements put things: the Hive catalog and bucket of the staging tables, the Iceberg catalog and bucket of the lakehouse. */
export interface BatchTablesTarget {
  readonly staging: { readonly catalog: string; readonly bucket: string };
  readonly lakehouse: { readonly catalog: string; readonly bucket: string };
}

/** The lakehouse objects the statements create, `<schema>.<table>`, in order. */
export const LAKEHOUSE_TABLES = ['house_sales.house_sales', 'earthquakes.earthquakes', 'smart_city.e_charging_stations', 'taxi.yellow_tripdata'] as const;
/** The materialized views. */
export const MATERIALIZED_VIEWS = ['taxi.yellow_tripdata_daily_agg', 'taxi.yellow_tripdata_monthly_agg'] as const;

/** The statements of the batch tables Job, in order; idempotent (a rerun of the Job changes nothing but refreshes the views). */
export function batchTableStatements(target: BatchTablesTarget): string[] {
  const s = target.staging.catalog;
  const l = target.lakehouse.catalog;
  // The same four schemas in both catalogs, each at its folder of the catalog's bucket.
  const schemas = (at: { readonly catalog: string; readonly bucket: string }) => Object.entries(SCHEMA_FOLDERS).map(
    ([schema, folder]) => `CREATE SCHEMA IF NOT EXISTS ${at.catalog}.${schema} WITH (location = 's3a://${at.bucket}/${folder}')`);
  const nonEmpty = (table: string) => `SELECT CASE WHEN count(*) > 0 THEN count(*) ELSE fail('no rows in ${l}.${table}: are the staging files loaded?') END AS rows FROM ${l}.${table}`;
  return [
    ...schemas(target.staging),
    ...schemas(target.lakehouse),
    ...STAGING.map(t => stagingDdl(s, target.staging.bucket, t)),
    `CREATE TABLE IF NOT EXISTS ${l}.house_sales.house_sales WITH (partitioning = ARRAY['year(date_of_transfer)']) AS
SELECT
  trim(LEADING '{' FROM trim(TRAILING '}' FROM transaction_id)) AS transaction_id,
  cast(price AS bigint) AS price,
  cast(date_parse(date_of_transfer, '%Y-%m-%d %H:%i') AS date) AS date_of_transfer,
  s.postcode, property_type,
  CASE new_build WHEN 'Y' THEN true ELSE false END AS new_build,
  tenure, paon, street, locality, city, district, county, ppd_category, record_status,
  l.status, l.usertype, l.country, l.postcode_no_space,
  cast(l.easting AS bigint) AS easting, cast(l.northing AS bigint) AS northing,
  cast(l.longitude AS double) AS longitude, cast(l.latitude AS double) AS latitude
FROM ${s}.house_sales.house_sales AS s
LEFT JOIN ${s}.house_sales.postcode_geo_lookup AS l ON s.postcode = l.postcode`,
    nonEmpty('house_sales.house_sales'),
    `CREATE TABLE IF NOT EXISTS ${l}.earthquakes.earthquakes AS
SELECT
  cast(date_parse(timestamp, '%Y-%m-%dT%H:%i:%s.%fZ') AS timestamp(6)) AS timestamp,
  cast(latitude AS double) AS latitude, cast(longitude AS double) AS longitude, try_cast(depth AS double) AS depth,
  cast(mag AS double) AS mag, mag_type, try_cast(nst AS bigint) AS nst, try_cast(gap AS double) AS gap,
  try_cast(dmin AS double) AS dmin, try_cast(rms AS double) AS rms, net, id,
  cast(date_parse(updated, '%Y-%m-%dT%H:%i:%s.%fZ') AS timestamp(6)) AS updated,
  place, type,
  try_cast(horizontal_error AS double) AS horizontal_error, try_cast(depth_error AS double) AS depth_error,
  try_cast(mag_error AS double) AS mag_error, try_cast(mag_nst AS double) AS mag_nst,
  status, location_source, mag_source
FROM ${s}.earthquakes.earthquakes
WHERE length(timestamp) = 24`,
    nonEmpty('earthquakes.earthquakes'),
    `CREATE TABLE IF NOT EXISTS ${l}.smart_city.e_charging_stations AS
SELECT
  operator, street, street_number, address_supplement, zip_code, city, state, state_iso_3166_2, district,
  try_cast(replace(latitude, ',', '.') AS double) AS latitude,
  try_cast(replace(longitude, ',', '.') AS double) AS longitude,
  cast(date_parse(date_of_installation, '%Y/%m/%d') AS date) AS date_of_installation,
  cast(replace(power, ',', '.') AS double) AS power,
  speed_type,
  cast(number_of_charging_ports AS bigint) AS number_of_charging_ports,
  ${[1, 2, 3, 4].map(n => `port_${n}_types, try_cast(replace(port_${n}_power, ',', '.') AS double) AS port_${n}_power, port_${n}_pubkey`).join(',\n  ')}
FROM ${s}.smart_city.e_charging_stations`,
    nonEmpty('smart_city.e_charging_stations'),
    // As the reference: statistics make Trino see the lookups as small, so that it replicates them in the joins.
    `ANALYZE ${s}.taxi.payment_type_lookup`,
    `ANALYZE ${s}.taxi.rate_code_lookup`,
    `ANALYZE ${s}.taxi.taxi_zone_lookup`,
    `CREATE TABLE IF NOT EXISTS ${l}.taxi.yellow_tripdata WITH (partitioning = ARRAY['month(tpep_pickup_datetime)']) AS
SELECT
  VendorID AS vendor_id,
  cast(tpep_pickup_datetime AS timestamp(6)) AS tpep_pickup_datetime,
  cast(tpep_dropoff_datetime AS timestamp(6)) AS tpep_dropoff_datetime,
  cast(passenger_count AS bigint) AS passenger_count,
  trip_distance, r.rate_code, store_and_fwd_flag,
  z_pickup.borough AS pickup_borough, z_pickup.zone AS pickup_zone, z_pickup.service_zone AS pickup_service_zone,
  z_dropoff.borough AS dropoff_borough, z_dropoff.zone AS dropoff_zone, z_dropoff.service_zone AS dropoff_service_zone,
  p.payment_type AS payment_type,
  fare_amount, extra, mta_tax, tip_amount, tolls_amount, improvement_surcharge, total_amount, congestion_surcharge, airport_fee
FROM ${s}.taxi.yellow_tripdata AS t
LEFT JOIN ${s}.taxi.taxi_zone_lookup AS z_pickup ON t.pulocationid = cast(z_pickup.location_id AS bigint)
LEFT JOIN ${s}.taxi.taxi_zone_lookup AS z_dropoff ON t.dolocationid = cast(z_dropoff.location_id AS bigint)
LEFT JOIN ${s}.taxi.payment_type_lookup AS p ON t.payment_type = cast(p.payment_type_id AS bigint)
LEFT JOIN ${s}.taxi.rate_code_lookup AS r ON t.ratecodeid = cast(r.rate_code_id AS bigint)
WHERE tpep_pickup_datetime >= DATE '2015-01-01' AND tpep_pickup_datetime <= now()`,
    nonEmpty('taxi.yellow_tripdata'),
    `CREATE OR REPLACE MATERIALIZED VIEW ${l}.taxi.yellow_tripdata_daily_agg AS
SELECT
  date_trunc('day', tpep_pickup_datetime) AS day,
  pickup_borough, pickup_zone, dropoff_borough, dropoff_zone, payment_type,
  count(*) AS trips,
  avg(total_amount) AS avg_total_amount, sum(total_amount) AS sum_total_amount,
  avg(airport_fee) AS avg_airport_fee, sum(airport_fee) AS sum_airport_fee,
  avg(trip_distance) AS avg_trip_distance, sum(trip_distance) AS sum_trip_distance
FROM ${l}.taxi.yellow_tripdata
GROUP BY 1, 2, 3, 4, 5, 6`,
    `CREATE OR REPLACE MATERIALIZED VIEW ${l}.taxi.yellow_tripdata_monthly_agg AS
SELECT
  date_trunc('month', day) AS month,
  pickup_borough, pickup_zone, dropoff_borough, dropoff_zone, payment_type,
  sum(trips) AS trips, sum(sum_total_amount) AS sum_total_amount, sum(sum_airport_fee) AS sum_airport_fee, sum(sum_trip_distance) AS sum_trip_distance
FROM ${l}.taxi.yellow_tripdata_daily_agg
GROUP BY 1, 2, 3, 4, 5, 6`,
    `REFRESH MATERIALIZED VIEW ${l}.taxi.yellow_tripdata_daily_agg`,
    `REFRESH MATERIALIZED VIEW ${l}.taxi.yellow_tripdata_monthly_agg`,
  ];
}

const TS = 'TIMESTAMP(6)';
const cols = (spec: string): TableColumn[] => typed(spec.replace(/\bTS\b/g, TS));
const VARCHARS = (names: string) => v(names).map(name => `${name} VARCHAR`).join(', ');

/** Columns of the lakehouse tables and materialized views, as Trino's DESCRIBE lists them. */
export const BATCH_COLUMNS: Readonly<Record<string, readonly TableColumn[]>> = {
  'house_sales.house_sales': cols(`transaction_id VARCHAR, price BIGINT, date_of_transfer DATE, postcode VARCHAR, property_type VARCHAR, new_build BOOLEAN,
    ${VARCHARS('tenure paon street locality city district county ppd_category record_status status usertype country postcode_no_space')},
    easting BIGINT, northing BIGINT, longitude DOUBLE, latitude DOUBLE`),
  'earthquakes.earthquakes': cols(`timestamp TS, latitude DOUBLE, longitude DOUBLE, depth DOUBLE, mag DOUBLE, mag_type VARCHAR, nst BIGINT, gap DOUBLE,
    dmin DOUBLE, rms DOUBLE, net VARCHAR, id VARCHAR, updated TS, place VARCHAR, type VARCHAR, horizontal_error DOUBLE, depth_error DOUBLE,
    mag_error DOUBLE, mag_nst DOUBLE, status VARCHAR, location_source VARCHAR, mag_source VARCHAR`),
  'smart_city.e_charging_stations': cols(`${VARCHARS('operator street street_number address_supplement zip_code city state state_iso_3166_2 district')},
    latitude DOUBLE, longitude DOUBLE, date_of_installation DATE, power DOUBLE, speed_type VARCHAR, number_of_charging_ports BIGINT,
    ${[1, 2, 3, 4].map(n => `port_${n}_types VARCHAR, port_${n}_power DOUBLE, port_${n}_pubkey VARCHAR`).join(', ')}`),
  'taxi.yellow_tripdata': cols(`vendor_id BIGINT, tpep_pickup_datetime TS, tpep_dropoff_datetime TS, passenger_count BIGINT, trip_distance DOUBLE,
    ${VARCHARS('rate_code store_and_fwd_flag pickup_borough pickup_zone pickup_service_zone dropoff_borough dropoff_zone dropoff_service_zone payment_type')},
    fare_amount DOUBLE, extra DOUBLE, mta_tax DOUBLE, tip_amount DOUBLE, tolls_amount DOUBLE, improvement_surcharge DOUBLE, total_amount DOUBLE,
    congestion_surcharge DOUBLE, airport_fee DOUBLE`),
  'taxi.yellow_tripdata_daily_agg': cols(`day TS, ${VARCHARS('pickup_borough pickup_zone dropoff_borough dropoff_zone payment_type')}, trips BIGINT,
    avg_total_amount DOUBLE, sum_total_amount DOUBLE, avg_airport_fee DOUBLE, sum_airport_fee DOUBLE, avg_trip_distance DOUBLE, sum_trip_distance DOUBLE`),
  'taxi.yellow_tripdata_monthly_agg': cols(`month TS, ${VARCHARS('pickup_borough pickup_zone dropoff_borough dropoff_zone payment_type')}, trips BIGINT,
    sum_total_amount DOUBLE, sum_airport_fee DOUBLE, sum_trip_distance DOUBLE`),
};
