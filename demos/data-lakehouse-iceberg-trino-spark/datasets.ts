/**
 * The batch datasets of Stackable's demo data-lakehouse-iceberg-trino-spark, loaded into the bucket
 * `staging` as its Job load-test-data does (stackabletech/demos release-26.7,
 * demos/data-lakehouse-iceberg-trino-spark/load-test-data.yaml): the same files from Stackable's
 * mirror, under the same keys (`house-sales/house-sales/uk-house-sales-2021.csv`, ...), which are
 * the folders of the staging tables (batch-tables.ts). Which years and months are loaded is a
 * choice: the defaults fit one node, {@link REFERENCE_DATASETS} are the reference's.
 */
import { S3File, validate } from 'cdk8s-stackable-demos';
import { monthRange, TlcTripData } from '../lib/tlc-trip-data';

/** Stackable's mirror of the datasets (the reference's `curl -sO https://repo.stackable.tech/repository/misc/...`). */
export const STACKABLE_DATASETS_MIRROR = 'https://repo.stackable.tech/repository/misc/';

/** Which parts of the datasets are loaded; each defaults to {@link DEFAULT_DATASETS}. */
export interface LakehouseDatasets {
  /** Years of UK house sales (`uk-house-sales-<year>.csv`, one file a year; the mirror has 2005 to 2021). */
  readonly houseSalesYears?: readonly number[];
  /** Months (`YYYY-MM`) of NYC yellow taxi trips (`yellow_tripdata_<month>.parquet`). */
  readonly yellowMonths?: readonly string[];
  /** Months of NYC green taxi trips. */
  readonly greenMonths?: readonly string[];
  /** Months of NYC high-volume for-hire vehicle trips (staging only: no lakehouse table reads them). */
  readonly fhvhvMonths?: readonly string[];
  /** Where the files are, ending in '/' (e.g. a mirror of Stackable's). @default STACKABLE_DATASETS_MIRROR */
  readonly baseUrl?: string;
}

/** The reference's files: 17 years of house sales, 100 months of yellow, 18 of green and 22 of fhvhv trips. */
export const REFERENCE_DATASETS: Required<Omit<LakehouseDatasets, 'baseUrl'>> = {
  houseSalesYears: Array.from({ length: 17 }, (_, i) => 2005 + i),
  yellowMonths: monthRange('2015-01', '2023-04'),
  greenMonths: monthRange('2021-01', '2022-06'),
  fhvhvMonths: monthRange('2020-09', '2022-06'),
};

/**
 * The defaults, for one node: the last 3 years of house sales, the reference's last 12 months of
 * yellow trips, all its green months (about 1 MiB each) and its last fhvhv month. The single files
 * (postcode lookup, earthquakes, charging stations, taxi lookups) are always loaded whole.
 */
export const DEFAULT_DATASETS: Required<Omit<LakehouseDatasets, 'baseUrl'>> = {
  houseSalesYears: [2019, 2020, 2021],
  yellowMonths: monthRange('2022-05', '2023-04'),
  greenMonths: REFERENCE_DATASETS.greenMonths,
  fhvhvMonths: ['2022-06'],
};

/** The files of one load: a top-level folder of the bucket (a staging schema's location) and the files below it. */
export interface DatasetLoad {
  /** Construct id and Job name suffix, e.g. 'house-sales'. */
  readonly id: string;
  /** Key prefix in the bucket: the folder of a staging schema, e.g. 'house-sales/'. */
  readonly prefix: string;
  /** The files, keyed below the prefix by their table's folder. */
  readonly files: S3File[];
  /**
   * Scratch space of the load in GiB (S3FileLoad `scratchGi`): it must hold the largest file. 2 for
   * the house sales (the postcode lookup of all UK postcodes is the largest CSV), 1 for the others
   * (a month of trips is one Parquet file of some hundred MiB at most).
   */
  readonly scratchGi: number;
}

/** The folders of the staging schemas in the bucket `staging`, as the reference's `CREATE SCHEMA ... WITH (location = ...)`. */
export const SCHEMA_FOLDERS = { house_sales: 'house-sales/', earthquakes: 'earthquakes/', smart_city: 'smart-city/', taxi: 'taxi/' } as const;

/** The loads of `datasets`: one per staging schema, in the reference's order (small to large). */
export function datasetLoads(owner: string, datasets: LakehouseDatasets = {}): DatasetLoad[] {
  const base = validate.baseUrl(owner, 'datasets.baseUrl', datasets.baseUrl ?? STACKABLE_DATASETS_MIRROR);
  const years = [...(datasets.houseSalesYears ?? DEFAULT_DATASETS.houseSalesYears)];
  for (const y of years) {
    if (!Number.isInteger(y) || y < 1995 || y > 2100) throw new Error(`${owner}: datasets.houseSalesYears has ${y}; allowed: whole years from 1995 (the first of the UK Price Paid Data)`);
  }
  if (new Set(years).size !== years.length) throw new Error(`${owner}: datasets.houseSalesYears names a year twice: ${years.join(', ')}`);
  const file = (folder: string, url: string): S3File => ({ url, key: `${folder}${url.slice(url.lastIndexOf('/') + 1)}` });
  const taxi = `${base}ny-taxi-data/`;
  const trips = (kind: 'yellow' | 'green' | 'fhvhv', months: readonly string[] | undefined, fallback: readonly string[]): S3File[] => {
    const list = [...(months ?? fallback)];
    if (list.length === 0) throw new Error(`${owner}: datasets.${kind}Months must name at least one month (its staging table reads a folder with at least one file)`);
    return TlcTripData.files({ kind, months: list, baseUrl: taxi }).map(f => ({ url: f.url, key: `${kind}-tripdata/${f.key}` }));
  };
  if (years.length === 0) throw new Error(`${owner}: datasets.houseSalesYears must name at least one year`);
  return [
    {
      id: 'house-sales', prefix: SCHEMA_FOLDERS.house_sales, scratchGi: 2,
      files: [
        file('postcode-geo-lookup/', `${base}datasets/open-postcode-geo/open-postcode-geo.csv`),
        ...years.map(y => file('house-sales/', `${base}datasets/uk-house-sales/uk-house-sales-${y}.csv`)),
      ],
    },
    { id: 'earthquakes', prefix: SCHEMA_FOLDERS.earthquakes, scratchGi: 1, files: [file('earthquakes/', `${base}earthquake-data/earthquakes_1950_to_2022.csv`)] },
    { id: 'smart-city', prefix: SCHEMA_FOLDERS.smart_city, scratchGi: 1, files: [file('e-charging-stations/', `${base}datasets/e-charging-stations/e-charging-stations-2022-08.csv`)] },
    {
      id: 'taxi', prefix: SCHEMA_FOLDERS.taxi, scratchGi: 1,
      files: [
        file('taxi-zone-lookup/', `${taxi}taxi_zone_lookup.csv`),
        file('rate-code-lookup/', `${taxi}rate_code_lookup.csv`),
        file('payment-type-lookup/', `${taxi}payment_type_lookup.csv`),
        ...trips('green', datasets.greenMonths, DEFAULT_DATASETS.greenMonths),
        ...trips('yellow', datasets.yellowMonths, DEFAULT_DATASETS.yellowMonths),
        ...trips('fhvhv', datasets.fhvhvMonths, DEFAULT_DATASETS.fhvhvMonths),
      ],
    },
  ];
}
