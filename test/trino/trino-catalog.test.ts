/**
 * Tests of constructs/trino/trino-catalog.ts: the connectors (Hive, Iceberg, TPC-H, TPC-DS, Black
 * Hole, PostgreSQL, generic, a user-defined one), catalog labels, configOverrides, the position
 * before the TrinoCluster, and prop validation.
 * Run: npx jest test/trino
 */
import { ApiObject } from 'cdk8s';
import { BoundCredentials, Credentials } from '../../constructs/core';
import { HiveMetastore } from '../../constructs/hive';
import { OpaServer, TrinoPolicy } from '../../constructs/opa';
import { PostgresDatabase } from '../../constructs/postgres';
import { S3Ref } from '../../constructs/s3';
import {
  CatalogConnector, CatalogConnectorBinding, CatalogConnectorConfig, CatalogProperty, TrinoCatalog, TrinoCluster,
} from '../../constructs/trino';
import { POSTGRESQL_SECRET_KEYS } from '../../constructs/trino/trino-catalog';
import { find, namespacedChart, ofKind, position, secretKeys, synth } from '../util';

function setup() {
  const chart = namespacedChart();
  const s3 = S3Ref.fromConnectionName('minio');
  const hive = new HiveMetastore(chart, 'Hive', { name: 'hive', database: new PostgresDatabase(chart, 'Db1', { name: 'pg-hive' }), s3 });
  const iceberg = new HiveMetastore(chart, 'Iceberg', { name: 'hive-iceberg', database: new PostgresDatabase(chart, 'Db2', { name: 'pg-iceberg' }), s3 });
  const trino = new TrinoCluster(chart, 'Trino', { opa: new OpaServer(chart, 'Opa'), policy: new TrinoPolicy(chart, 'Policy') });
  return { chart, s3, hive, iceberg, trino };
}

describe('TrinoCatalog', () => {
  it('connects a Hive and an Iceberg catalog to their metastores and the S3 connection', () => {
    const { chart, s3, hive, iceberg, trino } = setup();
    const h = new TrinoCatalog(chart, 'HiveCatalog', { trino, name: 'hive', connector: CatalogConnector.hive(hive, s3) });
    const p = new TrinoCatalog(chart, 'PredictionCatalog', { trino, name: 'prediction', connector: CatalogConnector.iceberg(iceberg, s3) });
    expect([h.kind, p.kind]).toEqual(['hive', 'iceberg']);
    const objs = synth(chart);
    expect(find(objs, 'TrinoCatalog', 'hive').spec).toEqual({ connector: { hive: { metastore: { configMap: 'hive' }, s3: { reference: 'minio' } } } });
    expect(find(objs, 'TrinoCatalog', 'prediction').spec).toEqual({ connector: { iceberg: { metastore: { configMap: 'hive-iceberg' }, s3: { reference: 'minio' } } } });
    for (const name of ['hive', 'prediction']) {
      const catalog = find(objs, 'TrinoCatalog', name);
      expect(catalog.metadata.labels).toEqual(trino.catalogLabels);
      // The metastore's discovery ConfigMap is the HiveCluster's name.
      const connector = catalog.spec.connector.hive ?? catalog.spec.connector.iceberg;
      expect(find(objs, 'HiveCluster', connector.metastore.configMap)).toBeDefined();
    }
  });

  it('puts every catalog before the TrinoCluster, also catalogs added after it', () => {
    const { chart, s3, hive, iceberg, trino } = setup();
    new TrinoCatalog(chart, 'HiveCatalog', { trino, name: 'hive', connector: CatalogConnector.hive(hive, s3) });
    new TrinoCatalog(chart, 'PredictionCatalog', { trino, name: 'prediction', connector: CatalogConnector.iceberg(iceberg, s3) });
    const objs = synth(chart);
    expect(ofKind(objs, 'TrinoCatalog')).toHaveLength(2);
    const cluster = position(objs, 'TrinoCluster', 'trino');
    expect(position(objs, 'TrinoCatalog', 'hive')).toBeLessThan(cluster);
    expect(position(objs, 'TrinoCatalog', 'prediction')).toBeLessThan(cluster);
  });

  it('exposes the connector kind and metastore', () => {
    const { s3, hive, iceberg } = setup();
    expect(CatalogConnector.hive(hive, s3)).toMatchObject({ kind: 'hive', metastore: hive });
    expect(CatalogConnector.iceberg(iceberg, s3)).toMatchObject({ kind: 'iceberg', metastore: iceberg });
  });

  describe('rejects bad props', () => {
    const build = (name: string) => () => {
      const { chart, s3, hive, trino } = setup();
      return new TrinoCatalog(chart, 'Catalog', { trino, name, connector: CatalogConnector.hive(hive, s3) });
    };
    it("a name with '-' (unquoted in SQL)", () => {
      expect(build('hive-raw')).toThrow(/TrinoCatalog Catalog: name "hive-raw" must not contain '-'/);
    });
    it('a name with upper-case letters', () => {
      expect(build('Hive')).toThrow(/TrinoCatalog Catalog: name "Hive" is not a valid name/);
    });
    it('an empty name', () => {
      expect(build('')).toThrow(/TrinoCatalog Catalog: name "" is not a valid name/);
    });
  });
  it('writes the stacks\' benchmark connectors tpch and tpcds, and blackHole', () => {
    const { chart, trino } = setup();
    const tpch = new TrinoCatalog(chart, 'Tpch', { trino, name: 'tpch', connector: CatalogConnector.tpch() });
    const tpcds = new TrinoCatalog(chart, 'Tpcds', { trino, name: 'tpcds', connector: CatalogConnector.tpcds() });
    const sink = new TrinoCatalog(chart, 'Sink', { trino, name: 'sink', connector: CatalogConnector.blackHole() });
    expect([tpch.kind, tpcds.kind, sink.kind]).toEqual(['tpch', 'tpcds', 'blackhole']);
    const objs = synth(chart);
    expect(find(objs, 'TrinoCatalog', 'tpch').spec).toEqual({ connector: { tpch: {} } });
    expect(find(objs, 'TrinoCatalog', 'tpcds').spec).toEqual({ connector: { tpcds: {} } });
    expect(find(objs, 'TrinoCatalog', 'sink').spec).toEqual({ connector: { blackHole: {} } });
    expect(find(objs, 'TrinoCatalog', 'tpch').metadata.labels).toEqual(trino.catalogLabels);
  });

  it('reads Iceberg tables in HDFS, with catalog configOverrides (the end-to-end-security stack)', () => {
    const { chart, iceberg, trino } = setup();
    new TrinoCatalog(chart, 'Lakehouse', {
      trino, name: 'lakehouse', connector: CatalogConnector.iceberg(iceberg, undefined, { hdfsConfigMapName: 'hdfs' }),
      configOverrides: { 'hive.hdfs.authentication.type': 'KERBEROS' },
    });
    expect(find(synth(chart), 'TrinoCatalog', 'lakehouse').spec).toEqual({
      connector: { iceberg: { metastore: { configMap: 'hive-iceberg' }, hdfs: { configMap: 'hdfs' } } },
      configOverrides: { 'hive.hdfs.authentication.type': 'KERBEROS' },
    });
  });

  it('connects to a PostgresDatabase of the chart and lets the Trino pods through its NetworkPolicy', () => {
    const chart = namespacedChart();
    const db = new PostgresDatabase(chart, 'SalesDb', { name: 'sales-db', database: 'sales', networkPolicy: true });
    const trino = new TrinoCluster(chart, 'Trino', { opa: new OpaServer(chart, 'Opa'), policy: new TrinoPolicy(chart, 'Policy') });
    const catalog = new TrinoCatalog(chart, 'Sales', { trino, name: 'sales', connector: CatalogConnector.postgresql(db, { parameters: { sslmode: 'disable' } }) });
    expect(catalog.kind).toBe('postgresql');
    const objs = synth(chart);
    expect(find(objs, 'TrinoCatalog', 'sales').spec).toEqual({
      connector: { postgresql: { host: 'sales-db.ns.svc.cluster.local', port: 5432, database: 'sales', credentialsSecretName: 'sales-db-credentials', parameters: { sslmode: 'disable' } } },
    });
    // operator-rs stackable-operator-0.113.3 database_connections/helpers.rs: the connector reads `username` and `password`.
    expect(POSTGRESQL_SECRET_KEYS).toEqual({ username: 'username', password: 'password' });
    expect(secretKeys(objs, 'sales-db-credentials').sort()).toEqual(Object.values(POSTGRESQL_SECRET_KEYS).sort());
    const ingress = find(objs, 'NetworkPolicy', 'sales-db').spec.ingress;
    expect(ingress).toContainEqual(expect.objectContaining({ from: [{ podSelector: { matchLabels: trino.podSelector } }] }));
  });

  it('connects to a PostgreSQL server outside the chart by address and credentials Secret', () => {
    const { chart, trino } = setup();
    new TrinoCatalog(chart, 'Erp', {
      trino, name: 'erp', connector: CatalogConnector.postgresqlServer({ host: 'erp.example.com', database: 'erp', credentialsSecretName: 'erp-reader' }),
    });
    expect(find(synth(chart), 'TrinoCatalog', 'erp').spec).toEqual({
      connector: { postgresql: { host: 'erp.example.com', database: 'erp', credentialsSecretName: 'erp-reader' } },
    });
  });

  it('configures any Trino connector through generic, with literal, Secret and ConfigMap properties', () => {
    const { chart, trino } = setup();
    const mysql = CatalogConnector.generic('mysql', {
      'connection-url': CatalogProperty.value('jdbc:mysql://mysql:3306'),
      'connection-user': CatalogProperty.fromSecret('mysql-credentials', 'username'),
      'connection-password': CatalogProperty.fromSecret('mysql-credentials', 'password'),
      'case-insensitive-name-matching': CatalogProperty.fromConfigMap('mysql-settings', 'case-insensitive'),
    });
    const catalog = new TrinoCatalog(chart, 'Mysql', { trino, name: 'mysql', connector: mysql });
    expect(catalog.kind).toBe('mysql');
    expect(find(synth(chart), 'TrinoCatalog', 'mysql').spec.connector).toEqual({
      generic: {
        connectorName: 'mysql',
        properties: {
          'connection-url': { value: 'jdbc:mysql://mysql:3306' },
          'connection-user': { valueFromSecret: { name: 'mysql-credentials', key: 'username' } },
          'connection-password': { valueFromSecret: { name: 'mysql-credentials', key: 'password' } },
          'case-insensitive-name-matching': { valueFromConfigMap: { name: 'mysql-settings', key: 'case-insensitive' } },
        },
      },
    });
    new TrinoCatalog(chart, 'Memory', { trino, name: 'memory', connector: CatalogConnector.generic('memory') });
    expect(find(synth(chart), 'TrinoCatalog', 'memory').spec.connector).toEqual({ generic: { connectorName: 'memory', properties: {} } });
  });

  it('takes a user-defined connector class: bind() gets the catalog and its cluster, its JSON is written as is', () => {
    // The CRD's deltaLake connector, which the library has no factory for.
    class DeltaLake extends CatalogConnector {
      public readonly kind = 'delta_lake';
      public bound?: CatalogConnectorBinding;
      constructor(private readonly metastore: HiveMetastore) { super(); }
      public bind(binding: CatalogConnectorBinding): CatalogConnectorConfig {
        this.bound = binding;
        return { deltaLake: { metastore: { configMap: this.metastore.discoveryConfigMapName }, s3: { reference: 'minio' }, futureField: { kept: true } } };
      }
    }
    const { chart, hive, trino } = setup();
    const delta = new DeltaLake(hive);
    const catalog = new TrinoCatalog(chart, 'Delta', { trino, name: 'delta', connector: delta });
    expect(delta.bound).toEqual({ catalog, catalogName: 'delta', trino });
    expect(catalog.kind).toBe('delta_lake');
    expect(find(synth(chart), 'TrinoCatalog', 'delta').spec).toEqual({
      connector: { deltaLake: { metastore: { configMap: 'hive' }, s3: { reference: 'minio' }, futureField: { kept: true } } },
    });
    expect(ApiObject.of(catalog)).toBe(catalog.resource);
  });

  describe('rejects bad connectors', () => {
    it('a user-defined connector that returns no or several connector keys', () => {
      class Broken extends CatalogConnector {
        public readonly kind = 'broken';
        constructor(private readonly spec: CatalogConnectorConfig) { super(); }
        public bind(): CatalogConnectorConfig { return this.spec; }
      }
      const { chart, trino } = setup();
      expect(() => new TrinoCatalog(chart, 'A', { trino, name: 'a', connector: new Broken({}) })).toThrow(/TrinoCatalog A: connector \(Broken, kind "broken"\) gave spec.connector the keys \[\]: it takes exactly one connector key/);
      expect(() => new TrinoCatalog(chart, 'B', { trino, name: 'b', connector: new Broken({ tpch: {}, tpcds: {} }) })).toThrow(/keys \[tpch, tpcds\]/);
    });
    it('a metastore catalog without storage', () => {
      const { hive } = setup();
      expect(() => CatalogConnector.hive(hive)).toThrow(/CatalogConnector.hive: the catalog of test\/Hive has no storage: give s3 or options.hdfsConfigMapName/);
      expect(() => CatalogConnector.iceberg(hive, undefined, { hdfsConfigMapName: 'HDFS' })).toThrow(/CatalogConnector.iceberg: options.hdfsConfigMapName "HDFS" is not a valid object name/);
    });
    it('a PostgresDatabase whose Secret lacks the keys username and password', () => {
      const chart = namespacedChart();
      const db = new PostgresDatabase(chart, 'Db', { credentials: Credentials.fromSecret('pg', 'app') });
      // PostgresDatabase always binds username/password; a subclass or a later change might not.
      Object.defineProperty(db, 'credentials', { value: new BoundCredentials('pg', 'app', 'pw', 'user') });
      expect(() => CatalogConnector.postgresql(db)).toThrow(/CatalogConnector.postgresql: the credentials Secret "pg" of test\/Db has the keys "user" and "pw"; the postgresql connector reads "username" and "password"/);
    });
    it('bad PostgreSQL server settings', () => {
      const server = { host: 'pg', database: 'db', credentialsSecretName: 'pg-credentials' };
      expect(() => CatalogConnector.postgresqlServer({ ...server, host: 'pg host' })).toThrow(/CatalogConnector.postgresqlServer: host "pg host" is not a host name or IPv4 address/);
      expect(() => CatalogConnector.postgresqlServer({ ...server, port: 70000 })).toThrow(/CatalogConnector.postgresqlServer: port 70000 must be an integer between 1 and 65535/);
      expect(() => CatalogConnector.postgresqlServer({ ...server, database: 'a/b' })).toThrow(/database "a\/b" must not contain/);
      expect(() => CatalogConnector.postgresqlServer({ ...server, credentialsSecretName: 'PG' })).toThrow(/credentialsSecretName "PG" is not a valid object name/);
      expect(() => CatalogConnector.postgresqlServer({ ...server, parameters: { 'a&b': '1' } })).toThrow(/parameters key "a&b" must be non-empty/);
      expect(() => CatalogConnector.postgresqlServer({ ...server, parameters: { ssl: 'a&b' } })).toThrow(/parameters.ssl "a&b" must not contain/);
    });
    it('bad generic connectors and properties', () => {
      expect(() => CatalogConnector.generic('')).toThrow(/CatalogConnector.generic: connectorName "" must be a non-empty string/);
      expect(() => CatalogConnector.generic('my sql')).toThrow(/CatalogConnector.generic: connectorName "my sql" must not contain whitespace/);
      expect(() => CatalogConnector.generic('mysql', { 'connector.name': CatalogProperty.value('x') })).toThrow(/properties key "connector.name" is set from connectorName \("mysql"\)/);
      expect(() => CatalogConnector.generic('mysql', { 'a b': CatalogProperty.value('x') })).toThrow(/properties key "a b" is not a property name/);
      expect(() => CatalogProperty.fromSecret('Creds', 'k')).toThrow(/CatalogProperty.fromSecret: secretName "Creds" is not a valid object name/);
      expect(() => CatalogProperty.fromConfigMap('cm', 'a/b')).toThrow(/CatalogProperty.fromConfigMap: key "a\/b" is not a valid Secret or ConfigMap key/);
    });
    it('a configOverrides key that is no property name', () => {
      const { chart, trino } = setup();
      expect(() => new TrinoCatalog(chart, 'C', { trino, name: 'c', connector: CatalogConnector.tpch(), configOverrides: { 'a=b': 'x' } })).toThrow(/TrinoCatalog C: configOverrides key "a=b" is not a property name/);
    });
  });
});
