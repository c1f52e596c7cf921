/**
 * Escape hatches: cdk8s's `ApiObject.of(construct)` (the construct's default child, id `Resource`)
 * works for every construct of the library, and constructs that write several objects expose the
 * others as typed properties. Checked on the default demo, which uses every construct but
 * SparkJob's siblings, plus the constructs it does not use (TrinoSqlJob, KafkaCluster).
 */
import { ApiObject, JsonPatch, Testing } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as lib from '../constructs';
import { DemoChart } from '../demos/spark-k8s-anomaly-detection-taxi-data/demo-chart';
import { find, synth } from './util';

/** The construct classes the package exports. */
const CLASSES = Object.entries(lib).filter(([, v]) => typeof v === 'function' && v.prototype instanceof Construct) as Array<[string, new (...a: any[]) => Construct]>;

describe('escape hatches', () => {
  const chart = new DemoChart(Testing.app(), 'demo', { namespace: 'hatch', networkPolicies: true });
  const all: IConstruct[] = chart.node.findAll();

  // With the constructs the demo does not use: a TrinoSqlJob, a KafkaCluster (and the
  // KafkaClientAuthentication it creates), a NifiCluster and a NifiFlow.
  const trust = all.find((c): c is lib.TlsTrustStore => c instanceof lib.TlsTrustStore)!;
  new lib.TrinoSqlJob(chart, 'Sql', { trino: chart.trino, trust, statements: ['SELECT 1'] });
  new lib.KafkaCluster(chart, 'Kafka');
  const nifi = new lib.NifiCluster(chart, 'Nifi');
  const flow = new lib.NifiFlowBuilder('Hatch');
  flow.addProcessor('Generate', lib.NIFI_PROCESSORS.generateFlowFile, { autoTerminate: ['success'] });
  new lib.NifiFlow(chart, 'Flow', { nifi, trust, flow });
  all.push(...chart.node.findAll().filter(c => !all.includes(c)));

  test.each(CLASSES.filter(([name]) => name !== 'DemoChart'))('ApiObject.of(%s) is the object it writes', (_, cls) => {
    const instances = all.filter(c => c instanceof cls && c !== chart);
    expect(instances.length).toBeGreaterThan(0);
    for (const c of instances) {
      const obj = ApiObject.of(c);
      expect(obj).toBeInstanceOf(ApiObject);
      expect(obj.node.id).toBe('Resource');
    }
  });

  test('constructs that write several objects expose each as a typed property', () => {
    const objs = synth(chart);
    const minio = all.find((c): c is lib.MinioServer => c instanceof lib.MinioServer)!;
    expect([minio.deployment.kind, minio.service.kind, minio.volumeClaim.kind]).toEqual(['Deployment', 'Service', 'PersistentVolumeClaim']);
    expect(ApiObject.of(minio)).toBe(minio.deployment);
    const pg = all.find((c): c is lib.PostgresDatabase => c instanceof lib.PostgresDatabase)!;
    expect([pg.statefulSet.kind, pg.service.kind, pg.headlessService.kind]).toEqual(['StatefulSet', 'Service', 'Service']);
    expect(ApiObject.of(chart.trino)).toBe(chart.trino.cluster);
    expect(chart.trino.authenticationClass.kind).toBe('AuthenticationClass');
    const superset = all.find((c): c is lib.Superset => c instanceof lib.Superset)!;
    expect(ApiObject.of(superset)).toBe(superset.cluster);
    expect(superset.secretKeySecret).toBeUndefined(); // the operator's key by default
    const policy = all.find((c): c is lib.TrinoPolicy => c instanceof lib.TrinoPolicy)!;
    expect(ApiObject.of(policy)).toBe(ApiObject.of(policy.bundle.configMap));
    const kafka = all.find((c): c is lib.KafkaCluster => c instanceof lib.KafkaCluster)!;
    expect(ApiObject.of(kafka)).toBe(kafka.resource);
    expect(ApiObject.of(kafka.clientAuthentication)).toBe(kafka.clientAuthentication.resource);
    expect(kafka.clientAuthentication.resource.kind).toBe('AuthenticationClass');
    const sql = all.find((c): c is lib.TrinoSqlJob => c instanceof lib.TrinoSqlJob)!;
    expect(ApiObject.of(sql)).toBe(sql.job);
    expect(find(objs, 'ConfigMap', sql.statementsConfigMap.name).data['statements.sql']).toBe('SELECT 1;\n');
    const nifi = all.find((c): c is lib.NifiCluster => c instanceof lib.NifiCluster)!;
    expect(ApiObject.of(nifi)).toBe(nifi.resource);
    expect(nifi.authenticationClass.kind).toBe('AuthenticationClass');
    const nifiFlow = all.find((c): c is lib.NifiFlow => c instanceof lib.NifiFlow)!;
    expect(ApiObject.of(nifiFlow)).toBe(nifiFlow.job);
    expect(JSON.parse(find(objs, 'ConfigMap', nifiFlow.configMap.name).data['flow.json'])).toEqual(nifiFlow.definition);
    for (const j of all.filter((c): c is lib.MinioBuckets | lib.S3FileLoad | lib.SupersetAssetsImport => c instanceof lib.MinioBuckets || c instanceof lib.S3FileLoad || c instanceof lib.SupersetAssetsImport)) {
      expect(ApiObject.of(j)).toBe(j.job);
    }
  });

  test('a JSON patch on ApiObject.of(trino) reaches the TrinoCluster (a field no prop offers)', () => {
    const app = Testing.app();
    const demo = new DemoChart(app, 'demo', { namespace: 'hatch' });
    ApiObject.of(demo.trino).addJsonPatch(JsonPatch.add('/spec/clusterConfig/tls', { serverSecretClass: 'tls', internalSecretClass: 'tls' }));
    expect(find(synth(demo), 'TrinoCluster', 'trino').spec.clusterConfig.tls).toEqual({ serverSecretClass: 'tls', internalSecretClass: 'tls' });
  });
});
