/**
 * The public data feeds of Stackable's demo data-lakehouse-iceberg-trino-spark and the Kafka topics
 * their records go to, as its NiFi flow fetches and splits them (stackabletech/demos release-26.7,
 * demos/data-lakehouse-iceberg-trino-spark/create-nifi-ingestion-job.yaml, process group
 * `LakehouseKafkaIngest_raw`): each response is an array of JSON records (at `recordsAt`), and each
 * record is published to the topic as one message. The NiFi flow of this demo (nifi-flow.ts) and
 * the e2e suite's producer, which stands in for NiFi there, are both built from this list.
 */
/** One feed: an HTTP GET whose response holds records, each published to `topic`. */
export interface Feed {
  /** Kafka topic of the records. */
  readonly topic: string;
  /**
   * URL of the GET. With `perStation`, `${station_uuid}` in it is replaced by each station's id
   * (NiFi Expression Language, as the reference's InvokeHTTP has it).
   */
  readonly url: string;
  /**
   * Where the records are in the response: '' for a top-level array, else a dotted path to an
   * array (the reference's Jolt `shift` of `data.*`).
   */
  readonly recordsAt: string;
  /** How often NiFi fetches it (a NiFi time period, e.g. '1 min'). */
  readonly every: string;
  /**
   * For a feed fetched once per station: the station list (a top-level array), the field of a
   * station that fills `${station_uuid}`, and the field each record gets with that value (the
   * reference's EvaluateJsonPath and Jolt `default`).
   */
  readonly perStation?: { readonly listUrl: string; readonly idField: string; readonly addField: string };
}

const PEGELONLINE = 'https://www.pegelonline.wsv.de/webservices/rest-api/v2';
const MOBIDATA_GBFS = 'https://api.mobidata-bw.de/sharing/gbfs/v2/deer';

/**
 * The reference's five feeds: water levels of German waterways (PEGELONLINE, the Federal
 * Waterways and Shipping Administration) and the GBFS feeds of the bike-sharing operator deer in
 * Baden-Württemberg (MobiData BW). The measurements are fetched for the last 30 minutes per
 * station every 10 minutes with the station list; the reference also fetches 30 days of history
 * once at start, which this flow leaves out (README, "Where it differs").
 */
export const FEEDS: readonly Feed[] = [
  { topic: 'water_levels_stations', url: `${PEGELONLINE}/stations.json`, recordsAt: '', every: '10 min' },
  {
    topic: 'water_levels_measurements', url: `${PEGELONLINE}/stations/\${station_uuid}/W/measurements.json?start=PT30M`, recordsAt: '', every: '10 min',
    perStation: { listUrl: `${PEGELONLINE}/stations.json`, idField: 'uuid', addField: 'station_uuid' },
  },
  { topic: 'shared_bikes_station_information', url: `${MOBIDATA_GBFS}/station_information`, recordsAt: 'data.stations', every: '10 min' },
  { topic: 'shared_bikes_station_status', url: `${MOBIDATA_GBFS}/station_status`, recordsAt: 'data.stations', every: '1 min' },
  { topic: 'shared_bikes_bike_status', url: `${MOBIDATA_GBFS}/free_bike_status`, recordsAt: 'data.bikes', every: '1 min' },
];

/**
 * The feeds, checked, with each URL that starts with a key of `mirrors` moved to that key's value
 * (e.g. `{ 'https://www.pegelonline.wsv.de/': 'https://mirror.example.org/pegelonline/' }`).
 */
export function feedsFrom(owner: string, feeds: readonly Feed[], mirrors?: Readonly<Record<string, string>>): Feed[] {
  const seen = new Set<string>();
  return feeds.map((f, i) => {
    const prop = `feeds[${i}]`;
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(f.topic)) throw new Error(`${owner}: ${prop}.topic "${f.topic}" is not a Kafka topic name (1-249 of A-Z a-z 0-9 . _ -)`);
    if (seen.has(f.topic)) throw new Error(`${owner}: ${prop}.topic "${f.topic}" is the topic of another feed`);
    seen.add(f.topic);
    if (f.recordsAt !== '' && !/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/.test(f.recordsAt)) {
      throw new Error(`${owner}: ${prop}.recordsAt "${f.recordsAt}" must be '' or a dotted path like "data.stations"`);
    }
    if (!/^\d+ (sec|min|hour|day)s?$/.test(f.every)) throw new Error(`${owner}: ${prop}.every "${f.every}" is not a NiFi period like "1 min" or "30 sec"`);
    const rewrite = (url: string, what: string) => {
      const origin = Object.keys(mirrors ?? {}).find(o => url.startsWith(o));
      const out = origin === undefined ? url : mirrors![origin] + url.slice(origin.length);
      let parsed: URL | undefined;
      try {
        parsed = new URL(out.replace('${station_uuid}', 'x'));
      } catch {
        parsed = undefined;
      }
      if (parsed === undefined || !['http:', 'https:'].includes(parsed.protocol)) throw new Error(`${owner}: ${prop}.${what} "${out}" is not an http(s) URL`);
      return out;
    };
    if ((f.perStation === undefined) === f.url.includes('${station_uuid}')) {
      throw new Error(`${owner}: ${prop}.url "${f.url}" must contain \${station_uuid} exactly when the feed has perStation`);
    }
    return {
      ...f, url: rewrite(f.url, 'url'),
      ...(f.perStation !== undefined ? { perStation: { ...f.perStation, listUrl: rewrite(f.perStation.listUrl, 'perStation.listUrl') } } : {}),
    };
  });
}
