// The package's public API: every name exported here is a promise (semantic versioning, see the
// README's "Public API"); everything else under constructs/ is internal and may change in any
// release. `api/cdk8s-stackable-demos.api.md` is the reviewed report of this surface; the unit
// suite fails when it differs from what this file exports (`npm run api` rewrites it).
// Product folders import each other through their own index files, never through this one.
import * as validate from './core/validate';

// core: shared building blocks of every product.
export { BoundCredentials, Credentials, SecretLayout } from './core/credentials';
export { ClusterDnsOptions, DnsEgress, DnsEgressRule, DnsResolver, KNOWN_DNS_RESOLVERS } from './core/dns-egress';
export { STACKABLE_RELEASE } from './core/images';
export { ChartNamespace } from './core/namespace';
export { IPodSelectable, PodNetworkPolicy, PodNetworkPolicyProps } from './core/network';
export { ResourceAmounts, Resources, resourcesFromStackable, StackableResources } from './core/resources';
export { LISTENER_CLASSES, ListenerClassName } from './core/stackable';
/**
 * The synth-time checks the constructs use for their props, for apps that validate their own
 * props the same way: each takes `(owner, prop, value, ...)` and throws an Error naming the owner,
 * the prop, the value and what is allowed.
 */
export { validate };

// Helm: an app's Helm chart whose default values render its plain synth (a capability, not a product).
export { HelmChart, HelmChartProps, HelmValue, HelmValueSchema, HelmValueSetting } from './helm/helm-chart';

// Products.
export { HiveMetastore, HiveMetastoreProps } from './hive/hive-metastore';
export { KafkaClientAuthentication, KafkaClientAuthenticationProps } from './kafka/kafka-client-authentication';
export { KafkaClientTlsVolumeOptions, KafkaCluster, KafkaClusterProps } from './kafka/kafka-cluster';
export { BUCKET_ACCESS, BucketAccess, BucketPolicy, MinioBucket, MinioBuckets, MinioBucketsProps, MinioUser } from './minio/minio-buckets';
export { MinioServer, MinioServerProps } from './minio/minio-server';
export { S3File, S3FileLoad, S3FileLoadProps } from './minio/s3-file-load';
export { NIFI_ADMIN_USERNAME, NIFI_PORTS, NifiCluster, NifiClusterProps, NifiStorage } from './nifi/nifi-cluster';
export { NifiFlow, NifiFlowProps } from './nifi/nifi-flow';
export {
  NIFI_CONTROLLER_SERVICES, NIFI_PROCESSORS, NifiComponentType, NifiConnectionOptions, NifiControllerService, NifiControllerServiceOptions,
  NifiFlowBuilder, NifiProcessor, NifiProcessorOptions, NifiPropertyValue,
} from './nifi/nifi-flow-builder';
export { OpaServer, OpaServerProps } from './opa/opa-server';
export { RegoBundle, RegoBundleProps } from './opa/rego-bundle';
export { ITrinoPolicy, TrinoPolicy, TrinoPolicyProps } from './opa/trino-policy';
export { PostgresDatabase, PostgresDatabaseProps } from './postgres/postgres-database';
export { IS3ConnectionRef, IS3Endpoint, S3Connection, S3ConnectionProps, S3Ref } from './s3/s3-connection';
export { S3CredentialsClass, S3CredentialsClassProps } from './s3/s3-credentials-class';
export { IS3Data } from './s3/s3-data';
export { SecretScope, TlsPemFileNames, TlsSecretFormat } from './secret-operator/secret-volume';
export { TlsTrustStore, TlsTrustStoreProps } from './secret-operator/tls-trust-store';
export { SparkCatalog, SparkJob, SparkJobFile, SparkJobProps, SparkJobVolume } from './spark/spark-job';
export { SupersetAssetsImport, SupersetAssetsImportProps, SupersetDatabasePassword } from './superset/assets-import';
export { SupersetBundle, TrinoConnection } from './superset/bundle';
export {
  adhocMetric, Aggregate, BigNumberOptions, ChartMetric, ChartOptions, CommonChartOptions, ComputedColumn,
  DashboardItem, DashboardOptions, DashboardRow, DatasetOptions, MixedSeries, MixedTimeseriesOptions, PieOptions,
  SavedMetric, SupersetBundleBuilder, SupersetChart, SupersetDashboard, SupersetDatabase, SupersetDataset,
  TableColumn, TimeGrain, timeseriesFormData, TimeseriesOptions,
} from './superset/bundle-builder';
export { TrinoDatabaseOptions, TrinoEndpoint, YamlObject, YamlValue } from './superset/bundle-yaml';
export { Superset, SupersetProps, SupersetSecretKey } from './superset/superset';
export {
  CatalogConnector, CatalogConnectorBinding, CatalogConnectorConfig, CatalogProperty, MetastoreConnector, MetastoreConnectorOptions,
  PostgresqlConnectorOptions, PostgresqlServer, TrinoCatalog, TrinoCatalogProps,
} from './trino/trino-catalog';
export { TrinoCluster, TrinoClusterProps, TrinoConfigOverrides, TrinoWorkerRoleGroup } from './trino/trino-cluster';
export { TrinoSqlJob, TrinoSqlJobProps } from './trino/trino-sql-job';
