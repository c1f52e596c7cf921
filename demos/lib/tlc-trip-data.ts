import { S3File, validate } from 'cdk8s-stackable-demos';

/**
 * The kinds of NYC TLC trip record files: yellow and green taxis, for-hire vehicles, and high-volume
 * for-hire vehicles (Uber, Lyft, ...), named `<kind>_tripdata_<YYYY-MM>.parquet` by the TLC.
 */
export const TLC_TRIP_KINDS = ['yellow', 'green', 'fhv', 'fhvhv'] as const;

/** One of {@link TLC_TRIP_KINDS}. */
export type TlcTripKind = typeof TLC_TRIP_KINDS[number];

/**
 * Stackable's mirror of the TLC files, which its demos download from (stackabletech/demos
 * release-26.7: demos/trino-taxi-data/load-test-data.yaml fetches `yellow_tripdata_$month.parquet`,
 * demos/spark-k8s-anomaly-detection-taxi-data/load-test-data.yaml `fhvhv_tripdata_$month.parquet`).
 */
export const TLC_TRIP_DATA_MIRROR = 'https://repo.stackable.tech/repository/misc/ny-taxi-data/';

/** Options of {@link TlcTripData.files}. */
export interface TlcTripDataOptions {
  /** Which trip records. */
  readonly kind: TlcTripKind;
  /** Months, as `YYYY-MM`. */
  readonly months: string[];
  /** Where the files are, ending in '/'. @default TLC_TRIP_DATA_MIRROR */
  readonly baseUrl?: string;
}

/**
 * The months from `first` to `last`, both included, as `YYYY-MM`, e.g. the 28 months
 * `monthRange('2020-01', '2022-04')` that Stackable's trino-taxi-data demo loads.
 */
export function monthRange(first: string, last: string): string[] {
  const [from] = validate.months('monthRange', 'first', [first]);
  const [to] = validate.months('monthRange', 'last', [last]);
  const index = (m: string): number => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1;
  if (index(to) < index(from)) throw new Error(`monthRange: last "${last}" is before first "${first}"`);
  const out: string[] = [];
  for (let i = index(from); i <= index(to); i++) out.push(`${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`);
  return out;
}

/** Presets of NYC TLC trip record files for {@link S3FileLoad}. */
export class TlcTripData {
  /** The files of `kind` for `months`, keyed by their TLC file names: `<kind>_tripdata_<YYYY-MM>.parquet`. */
  public static files(options: TlcTripDataOptions): S3File[] {
    const owner = 'TlcTripData.files';
    const kind = validate.oneOf<TlcTripKind>(owner, 'kind', options.kind, TLC_TRIP_KINDS);
    const base = validate.baseUrl(owner, 'baseUrl', options.baseUrl ?? TLC_TRIP_DATA_MIRROR);
    return validate.months(owner, 'months', options.months).map(m => {
      const key = `${kind}_tripdata_${m}.parquet`;
      return { url: `${base}${key}`, key };
    });
  }

  private constructor() {}
}
