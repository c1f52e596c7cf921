/** The Helm values of data-lakehouse-iceberg-trino-spark: the stack's passwords (stacks-v2.yaml) and the lakehouse user's key. `npm run synth:helm` writes the chart. */
import { Credentials, HelmValue } from 'cdk8s-stackable-demos';
import { LakehouseChartProps } from './lakehouse-chart';

/** Chart id of the demo (main.ts), also the Helm chart's name, and the chart's description. */
export const LAKEHOUSE_CHART_ID = 'data-lakehouse-iceberg-trino-spark';
export const LAKEHOUSE_DESCRIPTION = 'Stackable demo data-lakehouse-iceberg-trino-spark from cdk8s-stackable-demos, on one node: NiFi feeds Kafka, Spark streams into Iceberg on MinIO, Trino with OPA, Superset';
/** The passwords (the namespace is fixed: data-lakehouse). */
export const LAKEHOUSE_VALUES: ReadonlyArray<HelmValue<LakehouseChartProps>> = [{
  path: 'admin.password', probe: 'ProbeAdminPassword', schema: { type: 'string', minLength: 1, pattern: '^[^\\s*?\\[\\]]+$' },
  description: 'Password of the Trino and Superset user admin; no whitespace or * ? [ ] (the trino-operator\'s password-file script uses it unquoted).',
  apply: (props, setting) => ({ ...props, admin: Credentials.literal('admin', setting as string) }),
}, {
  path: 'nifi.adminPassword', probe: 'ProbeNifiAdminPassword', schema: { type: 'string', minLength: 1 },
  description: 'Password of the NiFi user admin (the static login of the nifi-operator, user admin only).',
  apply: (props, setting) => ({ ...props, nifiAdmin: Credentials.literal('admin', setting as string) }),
}, {
  path: 'minio.rootPassword', probe: 'ProbeMinioRootPassword', schema: { type: 'string', minLength: 8, pattern: '^[A-Za-z0-9._~-]+$' },
  description: 'MinIO root password (the bucket Job only): at least 8 characters of A-Z a-z 0-9 . _ ~ -.',
  apply: (props, setting) => ({ ...props, s3: Credentials.literal('admin', setting as string) }),
}, {
  path: 'minio.lakehousePassword', probe: 'ProbeMinioLakehousePassword', schema: { type: 'string', minLength: 8, pattern: '^[A-Za-z0-9._~-]+$' },
  description: 'Secret key of the MinIO user lakehouse, the S3 key of Hive, Trino and Spark: at least 8 characters of A-Z a-z 0-9 . _ ~ -.',
  apply: (props, setting) => ({ ...props, lakehouse: Credentials.literal('lakehouse', setting as string) }),
}];
