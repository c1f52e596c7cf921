/**
 * Tests of demos/lib/tlc-trip-data.ts: the NYC TLC trip file presets for S3FileLoad.
 * Run: npx jest test/tlc-trip-data.test.ts
 */
import { TLC_TRIP_DATA_MIRROR, TLC_TRIP_KINDS, TlcTripData } from '../../../demos/lib/tlc-trip-data';

describe('TlcTripData.files', () => {
  it('names the files as the TLC does, on Stackable\'s mirror by default', () => {
    expect(TLC_TRIP_DATA_MIRROR).toBe('https://repo.stackable.tech/repository/misc/ny-taxi-data/');
    expect(TlcTripData.files({ kind: 'fhvhv', months: ['2020-09', '2020-10'] })).toEqual([
      { url: 'https://repo.stackable.tech/repository/misc/ny-taxi-data/fhvhv_tripdata_2020-09.parquet', key: 'fhvhv_tripdata_2020-09.parquet' },
      { url: 'https://repo.stackable.tech/repository/misc/ny-taxi-data/fhvhv_tripdata_2020-10.parquet', key: 'fhvhv_tripdata_2020-10.parquet' },
    ]);
  });

  it.each(TLC_TRIP_KINDS.map(k => [k]))('has the kind %s', kind => {
    expect(TlcTripData.files({ kind, months: ['2021-01'], baseUrl: 'http://mirror.local:8080/tlc/' }))
      .toEqual([{ url: `http://mirror.local:8080/tlc/${kind}_tripdata_2021-01.parquet`, key: `${kind}_tripdata_2021-01.parquet` }]);
  });

  it('knows the four TLC kinds', () => {
    expect(TLC_TRIP_KINDS).toEqual(['yellow', 'green', 'fhv', 'fhvhv']);
  });

  describe('rejects bad options', () => {
    it('an unknown kind, listing the kinds', () => {
      expect(() => TlcTripData.files({ kind: 'taxi' as any, months: ['2020-01'] }))
        .toThrow(/TlcTripData\.files: kind "taxi" is not allowed: use one of "yellow", "green", "fhv", "fhvhv"/);
    });
    it('no months', () => {
      expect(() => TlcTripData.files({ kind: 'yellow', months: [] })).toThrow(/TlcTripData\.files: months \[\] must list at least one YYYY-MM month/);
    });
    it('a malformed month', () => {
      expect(() => TlcTripData.files({ kind: 'yellow', months: ['2020-13'] })).toThrow(/TlcTripData\.files: months\[0\] "2020-13" is not a YYYY-MM month/);
    });
    it('a duplicate month', () => {
      expect(() => TlcTripData.files({ kind: 'yellow', months: ['2020-01', '2020-01'] })).toThrow(/TlcTripData\.files: months .* lists 2020-01 twice/);
    });
    it('a base URL without trailing slash', () => {
      expect(() => TlcTripData.files({ kind: 'yellow', months: ['2020-01'], baseUrl: 'https://mirror.local/tlc' }))
        .toThrow(/TlcTripData\.files: baseUrl "https:\/\/mirror\.local\/tlc" must be an http\(s\) URL ending in '\/'/);
    });
  });
});
