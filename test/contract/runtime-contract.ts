/**
 * The runtime contract: what our objects rely on that no schema shows, checked on synthesized
 * objects (a chart in-process, `dist/`, or `helm template` output). Each check returns violations
 * as readable strings; an empty list means the objects keep the contract.
 *
 * The facts come from the constructs, where each is written once with its upstream source:
 * - secret-operator volumes, files and SANs: constructs/secret-operator/secret-volume.ts
 * - names the operators derive: constructs/core/stackable.ts (`qualifiedRoleGroupName`, ...),
 *   `HiveMetastore.host`, `Superset.host`, `TrinoCluster.host`
 * - the pods the operators build (containers, volumes, mounts, labels): `supersetNodePod`,
 *   `trinoPod`, `sparkSubmitPod`
 * - the Stackable images' user: constructs/core/images.ts `STACKABLE_IMAGE_USER`
 * - listener classes per listener-operator preset: `LISTENER_PRESETS`
 * Usable from jest (test/contract/runtime-contract.test.ts) and from the command line
 * (test/contract/check-manifests.ts, used by the manifests and helm suites).
 */
import { LISTENER_CLASSES, LISTENER_PRESETS, ListenerClassName, OperatorPod, STACKABLE_IMAGE_USER } from '../../constructs/core';
import { CLUSTER_DOMAIN, SECRET_OPERATOR_STORAGE_CLASS, SecretScope, scopeAddresses, secretVolumeFiles, TRUST_STORE_CA_KEY } from '../../constructs/secret-operator';
import { hiveMetastorePod } from '../../constructs/hive';
import { sparkSubmitPod } from '../../constructs/spark';
import { supersetNodePod } from '../../constructs/superset';
import { coordinatorCertificateNames, trinoPod } from '../../constructs/trino';
import { allContainers, K8sObject, ofKind } from '../util';

/** A synthesized object. */
export type Obj = K8sObject;

/** A pod spec found in the objects: a workload's template, or a Stackable role's `podOverrides`. */
interface PodSite {
  /** e.g. `Deployment/minio` or `SparkApplication/spark-ad job.podOverrides`. */
  readonly where: string;
  readonly owner: Obj;
  readonly labels: Record<string, string>;
  readonly spec: any;
  /** For `podOverrides`: the role path (`nodes`, `job`, ...). */
  readonly role?: string;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'Job', 'DaemonSet', 'ReplicaSet']);
/**
 * The namespace of a namespaced object. Every one we write names it (constructs/core/cluster-dns.ts
 * refuses a chart without), so none is guessed: an object without one throws.
 */
export function objectNamespace(o: Obj): string {
  if (o.metadata.namespace === undefined) throw new Error(`${o.kind}/${o.metadata.name} has no namespace: its in-cluster names cannot be derived`);
  return o.metadata.namespace;
}
const ns = objectNamespace;
const fqdn = (name: string, namespace: string) => `${name}.${namespace}.svc.${CLUSTER_DOMAIN}`;

/** Every pod spec of the objects, with where it is. */
export function podSites(objs: readonly Obj[]): PodSite[] {
  const sites: PodSite[] = [];
  for (const o of objs) {
    if (WORKLOAD_KINDS.has(o.kind) && o.spec?.template?.spec !== undefined) {
      sites.push({ where: `${o.kind}/${o.metadata.name}`, owner: o, labels: o.spec.template.metadata?.labels ?? {}, spec: o.spec.template.spec });
    } else if (o.apiVersion.includes('.stackable.tech/')) {
      walk(o.spec, [], (path, value) => {
        if (path[path.length - 1] === 'podOverrides' && value?.spec !== undefined) {
          const role = path.filter(p => p !== 'config' && p !== 'podOverrides' && p !== 'roleGroups').join('.');
          sites.push({ where: `${o.kind}/${o.metadata.name} ${path.join('.')}`, owner: o, labels: value.metadata?.labels ?? {}, spec: value.spec, role });
        }
      });
    }
  }
  return sites;
}

function walk(value: any, path: string[], visit: (path: string[], value: any) => void): void {
  if (value === null || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    visit([...path, k], v);
    walk(v, [...path, k], visit);
  }
}

// ---------------------------------------------------------------------------------------------
// 1. secret-operator volumes: known annotations, and every file we read is one the volume holds.

/** Every subPath and file path into a secret-operator volume names a file the volume holds. */
export function checkSecretVolumeFiles(objs: readonly Obj[]): string[] {
  const out: string[] = [];
  for (const site of podSites(objs)) {
    for (const volume of site.spec.volumes ?? []) {
      const template = volume.ephemeral?.volumeClaimTemplate;
      if (template?.spec?.storageClassName !== SECRET_OPERATOR_STORAGE_CLASS) continue;
      let files: string[];
      try {
        files = secretVolumeFiles(template.metadata?.annotations ?? {});
      } catch (e) {
        out.push(`${site.where} volume ${volume.name}: ${(e as Error).message}`);
        continue;
      }
      for (const c of allContainers(site.spec)) {
        for (const m of (c.volumeMounts ?? []).filter((x: any) => x.name === volume.name)) {
          if (m.subPath !== undefined && !files.includes(m.subPath)) {
            out.push(`${site.where} container ${c.name}: subPath "${m.subPath}" of secret volume ${volume.name} is not a file it holds (${files.join(', ')})`);
          }
          if (m.subPath !== undefined) continue;
          for (const file of filesReadUnder(c, m.mountPath)) {
            if (!files.includes(file)) out.push(`${site.where} container ${c.name}: ${m.mountPath}/${file} is not a file of secret volume ${volume.name} (${files.join(', ')})`);
          }
        }
      }
    }
  }
  return out;
}

/** The file names a container's command, args and env values name directly under `mountPath`. */
function filesReadUnder(c: any, mountPath: string): string[] {
  const prefix = `${mountPath.replace(/\/$/, '')}/`;
  const strings: string[] = [...(c.command ?? []), ...(c.args ?? []), ...(c.env ?? []).map((e: any) => e.value).filter((v: any) => typeof v === 'string')];
  return strings.flatMap(s => [...s.matchAll(new RegExp(`${escapeRegExp(prefix)}([^\\s/"':]+)`, 'g'))].map(match => match[1]));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Every volume of a TrustStore's ConfigMap reads the key the secret-operator writes, and every file
 * path into its mount (e.g. `SSL_CERT_FILE`) is one of the files the volume projects.
 */
export function checkTrustStoreFiles(objs: readonly Obj[]): string[] {
  const out: string[] = [];
  const trustStores = new Map(ofKind(objs, 'TrustStore').map(t => [t.metadata.name, t]));
  for (const site of podSites(objs)) {
    for (const volume of site.spec.volumes ?? []) {
      const store = trustStores.get(volume.configMap?.name);
      if (store === undefined) continue;
      const written = store.spec.format === 'tls-pem' ? [store.spec.tlsPemCaName ?? TRUST_STORE_CA_KEY] : [];
      const items: any[] = volume.configMap.items ?? written.map(k => ({ key: k, path: k }));
      for (const item of items) if (!written.includes(item.key)) out.push(`${site.where} volume ${volume.name}: key ${item.key} is not written into TrustStore ${store.metadata.name}'s ConfigMap (${written.join(', ') || 'nothing for its format'})`);
      const files = items.map(i => i.path);
      for (const c of allContainers(site.spec)) {
        for (const m of (c.volumeMounts ?? []).filter((x: any) => x.name === volume.name)) {
          for (const file of filesReadUnder(c, m.mountPath)) {
            if (!files.includes(file)) out.push(`${site.where} container ${c.name}: ${m.mountPath}/${file} is not a file of volume ${volume.name} (${files.join(', ')})`);
          }
        }
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// 2. TLS: every host a client verifies is in the server certificate, signed by the CA it trusts.

/** A TLS server of the objects: the names in its certificate and the SecretClass that signs it. */
interface TlsServer {
  readonly what: string;
  readonly names: string[];
  readonly secretClass: string;
}

/** The TLS servers: pods of ours with a secret-operator certificate, and Trino coordinators. */
export function tlsServers(objs: readonly Obj[]): TlsServer[] {
  const servers: TlsServer[] = [];
  for (const site of podSites(objs).filter(s => s.role === undefined)) {
    const services = ofKind(objs, 'Service').filter(s => ns(s) === ns(site.owner) && selects(s.spec?.selector, site.labels));
    for (const volume of site.spec.volumes ?? []) {
      const ann = volume.ephemeral?.volumeClaimTemplate?.metadata?.annotations;
      if (volume.ephemeral?.volumeClaimTemplate?.spec?.storageClassName !== SECRET_OPERATOR_STORAGE_CLASS || ann === undefined) continue;
      if (ann['secrets.stackable.tech/provision-parts'] === 'public') continue; // trust only, no certificate
      const scopes = SecretScope.parseAll(ann['secrets.stackable.tech/scope'] ?? '');
      const subdomain = site.owner.kind === 'StatefulSet' ? site.owner.spec.serviceName : site.spec.subdomain;
      const names = scopeAddresses(scopes, { namespace: ns(site.owner), podSubdomain: subdomain });
      servers.push({ what: `${site.where} (Services ${services.map(s => s.metadata.name).join(', ') || 'none'})`, names, secretClass: ann['secrets.stackable.tech/class'] });
    }
  }
  for (const trino of ofKind(objs, 'TrinoCluster')) {
    const coordinators = trino.spec.coordinators ?? {};
    const listenerClass = (coordinators.roleConfig?.listenerClass ?? 'cluster-internal') as ListenerClassName;
    const roleGroups = Object.fromEntries(Object.entries(coordinators.roleGroups ?? {}).map(([g, v]: [string, any]) => [g, v?.replicas ?? 1]));
    servers.push({
      what: `TrinoCluster/${trino.metadata.name} coordinator`,
      names: coordinatorCertificateNames(trino.metadata.name, ns(trino), listenerClass, roleGroups),
      // trino-operator 26.7.0 crd/mod.rs TLS_DEFAULT_SECRET_CLASS
      secretClass: trino.spec.clusterConfig?.tls?.serverSecretClass ?? 'tls',
    });
  }
  return servers;
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  return selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** A TLS client connection found in the objects. */
interface TlsClient {
  readonly what: string;
  readonly host: string;
  /** The SecretClass whose CA the client trusts. */
  readonly trusts: string | undefined;
}

/** TLS clients: S3Connections, https URLs in containers' env (`mc`'s `MC_HOST_*`, `TRINO_SERVER`), Superset database URIs in a bundle ConfigMap. */
export function tlsClients(objs: readonly Obj[]): TlsClient[] {
  const clients: TlsClient[] = [];
  for (const conn of ofKind(objs, 'S3Connection').filter(c => c.spec.tls !== undefined)) {
    clients.push({ what: `S3Connection/${conn.metadata.name} (Hive, Trino catalogs, Spark)`, host: conn.spec.host, trusts: conn.spec.tls?.verification?.server?.caCert?.secretClass });
  }
  const trustStores = new Map(ofKind(objs, 'TrustStore').map(t => [t.metadata.name, t.spec.secretClassName as string]));
  for (const site of podSites(objs)) {
    const trustVolumes = new Map<string, string>();
    for (const v of site.spec.volumes ?? []) if (v.configMap?.name !== undefined && trustStores.has(v.configMap.name)) trustVolumes.set(v.name, trustStores.get(v.configMap.name)!);
    for (const c of allContainers(site.spec)) {
      const trusted = (c.volumeMounts ?? []).map((m: any) => trustVolumes.get(m.name)).find((x: string | undefined) => x !== undefined);
      for (const e of c.env ?? []) {
        // Every https URL of an in-cluster server a container is given (MC_HOST_* with credentials,
        // TRINO_SERVER, ...); servers outside the cluster (the data mirror) have public certificates.
        const url = typeof e.value === 'string' ? e.value.match(/^https:\/\/(?:[^@/]*@)?([^:/]+)/) : null;
        if (url !== null && url[1].endsWith(`.svc.${CLUSTER_DOMAIN}`)) clients.push({ what: `${site.where} container ${c.name} (${e.name})`, host: url[1], trusts: trusted });
      }
    }
  }
  // Superset bundles: the database URI's host, verified against the CA file mounted in the Superset pods.
  for (const cm of ofKind(objs, 'ConfigMap')) {
    for (const [key, text] of Object.entries<string>(cm.data ?? {})) {
      if (!key.startsWith('databases--')) continue;
      // Quoted as SupersetBundle writes them, or plain as in an export made by Superset (PyYAML).
      const uri = text.match(/^sqlalchemy_uri: "?trino:\/\/[^@\s]*@([^:/"\s]+)/m);
      if (uri === null || !/http_scheme: "?https"?$/m.test(text)) continue;
      const supersets = ofKind(objs, 'SupersetCluster').filter(s => ns(s) === ns(cm));
      const trusted = supersets.flatMap(s => podSites([s])).flatMap(site => (site.spec.volumes ?? []).map((v: any) => trustStores.get(v.configMap?.name))).find(x => x !== undefined);
      clients.push({ what: `ConfigMap/${cm.metadata.name} ${key} (Superset)`, host: uri[1], trusts: trusted });
    }
  }
  return clients;
}

/** Every TLS client's host is a name in its server's certificate, issued by the SecretClass it trusts. */
export function checkTlsHosts(objs: readonly Obj[]): string[] {
  const out: string[] = [];
  const servers = tlsServers(objs);
  for (const client of tlsClients(objs)) {
    const server = servers.find(s => s.names.includes(client.host));
    if (server === undefined) {
      const near = servers.map(s => `${s.what}: ${s.names.join(', ') || 'no DNS names'}`).join('; ');
      out.push(`${client.what}: host ${client.host} is in no server certificate (${near})`);
    } else if (client.trusts !== server.secretClass) {
      out.push(`${client.what}: trusts the CA of SecretClass ${client.trusts ?? '(none)'}, but ${server.what} has a certificate of SecretClass ${server.secretClass}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// 3. Names the operators derive, and the pods they build.

/** The operator pod model of a `podOverrides` site, if there is one. */
function operatorPod(site: PodSite, objs: readonly Obj[]): OperatorPod | undefined {
  const o = site.owner;
  if (o.kind === 'SupersetCluster' && site.role?.startsWith('nodes')) return supersetNodePod(o.metadata.name);
  if (o.kind === 'TrinoCluster') return trinoPod(o.metadata.name);
  if (o.kind === 'HiveCluster') return hiveMetastorePod(o.metadata.name);
  if (o.kind === 'SparkApplication' && site.role === 'job') {
    const conn = ofKind(objs, 'S3Connection').find(c => c.metadata.name === o.spec.s3connection?.reference && ns(c) === ns(o));
    return sparkSubmitPod(o.metadata.name, conn?.spec.credentials?.secretClass ?? '', conn?.spec.tls?.verification?.server?.caCert?.secretClass ?? '',
      (o.spec.volumes ?? []).map((v: any) => v.name));
  }
  return undefined;
}

/** Objects of ours that reference something an operator creates use the name it creates. */
export function checkOperatorNames(objs: readonly Obj[]): string[] {
  const out: string[] = [];
  const named = (kind: string, name: string, namespace: string) => objs.some(o => o.kind === kind && o.metadata.name === name && ns(o) === namespace);
  for (const trino of ofKind(objs, 'TrinoCluster')) {
    // opa-operator 26.7.0 controller/build/resource/discovery.rs: the discovery ConfigMap is named after the OpaCluster.
    const opa = trino.spec.clusterConfig?.authorization?.opa?.configMapName;
    if (opa !== undefined && !named('OpaCluster', opa, ns(trino))) out.push(`TrinoCluster/${trino.metadata.name}: OPA discovery ConfigMap ${opa} is not the name of an OpaCluster`);
  }
  for (const catalog of ofKind(objs, 'TrinoCatalog')) {
    // hive-operator 26.7.0 controller/build/resource/discovery.rs: discovery ConfigMap = HiveCluster name.
    const connector = catalog.spec.connector ?? {};
    for (const c of Object.values<any>(connector)) {
      const cm = c?.metastore?.configMap;
      if (cm !== undefined && !named('HiveCluster', cm, ns(catalog))) out.push(`TrinoCatalog/${catalog.metadata.name}: metastore ConfigMap ${cm} is not the name of a HiveCluster`);
    }
  }
  const hiveHosts = new Map(ofKind(objs, 'HiveCluster').map(h => [fqdn(`${h.metadata.name}-metastore`, ns(h)), h]));
  for (const app of ofKind(objs, 'SparkApplication')) {
    for (const [key, value] of Object.entries<string>(app.spec.sparkConf ?? {})) {
      const m = /^spark\.sql\.catalog\.[^.]+\.uri$/.test(key) ? value.match(/^thrift:\/\/([^:]+):(\d+)$/) : null;
      if (m === null) continue;
      // hive-operator 26.7.0: Listener `<cluster>-metastore`, port 9083; the listener-operator names the Service after it.
      const hive = hiveHosts.get(m[1]);
      if (hive === undefined || m[2] !== '9083') out.push(`SparkApplication/${app.metadata.name}: ${key} ${value} is not the metastore Service of a HiveCluster (${[...hiveHosts.keys()].join(', ')}:9083)`);
      else if ((hive.spec.metastore?.roleConfig?.listenerClass ?? 'cluster-internal') !== 'cluster-internal') out.push(`SparkApplication/${app.metadata.name}: HiveCluster/${hive.metadata.name} is not cluster-internal, so its Service may not be reachable by that name`);
    }
  }
  const supersetHosts = new Set(ofKind(objs, 'SupersetCluster').map(s => `http://${fqdn(`${s.metadata.name}-node`, ns(s))}:8088`));
  for (const site of podSites(objs)) {
    for (const c of allContainers(site.spec)) {
      for (const e of c.env ?? []) {
        if (e.name === 'SUPERSET_URL' && !supersetHosts.has(e.value)) out.push(`${site.where} container ${c.name}: SUPERSET_URL ${e.value} is not a SupersetCluster's listener Service (${[...supersetHosts].join(', ')})`);
      }
    }
  }
  // podOverrides: containers we name must be the operator's; what we add must not meet what it creates.
  for (const site of podSites(objs).filter(s => s.role !== undefined)) {
    const model = operatorPod(site, objs);
    const ours = allContainers(site.spec);
    const volumes: any[] = site.spec.volumes ?? [];
    if (model === undefined || (model.volumes === undefined && volumes.length > 0)) {
      if (ours.length > 0 || volumes.length > 0) out.push(`${site.where}: adds containers or volumes to pods of which no operator model says what they hold`);
      continue;
    }
    for (const c of site.spec.containers ?? []) {
      if (!model.containers.includes(c.name)) out.push(`${site.where}: container ${c.name} is not one the operator creates (${model.containers.join(', ')}); the override would add an image-less container`);
    }
    for (const c of site.spec.initContainers ?? []) {
      if (model.containers.includes(c.name)) out.push(`${site.where}: init container ${c.name} would be merged into the operator's container of that name`);
    }
    for (const v of volumes) {
      if (model.volumes!.names.includes(v.name)) out.push(`${site.where}: volume ${v.name} would be merged into the operator's volume of that name`);
    }
    for (const c of site.spec.containers ?? []) {
      for (const m of c.volumeMounts ?? []) {
        if (model.volumes === undefined) out.push(`${site.where}: container ${c.name} mounts ${m.mountPath} in pods of which no operator model says what they mount`);
        else if ((model.volumes.mountPaths[c.name] ?? []).includes(m.mountPath)) out.push(`${site.where}: container ${c.name} mount ${m.mountPath} would replace the operator's mount there`);
      }
    }
  }
  return out;
}

/** Every NetworkPolicy selector selects pods: ours (their template labels) or an operator's (its model's labels). */
export function checkNetworkPolicySelectors(objs: readonly Obj[]): string[] {
  const out: string[] = [];
  const podLabels: Array<{ namespace: string; labels: Record<string, string> }> = podSites(objs).filter(s => s.role === undefined).map(s => ({ namespace: ns(s.owner), labels: s.labels }));
  // Operator pods: the labels the operator sets, plus those our podOverrides add (merged into the pod).
  for (const site of podSites(objs).filter(s => s.role !== undefined)) {
    const model = operatorPod(site, objs);
    if (model !== undefined) podLabels.push({ namespace: ns(site.owner), labels: { ...model.labels, ...site.labels } });
  }
  const matches = (namespace: string, sel: any) => podLabels.some(p => p.namespace === namespace && Object.entries<string>(sel?.matchLabels ?? {}).every(([k, v]) => p.labels[k] === v));
  for (const np of ofKind(objs, 'NetworkPolicy')) {
    if (!matches(ns(np), np.spec.podSelector)) out.push(`NetworkPolicy/${np.metadata.name}: podSelector ${JSON.stringify(np.spec.podSelector)} selects no pod`);
    for (const rule of [...(np.spec.ingress ?? []).flatMap((r: any) => r.from ?? []), ...(np.spec.egress ?? []).flatMap((r: any) => r.to ?? [])]) {
      if (rule.podSelector !== undefined && rule.namespaceSelector === undefined && !matches(ns(np), rule.podSelector)) {
        out.push(`NetworkPolicy/${np.metadata.name}: peer ${JSON.stringify(rule.podSelector)} selects no pod`);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// 4. Images keep their user; 5. volumes and mounts are consistent.

/** Every pod running a Stackable image runs as the image's user. */
export function checkStackableImageUsers(objs: readonly Obj[]): string[] {
  const out: string[] = [];
  for (const site of podSites(objs)) {
    const pod = site.spec.securityContext ?? {};
    const bad = (what: string, uid: unknown, gid: unknown) => {
      if (uid !== undefined && uid !== STACKABLE_IMAGE_USER.uid) out.push(`${what}: runAsUser ${uid}, but Stackable images are built for UID ${STACKABLE_IMAGE_USER.uid}`);
      if (gid !== undefined && gid !== STACKABLE_IMAGE_USER.gid && gid !== 0) out.push(`${what}: runAsGroup ${gid}, but Stackable images grant access to UID ${STACKABLE_IMAGE_USER.uid} and group 0 only`);
    };
    if (site.role !== undefined) bad(`${site.where} (pod)`, pod.runAsUser, pod.runAsGroup); // operator pods run Stackable images
    for (const c of allContainers(site.spec)) {
      const stackable = typeof c.image === 'string' ? c.image.startsWith('oci.stackable.tech/') : site.role !== undefined;
      if (stackable) bad(`${site.where} container ${c.name}`, c.securityContext?.runAsUser ?? pod.runAsUser, c.securityContext?.runAsGroup ?? pod.runAsGroup);
    }
  }
  return out;
}

/** In every pod of ours: unique volume names, mounts only of volumes that exist, one volume per mount path. */
export function checkVolumesAndMounts(objs: readonly Obj[]): string[] {
  const out: string[] = [];
  for (const site of podSites(objs).filter(s => s.role === undefined)) {
    const names = [...(site.spec.volumes ?? []), ...(site.owner.kind === 'StatefulSet' ? site.owner.spec.volumeClaimTemplates ?? [] : [])]
      .map((v: any) => v.name ?? v.metadata?.name);
    for (const dup of names.filter((n: string, i: number) => names.indexOf(n) !== i)) out.push(`${site.where}: volume ${dup} is defined twice`);
    for (const c of allContainers(site.spec)) {
      const paths = (c.volumeMounts ?? []).map((m: any) => m.mountPath);
      for (const dup of paths.filter((p: string, i: number) => paths.indexOf(p) !== i)) out.push(`${site.where} container ${c.name}: ${dup} is mounted twice`);
      for (const m of c.volumeMounts ?? []) if (!names.includes(m.name)) out.push(`${site.where} container ${c.name}: mounts volume ${m.name}, which the pod does not have`);
    }
  }
  return out;
}

/** The listener classes the objects use exist in every listener-operator preset. */
export function checkListenerClasses(objs: readonly Obj[]): string[] {
  const out: string[] = [];
  walk({ objs }, [], (path, value) => {
    if (path[path.length - 1] !== 'listenerClass') return;
    for (const [preset, classes] of Object.entries(LISTENER_PRESETS)) {
      if (!(value in classes)) out.push(`${path.join('.')}: listener class ${value} is not created by the listener-operator preset ${preset} (${LISTENER_CLASSES.join(', ')})`);
    }
  });
  return out;
}

/**
 * Operator defaults and inputs that changed meaning: spark-submit gets retries (the operator's
 * default is none, see `AnomalyDetectionJob` `retryOnFailureCount`), and Superset's secret key
 * lives where the superset-operator 26.7 reads it (`Superset.secretKeySecretName`), not in the
 * credentials Secret's `connections.secretKey`, which 26.7 reads only to migrate from 26.3.
 */
export function checkOperatorDefaults(objs: readonly Obj[]): string[] {
  const out: string[] = [];
  for (const app of ofKind(objs, 'SparkApplication')) {
    const retries = app.spec.job?.config?.retryOnFailureCount ?? 0;
    if (retries < 1) out.push(`SparkApplication/${app.metadata.name}: spec.job.config.retryOnFailureCount is ${retries}: one transient failure of spark-submit ends the application for good`);
  }
  for (const superset of ofKind(objs, 'SupersetCluster')) {
    const credentials = objs.find(o => o.kind === 'Secret' && o.metadata.name === superset.spec.clusterConfig?.credentialsSecret && ns(o) === ns(superset));
    const data = { ...(credentials?.data ?? {}), ...(credentials?.stringData ?? {}) };
    if ('connections.secretKey' in data) {
      out.push(`SupersetCluster/${superset.metadata.name}: the credentials Secret holds connections.secretKey, which superset-operator 26.7 no longer reads (it reads Secret ${superset.metadata.name}-secret-key, key SECRET_KEY)`);
    }
  }
  return out;
}

/** All checks, by name. */
export const CONTRACT_CHECKS: Readonly<Record<string, (objs: readonly Obj[]) => string[]>> = {
  'secret volume files': checkSecretVolumeFiles,
  'trust store files': checkTrustStoreFiles,
  'TLS hosts and trust': checkTlsHosts,
  'operator-derived names and pods': checkOperatorNames,
  'NetworkPolicy selectors': checkNetworkPolicySelectors,
  'Stackable image users': checkStackableImageUsers,
  'volumes and mounts': checkVolumesAndMounts,
  'listener classes': checkListenerClasses,
  'operator defaults': checkOperatorDefaults,
};

/** Runs every check; returns `check: violation` lines. */
export function checkRuntimeContract(objs: readonly Obj[]): string[] {
  return Object.entries(CONTRACT_CHECKS).flatMap(([name, check]) => check(objs).map(v => `${name}: ${v}`));
}
