/**
 * Shared helpers of the per-construct jest tests (test/<product>/*.test.ts): synthesize a chart,
 * find objects by kind and name (never by array index), read containers and env variables, and
 * build the few supporting constructs most tests need. Not a test file itself.
 */
import { Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DnsEgress, PodNetworkPolicy, specHash } from '../constructs/core';
import { MinioBuckets, MinioServer, MinioServerProps } from '../constructs/minio';
import { S3Connection, S3CredentialsClass } from '../constructs/s3';
import { TlsTrustStore } from '../constructs/secret-operator';

/** A synthesized Kubernetes object (loosely typed: tests read arbitrary fields). */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  readonly [field: string]: any;
}

/** A chart with a namespace, for tests where namespaces or in-cluster DNS names matter. */
export function namespacedChart(namespace = 'ns'): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

/** The chart's objects in output (apply) order; runs the chart's validations like `cdk8s synth`. */
export function synth(chart: Chart): K8sObject[] {
  return Testing.synth(chart) as K8sObject[];
}

/**
 * The only object of `kind` named `name`, or named `name` plus the hash of its spec (Jobs and the
 * SparkApplication, see constructs/core/content-name.ts); throws when there is none or more than one.
 */
export function find(objs: K8sObject[], kind: string, name: string): K8sObject {
  const found = objs.filter(o => o.kind === kind && (o.metadata.name === name || (o.spec !== undefined && o.metadata.name === `${name}-${specHash(o.spec)}`)));
  if (found.length !== 1) {
    throw new Error(`expected exactly one ${kind} "${name}", found ${found.length} (output: ${objs.map(o => `${o.kind}/${o.metadata.name}`).join(', ')})`);
  }
  return found[0];
}

/** The name an object was given in code: without the hash suffix of a content-named object. */
export function baseName(o: K8sObject): string {
  if (o.spec === undefined) return o.metadata.name;
  const suffix = `-${specHash(o.spec)}`;
  return o.metadata.name.endsWith(suffix) ? o.metadata.name.slice(0, -suffix.length) : o.metadata.name;
}

/** All objects of `kind`. */
export function ofKind(objs: readonly K8sObject[], kind: string): K8sObject[] {
  return objs.filter(o => o.kind === kind);
}

/**
 * The egress rules `PodNetworkPolicy.allowDns(dns)` synthesizes (by default those of
 * `DnsEgress.anyResolver()`; test/core/network.test.ts spells them out), for tests of the
 * constructs that call it.
 */
export function dnsEgressRules(dns?: DnsEgress): any[] {
  const chart = Testing.chart();
  new PodNetworkPolicy(chart, 'Dns', { name: 'dns', target: { podSelector: { app: 'dns' } } }).allowDns(dns);
  return find(synth(chart), 'NetworkPolicy', 'dns').spec.egress;
}

/** Position of the only object of `kind` named `name` in the output. */
export function position(objs: K8sObject[], kind: string, name: string): number {
  return objs.indexOf(find(objs, kind, name));
}

/** All values under `key` anywhere inside `value` (depth-first). */
export function collect(value: unknown, key: string, out: any[] = []): any[] {
  if (Array.isArray(value)) {
    value.forEach(v => collect(v, key, out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === key) out.push(v);
      collect(v, key, out);
    }
  }
  return out;
}

/** A container as written to a manifest (quantities as strings, no undefined fields). */
export function containerJson(c: k8s.Container): any {
  return k8s.toJson_Container(c)!;
}

/** The pod spec of a Deployment, StatefulSet or Job. */
export function podSpec(workload: K8sObject): any {
  return workload.spec.template.spec;
}

/** Init containers and containers of a pod spec. */
export function allContainers(pod: any): any[] {
  return [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
}

/** The only container (init or not) of `pod` named `name`. */
export function container(pod: any, name: string): any {
  const found = allContainers(pod).filter(c => c.name === name);
  if (found.length !== 1) throw new Error(`expected exactly one container "${name}", found ${found.length}`);
  return found[0];
}

/** A container's env variables by name (throws on duplicates, which Kubernetes would merge silently). */
export function envOf(c: any): Record<string, any> {
  const out: Record<string, any> = {};
  for (const e of c.env ?? []) {
    if (e.name in out) throw new Error(`container ${c.name}: env ${e.name} is set twice`);
    out[e.name] = e;
  }
  return out;
}

/** The literal value of env variable `name` of container `c` (throws if missing or not literal). */
export function envValue(c: any, name: string): string {
  const e = envOf(c)[name];
  if (e === undefined || e.value === undefined) throw new Error(`container ${c.name}: no literal env ${name}`);
  return e.value;
}

/** Keys of the Secret `name` of the output (`stringData` as written by this library). */
export function secretKeys(objs: K8sObject[], name: string): string[] {
  return Object.keys(find(objs, 'Secret', name).stringData ?? {}).sort();
}

/**
 * Every `secretKeyRef` inside `value` resolves to a key of a Secret in `objs`. Returns the refs
 * (so callers can also check how many there are).
 */
export function expectSecretRefsResolve(objs: K8sObject[], value: unknown = objs): Array<{ name: string; key: string }> {
  const refs = collect(value, 'secretKeyRef');
  for (const ref of refs) expect({ ref, keys: secretKeys(objs, ref.name) }).toEqual({ ref, keys: expect.arrayContaining([ref.key]) });
  return refs;
}

/**
 * S3 credentials as the products get them (Hive, Trino, Spark): the S3Connection `name` (of a
 * product's `s3: { reference }`) and the one Secret of its namespace labelled for its credentials
 * SecretClass, whose `k8sSearch` backend hands that Secret to the product's pods (secret-operator
 * 26.7.0 rust/operator-binary/src/backend/k8s_search.rs; test/e2e/operators.py does the same).
 */
export function s3ConnectionSecret(objs: K8sObject[], name: string): K8sObject {
  const connection = find(objs, 'S3Connection', name);
  const secretClass = connection.spec.credentials.secretClass;
  expect(find(objs, 'SecretClass', secretClass).spec.backend.k8sSearch).toEqual({ searchNamespace: { pod: {} } });
  const labelled = ofKind(objs, 'Secret').filter(s => s.metadata.namespace === connection.metadata.namespace
    && s.metadata.labels?.['secrets.stackable.tech/class'] === secretClass);
  expect(labelled.map(s => s.metadata.name)).toHaveLength(1);
  return labelled[0];
}

/** `<kind>/<baseName>` of every object that refers to Secret `name` by a `secretKeyRef`, in order. */
export function secretKeyRefHolders(objs: K8sObject[], name: string): string[] {
  return objs.filter(o => collect(o, 'secretKeyRef').some(r => r.name === name)).map(o => `${o.kind}/${baseName(o)}`);
}

/** The MinIO side of the demo that most constructs need: CA trust, S3 credentials class, server, buckets, S3Connection. */
export interface Storage {
  readonly trust: TlsTrustStore;
  readonly credentialsClass: S3CredentialsClass;
  readonly minio: MinioServer;
  readonly buckets: MinioBuckets;
  readonly connection: S3Connection;
}

/** Builds {@link Storage} with default names in `scope`. */
export function storage(scope: Construct, minio: MinioServerProps = {}): Storage {
  const trust = new TlsTrustStore(scope, 'Trust');
  const credentialsClass = new S3CredentialsClass(scope, 'S3Class');
  const server = new MinioServer(scope, 'Minio', { credentialsClass, ...minio });
  return {
    trust,
    credentialsClass,
    minio: server,
    buckets: new MinioBuckets(scope, 'Buckets', { minio: server, trust, buckets: ['demo', 'prediction'] }),
    connection: new S3Connection(scope, 'S3', { endpoint: server, credentialsClass }),
  };
}
