/**
 * Tests of constructs/trino/trino-catalog.ts: Hive and Iceberg catalogs, their labels, their
 * position before the TrinoCluster, and prop validation.
 * Run: npx jest test/trino
 */
import { HiveMetastore } from '../../constructs/hive';
import { OpaServer, TrinoPolicy } from '../../constructs/opa';
import { PostgresDatabase } from '../../constructs/postgres';
import { S3Ref } from '../../constructs/s3';
import { CatalogConnector, TrinoCatalog, TrinoCluster } from '../../constructs/trino';
import { find, namespacedChart, ofKind, position, synth } from '../util';

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
});
