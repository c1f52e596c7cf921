/**
 * The charts whose values are tested, each with a valid non-default sample per value and values
 * files that values.schema.json must refuse. Shared by test/helm/check-values.ts (real helm) and
 * the unit tests (the schema and the chart builder must agree).
 */
import { HelmChartProps } from '../../constructs';
import { ChartValue, ManifestBuilder, ValueSetting } from '../../constructs/helm/expose-values';
import { manifestBuilder } from '../../constructs/helm/helm-chart';
import { lakehouseChartProps, seedChartProps, taxiDataChartProps, trinoIcebergChartProps } from '../../scripts/synth-helm';
import { buildFixture, FIXTURE_VALUES } from './fixture-chart';

/** A values file that the schema must refuse. */
export interface InvalidValues {
  readonly what: string;
  readonly values: object;
  /** The chart builder's error for the same setting, if it checks it (formats; types only the schema sees). */
  readonly builderError?: RegExp;
}

/** A chart under test. */
export interface ValuesCase {
  /** The app with some values set, as the emitter builds it. */
  readonly build: ManifestBuilder;
  readonly values: readonly ChartValue[];
  /** A valid, non-default setting for every value. */
  readonly samples: ReadonlyMap<string, ValueSetting>;
  readonly invalid: readonly InvalidValues[];
}

const MINIO_PASSWORD = /MinioServer Minio: credentials.password "\**" must be at least 8 characters of A-Z a-z 0-9 \. _ ~ -/;

/** The build and values of a chart's props. */
function ofChart<P>(chart: HelmChartProps<P>): Pick<ValuesCase, 'build' | 'values'> {
  return { build: manifestBuilder(chart), values: chart.values };
}

export const CASES: Record<'fixture' | 'demo' | 'trino-taxi-data' | 'trino-iceberg' | 'data-lakehouse-iceberg-trino-spark', () => ValuesCase> = {
  fixture: () => ({
    build: buildFixture,
    values: FIXTURE_VALUES,
    samples: new Map<string, ValueSetting>([
      // YAML- and template-significant characters must arrive verbatim.
      ['fixture.password', 'p"a\'ss: {{ .Release.Name }} #\\ ü'],
      ['fixture.months', ['2030-01', '2030-02', '2030-03', '2030-04']],
      ['fixture.token', 'tok"en: {{ .Release.Name }} #\\ ü'],
    ]),
    invalid: [
      { what: 'a password of the wrong type', values: { fixture: { password: 12345678 } } },
      { what: 'a too short password', values: { fixture: { password: 'short' } }, builderError: /at least 8 characters/ },
      { what: 'months that are not a list', values: { fixture: { months: '2020-09' } } },
      { what: 'a too short token', values: { fixture: { token: 'abc' } } },
      { what: 'a token of the wrong type', values: { fixture: { token: 1234 } } },
      { what: 'an unknown key', values: { fixture: { passwort: 'fixture-password' } } },
    ],
  }),
  demo: () => ({
    ...ofChart(seedChartProps()),
    samples: new Map<string, ValueSetting>([
      ['admin.password', 'S4mple-admin:"pass"{{x}}#1'],
      ['minio.rootPassword', 'Sample.Root_Pass~word-9'],
      ['postgresql.hivePassword', 'hive pw: \'1\''],
      ['postgresql.hiveIcebergPassword', 'iceberg\\pw#2'],
      ['minio.lakehousePassword', 'Sample.Lakehouse_Key~5'],
      ['postgresql.supersetPassword', 'Superset.pw_3~'],
      ['superset.secretKey', 'Sample secret key: "k" {{ .Values }} #4'],
      // Another count than the default four: nothing may depend on it.
      ['data.months', ['2021-01', '2021-02', '2021-03', '2021-04', '2021-05', '2021-06']],
    ]),
    invalid: [
      { what: 'an admin password of the wrong type', values: { admin: { password: 12345 } } },
      { what: 'an empty admin password', values: { admin: { password: '' } }, builderError: /password must not be empty/ },
      { what: 'an admin password with a space', values: { admin: { password: 'two words' } }, builderError: /TrinoCluster Trino: admin\.password "\*{9}" must be non-empty without whitespace/ },
      { what: 'a too short MinIO password', values: { minio: { rootPassword: 'short' } }, builderError: MINIO_PASSWORD },
      { what: 'a MinIO password that is not URL-safe', values: { minio: { rootPassword: 'pass word/123' } }, builderError: MINIO_PASSWORD },
      { what: 'an empty database password', values: { postgresql: { supersetPassword: '' } }, builderError: /password must not be empty/ },
      { what: 'a Superset database password that would break its URL', values: { postgresql: { supersetPassword: 'p@ss/word' } }, builderError: /Superset Superset: database\.credentials\.password "\*{9}" must be .* \(it is embedded in the metadata database URL the superset-operator writes\)/ },
      { what: 'a too short lakehouse key', values: { minio: { lakehousePassword: 'short' } }, builderError: /users\.lakehouse\.credentials\.password "\*{5}" must be at least 8 characters/ },
      { what: 'a month out of range', values: { data: { months: ['2020-09', '2020-10', '2020-11', '2020-13'] } }, builderError: /months\[3\] "2020-13" is not a YYYY-MM month/ },
      { what: 'a month listed twice', values: { data: { months: ['2020-09', '2020-10', '2020-11', '2020-09'] } }, builderError: /lists 2020-09 twice/ },
      { what: 'a secret key of the wrong type', values: { superset: { secretKey: 42 } } },
      { what: 'a secret key with surrounding whitespace', values: { superset: { secretKey: ' key ' } }, builderError: /DemoChart: supersetSecretKey must be a non-empty string without surrounding whitespace/ },
      { what: 'an empty month list', values: { data: { months: [] } }, builderError: /months \[\] must list at least one YYYY-MM month/ },
      { what: 'months that are not a list', values: { data: { months: '2020-09' } } },
      { what: 'an unknown key', values: { minio: { rootUser: 'admin' } } },
      { what: 'an unknown group', values: { namespace: 'other' } },
    ],
  }),
  'trino-taxi-data': () => ({
    ...ofChart(taxiDataChartProps()),
    samples: new Map<string, ValueSetting>([
      ['admin.password', 'S4mple-admin:"pass"{{x}}#1'],
      ['minio.rootPassword', 'Sample.Root_Pass~word-9'],
      ['minio.readerPassword', 'Sample.Reader_Key~7'],
      ['postgresql.hivePassword', 'hive pw: \'1\''],
      ['postgresql.supersetPassword', 'Superset.pw_3~'],
    ]),
    invalid: [
      { what: 'an admin password of the wrong type', values: { admin: { password: 12345 } } },
      { what: 'an admin password with a space', values: { admin: { password: 'two words' } }, builderError: /TrinoCluster Trino: admin\.password "\*{9}" must be non-empty without whitespace/ },
      { what: 'a too short MinIO password', values: { minio: { rootPassword: 'short' } }, builderError: MINIO_PASSWORD },
      { what: 'a too short reader key', values: { minio: { readerPassword: 'short' } }, builderError: /users\.reader\.credentials\.password "\*{5}" must be at least 8 characters/ },
      { what: 'a reader key that is not URL-safe', values: { minio: { readerPassword: 'reader key/123' } }, builderError: /users\.reader\.credentials\.password "\*{14}" must be at least 8 characters of A-Z a-z 0-9 \. _ ~ -/ },
      { what: 'an empty database password', values: { postgresql: { hivePassword: '' } }, builderError: /password must not be empty/ },
      { what: 'an unknown key', values: { postgresql: { hiveIcebergPassword: 'hive' } } },
      { what: 'an unknown group', values: { data: { months: ['2020-01'] } } },
    ],
  }),
  'trino-iceberg': () => ({
    ...ofChart(trinoIcebergChartProps()),
    samples: new Map<string, ValueSetting>([
      ['admin.password', 'S4mple-admin:"pass"{{x}}#1'],
      ['minio.rootPassword', 'Sample.Root_Pass~word-9'],
      ['minio.lakehousePassword', 'Sample.Lakehouse_Key~5'],
    ]),
    invalid: [
      { what: 'an admin password with a space', values: { admin: { password: 'two words' } }, builderError: /TrinoCluster Trino: admin\.password "\*{9}" must be non-empty without whitespace/ },
      { what: 'a too short MinIO password', values: { minio: { rootPassword: 'short' } }, builderError: MINIO_PASSWORD },
      { what: 'a MinIO password of the wrong type', values: { minio: { rootPassword: 12345678 } } },
      { what: 'a too short lakehouse key', values: { minio: { lakehousePassword: 'short' } }, builderError: /users\.lakehouse\.credentials\.password "\*{5}" must be at least 8 characters/ },
      { what: 'an unknown group', values: { postgresql: { hivePassword: 'hive' } } },
    ],
  }),
  'data-lakehouse-iceberg-trino-spark': () => ({
    ...ofChart(lakehouseChartProps()),
    samples: new Map<string, ValueSetting>([
      ['admin.password', 'S4mple-admin:"pass"{{x}}#1'],
      ['nifi.adminPassword', 'Nifi pass: "n" {{ .Values }} #5'],
      ['minio.rootPassword', 'Sample.Root_Pass~word-9'],
      ['minio.lakehousePassword', 'Sample.Lakehouse_Key~5'],
    ]),
    invalid: [
      { what: 'an admin password with a space', values: { admin: { password: 'two words' } }, builderError: /TrinoCluster Trino: admin\.password "\*{9}" must be non-empty without whitespace/ },
      { what: 'an empty NiFi password', values: { nifi: { adminPassword: '' } }, builderError: /password must not be empty/ },
      { what: 'a too short MinIO password', values: { minio: { rootPassword: 'short' } }, builderError: MINIO_PASSWORD },
      { what: 'a too short lakehouse key', values: { minio: { lakehousePassword: 'short' } }, builderError: /users\.lakehouse\.credentials\.password "\*{5}" must be at least 8 characters/ },
      { what: 'an unknown group', values: { postgresql: { hivePassword: 'hive' } } },
    ],
  }),
};
