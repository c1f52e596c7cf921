/**
 * The Helm values of trino-taxi-data: its passwords, each mapped to a TaxiDataChart credential.
 * `npm run synth:helm` writes the chart (scripts/synth-helm.ts, library class HelmChart).
 */
import { Credentials, HelmValue } from 'cdk8s-stackable-demos';
import { TaxiDataChartProps, TaxiDataCredentials } from './taxi-data-chart';

/** Chart id of the demo, as in main.ts; it also names the Helm chart. */
export const TAXI_DATA_CHART_ID = 'trino-taxi-data';

/** Chart.yaml description of the demo's Helm chart. */
export const TAXI_DATA_DESCRIPTION = 'Stackable demo trino-taxi-data from cdk8s-stackable-demos: NYC yellow taxi trips in MinIO, '
  + 'a Hive metastore, Trino authorized by OPA and a Superset dashboard';

/** A value setting one credential (a password for the credential's fixed user). */
function password(path: string, key: keyof TaxiDataCredentials, user: string, description: string, schema: HelmValue<TaxiDataChartProps>['schema'], probe: string): HelmValue<TaxiDataChartProps> {
  return {
    path, description, schema, probe,
    apply: (props, setting) => ({ ...props, credentials: { ...props.credentials, [key]: Credentials.literal(user, setting as string) } }),
  };
}

/** The demo's chart values (the namespace is fixed: trino-taxi-data). */
export const TAXI_DATA_VALUES: ReadonlyArray<HelmValue<TaxiDataChartProps>> = [
  password('admin.password', 'admin', 'admin',
    'Password of user admin in Trino and Superset; no whitespace or * ? [ ] (the trino-operator\'s\n'
    + 'password-file script uses it unquoted).',
    { type: 'string', minLength: 1, pattern: '^[^\\s*?\\[\\]]+$' }, 'ProbeAdminPassword'),
  password('minio.rootPassword', 's3', 'admin',
    'MinIO root password (the bucket and data-load Jobs).\n'
    + 'At least 8 characters of A-Z a-z 0-9 . _ ~ - (it is embedded in S3 endpoint URLs).',
    { type: 'string', minLength: 8, pattern: '^[A-Za-z0-9._~-]+$' }, 'ProbeMinioRootPassword'),
  password('minio.readerPassword', 'reader', 'reader',
    'Secret key of MinIO user reader, the S3 credentials of Hive and Trino (bucket demo, read-only).\n'
    + 'At least 8 characters of A-Z a-z 0-9 . _ ~ -.',
    { type: 'string', minLength: 8, pattern: '^[A-Za-z0-9._~-]+$' }, 'ProbeMinioReaderPassword'),
  password('postgresql.hivePassword', 'hiveDatabase', 'hive',
    'Password of user hive of the PostgreSQL behind the Hive metastore.',
    { type: 'string', minLength: 1 }, 'ProbeHiveDatabasePassword'),
  password('postgresql.supersetPassword', 'supersetDatabase', 'superset',
    'Password of user superset of the PostgreSQL behind Superset; characters of A-Z a-z 0-9 . _ ~ -\n'
    + '(the superset-operator puts it unencoded into Superset\'s database URL).',
    { type: 'string', minLength: 1, pattern: '^[A-Za-z0-9._~-]+$' }, 'ProbeSupersetDatabasePassword'),
];
