/**
 * The e2e suite's view of the demo (test/e2e/): the DemoChart synthesized in-process with the given
 * props, and what the cluster's secret-operator would write for each of its secret volumes (the
 * files by naming option and the DNS names of the certificate), computed with the library's own
 * runtime-contract helpers (constructs/secret-operator/secret-volume.ts), never re-typed.
 *
 * Usage: ts-node --transpile-only test/e2e/world.ts '<DemoChartProps as JSON>'
 *    or: ts-node --transpile-only test/e2e/world.ts --from-dir DIR   (the objects of the YAML files
 *        in DIR, e.g. an example app synthesized by scripts/synth-example.ts, instead of a DemoChart)
 * prints `{ "objects": [...], "secretVolumes": [{ where, volume, files, dnsNames }, ...],
 * "trinoCertificateNames": [...], "sparkHiveCatalogConf": { <metastore>: {...} },
 * "kafkaCertificateNames": { <KafkaCluster>: [...] } }` (the brokers' certificate names, kafkaBrokerCertificateNames; the coordinator
 * certificate's DNS names, `coordinatorCertificateNames`; per HiveMetastore of the DemoChart, the
 * Spark conf of `SparkCatalog.hive` on it, for a job the demo does not have).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing, Yaml } from 'cdk8s';
import { HiveMetastore } from '../../constructs/hive';
import { SparkCatalog } from '../../constructs/spark';
import { DemoChart, DemoChartProps } from '../../demos/spark-k8s-anomaly-detection-taxi-data/demo-chart';
import { SECRET_OPERATOR_STORAGE_CLASS, SecretScope, scopeAddresses, secretVolumeFilesByOption } from '../../constructs/secret-operator';
import { kafkaBrokerCertificateNames } from '../../constructs/kafka';
import { coordinatorCertificateNames } from '../../constructs/trino';
import { objectNamespace, Obj, podSites } from '../contract/runtime-contract';

/** The objects of every `*.yaml` file in `dir`, in file-name order. */
function objectsOfDir(dir: string): Obj[] {
  return fs.readdirSync(dir).filter(f => f.endsWith('.yaml')).sort()
    .flatMap(f => Yaml.load(path.join(dir, f)) as Obj[]).filter(o => o !== null && o !== undefined);
}

function main(): void {
  const chart: Chart | undefined = process.argv[2] === '--from-dir'
    ? undefined : new DemoChart(Testing.app(), 'demo', JSON.parse(process.argv[2] ?? '{}') as DemoChartProps);
  const objects = chart === undefined ? objectsOfDir(process.argv[3]) : Testing.synth(chart) as Obj[];
  const metastores = chart === undefined ? [] : chart.node.findAll().filter((c): c is HiveMetastore => c instanceof HiveMetastore);
  const sparkHiveCatalogConf = Object.fromEntries(metastores.map(m => [m.name, SparkCatalog.hive(m).conf]));
  const secretVolumes = [];
  for (const site of podSites(objects)) {
    for (const volume of site.spec.volumes ?? []) {
      const template = volume.ephemeral?.volumeClaimTemplate;
      if (template?.spec?.storageClassName !== SECRET_OPERATOR_STORAGE_CLASS) continue;
      const annotations: Record<string, string> = template.metadata?.annotations ?? {};
      const scope = annotations['secrets.stackable.tech/scope'];
      secretVolumes.push({
        where: site.where,
        volume: volume.name,
        files: secretVolumeFilesByOption(annotations),
        dnsNames: scope === undefined ? [] : scopeAddresses(SecretScope.parseAll(scope), { namespace: objectNamespace(site.owner) }),
      });
    }
  }
  const trino = objects.filter(o => o.kind === 'TrinoCluster');
  if (trino.length !== 1) throw new Error(`expected one TrinoCluster, found ${trino.length}`);
  const coordinators = trino[0].spec.coordinators;
  const roleGroups = Object.fromEntries(Object.entries(coordinators.roleGroups).map(([name, group]: [string, any]) => [name, group.replicas ?? 1]));
  const trinoCertificateNames = coordinatorCertificateNames(trino[0].metadata.name, objectNamespace(trino[0]),
    coordinators.roleConfig?.listenerClass ?? 'cluster-internal', roleGroups);
  // Per KafkaCluster, the DNS names of its brokers' server certificate (kafkaBrokerCertificateNames).
  const kafkaCertificateNames = Object.fromEntries(objects.filter(o => o.kind === 'KafkaCluster').map(k => {
    const brokers = k.spec.brokers ?? {};
    const roleGroups = Object.fromEntries(Object.entries(brokers.roleGroups ?? {}).map(([name, group]: [string, any]) => [name, group.replicas ?? 1]));
    return [k.metadata.name, kafkaBrokerCertificateNames(k.metadata.name, objectNamespace(k), brokers.config?.bootstrapListenerClass ?? 'cluster-internal',
      brokers.config?.brokerListenerClass ?? 'cluster-internal', roleGroups)];
  }));
  process.stdout.write(JSON.stringify({ objects, secretVolumes, trinoCertificateNames, sparkHiveCatalogConf, kafkaCertificateNames }));
}

main();
