/**
 * System requirements of the demo, computed from synthesized manifests: every pod we write
 * (Deployments and StatefulSets × replicas, one pod per Job) and every pod the Stackable 26.7
 * operators create from our custom resources (with the sidecars and init containers they add),
 * plus the operators' own pods. A pod needs max(sum of its containers, largest init container),
 * as the scheduler counts it. The README's "System requirements" are this script's output; the
 * cluster suite checks that they agree and schedules the pods on kwok nodes of that size.
 *
 *   npx --no-install ts-node --transpile-only test/cluster/requirements.ts DIR [--json FILE]
 *
 * prints the table and the summary line; `--json` writes the operator-created pods (name,
 * requests, limits) for the suite to place as stand-ins next to the pods it applies.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runMain } from '../../scripts/lib/cli';
import { Manifest, parseManifests } from '../../scripts/synth-helm';

/** CPU in millicores, memory and ephemeral storage in MiB. */
export interface Amounts { cpu: number; memory: number; ephemeral: number }
/** A container's (or a whole pod's) requests and limits. */
export interface Need { requests: Amounts; limits: Amounts }
/** A pod, how many of it run, and where its numbers come from. */
export interface PodNeed extends Need { name: string; count: number; source: string; perNode?: boolean }

const ZERO: Amounts = { cpu: 0, memory: 0, ephemeral: 0 };

/** Kubernetes quantity → millicores (cpu) or MiB (memory, storage). */
export function quantity(q: unknown, unit: 'cpu' | 'mib'): number {
  if (q === undefined || q === null) return 0;
  const s = String(q);
  const m = /^([0-9.]+)(m|Ki|Mi|Gi|Ti|k|M|G)?$/.exec(s);
  if (!m) throw new Error(`requirements: cannot read quantity ${JSON.stringify(s)}`);
  const v = Number(m[1]);
  if (unit === 'cpu') return m[2] === 'm' ? v : v * 1000;
  const factor: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024, k: 1000 / 1048576, M: 1e6 / 1048576, G: 1e9 / 1048576 };
  return m[2] === undefined ? v / 1048576 : v * factor[m[2]];
}

function amounts(r: Record<string, unknown> | undefined): Amounts {
  return { cpu: quantity(r?.cpu, 'cpu'), memory: quantity(r?.memory, 'mib'), ephemeral: quantity(r?.['ephemeral-storage'], 'mib') };
}
const add = (a: Amounts, b: Amounts): Amounts => ({ cpu: a.cpu + b.cpu, memory: a.memory + b.memory, ephemeral: a.ephemeral + b.ephemeral });
const max = (a: Amounts, b: Amounts): Amounts => ({ cpu: Math.max(a.cpu, b.cpu), memory: Math.max(a.memory, b.memory), ephemeral: Math.max(a.ephemeral, b.ephemeral) });
const times = (a: Amounts, n: number): Amounts => ({ cpu: a.cpu * n, memory: a.memory * n, ephemeral: a.ephemeral * n });

/** A container of fixed size: `cpu` request-limit in millicores, memory (request = limit) in MiB. */
function fixed(cpuRequest: number, cpuLimit: number, memory: number): Need {
  return { requests: { cpu: cpuRequest, memory, ephemeral: 0 }, limits: { cpu: cpuLimit, memory, ephemeral: 0 } };
}

/** What a pod needs, from its containers and init containers (the scheduler's rule). */
export function podNeed(containers: Need[], initContainers: Need[] = []): Need {
  const sum = (k: 'requests' | 'limits') => containers.reduce((acc, c) => add(acc, c[k]), ZERO);
  const init = (k: 'requests' | 'limits') => initContainers.reduce((acc, c) => max(acc, c[k]), ZERO);
  return { requests: max(sum('requests'), init('requests')), limits: max(sum('limits'), init('limits')) };
}

function containerNeed(c: { resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> } }): Need {
  const limits = amounts(c.resources?.limits);
  const requests = amounts(c.resources?.requests);
  // Kubernetes defaults a missing request to the limit. A missing limit (a CPU request only) stays 0
  // in the limits column: unbounded, not summed; the README sums requests only.
  return { requests: { cpu: requests.cpu || limits.cpu, memory: requests.memory || limits.memory, ephemeral: requests.ephemeral || limits.ephemeral }, limits };
}

/**
 * A Stackable `resources` block → the main container's requirements: cpu.min is the request,
 * cpu.max the limit, memory.limit both request and limit
 * (operator-rs stackable-operator-0.113.3, crates/stackable-operator/src/commons/resources.rs,
 * `impl Into<ResourceRequirements> for Resources`; the version the 26.7.0 operators build with).
 */
export function stackableNeed(r: { cpu?: { min?: string; max?: string }; memory?: { limit?: string } } | undefined): Need {
  const memory = quantity(r?.memory?.limit, 'mib');
  return {
    requests: { cpu: quantity(r?.cpu?.min, 'cpu'), memory, ephemeral: 0 },
    limits: { cpu: quantity(r?.cpu?.max, 'cpu'), memory, ephemeral: 0 },
  };
}

type Obj = Manifest & { metadata: { name: string }; spec: any };

/** The pods we write: Deployments and StatefulSets (× replicas) and one pod per Job. */
export function ownPods(objs: Obj[]): PodNeed[] {
  return objs.filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind as string)).map((o) => {
    const pod = o.spec.template.spec;
    return {
      name: `${o.kind} ${o.metadata.name}`,
      count: o.kind === 'Job' ? 1 : o.spec.replicas ?? 1,
      source: 'dist/',
      ...podNeed((pod.containers ?? []).map(containerNeed), (pod.initContainers ?? []).map(containerNeed)),
    };
  });
}

// Containers the operators add with fixed resources (Stackable 26.7.0 sources; vector log agents
// are off unless logging.enableVectorAgent is set, which the demo does not):
/** trino-operator 26.7.0 rust/operator-binary/src/controller/build/resource/statefulset.rs: init container `prepare`. */
const TRINO_PREPARE = fixed(500, 2000, 4096);
/** trino-operator 26.7.0 rust/operator-binary/src/authentication/password/file.rs: `password-file-updater`, coordinators with a static AuthenticationClass. */
const TRINO_PASSWORD_FILE_UPDATER = fixed(100, 200, 32);
/** opa-operator 26.7.0 rust/operator-binary/src/controller/build/resource/daemonset.rs: sidecar `bundle-builder`; init `prepare` gets the server's resources. */
const OPA_BUNDLE_BUILDER = fixed(100, 200, 128);
/** superset-operator 26.7.0 rust/operator-binary/src/controller/build/resource/mod.rs: sidecar `metrics` (statsd exporter). */
const SUPERSET_METRICS = fixed(100, 200, 64);
/** spark-k8s-operator main (26.7) rust/operator-binary/src/spark_k8s_controller.rs `init_containers`: `requirements` (with deps.requirements) and `tls` (with an S3 connection over TLS), on driver and executors. */
const SPARK_REQUIREMENTS = fixed(250, 1000, 1024);
const SPARK_TLS = fixed(250, 1000, 1024);

/** kafka-operator 26.7.0 rust/operator-binary/src/controller/build/resource/statefulset.rs `build_broker_rolegroup_statefulset`: sidecar `kcat-prober` (100m-200m CPU, 128 MiB). */
const KAFKA_KCAT_PROBER = fixed(100, 200, 128);
/**
 * nifi-operator 26.7.0 rust/operator-binary/src/controller/build/resource/statefulset.rs: init
 * container `prepare` with fixed resources (500m-2000m CPU, 4096 MiB), whatever the node's.
 */
const NIFI_PREPARE = fixed(500, 2000, 4096);
/** Operator defaults of roles whose `config.resources` we leave out (the merged config's). */
const KAFKA_CONTROLLER_DEFAULT = { cpu: { min: '250m', max: '1000m' }, memory: { limit: '1Gi' } }; // kafka-operator 26.7.0 crd/role/controller.rs default_config
const KAFKA_BROKER_DEFAULT = { cpu: { min: '250m', max: '1000m' }, memory: { limit: '2Gi' } }; // crd/role/broker.rs default_config
const KAFKA_LOG_DIRS_DEFAULT_MIB = 2048; // both roles' storage.logDirs.capacity default
const NIFI_NODE_DEFAULT = { cpu: { min: '500m', max: '2000m' }, memory: { limit: '4096Mi' } }; // nifi-operator 26.7.0 crd/mod.rs default_config
/** nifi-operator 26.7.0 crd/mod.rs default_config: the repositories' PVC sizes (MiB). */
const NIFI_REPO_DEFAULT_MIB: Readonly<Record<string, number>> = { contentRepo: 4096, databaseRepo: 1024, flowfileRepo: 1024, provenanceRepo: 2048, stateRepo: 1024 };

/**
 * The pods the operators create from our custom resources. Spark: the operator turns the driver's
 * and executors' `resources` into Spark properties and Spark sizes the containers from them
 * (spark-k8s-operator main rust/operator-binary/src/crd/mod.rs `resources_to_driver_props`,
 * memoryOverheadFactor 0 and the overhead subtracted, so the container gets the memory limit).
 */
export function operatorPods(objs: Obj[]): PodNeed[] {
  const out: PodNeed[] = [];
  const roleGroups = (role: any): number => Object.values(role?.roleGroups ?? {}).reduce((n: number, g: any) => n + (g.replicas ?? 1), 0);
  for (const o of objs) {
    const s = o.spec;
    const name = `${o.kind} ${o.metadata.name}`;
    if (o.kind === 'HiveCluster') {
      out.push({ name: `${name} metastore`, count: roleGroups(s.metastore), source: 'hive-operator 26.7.0 statefulset.rs: container hive only', ...podNeed([stackableNeed(s.metastore.config.resources)]) });
    } else if (o.kind === 'TrinoCluster') {
      out.push({ name: `${name} coordinator`, count: roleGroups(s.coordinators), source: 'trino-operator 26.7.0: trino + password-file-updater, init prepare',
        ...podNeed([stackableNeed(s.coordinators.config.resources), TRINO_PASSWORD_FILE_UPDATER], [TRINO_PREPARE]) });
      out.push({ name: `${name} worker`, count: roleGroups(s.workers), source: 'trino-operator 26.7.0: trino, init prepare',
        ...podNeed([stackableNeed(s.workers.config.resources)], [TRINO_PREPARE]) });
    } else if (o.kind === 'OpaCluster') {
      const server = stackableNeed(s.servers.config.resources);
      out.push({ name: `${name} server`, count: 1, perNode: true, source: 'opa-operator 26.7.0 daemonset.rs: opa + bundle-builder, init prepare (server resources); one per node',
        ...podNeed([server, OPA_BUNDLE_BUILDER], [server]) });
    } else if (o.kind === 'SupersetCluster') {
      out.push({ name: `${name} node`, count: roleGroups(s.nodes), source: 'superset-operator 26.7.0: superset + metrics',
        ...podNeed([stackableNeed(s.nodes.config.resources), SUPERSET_METRICS]) });
    } else if (o.kind === 'KafkaCluster') {
      out.push({ name: `${name} controller`, count: roleGroups(s.controllers), source: 'kafka-operator 26.7.0 statefulset.rs: kafka only (vector with logging)',
        ...podNeed([stackableNeed(s.controllers?.config?.resources?.cpu === undefined ? KAFKA_CONTROLLER_DEFAULT : s.controllers.config.resources)]) });
      out.push({ name: `${name} broker`, count: roleGroups(s.brokers), source: 'kafka-operator 26.7.0 statefulset.rs: kafka + kcat-prober (vector with logging)',
        ...podNeed([stackableNeed(s.brokers?.config?.resources?.cpu === undefined ? KAFKA_BROKER_DEFAULT : s.brokers.config.resources), KAFKA_KCAT_PROBER]) });
    } else if (o.kind === 'NifiCluster') {
      out.push({ name: `${name} node`, count: roleGroups(s.nodes), source: 'nifi-operator 26.7.0 statefulset.rs: nifi (vector with logging), init prepare (fixed 500m-2000m, 4096 MiB)',
        ...podNeed([stackableNeed(s.nodes?.config?.resources?.cpu === undefined ? NIFI_NODE_DEFAULT : s.nodes.config.resources)], [NIFI_PREPARE]) });
    } else if (o.kind === 'SparkApplication') {
      const ours = (role: any) => (role.podOverrides?.spec?.initContainers ?? []).map(containerNeed);
      out.push({ name: `${name} submit`, count: 1, source: 'spark-k8s-operator main: spark-submit (job resources); our wait-for-data init container',
        ...podNeed([stackableNeed(s.job.config.resources)], ours(s.job)) });
      out.push({ name: `${name} driver`, count: 1, source: 'spark-k8s-operator main: spark, init requirements + tls',
        ...podNeed([stackableNeed(s.driver.config.resources)], [SPARK_REQUIREMENTS, SPARK_TLS]) });
      out.push({ name: `${name} executor`, count: s.executor.replicas ?? 1, source: 'spark-k8s-operator main: spark, init requirements + tls',
        ...podNeed([stackableNeed(s.executor.config.resources)], [SPARK_REQUIREMENTS, SPARK_TLS]) });
    }
  }
  return out;
}

/**
 * The operators' own pods, from the default values of their Helm charts (deploy/helm/<op>-operator/values.yaml
 * at 26.7.0; commons-operator and spark-k8s-operator at main, the mirror has no 26.7 ref of them).
 * Requests equal limits in all of them.
 */
export const OPERATOR_DEPLOYMENTS: PodNeed[] = [
  { name: 'commons-operator', count: 1, source: 'commons-operator values.yaml resources', ...podNeed([fixed(200, 200, 1024)]) },
  { name: 'secret-operator controller', count: 1, source: 'secret-operator values.yaml controllerService', ...podNeed([fixed(100, 100, 128)]) },
  { name: 'secret-operator CSI node', count: 1, perNode: true, source: 'secret-operator values.yaml csiNodeDriver: nodeService, externalProvisioner, nodeDriverRegistrar', ...podNeed([fixed(100, 100, 128), fixed(100, 100, 128), fixed(100, 100, 128)]) },
  { name: 'listener-operator CSI provisioner', count: 1, source: 'listener-operator values.yaml csiProvisioner: controllerService, externalProvisioner', ...podNeed([fixed(100, 100, 128), fixed(100, 100, 128)]) },
  { name: 'listener-operator CSI node', count: 1, perNode: true, source: 'listener-operator values.yaml csiNodeDriver: nodeService, nodeDriverRegistrar', ...podNeed([fixed(100, 100, 128), fixed(100, 100, 128)]) },
  ...['hive', 'kafka', 'nifi', 'opa', 'spark-k8s', 'superset', 'trino'].map((op): PodNeed => ({ name: `${op}-operator`, count: 1, source: `${op}-operator values.yaml resources`, ...podNeed([fixed(100, 100, 128)]) })),
];

/** The product operator each custom resource kind needs. */
const OPERATOR_OF_KIND: Readonly<Record<string, string>> = {
  HiveCluster: 'hive-operator', KafkaCluster: 'kafka-operator', NifiCluster: 'nifi-operator', OpaCluster: 'opa-operator', SparkApplication: 'spark-k8s-operator', SupersetCluster: 'superset-operator', TrinoCluster: 'trino-operator',
};

/** The operators a set of objects needs: commons, secret and listener always, a product operator per product present. */
export function operatorDeployments(objs: Obj[]): PodNeed[] {
  const kinds = new Set(objs.map((o) => o.kind));
  const products = new Set(Object.values(OPERATOR_OF_KIND));
  const needed = new Set(Object.entries(OPERATOR_OF_KIND).filter(([kind]) => kinds.has(kind)).map(([, op]) => op));
  return OPERATOR_DEPLOYMENTS.filter((p) => !products.has(p.name) || needed.has(p.name));
}

/**
 * PVC storage in MiB that the operators claim for our custom resources: Kafka's log directories
 * per broker and controller (kafka-operator 26.7.0 statefulset.rs `build_pvcs` of
 * `storage.logDirs`) and NiFi's five repositories per node (nifi-operator 26.7.0 statefulset.rs
 * `get_volume_claim_templates`; the file-based authorizer's volume only with `Standard`
 * authorization, not the default single-user one). The listener volumes' PVCs hold no data.
 */
export function operatorVolumeStorage(objs: Obj[]): number {
  const replicas = (role: any): number => Object.values(role?.roleGroups ?? {}).reduce((n: number, g: any) => n + (g.replicas ?? 1), 0);
  let mib = 0;
  for (const o of objs) {
    if (o.kind === 'KafkaCluster') {
      for (const role of [o.spec.brokers, o.spec.controllers]) {
        const capacity = role?.config?.resources?.storage?.logDirs?.capacity;
        mib += (capacity === undefined ? KAFKA_LOG_DIRS_DEFAULT_MIB : quantity(capacity, 'mib')) * replicas(role);
      }
    }
    if (o.kind === 'NifiCluster') {
      const storage = o.spec.nodes?.config?.resources?.storage ?? {};
      const perNode = Object.entries(NIFI_REPO_DEFAULT_MIB).reduce((n, [repo, dflt]) => n + (storage[repo]?.capacity === undefined ? dflt : quantity(storage[repo].capacity, 'mib')), 0);
      mib += perNode * replicas(o.spec.nodes);
    }
  }
  return mib;
}

/** PVC storage in MiB: our PVCs and the StatefulSets' claim templates × replicas, and what the operators claim. */
export function volumeStorage(objs: Obj[]): number {
  let mib = operatorVolumeStorage(objs);
  for (const o of objs) {
    if (o.kind === 'PersistentVolumeClaim') mib += quantity(o.spec.resources.requests.storage, 'mib');
    if (o.kind === 'StatefulSet') {
      for (const t of o.spec.volumeClaimTemplates ?? []) mib += quantity(t.spec.resources.requests.storage, 'mib') * (o.spec.replicas ?? 1);
    }
  }
  return mib;
}

/** Totals of a list of pods (count × need). */
export function total(pods: PodNeed[]): Need {
  return pods.reduce((acc, p) => ({ requests: add(acc.requests, times(p.requests, p.count)), limits: add(acc.limits, times(p.limits, p.count)) }),
    { requests: ZERO, limits: ZERO });
}

const gib = (mib: number) => Math.ceil(mib / 1024);
const cpus = (m: number) => Math.ceil(m / 1000);

/** The requirement line of the README (the suite greps it). */
export function summary(objs: Obj[]): { line: string; cpu: number; memoryGi: number; diskGi: number; ephemeralGi: number } {
  const all = total([...ownPods(objs), ...operatorPods(objs), ...operatorDeployments(objs)]);
  const cpu = cpus(all.requests.cpu);
  const memoryGi = gib(all.requests.memory);
  const ephemeralGi = gib(all.limits.ephemeral);
  const diskGi = gib(volumeStorage(objs)) + ephemeralGi;
  return { cpu, memoryGi, diskGi, ephemeralGi, line: `Minimum (one node): ${cpu} CPU, ${memoryGi} GiB memory, ${diskGi} GiB disk` };
}

function fmt(a: Amounts): string {
  return `${(a.cpu / 1000).toFixed(2)} CPU, ${(a.memory / 1024).toFixed(2)} GiB${a.ephemeral ? `, ${(a.ephemeral / 1024).toFixed(2)} GiB ephemeral` : ''}`;
}

function main(): void {
  const [dir, flag, jsonFile] = process.argv.slice(2);
  if (!dir || (flag !== undefined && (flag !== '--json' || !jsonFile))) throw new Error('usage: requirements.ts DIR [--json FILE]');
  const objs = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).flatMap((f) => parseManifests(fs.readFileSync(path.join(dir, f), 'utf8'))) as Obj[];
  const groups: Array<[string, PodNeed[]]> = [['ours', ownPods(objs)], ['operator-created', operatorPods(objs)], ['operators', operatorDeployments(objs)]];
  for (const [label, pods] of groups) {
    for (const p of pods) console.log(`${label.padEnd(16)} ${String(p.count).padStart(2)} × ${p.name.padEnd(52)} requests ${fmt(p.requests)}; limits ${fmt(p.limits)}${p.perNode ? ' (per node)' : ''}`);
    const t = total(pods);
    console.log(`${label.padEnd(16)} total: requests ${fmt(t.requests)}; limits ${fmt(t.limits)}`);
  }
  const all = total(groups.flatMap(([, pods]) => pods));
  console.log(`all pods: requests ${fmt(all.requests)}; limits ${fmt(all.limits)}; PVCs ${(volumeStorage(objs) / 1024).toFixed(0)} GiB`);
  console.log(summary(objs).line);
  if (jsonFile) {
    const standIns = [...operatorPods(objs), ...operatorDeployments(objs)].map((p) => ({ name: p.name, count: p.count, requests: p.requests, limits: p.limits }));
    const ownPodCount = ownPods(objs).reduce((n, p) => n + p.count, 0);
    fs.writeFileSync(jsonFile, JSON.stringify({ ...summary(objs), ownPodCount, standIns }, null, 2));
  }
}

runMain(module, main);
