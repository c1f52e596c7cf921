/**
 * Tests of the example app demos/data-lakehouse-iceberg-trino-spark's batch half: which files its
 * loads fetch and where they go, the tables' statements, the errors of its dataset props, and the
 * wiring in its committed dist/ (which the manifests suite keeps equal to a fresh synthesis). The
 * Jobs and statements run for real in the e2e suite (test/demos/data-lakehouse-iceberg-trino-spark/).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Testing } from 'cdk8s';
import { parseManifests } from '../../scripts/lib/manifests';
import { BATCH_COLUMNS, batchTableStatements, LAKEHOUSE_TABLES, MATERIALIZED_VIEWS, STAGING_TABLES, stagingFolder } from '../../demos/data-lakehouse-iceberg-trino-spark/batch-tables';
import { datasetLoads, DEFAULT_DATASETS, REFERENCE_DATASETS, STACKABLE_DATASETS_MIRROR } from '../../demos/data-lakehouse-iceberg-trino-spark/datasets';
import { LakehouseChart } from '../../demos/data-lakehouse-iceberg-trino-spark/lakehouse-chart';
import { lakehouseDashboardBundle } from '../../demos/data-lakehouse-iceberg-trino-spark/lakehouse-dashboard';
import { baseName, container, envValue, K8sObject, ofKind, podSpec } from '../util';

const DIST = path.join(__dirname, '..', '..', 'demos', 'data-lakehouse-iceberg-trino-spark', 'dist', 'data-lakehouse-iceberg-trino-spark.k8s.yaml');
const objs = parseManifests(fs.readFileSync(DIST, 'utf8')) as unknown as K8sObject[];
const TARGET = { staging: { catalog: 'staging', bucket: 'staging' }, lakehouse: { catalog: 'lakehouse', bucket: 'lakehouse' } };

describe('data-lakehouse: batch datasets', () => {
  it('loads the reference\'s file names from Stackable\'s mirror, keyed by their staging table\'s folder', () => {
    const loads = datasetLoads('t', REFERENCE_DATASETS);
    const keys = loads.flatMap(l => l.files.map(f => `${l.prefix}${f.key}`));
    const urls = loads.flatMap(l => l.files.map(f => f.url));
    expect(urls.every(u => u.startsWith(STACKABLE_DATASETS_MIRROR))).toBe(true);
    // The reference's load-test-data.yaml: 1 postcode file, 17 years, 1 + 1 + 3 single files, 18 + 100 + 22 months.
    expect(keys).toHaveLength(1 + 17 + 1 + 1 + 3 + 18 + 100 + 22);
    expect(urls).toContain(`${STACKABLE_DATASETS_MIRROR}datasets/uk-house-sales/uk-house-sales-2005.csv`);
    expect(urls).toContain(`${STACKABLE_DATASETS_MIRROR}earthquake-data/earthquakes_1950_to_2022.csv`);
    expect(urls).toContain(`${STACKABLE_DATASETS_MIRROR}ny-taxi-data/yellow_tripdata_2023-04.parquet`);
    expect(keys).toContain('taxi/fhvhv-tripdata/fhvhv_tripdata_2020-09.parquet');
    expect(keys).toContain('house-sales/postcode-geo-lookup/open-postcode-geo.csv');
    // Every staging table reads a folder that gets at least one file, and every file is in a table's folder.
    const folders = STAGING_TABLES.map(stagingFolder);
    for (const folder of folders) expect(keys.some(k => k.startsWith(folder))).toBe(true);
    for (const key of keys) expect(folders.filter(f => key.startsWith(f))).toHaveLength(1);
  });

  it('loads fewer months by default, and a mirror replaces the base URL', () => {
    const loads = datasetLoads('t', { baseUrl: 'http://mirror.example/misc/' });
    const files = loads.flatMap(l => l.files);
    expect(files.filter(f => f.key?.startsWith('yellow-tripdata/'))).toHaveLength(DEFAULT_DATASETS.yellowMonths.length);
    expect(files.filter(f => f.key?.startsWith('house-sales/'))).toHaveLength(3);
    expect(files.every(f => f.url.startsWith('http://mirror.example/misc/'))).toBe(true);
  });

  it('refuses bad dataset props, naming the prop and what is allowed', () => {
    expect(() => datasetLoads('o', { houseSalesYears: [1990] })).toThrow(/o: datasets.houseSalesYears has 1990; allowed: whole years from 1995/);
    expect(() => datasetLoads('o', { houseSalesYears: [2020, 2020] })).toThrow(/names a year twice/);
    expect(() => datasetLoads('o', { houseSalesYears: [] })).toThrow(/datasets.houseSalesYears must name at least one year/);
    expect(() => datasetLoads('o', { yellowMonths: [] })).toThrow(/datasets.yellowMonths must name at least one month/);
    expect(() => datasetLoads('o', { greenMonths: ['2021-13'] })).toThrow(/months/);
    expect(() => datasetLoads('o', { baseUrl: 'ftp://x/' })).toThrow(/datasets.baseUrl/);
    expect(() => new LakehouseChart(Testing.app(), 'l', { datasets: { fhvhvMonths: [] } })).toThrow(/LakehouseChart l: datasets.fhvhvMonths/);
  });
});

describe('data-lakehouse: batch tables', () => {
  const statements = batchTableStatements(TARGET);

  it('creates the reference\'s schemas, ten staging tables over their folders, four lakehouse tables and two materialized views', () => {
    expect(statements.filter(s => s.startsWith('CREATE SCHEMA IF NOT EXISTS staging.'))).toHaveLength(4);
    expect(statements).toContain("CREATE SCHEMA IF NOT EXISTS lakehouse.smart_city WITH (location = 's3a://lakehouse/smart-city/')");
    for (const t of STAGING_TABLES) {
      const ddl = statements.find(s => s.startsWith(`CREATE TABLE IF NOT EXISTS staging.${t} (`));
      expect(ddl).toContain(`external_location = 's3a://staging/${stagingFolder(t)}'`);
    }
    expect(STAGING_TABLES).toHaveLength(10);
    for (const t of LAKEHOUSE_TABLES) {
      expect(statements.some(s => s.startsWith(`CREATE TABLE IF NOT EXISTS lakehouse.${t} `))).toBe(true);
      expect(statements).toContain(`SELECT CASE WHEN count(*) > 0 THEN count(*) ELSE fail('no rows in lakehouse.${t}: are the staging files loaded?') END AS rows FROM lakehouse.${t}`);
    }
    for (const v of MATERIALIZED_VIEWS) {
      const create = statements.findIndex(s => s.startsWith(`CREATE OR REPLACE MATERIALIZED VIEW lakehouse.${v} AS`));
      expect(create).toBeGreaterThan(statements.findIndex(s => s.startsWith('CREATE TABLE IF NOT EXISTS lakehouse.taxi.yellow_tripdata ')));
      expect(statements.indexOf(`REFRESH MATERIALIZED VIEW lakehouse.${v}`)).toBeGreaterThan(create);
    }
  });

  it('reads CSV as varchar with the reference\'s quoting, skipping header lines only where the files have them', () => {
    const ddl = (t: string) => statements.find(s => s.startsWith(`CREATE TABLE IF NOT EXISTS staging.${t} (`))!;
    expect(ddl('house_sales.house_sales')).toContain("csv_escape = '\\'");
    expect(ddl('house_sales.house_sales')).not.toContain('skip_header_line_count');
    expect(ddl('earthquakes.earthquakes')).toContain('skip_header_line_count = 1');
    expect(ddl('earthquakes.earthquakes')).toMatch(/^ {2}mag varchar,$/m);
    expect(ddl('taxi.yellow_tripdata')).toMatch(/^ {2}tpep_pickup_datetime TIMESTAMP,$/m);
    expect(ddl('taxi.yellow_tripdata')).toContain("format = 'parquet'");
  });

  it('declares columns for every lakehouse object the dashboards read', () => {
    expect(Object.keys(BATCH_COLUMNS).sort()).toEqual([...LAKEHOUSE_TABLES, ...MATERIALIZED_VIEWS].sort());
    expect(BATCH_COLUMNS['smart_city.e_charging_stations']).toHaveLength(27);
    expect(BATCH_COLUMNS['earthquakes.earthquakes']).toHaveLength(22);
  });
});

describe('data-lakehouse: wiring in dist/', () => {
  const jobs = ofKind(objs, 'Job');
  const loads = jobs.filter(j => j.metadata.labels?.['app.kubernetes.io/name'] === 's3-file-load');

  it('has one load Job per staging schema into bucket staging, and the tables Job waits for all of them', () => {
    expect(loads.map(baseName).sort()).toEqual(['load-earthquakes', 'load-house-sales', 'load-smart-city', 'load-taxi']);
    for (const j of loads) expect(envValue(container(podSpec(j), 'load'), 'TARGET')).toMatch(/^https:\/\/minio\.data-lakehouse\.svc\.cluster\.local:9000\/staging\/[a-z-]+\/$/);
    const tables = jobs.find(j => j.metadata.name.startsWith('create-tables-in-trino-'))!;
    const waits = (podSpec(tables).initContainers ?? []).filter((c: { name: string }) => c.name.startsWith('wait-for-data'));
    expect(waits).toHaveLength(4);
  });

  it('has the stack\'s two metastores, each on its own PostgreSQL, and the catalogs staging and lakehouse on them', () => {
    const hives = ofKind(objs, 'HiveCluster');
    expect(hives.map(h => [h.metadata.name, (h.spec as any).clusterConfig.metadataDatabase.postgresql.host])).toEqual(
      expect.arrayContaining([['hive', 'postgresql-hive.data-lakehouse.svc.cluster.local'], ['hive-iceberg', 'postgresql-hive-iceberg.data-lakehouse.svc.cluster.local']]));
    const catalogs = Object.fromEntries(ofKind(objs, 'TrinoCatalog').map(c => [c.metadata.name, (c.spec as any).connector]));
    expect(catalogs.staging.hive.metastore.configMap).toBe('hive');
    expect(catalogs.lakehouse.iceberg.metastore.configMap).toBe('hive-iceberg');
  });

  it('imports six dashboards with 22 charts', () => {
    const bundle = lakehouseDashboardBundle({ trino: new LakehouseChart(Testing.app(), 'l').trino, catalog: 'lakehouse', caFile: '/ca.crt' });
    const files = Object.keys(bundle.files);
    expect(files.filter(f => f.startsWith('dashboards/'))).toHaveLength(6);
    expect(files.filter(f => f.startsWith('charts/'))).toHaveLength(22);
  });

  it('synthesizes without error with the reference\'s datasets', () => {
    const app = new App();
    expect(() => new LakehouseChart(app, 'l', { datasets: REFERENCE_DATASETS, minioStorageGi: 200 })).not.toThrow();
  });
});
