/**
 * Synthesizes a chart with every catalog connector of constructs/trino/trino-catalog.ts and the
 * TrinoCluster settings the Stackable 26.7 stacks use (query memory limits, column masking off,
 * config overrides, worker role groups) into a folder, for the manifests suite: kube-check
 * validates it against the Stackable CRDs like the demos (scripts/test-manifests.sh).
 *
 *   npx ts-node --transpile-only test/trino/trino-catalogs-fixture.ts OUTDIR
 */
import { App, Chart, YamlOutputType } from 'cdk8s';
import { HiveMetastore } from '../../constructs/hive';
import { OpaServer, TrinoPolicy } from '../../constructs/opa';
import { PostgresDatabase } from '../../constructs/postgres';
import { S3Ref } from '../../constructs/s3';
import { CatalogConnector, CatalogConnectorConfig, CatalogProperty, TrinoCatalog, TrinoCluster } from '../../constructs/trino';

const outdir = process.argv[2];
if (outdir === undefined) throw new Error('trino-catalogs-fixture: usage: OUTDIR');
const app = new App({ outdir, outputFileExtension: '.yaml', yamlOutputType: YamlOutputType.FILE_PER_CHART });
const chart = new Chart(app, 'trino-catalogs', { namespace: 'trino-fixture' });

const s3 = S3Ref.fromConnectionName('minio');
const hive = new HiveMetastore(chart, 'Hive', { name: 'hive', database: new PostgresDatabase(chart, 'HiveDb', { name: 'pg-hive' }), s3 });
const sales = new PostgresDatabase(chart, 'SalesDb', { name: 'sales-db', networkPolicy: true });
const trino = new TrinoCluster(chart, 'Trino', {
  opa: new OpaServer(chart, 'Opa'), policy: new TrinoPolicy(chart, 'Policy'),
  queryMaxMemory: '10TB', queryMaxMemoryPerNode: '10GB', enableColumnMasking: false,
  coordinatorConfigOverrides: { 'config.properties': { 'http-server.authentication.oauth2.refresh-tokens': 'true' } },
  workerConfigOverrides: { 'config.properties': { 'task.concurrency': '8' } },
  workerRoleGroups: { small: { replicas: 2 }, large: { replicas: 1, resources: { cpuRequestMillis: 2000, cpuLimitMillis: 6000, memoryMi: 20480 } } },
});

/** A user-defined connector: the CRD's deltaLake, which has no factory. */
class DeltaLake extends CatalogConnector {
  public readonly kind = 'delta_lake';
  public bind(): CatalogConnectorConfig {
    return { deltaLake: { metastore: { configMap: hive.discoveryConfigMapName }, s3: s3.toSpec() } };
  }
}

const catalogs: Record<string, CatalogConnector> = {
  hive: CatalogConnector.hive(hive, s3),
  lakehouse: CatalogConnector.iceberg(hive, s3),
  hdfslake: CatalogConnector.iceberg(hive, undefined, { hdfsConfigMapName: 'hdfs' }),
  tpch: CatalogConnector.tpch(),
  tpcds: CatalogConnector.tpcds(),
  sink: CatalogConnector.blackHole(),
  sales: CatalogConnector.postgresql(sales, { parameters: { sslmode: 'disable' } }),
  erp: CatalogConnector.postgresqlServer({ host: 'erp.example.com', port: 6432, database: 'erp', credentialsSecretName: 'erp-reader' }),
  mysql: CatalogConnector.generic('mysql', {
    'connection-url': CatalogProperty.value('jdbc:mysql://mysql:3306'),
    'connection-user': CatalogProperty.fromSecret('mysql-credentials', 'username'),
    'connection-password': CatalogProperty.fromSecret('mysql-credentials', 'password'),
    'case-insensitive-name-matching': CatalogProperty.fromConfigMap('mysql-settings', 'case-insensitive'),
  }),
  delta: new DeltaLake(),
};
for (const [name, connector] of Object.entries(catalogs)) {
  new TrinoCatalog(chart, `Catalog-${name}`, { trino, name, connector, configOverrides: name === 'hdfslake' ? { 'hive.hdfs.impersonation.enabled': 'false' } : undefined });
}
app.synth();
