/**
 * The Helm values of the seed demo: the passwords, Superset's secret key (optional: set, it adds
 * its Secret) and the data months, each mapped to a DemoChart prop. `npm run synth:helm` writes the
 * chart (scripts/synth-helm.ts, library class HelmChart); the namespace is not a value.
 */
import { Credentials, HelmValue, HelmValueSchema, SupersetSecretKey } from 'cdk8s-stackable-demos';
import { DemoChartProps, DemoCredentials } from './demo-chart';

const ANY_PASSWORD: HelmValueSchema = { type: 'string', minLength: 1 };

/** A value setting one credential (a password for the credential's fixed user). */
function password(path: string, key: keyof DemoCredentials, user: string, description: string, schema: HelmValueSchema, probe: string): HelmValue<DemoChartProps> {
  return {
    path, description, schema, probe,
    apply: (props, setting) => ({ ...props, credentials: { ...props.credentials, [key]: Credentials.literal(user, setting as string) } }),
  };
}

/** The demo's chart values: the passwords, Superset's secret key (optional) and the data months (namespace-independent). */
export const DEMO_VALUES: ReadonlyArray<HelmValue<DemoChartProps>> = [
  password('admin.password', 'admin', 'admin',
    'Password of user admin in Trino and Superset; no whitespace or * ? [ ] (the trino-operator\'s\n'
    + 'password-file script uses it unquoted).',
    { type: 'string', minLength: 1, pattern: '^[^\\s*?\\[\\]]+$' }, 'ProbeAdminPassword'),
  password('minio.rootPassword', 's3', 'admin',
    'MinIO root password (the bucket and data-load Jobs).\n'
    + 'At least 8 characters of A-Z a-z 0-9 . _ ~ - (it is embedded in S3 endpoint URLs).',
    { type: 'string', minLength: 8, pattern: '^[A-Za-z0-9._~-]+$' }, 'ProbeMinioRootPassword'),
  password('minio.lakehousePassword', 'lakehouse', 'lakehouse',
    'Secret key of MinIO user lakehouse, the S3 credentials of Hive, Trino and Spark (buckets demo and prediction only).\n'
    + 'At least 8 characters of A-Z a-z 0-9 . _ ~ -.',
    { type: 'string', minLength: 8, pattern: '^[A-Za-z0-9._~-]+$' }, 'ProbeMinioLakehousePassword'),
  password('postgresql.hivePassword', 'hiveDatabase', 'hive',
    'Password of user hive of the PostgreSQL behind metastore hive.', ANY_PASSWORD, 'ProbeHiveDatabasePassword'),
  password('postgresql.hiveIcebergPassword', 'hiveIcebergDatabase', 'hive',
    'Password of user hive of the PostgreSQL behind metastore hive-iceberg.', ANY_PASSWORD, 'ProbeHiveIcebergDatabasePassword'),
  password('postgresql.supersetPassword', 'supersetDatabase', 'superset',
    'Password of user superset of the PostgreSQL behind Superset; characters of A-Z a-z 0-9 . _ ~ -\n'
    + '(the superset-operator puts it unencoded into Superset\'s database URL).',
    { type: 'string', minLength: 1, pattern: '^[A-Za-z0-9._~-]+$' }, 'ProbeSupersetDatabasePassword'),
  {
    path: 'superset.secretKey',
    description: 'Flask SECRET_KEY of Superset (signs sessions, encrypts the database passwords Superset stores).\n'
      + 'Unset, the superset-operator creates Secret superset-secret-key with a random key and keeps it.\n'
      + 'Set it before the first install: Superset cannot decrypt what it stored under another key.',
    // DemoChart refuses surrounding whitespace.
    schema: { type: 'string', minLength: 1, pattern: '^\\S([\\s\\S]*\\S)?$' },
    probe: 'ProbeSupersetSecretKey',
    optional: true,
    apply: (props, setting) => ({ ...props, supersetSecretKey: SupersetSecretKey.literal(setting as string) }),
  },
  {
    path: 'data.months',
    description: 'Months of NYC high-volume for-hire taxi trips to load into s3://demo/ny-taxi-data/raw/, as YYYY-MM\n'
      + '(loaded one file at a time: any number of months).',
    schema: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' } },
    // Three items against the default four: a field that depended on the count would fail the exposure.
    probe: ['1901-01', '1901-02', '1901-03'],
    apply: (props, setting) => ({ ...props, months: [...setting] }),
  },
];
