/**
 * The runtime contract: what our objects rely on that no schema shows, checked on synthesized
 * objects (a chart in-process, `dist/`, or `helm template` output). Each check returns violations
 * as readable strings; an empty list means the objects keep the contract.
 *
 * The facts come from the constructs, where each is written once with its upstream source:
 * - secret-operator volumes, files and SANs: constructs/secret-operator/secret-volume.ts
 * - names the operators derive: constructs/core/stackable.ts (`qualifiedRoleGroupName`, ...),
 *   `HiveMetastore.host`, `Superset.host`, `TrinoCluster.host`, `NifiCluster.host` (`nifiListenerName`)
 * - the pods the operators build (containers, volumes, mounts, labels): `supersetNodePod`,
 *   `trinoPod`, `sparkSubmitPod`, `kafkaBrokerPod`, `kafkaControllerPod`, `nifiNodePod`; the certificates of Trino and NiFi nodes:
 *   `coordinatorCertificateNames`, `nifiCertificateNames`
 * - Kafka's bootstrap Service, ports, certificate names and client authentication:
 *   constructs/kafka/kafka-cluster.ts (`KAFKA_PORTS`, `kafkaBrokerCertificateNames`)
 * - the Stackable images' user: constructs/core/images.ts `STACKABLE_IMAGE_USER`
 * - the files of the images our pods read, run or copy: constructs/core/image-files.ts `IMAGE_FILES`
 * - listener classes per listener-operator preset: `LISTENER_PRESETS`; listener volumes: `listenerVolume`
 * - where cluster DNS answers, per distribution: constructs/core/dns-egress.ts `KNOWN_DNS_RESOLVERS`
 * Usable from jest (test/contract/runtime-contract.test.ts) and from the command line
 * (test/contract/check-manifests.ts, used by the manifests and helm suites).
 */
import * as fs from 'fs';
import { isIPv4 } from 'net';
import * as path from 'path';
import {
  DnsResolver, ImageFacts, ImageFile, imageFacts, imageRepository, KNOWN_DNS_RESOLVERS, LISTENER_CLASSES, LISTENER_NAME_ANNOTATION, LISTENER_PRESETS, LISTENER_STORAGE_CLASS, ListenerClassName, OperatorPod,
  STACKABLE_IMAGE_USER,
} from '../../constructs/core';
import { CLUSTER_DOMAIN, SECRET_OPERATOR_STORAGE_CLASS, SecretScope, scopeAddresses, secretVolumeFiles, TRUST_STORE_CA_KEY } from '../../constructs/secret-operator';
import { hiveMetastorePod } from '../../constructs/hive';
import { KAFKA_DISCOVERY_KEY, KAFKA_PORTS, kafkaBrokerCertificateNames, kafkaBrokerPod, kafkaControllerPod } from '../../constructs/kafka';
import { NIFI_ADMIN_USERNAME, NIFI_PORTS, nifiCertificateNames, nifiNodePod } from '../../constructs/nifi';
import { sparkSubmitPod } from '../../constructs/spark';
import { SECRET_KEY_KEY, supersetNodePod } from '../../constructs/superset';
import { coordinatorCertificateNames, TRINO_CLI_MIN_MEMORY_MI, trinoPod } from '../../constructs/trino';
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

/** The TLS servers: pods of ours with a secret-operator certificate, Trino coordinators and NiFi nodes. */
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
  for (const nifi of ofKind(objs, 'NifiCluster')) {
    const nodes = nifi.spec.nodes ?? {};
    const listenerClass = (nodes.roleConfig?.listenerClass ?? 'cluster-internal') as ListenerClassName;
    const roleGroups = Object.fromEntries(Object.entries(nodes.roleGroups ?? {}).map(([g, v]: [string, any]) => [g, v?.replicas ?? 1]));
    servers.push({
      what: `NifiCluster/${nifi.metadata.name} nodes`,
      names: nifiCertificateNames(nifi.metadata.name, ns(nifi), listenerClass, roleGroups),
      // nifi-operator 26.7.0 crd/tls.rs `default_server_secret_class`: "tls".
      secretClass: nifi.spec.clusterConfig?.tls?.serverSecretClass ?? 'tls',
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
      const hosts = new Set<string>(); // one client per container and host (e.g. a bucket URL and an object prefix)
      for (const e of c.env ?? []) {
        // Every https URL of an in-cluster server a container is given (MC_HOST_* with credentials,
        // TRINO_SERVER, ...); servers outside the cluster (the data mirror) have public certificates.
        const url = typeof e.value === 'string' ? e.value.match(/^https:\/\/(?:[^@/]*@)?([^:/]+)/) : null;
        if (url === null || !url[1].endsWith(`.svc.${CLUSTER_DOMAIN}`) || hosts.has(url[1])) continue;
        hosts.add(url[1]);
        clients.push({ what: `${site.where} container ${c.name} (${e.name})`, host: url[1], trusts: trusted });
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

/**
 * Whether the pods a `podOverrides` site of a Stackable cluster reaches run the vector agent:
 * `logging.enableVectorAgent` of the role group's config, merged over the role's, over the default
 * false (operator-rs 0.113.3 role_utils.rs `RoleGroup::validate_config`, product_logging/spec.rs
 * `default_logging`). An override of the role (`role` without a group) reaches the pods of every
 * role group, so it sees the container only if all of them run it.
 */
function vectorAgent(cluster: Obj, role: string): boolean {
  const [roleName, group] = role.split('.');
  const spec = cluster.spec?.[roleName] ?? {};
  const enabled = (g: string): boolean => spec.roleGroups?.[g]?.config?.logging?.enableVectorAgent ?? spec.config?.logging?.enableVectorAgent ?? false;
  const groups = group === undefined ? Object.keys(spec.roleGroups ?? {}) : [group];
  return groups.length > 0 && groups.every(enabled);
}

/** The operator pod model of a `podOverrides` site, if there is one. */
function operatorPod(site: PodSite, objs: readonly Obj[]): OperatorPod | undefined {
  const o = site.owner;
  if (o.kind === 'SupersetCluster' && site.role?.startsWith('nodes')) return supersetNodePod(o.metadata.name, vectorAgent(o, site.role));
  if (o.kind === 'TrinoCluster') return trinoPod(o.metadata.name);
  if (o.kind === 'NifiCluster' && site.role?.startsWith('nodes')) return nifiNodePod(o.metadata.name);
  if (o.kind === 'HiveCluster') return hiveMetastorePod(o.metadata.name);
  if (o.kind === 'KafkaCluster' && site.role === 'brokers') return kafkaBrokerPod(o.metadata.name);
  if (o.kind === 'KafkaCluster' && site.role === 'controllers') return kafkaControllerPod(o.metadata.name);
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
  // nifi-operator 26.7.0: NiFi's REST API is served on 8443 (controller/build.rs HTTPS_PORT); NiFi
  // 2.9.0 answers 421 to a Host header with another port (nifi-jetty HostPortValidatorCustomizer).
  // Our clients talk to one node, `<cluster>-node-<group>-<i>` under the role group's headless
  // Service (the operator's nifi.web.https.host), for a whole run (NifiCluster.host).
  const nifiNodes = new Set(ofKind(objs, 'NifiCluster').flatMap(n => Object.entries<any>(n.spec.nodes?.roleGroups ?? {}).flatMap(([g, v]) =>
    Array.from({ length: v?.replicas ?? 1 }, (_, i) => `https://${fqdn(`${n.metadata.name}-node-${g}-${i}.${n.metadata.name}-node-${g}-headless`, ns(n))}:${NIFI_PORTS.https}`))));
  for (const site of podSites(objs)) {
    for (const c of allContainers(site.spec)) {
      for (const e of c.env ?? []) {
        if (e.name === 'NIFI_URL' && !nifiNodes.has(e.value)) out.push(`${site.where} container ${c.name}: NIFI_URL ${e.value} is not a NiFi node's pod name under its headless Service (${[...nifiNodes].join(', ') || 'no NifiCluster'})`);
      }
    }
  }
  // nifi-operator 26.7.0 security/authentication.rs: a static AuthenticationClass becomes the
  // single-user login `admin`, its password read from the Secret's key `admin`.
  for (const nifi of ofKind(objs, 'NifiCluster')) {
    for (const auth of nifi.spec.clusterConfig?.authentication ?? []) {
      const cls = objs.find(o => o.kind === 'AuthenticationClass' && o.metadata.name === auth.authenticationClass);
      const secretName = cls?.spec?.provider?.static?.userCredentialsSecret?.name;
      if (secretName === undefined) continue;
      const secret = objs.find(o => o.kind === 'Secret' && o.metadata.name === secretName && ns(o) === ns(nifi));
      if (secret !== undefined && !(NIFI_ADMIN_USERNAME in secretData(secret))) out.push(`NifiCluster/${nifi.metadata.name}: Secret ${secretName} has no key ${NIFI_ADMIN_USERNAME}, the only user the nifi-operator's static login reads`);
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
    // Peers with a namespaceSelector are pods of other namespaces (the DNS resolvers: checkDnsEgress).
    for (const rule of [...(np.spec.ingress ?? []).flatMap((r: any) => r.from ?? []), ...(np.spec.egress ?? []).flatMap((r: any) => r.to ?? [])]) {
      if (rule.podSelector !== undefined && rule.namespaceSelector === undefined && !matches(ns(np), rule.podSelector)) {
        out.push(`NetworkPolicy/${np.metadata.name}: peer ${JSON.stringify(rule.podSelector)} selects no pod`);
      }
    }
  }
  return out;
}

/** A label selector (`matchLabels`, `matchExpressions`) selects `labels`; an empty one selects everything. */
function selectorMatches(sel: any, labels: Readonly<Record<string, string>>): boolean {
  const exprOk = (e: any): boolean => {
    const has = e.key in labels;
    if (e.operator === 'In') return has && (e.values ?? []).includes(labels[e.key]);
    if (e.operator === 'NotIn') return !has || !(e.values ?? []).includes(labels[e.key]);
    if (e.operator === 'Exists') return has;
    if (e.operator === 'DoesNotExist') return !has;
    return false;
  };
  return Object.entries<string>(sel?.matchLabels ?? {}).every(([k, v]) => labels[k] === v) && (sel?.matchExpressions ?? []).every(exprOk);
}

function ipv4InCidr(ip: string, block: string): boolean {
  const [base, bits] = block.split('/');
  if (!isIPv4(ip) || !isIPv4(base)) return false;
  const int = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(bits));
  return Math.floor(int(ip) / size) === Math.floor(int(base) / size);
}

/**
 * Whether egress `rule` of a policy in `namespace` lets a pod reach `resolver` with `protocol`, as
 * the Kubernetes NetworkPolicy API defines it: a rule without `to` (or `ports`) matches every
 * destination (or port); a resolver pod is matched by namespace and pod selectors only (whether an
 * ipBlock covers pod IPs depends on the plugin), a node-local resolver by an ipBlock only (pod
 * selectors do not select host-network pods); named ports are not resolved (no match).
 */
function egressAllows(rule: any, namespace: string, resolver: DnsResolver, protocol: string): boolean {
  const portOk = (rule.ports ?? []).length === 0 || rule.ports.some((p: any) => (p.protocol ?? 'TCP') === protocol
    && (p.port === undefined || (typeof p.port === 'number' && resolver.port >= p.port && resolver.port <= (p.endPort ?? p.port))));
  const peerOk = (peer: any): boolean => {
    if (peer.ipBlock !== undefined) {
      const address = resolver.hostAddress;
      return address !== undefined && ipv4InCidr(address, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((e: string) => ipv4InCidr(address, e));
    }
    if (resolver.pod === undefined) return false;
    const nsOk = peer.namespaceSelector === undefined
      ? resolver.pod.namespace === namespace
      : selectorMatches(peer.namespaceSelector, { 'kubernetes.io/metadata.name': resolver.pod.namespace });
    return nsOk && (peer.podSelector === undefined || selectorMatches(peer.podSelector, resolver.pod.labels));
  };
  return portOk && ((rule.to ?? []).length === 0 || rule.to.some(peerOk));
}

/**
 * Every NetworkPolicy that lets its pods open connections also lets them query the cluster DNS,
 * wherever it answers: each resolver of `KNOWN_DNS_RESOLVERS` (kube-dns/CoreDNS pods, OpenShift's
 * on 5353, NodeLocal DNSCache and the other node-local addresses), on UDP and TCP.
 */
export function checkDnsEgress(objs: readonly Obj[]): string[] {
  const out: string[] = [];
  for (const np of ofKind(objs, 'NetworkPolicy')) {
    const rules: any[] = np.spec.egress ?? [];
    // policyTypes left out: Egress when there are egress rules. No rules: the pods open no connection at all.
    const types: string[] = np.spec.policyTypes ?? (rules.length > 0 ? ['Ingress', 'Egress'] : ['Ingress']);
    if (!types.includes('Egress') || rules.length === 0) continue;
    for (const r of KNOWN_DNS_RESOLVERS) {
      const missing = ['UDP', 'TCP'].filter(protocol => !rules.some(rule => egressAllows(rule, ns(np), r, protocol)));
      const at = r.pod === undefined ? `${r.hostAddress}` : `pods ${r.pod.namespace}/${Object.entries(r.pod.labels).map(([k, v]) => `${k}=${v}`).join(',')}`;
      if (missing.length > 0) out.push(`NetworkPolicy/${np.metadata.name}: its pods cannot reach ${r.name} at ${at} on ${missing.map(p => `${p}/${r.port}`).join(', ')} (${r.source})`);
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
 * Superset SECRET_KEYs known to anyone: the key this library's `dist/` folders held until
 * Superset's default became `SupersetSecretKey.generated()` (released, and in the git history),
 * which installations from then still have.
 */
export const PUBLISHED_SECRET_KEYS: readonly string[] = ['demo-superset-secret-key'];

/** Where a key of ours would be published: the README and the sources, not the synthesized `dist/` folders. */
const PUBLISHED_SOURCES = ['README.md', 'main.ts', 'constructs', 'demos', 'scripts'];
let publishedTexts: Map<string, string> | undefined;

/** The README and source files of this repository (path relative to its root -> text), read once. */
function repositoryTexts(): Map<string, string> {
  if (publishedTexts !== undefined) return publishedTexts;
  const root = path.join(__dirname, '..', '..');
  const texts = new Map<string, string>();
  const visit = (rel: string): void => {
    const abs = path.join(root, rel);
    if (!fs.existsSync(abs)) return;
    if (fs.statSync(abs).isDirectory()) {
      for (const f of fs.readdirSync(abs).sort()) if (f !== 'dist' && f !== 'node_modules' && !f.startsWith('.')) visit(path.join(rel, f));
    } else if (/\.(ts|js|py|rego|sh|md|ya?ml|json)$/.test(rel)) {
      texts.set(rel, fs.readFileSync(abs, 'utf8'));
    }
  };
  PUBLISHED_SOURCES.forEach(visit);
  publishedTexts = texts;
  return texts;
}

/** Where `key` is published: a key of {@link PUBLISHED_SECRET_KEYS}, or the files that hold it as a whole word. */
export function publishedAt(key: string): string[] {
  const word = new RegExp(`(?<![\\w-])${escapeRegExp(key)}(?![\\w-])`);
  const files = [...repositoryTexts()].filter(([, text]) => word.test(text)).map(([file]) => file);
  return PUBLISHED_SECRET_KEYS.includes(key) ? ['earlier dist/ folders of this library', ...files] : files;
}

/** A Secret's keys and values, `data` decoded. */
function secretData(secret: Obj | undefined): Record<string, string> {
  const data = Object.fromEntries(Object.entries<string>(secret?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  return { ...data, ...(secret?.stringData ?? {}) };
}

/**
 * Operator defaults and inputs that changed meaning: spark-submit gets retries (the operator's
 * default is none, see `AnomalyDetectionJob` `retryOnFailureCount`), and Superset's secret key
 * lives where the superset-operator 26.7 reads it (`Superset.secretKeySecretName`), not in the
 * credentials Secret's `connections.secretKey`, which 26.7 reads only to migrate from 26.3. A
 * `<cluster>-secret-key` Secret of ours must not hold a published key (one of
 * {@link PUBLISHED_SECRET_KEYS}, or one written in this repository's README or sources): anyone
 * could sign Superset sessions with it and decrypt the database passwords Superset stores. Without
 * that Secret the operator generates a random key, which is what `Superset` does by default.
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
    // superset-operator 26.7.0 crd/mod.rs `shared_secret_key_secret_name`, key `INTERNAL_SECRET_SECRET_KEY`.
    const name = `${superset.metadata.name}-secret-key`;
    const key = secretData(objs.find(o => o.kind === 'Secret' && o.metadata.name === name && ns(o) === ns(superset)))[SECRET_KEY_KEY];
    const where = key === undefined ? [] : publishedAt(key);
    if (where.length > 0) {
      out.push(`SupersetCluster/${superset.metadata.name}: Secret ${name} holds a published SECRET_KEY (in ${where.join(', ')}): anyone can sign sessions and decrypt the stored database passwords; leave the key to the operator (SupersetSecretKey.generated(), the default) or set one of your own`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// 10. Image files: the pod's user may read, run or pass what its container uses of its image.

/** What a container needs of one image file. */
interface FileUse {
  readonly path: string;
  readonly need: 'read' | 'execute' | 'read and execute';
  readonly why: string;
}

/** POSIX permission of a user (uid, groups) on a file: the owner's, the group's or the others' bits. */
function permits(file: ImageFile, uid: number, groups: readonly number[], want: number): boolean {
  if (uid === 0) return true; // root (no container of ours runs as root; kept for completeness)
  const bits = uid === file.uid ? (file.mode >> 6) & 7 : groups.includes(file.gid) ? (file.mode >> 3) & 7 : file.mode & 7;
  return (bits & want) === want;
}

/** The file a command word names in the image: an absolute path, or the first match on the image's PATH. */
function resolveCommand(facts: ImageFacts, word: string): ImageFile | undefined {
  if (word.startsWith('/')) return facts.files.find(f => f.path === word);
  for (const dir of facts.path) {
    const f = facts.files.find(x => x.path === `${dir}/${word}`);
    if (f !== undefined) return f;
  }
  return undefined;
}

const NEEDS: Record<ImageFile['kind'], FileUse['need']> = { binary: 'execute', script: 'read and execute', data: 'read', directory: 'execute' };

/**
 * What a container uses of its image's files, from its command as synthesized: the program it
 * starts (`command[0]`, or the image's ENTRYPOINT), the files those programs always read, the
 * sources of a `cp`, and, in a `sh -c` script, every program of the image's facts the script calls
 * by name or path (a word in command position). Scripts' other commands are not modelled.
 */
function fileUses(c: any, facts: ImageFacts): { uses: FileUse[]; unknown: string[] } {
  const uses: FileUse[] = [];
  const unknown: string[] = [];
  const argv: string[] = [...(c.command ?? facts.entrypoint ?? []), ...(c.args ?? [])];
  const run = (word: string, why: string) => {
    const f = resolveCommand(facts, word);
    if (f === undefined) {
      unknown.push(word);
      return;
    }
    uses.push({ path: f.path, need: NEEDS[f.kind], why });
    for (const r of f.reads ?? []) {
      const read = facts.files.find(x => x.path === r);
      uses.push({ path: r, need: read === undefined ? 'read' : NEEDS[read.kind], why: `${f.path} uses it` });
    }
  };
  if (argv.length > 0) run(argv[0], 'its command');
  if (argv[0] === 'cp' || argv[0] === '/usr/bin/cp' || argv[0] === '/bin/cp') {
    for (const src of argv.slice(1, -1).filter(a => !a.startsWith('-'))) uses.push({ path: src, need: 'read', why: 'cp copies it' });
  }
  const script = ['sh', '/bin/sh', 'bash', '/bin/bash'].includes(argv[0]) && argv[1] === '-c' ? argv[2] : undefined;
  if (script !== undefined) {
    for (const f of facts.files.filter(x => x.kind === 'binary' || x.kind === 'script')) {
      const name = f.path.split('/').pop()!;
      const onPath = facts.path.some(d => f.path === `${d}/${name}`);
      const words = [f.path, ...(onPath ? [name] : [])].map(escapeRegExp).join('|');
      if (new RegExp(`(^|[\\s;|&({!"])(${words})(?=["\\s;|&)]|$)`, 'm').test(script)) run(f.path, 'its script calls it');
    }
  }
  return { uses, unknown };
}

/**
 * For every container of ours whose image has facts (constructs/core/image-files.ts
 * `IMAGE_FILES`), the container's user (runAsUser/runAsGroup of the container or pod, else the
 * image's USER; its groups: runAsGroup, the pod's fsGroup and supplementalGroups) has the
 * permission it needs on each image file it uses (read to copy or interpret, execute to run), and
 * on the directories above it that the facts list. A container of an image without facts, or a
 * command the facts do not know, is a violation too: the contract must name what a pod relies on.
 */
export function checkImageFiles(objs: readonly Obj[]): string[] {
  const out: string[] = [];
  for (const site of podSites(objs)) {
    const pod = site.spec.securityContext ?? {};
    for (const c of allContainers(site.spec)) {
      if (typeof c.image !== 'string') continue; // an operator's container, overridden in part
      const facts = imageFacts(c.image);
      const what = `${site.where} container ${c.name}`;
      if (facts === undefined) {
        out.push(`${what}: image ${c.image} has no facts in IMAGE_FILES (constructs/core/image-files.ts)`);
        continue;
      }
      const uid: number | undefined = c.securityContext?.runAsUser ?? pod.runAsUser ?? facts.user?.uid ?? 0;
      const gid: number = c.securityContext?.runAsGroup ?? pod.runAsGroup ?? facts.user?.gid ?? 0;
      const groups = [gid, ...(pod.fsGroup !== undefined ? [pod.fsGroup] : []), ...(pod.supplementalGroups ?? [])];
      const { uses, unknown } = fileUses(c, facts);
      for (const word of unknown) out.push(`${what}: runs ${word}, which IMAGE_FILES does not list for ${imageRepository(c.image)}`);
      for (const use of uses) {
        const file = facts.files.find(f => f.path === use.path);
        if (file === undefined) {
          out.push(`${what}: ${use.why}: ${use.path}, which IMAGE_FILES does not list for ${imageRepository(c.image)}`);
          continue;
        }
        const want = use.need === 'read' ? 4 : use.need === 'execute' ? 1 : 5;
        const mode = `${file.uid}:${file.gid} ${file.mode.toString(8).padStart(4, '0')}`;
        if (!permits(file, uid ?? 0, groups, want)) {
          out.push(`${what}: ${use.why}: ${use.path} (${mode} in ${imageRepository(c.image)}) cannot be ${use.need === 'read' ? 'read' : use.need === 'execute' ? 'executed' : 'read and executed'} by UID ${uid} (groups ${groups.join(',')}); source: ${file.source}`);
        }
        for (const dir of facts.files.filter(d => d.kind === 'directory' && use.path.startsWith(`${d.path}/`))) {
          if (!permits(dir, uid ?? 0, groups, 1)) {
            out.push(`${what}: ${use.path} is below ${dir.path} (${dir.uid}:${dir.gid} ${dir.mode.toString(8).padStart(4, '0')}), which UID ${uid} (groups ${groups.join(',')}) cannot enter; source: ${dir.source}`);
          }
        }
      }
    }
  }
  return out;
}

/** Mebibytes of a Kubernetes memory quantity (`1280Mi`, `2Gi`, `1342177280`), or NaN. */
function mebibytes(q: unknown): number {
  const m = typeof q === 'string' ? /^(\d+)(Ki|Mi|Gi)?$/.exec(q) : null;
  if (m === null) return typeof q === 'number' ? q / 2 ** 20 : NaN;
  return Number(m[1]) * ({ Ki: 2 ** -10, Mi: 1, Gi: 2 ** 10 }[m[2] as 'Ki' | 'Mi' | 'Gi'] ?? 2 ** -20);
}

/**
 * A container that runs the Trino CLI (the trino-cli image) may hold the JVM its launcher starts:
 * `-Xmx1G` plus the JVM's own memory (`TRINO_CLI_MIN_MEMORY_MI`, constructs/trino/trino-sql-job.ts);
 * with less, a query with a large result is OOM-killed instead of answered.
 */
export function checkJvmMemory(objs: readonly Obj[]): string[] {
  const out: string[] = [];
  for (const site of podSites(objs)) {
    for (const c of allContainers(site.spec)) {
      if (typeof c.image !== 'string' || imageRepository(c.image) !== 'oci.stackable.tech/sdp/trino-cli') continue;
      const limit = mebibytes(c.resources?.limits?.memory);
      if (!(limit >= TRINO_CLI_MIN_MEMORY_MI)) {
        out.push(`${site.where} container ${c.name}: memory limit ${c.resources?.limits?.memory ?? 'none'}, but the trino-cli launcher starts Java with -Xmx1G (needs ${TRINO_CLI_MIN_MEMORY_MI}Mi with the JVM's own memory)`);
      }
    }
  }
  return out;
}

/**
 * Listener volumes (core/stackable.ts `listenerVolume`, listener-operator 26.7.0): each names a
 * Listener of the objects in its namespace; the Listener's Service (named after it) forwards each
 * port to the same port number of the pod, so the pod has a container port for each; no Service
 * of ours has the Listener's name (the operator refuses to take it over); a certificate scope
 * `listener-volume=<name>` names a listener volume of the same pod (secret-operator 26.7.0 pod_info.rs).
 */
export function checkListenerVolumes(objs: readonly Obj[]): string[] {
  const out: string[] = [];
  const listeners = ofKind(objs, 'Listener');
  for (const l of listeners) {
    if (ofKind(objs, 'Service').some(svc => svc.metadata.name === l.metadata.name && ns(svc) === ns(l))) out.push(`Listener/${l.metadata.name}: a Service of ours has its name; the listener-operator will not manage it`);
  }
  for (const site of podSites(objs).filter(s => s.role === undefined)) {
    const volumes: any[] = site.spec.volumes ?? [];
    const listenerVolumes = volumes.filter(v => v.ephemeral?.volumeClaimTemplate?.spec?.storageClassName === LISTENER_STORAGE_CLASS);
    const ports = new Set(allContainers(site.spec).flatMap(c => (c.ports ?? []).map((p: any) => p.containerPort)));
    for (const v of listenerVolumes) {
      const name = v.ephemeral.volumeClaimTemplate.metadata?.annotations?.[LISTENER_NAME_ANNOTATION];
      if (name === undefined) continue; // a listener-class volume: the operator creates its Listener from the pod's ports
      const l = listeners.find(x => x.metadata.name === name && ns(x) === ns(site.owner));
      if (l === undefined) { out.push(`${site.where} volume ${v.name}: Listener ${name} is not in the objects`); continue; }
      for (const p of l.spec?.ports ?? []) if (!ports.has(p.port)) out.push(`${site.where}: Listener ${name} port ${p.name} ${p.port} is no container port of the pod`);
    }
    for (const v of volumes) {
      const ann = v.ephemeral?.volumeClaimTemplate?.metadata?.annotations;
      if (v.ephemeral?.volumeClaimTemplate?.spec?.storageClassName !== SECRET_OPERATOR_STORAGE_CLASS || ann === undefined) continue;
      for (const scope of SecretScope.parseAll(ann['secrets.stackable.tech/scope'] ?? '')) {
        if (scope.type === 'listener-volume' && !listenerVolumes.some(lv => lv.name === scope.name)) out.push(`${site.where} volume ${v.name}: scope ${scope} names no listener volume of the pod`);
      }
    }
  }
  return out;
}

/** A place in the objects that names Kafka bootstrap servers, and the pods that use it. */
interface KafkaReference {
  readonly what: string;
  readonly namespace: string;
  readonly servers: string;
  /** Pod sites and the containers of each that connect with these servers (ConfigMaps: the pods that mount or read them). */
  readonly users: ReadonlyArray<{ readonly site: PodSite; readonly containers: readonly any[] }>;
}

/** `bootstrap.servers` (Kafka clients, Spark's `kafka.bootstrap.servers`) in a properties or YAML text. */
const BOOTSTRAP_LINE = /^\s*"?(?:[\w.-]*\.)?bootstrap[._]servers"?\s*[=:]\s*"?([^"\s]+)/gm;

/**
 * Where the objects name Kafka bootstrap servers: env variables whose name says Kafka or
 * bootstrap (`KAFKA_BOOTSTRAP_SERVERS`, ...), sparkConf keys ending in `bootstrap.servers`, and
 * ConfigMap keys so named or `bootstrap.servers` lines in their files (with the pods that mount
 * the ConfigMap or read it through env).
 */
export function kafkaReferences(objs: readonly Obj[]): KafkaReference[] {
  const refs: KafkaReference[] = [];
  const sites = podSites(objs);
  for (const site of sites) {
    for (const c of allContainers(site.spec)) {
      for (const e of c.env ?? []) {
        if (typeof e.value === 'string' && /KAFKA|BOOTSTRAP/i.test(e.name)) {
          refs.push({ what: `${site.where} container ${c.name} env ${e.name}`, namespace: ns(site.owner), servers: e.value, users: [{ site, containers: [c] }] });
        }
      }
    }
  }
  for (const app of ofKind(objs, 'SparkApplication')) {
    for (const [key, value] of Object.entries<string>(app.spec.sparkConf ?? {})) {
      if (/bootstrap\.servers$/.test(key)) {
        const users = sites.filter(s => s.owner === app).map(site => ({ site, containers: allContainers(site.spec) }));
        refs.push({ what: `SparkApplication/${app.metadata.name} sparkConf ${key}`, namespace: ns(app), servers: value, users });
      }
    }
  }
  for (const cm of ofKind(objs, 'ConfigMap')) {
    const users = sites.filter(s => ns(s.owner) === ns(cm)).flatMap(site => {
      const volumes = (site.spec.volumes ?? []).filter((v: any) => v.configMap?.name === cm.metadata.name).map((v: any) => v.name);
      const containers = allContainers(site.spec).filter(c => (c.volumeMounts ?? []).some((m: any) => volumes.includes(m.name))
        || (c.envFrom ?? []).some((f: any) => f.configMapRef?.name === cm.metadata.name)
        || (c.env ?? []).some((e: any) => e.valueFrom?.configMapKeyRef?.name === cm.metadata.name));
      return containers.length === 0 ? [] : [{ site, containers }];
    });
    for (const [key, text] of Object.entries<string>(cm.data ?? {})) {
      if (/bootstrap[._-]?servers/i.test(key)) refs.push({ what: `ConfigMap/${cm.metadata.name} ${key}`, namespace: ns(cm), servers: text.trim(), users });
      for (const m of text.matchAll(BOOTSTRAP_LINE)) refs.push({ what: `ConfigMap/${cm.metadata.name} ${key} (${m[0].trim()})`, namespace: ns(cm), servers: m[1], users });
    }
  }
  return refs;
}

/** The SecretClass of a KafkaCluster's TLS client authentication, or a problem. */
function kafkaClientCertClass(kafka: Obj, objs: readonly Obj[]): { secretClass?: string; problem?: string } {
  const name = kafka.spec.clusterConfig?.authentication?.[0]?.authenticationClass;
  if (name === undefined) return {};
  const auth = ofKind(objs, 'AuthenticationClass').find(a => a.metadata.name === name);
  const secretClass = auth?.spec?.provider?.tls?.clientCertSecretClass;
  if (secretClass === undefined) return { problem: `KafkaCluster/${kafka.metadata.name}: AuthenticationClass ${name} ${auth === undefined ? 'is not in the objects' : 'has no tls provider with a clientCertSecretClass'}` };
  return { secretClass };
}

/**
 * Kafka clients (kafka-operator 26.7.0, see constructs/kafka/kafka-cluster.ts): every in-cluster
 * bootstrap server the objects name is a name in the certificate of a KafkaCluster's brokers in
 * that namespace, on the TLS client port 9093 (the headless Service `<cluster>-broker-default-headless`,
 * `KafkaCluster.bootstrapServers`); a pod that connects has a secret-operator volume of the SecretClass
 * the brokers accept client certificates from (the AuthenticationClass's `clientCertSecretClass`,
 * which also signs the brokers' certificate), not only its public part; an env variable read from a
 * Kafka discovery ConfigMap reads key `KAFKA` of a KafkaCluster's.
 */
export function checkKafkaClients(objs: readonly Obj[]): string[] {
  const out: string[] = [];
  const clusters = ofKind(objs, 'KafkaCluster');
  for (const kafka of clusters) {
    const { problem } = kafkaClientCertClass(kafka, objs);
    if (problem !== undefined) out.push(problem);
  }
  const certNames = (kafka: Obj): string[] => {
    const config = kafka.spec.brokers?.config ?? {};
    const groups = Object.fromEntries(Object.entries<any>(kafka.spec.brokers?.roleGroups ?? {}).map(([g, v]) => [g, v?.replicas ?? 1]));
    return kafkaBrokerCertificateNames(kafka.metadata.name, ns(kafka), config.bootstrapListenerClass ?? 'cluster-internal', config.brokerListenerClass ?? 'cluster-internal', groups);
  };
  for (const ref of kafkaReferences(objs)) {
    const targets = new Set<Obj>();
    for (const server of ref.servers.split(',').map(x => x.trim()).filter(x => x.length > 0)) {
      const m = /^([^:/\s]+):(\d+)$/.exec(server);
      if (m === null || !m[1].endsWith(`.svc.${CLUSTER_DOMAIN}`)) continue; // not an in-cluster name: not ours to check
      const kafka = clusters.find(k => certNames(k).includes(m[1]));
      if (kafka === undefined) {
        const known = clusters.map(k => `${fqdn(`${k.metadata.name}-broker-default-headless`, ns(k))}:${KAFKA_PORTS.client}`);
        out.push(`${ref.what}: ${server} is not the bootstrap servers of a KafkaCluster (${known.join(', ') || 'none in the objects'}): no broker certificate names ${m[1]}`);
        continue;
      }
      if (Number(m[2]) !== KAFKA_PORTS.client) out.push(`${ref.what}: ${server}: KafkaCluster/${kafka.metadata.name} accepts clients on ${KAFKA_PORTS.client} (port ${KAFKA_PORTS.clientPortName}), not ${m[2]}`);
      targets.add(kafka);
    }
    for (const kafka of targets) {
      const { secretClass } = kafkaClientCertClass(kafka, objs);
      if (secretClass === undefined) continue;
      for (const { site, containers } of ref.users) {
        const volumes = (site.spec.volumes ?? []).filter((v: any) => v.ephemeral?.volumeClaimTemplate?.spec?.storageClassName === SECRET_OPERATOR_STORAGE_CLASS);
        for (const c of containers) {
          const mounted = volumes.filter((v: any) => (c.volumeMounts ?? []).some((m: any) => m.name === v.name));
          const ann = (v: any) => v.ephemeral.volumeClaimTemplate.metadata?.annotations ?? {};
          const ok = mounted.some((v: any) => ann(v)['secrets.stackable.tech/class'] === secretClass && ann(v)['secrets.stackable.tech/provision-parts'] !== 'public');
          if (!ok) {
            const have = mounted.map((v: any) => `${v.name}: ${ann(v)['secrets.stackable.tech/class']}`).join(', ') || 'none';
            out.push(`${site.where} container ${c.name}: connects to KafkaCluster/${kafka.metadata.name} (${ref.what}), whose brokers require a client certificate of SecretClass ${secretClass} and are signed by it, but it mounts no such secret-operator volume (mounted: ${have}); use KafkaCluster.clientTlsVolume`);
          }
        }
      }
    }
  }
  for (const site of podSites(objs)) {
    for (const c of allContainers(site.spec)) {
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.configMapKeyRef;
        if (ref === undefined || ref.key !== KAFKA_DISCOVERY_KEY) continue;
        if (!clusters.some(k => k.metadata.name === ref.name && ns(k) === ns(site.owner))) {
          out.push(`${site.where} container ${c.name}: env ${e.name} reads ${KAFKA_DISCOVERY_KEY} of ConfigMap ${ref.name}, which is not the discovery ConfigMap of a KafkaCluster (named after it)`);
        }
      }
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
  'DNS egress': checkDnsEgress,
  'Stackable image users': checkStackableImageUsers,
  'volumes and mounts': checkVolumesAndMounts,
  'listener classes': checkListenerClasses,
  'listener volumes': checkListenerVolumes,
  'operator defaults': checkOperatorDefaults,
  'image files': checkImageFiles,
  'JVM memory': checkJvmMemory,
  'Kafka clients': checkKafkaClients,
};

/** Runs every check; returns `check: violation` lines. */
export function checkRuntimeContract(objs: readonly Obj[]): string[] {
  return Object.entries(CONTRACT_CHECKS).flatMap(([name, check]) => check(objs).map(v => `${name}: ${v}`));
}
