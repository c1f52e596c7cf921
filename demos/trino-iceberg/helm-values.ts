/** The Helm values of trino-iceberg: the stack's two parameters (stacks-v2.yaml) and the lakehouse user's key. `npm run synth:helm` writes the chart. */
import { Credentials, HelmValue } from 'cdk8s-stackable-demos';
import { TrinoIcebergChartProps } from './iceberg-chart';

/** Chart id of the demo (main.ts), also the Helm chart's name, and the chart's description. */
export const TRINO_ICEBERG_CHART_ID = 'trino-iceberg';
export const TRINO_ICEBERG_DESCRIPTION = 'Stackable demo trino-iceberg from cdk8s-stackable-demos: an Iceberg lakehouse on MinIO, a Hive metastore, Trino with OPA, TPC-H tables';
/** The passwords (the namespace is fixed: trino-iceberg). */
export const TRINO_ICEBERG_VALUES: ReadonlyArray<HelmValue<TrinoIcebergChartProps>> = [{
  path: 'admin.password', probe: 'ProbeAdminPassword', schema: { type: 'string', minLength: 1, pattern: '^[^\\s*?\\[\\]]+$' },
  description: 'Password of the Trino user admin; no whitespace or * ? [ ] (the trino-operator\'s password-file script uses it unquoted).',
  apply: (props, setting) => ({ ...props, admin: Credentials.literal('admin', setting as string) }),
}, {
  path: 'minio.rootPassword', probe: 'ProbeMinioRootPassword', schema: { type: 'string', minLength: 8, pattern: '^[A-Za-z0-9._~-]+$' },
  description: 'MinIO root password (the bucket Job only): at least 8 characters of A-Z a-z 0-9 . _ ~ - (it is in S3 URLs).',
  apply: (props, setting) => ({ ...props, s3: Credentials.literal('admin', setting as string) }),
}, {
  path: 'minio.lakehousePassword', probe: 'ProbeMinioLakehousePassword', schema: { type: 'string', minLength: 8, pattern: '^[A-Za-z0-9._~-]+$' },
  description: 'Secret key of the MinIO user lakehouse, the S3 key of Hive and Trino (bucket lakehouse only): at least 8 characters of A-Z a-z 0-9 . _ ~ -.',
  apply: (props, setting) => ({ ...props, lakehouse: Credentials.literal('lakehouse', setting as string) }),
}];
