/**
 * The whole default demo: a snapshot of every synthesized object, and checks that every
 * reference between objects (Secrets, ConfigMaps, S3 connections, discovery ConfigMaps, Services,
 * SecretClasses) resolves to an object of the output or to one an operator derives from it.
 */
import { Testing } from 'cdk8s';
import { DemoChart } from './demos/spark-k8s-anomaly-detection-taxi-data/demo-chart';
import { specHash } from './constructs/core';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: any };

const NS = 'taxi-demo';
const manifests = (): Obj[] => Testing.synth(new DemoChart(Testing.app(), 'demo', { namespace: NS })) as Obj[];

/** Jobs and the SparkApplication are named `<name>-<hash of their spec>` (constructs/core/content-name.ts). */
const named = (o: Obj, name: string) => o.metadata.name === name || (o.spec !== undefined && o.metadata.name === `${name}-${specHash(o.spec)}`);
function find(objs: Obj[], kind: string, name: string): Obj {
  const found = objs.filter(o => o.kind === kind && named(o, name));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0];
}
const has = (objs: Obj[], kind: string, name: string) => objs.some(o => o.kind === kind && o.metadata.name === name);
const index = (objs: Obj[], kind: string, name: string) => objs.findIndex(o => o.kind === kind && o.metadata.name === name);

/** All values under `key` anywhere in `value` (depth-first). */
function collect(value: unknown, key: string, out: any[] = []): any[] {
  if (Array.isArray(value)) value.forEach(v => collect(v, key, out));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === key) out.push(v);
      collect(v, key, out);
    }
  }
  return out;
}

/** Keys of a Secret of the output. */
function secretKeys(objs: Obj[], name: string): string[] {
  return Object.keys(find(objs, 'Secret', name).stringData ?? {});
}

describe('DemoChart (default demo)', () => {
  const objs = manifests();

  test('snapshot of every synthesized object', () => {
    expect(new DemoChart(Testing.app(), 'demo').toJson()).toMatchSnapshot();
  });

  test('every secretKeyRef points to a key of a Secret in the output', () => {
    const refs = collect(objs, 'secretKeyRef');
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(secretKeys(objs, ref.name)).toContain(ref.key);
  });

  test('every ConfigMap volume is in the output, a TrustStore output, or left to the pod', () => {
    const names = collect(objs, 'configMap').filter(v => typeof v === 'object' && 'name' in v).map(v => v.name);
    expect(names.length).toBeGreaterThan(3);
    for (const name of names) expect(has(objs, 'ConfigMap', name) || has(objs, 'TrustStore', name)).toBe(true);
  });

  test('namespaced objects carry the namespace, cluster-scoped ones none', () => {
    const clusterScoped = new Set(['SecretClass', 'AuthenticationClass', 'Namespace']);
    for (const o of objs) {
      if (clusterScoped.has(o.kind)) expect(o.metadata.namespace).toBeUndefined();
      else expect(o.metadata.namespace).toBe(NS);
    }
    expect(index(objs, 'Namespace', NS)).toBe(0);
  });

  test('S3: connection, credentials class and labelled Secret fit together', () => {
    const conn = find(objs, 'S3Connection', 'minio');
    expect(conn.spec.host).toBe(`minio.${NS}.svc.cluster.local`);
    expect(conn.spec.port).toBe(9000);
    expect(conn.spec.accessStyle).toBe('Path');
    expect(conn.spec.tls.verification.server.caCert.secretClass).toBe('tls');
    const cls = find(objs, 'SecretClass', conn.spec.credentials.secretClass);
    expect(cls.spec.backend.k8sSearch.searchNamespace).toEqual({ pod: {} });
    const labelled = objs.filter(o => o.kind === 'Secret' && o.metadata.labels?.['secrets.stackable.tech/class'] === cls.metadata.name);
    expect(labelled).toHaveLength(1);
    expect(Object.keys(labelled[0].stringData).sort()).toEqual(['accessKey', 'secretKey']);
    // MinIO serves on the host and port the connection names.
    const svc = find(objs, 'Service', 'minio');
    expect(svc.spec.ports.map((p: any) => p.port)).toContain(9000);
    for (const ref of [...collect(objs, 's3'), ...collect(objs, 's3connection')].filter(v => v?.reference)) {
      expect(has(objs, 'S3Connection', ref.reference)).toBe(true);
    }
  });

  test('MinIO gets a secret-operator certificate for its service scope, named as MinIO wants', () => {
    const dep = find(objs, 'Deployment', 'minio');
    const tls = dep.spec.template.spec.volumes.find((v: any) => v.name === 'tls');
    const ann = tls.ephemeral.volumeClaimTemplate.metadata.annotations;
    expect(ann['secrets.stackable.tech/class']).toBe('tls');
    expect(ann['secrets.stackable.tech/scope']).toBe('service=minio');
    // secret-operator 26.7.0 format/well_known.rs NamingOptions: the PEM file-name annotations.
    expect(ann['secrets.stackable.tech/format.tls-pem.cert-name']).toBe('public.crt');
    expect(ann['secrets.stackable.tech/format.tls-pem.key-name']).toBe('private.key');
    const pvc = dep.spec.template.spec.volumes.find((v: any) => v.name === 'data').persistentVolumeClaim.claimName;
    expect(find(objs, 'PersistentVolumeClaim', pvc).spec.resources.requests.storage).toBe('10Gi');
  });

  test('every MinIO client reaches the MinIO Service by its FQDN', () => {
    const hosts = collect(objs, 'env').flat().filter((e: any) => e.name === 'MC_HOST_minio').map((e: any) => e.value);
    expect(hosts.length).toBe(2); // the bucket Job, the Spark submit pod's wait
    for (const h of hosts) expect(h).toBe(`https://$(S3_ACCESS_KEY):$(S3_SECRET_KEY)@minio.${NS}.svc.cluster.local:9000`);
    const load = find(objs, 'Job', 'load-ny-taxi-data').spec.template.spec.containers[0];
    expect(load.env.find((e: any) => e.name === 'BUCKET_URL').value).toBe(`https://minio.${NS}.svc.cluster.local:9000/demo`);
  });

  test('Hive metastores use their own PostgreSQL and Secret', () => {
    for (const [hive, pg] of [['hive', 'postgresql-hive'], ['hive-iceberg', 'postgresql-hive-iceberg']]) {
      const db = find(objs, 'HiveCluster', hive).spec.clusterConfig.metadataDatabase.postgresql;
      expect(db.host).toBe(`${pg}.${NS}.svc.cluster.local`);
      expect(find(objs, 'Service', pg).spec.ports[0].port).toBe(db.port);
      expect(secretKeys(objs, db.credentialsSecretName).sort()).toEqual(['password', 'username']);
      const sts = find(objs, 'StatefulSet', pg);
      const env = sts.spec.template.spec.containers[0].env;
      expect(env.find((e: any) => e.name === 'POSTGRES_DB').value).toBe(db.database);
      expect(env.find((e: any) => e.name === 'POSTGRES_PASSWORD').valueFrom.secretKeyRef.name).toBe(db.credentialsSecretName);
    }
  });

  test('Trino: catalogs, metastores, OPA and authentication resolve', () => {
    const trino = find(objs, 'TrinoCluster', 'trino');
    const cc = trino.spec.clusterConfig;
    const catalogs = objs.filter(o => o.kind === 'TrinoCatalog');
    expect(catalogs.map(c => c.metadata.name).sort()).toEqual(['hive', 'prediction']);
    for (const c of catalogs) {
      expect(c.metadata.labels).toMatchObject(cc.catalogLabelSelector.matchLabels);
      const connector = c.spec.connector.hive ?? c.spec.connector.iceberg;
      expect(has(objs, 'HiveCluster', connector.metastore.configMap)).toBe(true);
      // The operator on Kubernetes 1.35 needs the catalogs to exist before the cluster.
      expect(index(objs, 'TrinoCatalog', c.metadata.name)).toBeLessThan(index(objs, 'TrinoCluster', 'trino'));
    }
    expect(find(objs, 'TrinoCatalog', 'prediction').spec.connector.iceberg.metastore.configMap).toBe('hive-iceberg');
    expect(has(objs, 'OpaCluster', cc.authorization.opa.configMapName)).toBe(true);
    expect(cc.authorization.opa.package).toBe('trino');
    const auth = find(objs, 'AuthenticationClass', cc.authentication[0].authenticationClass);
    expect(secretKeys(objs, auth.spec.provider.static.userCredentialsSecret.name)).toEqual(['admin']);
    expect(trino.spec.coordinators.roleConfig.listenerClass).toBe('external-stable');
    // OPA and its bundle are applied before Trino.
    const bundle = objs.find(o => o.kind === 'ConfigMap' && o.metadata.labels?.['opa.stackable.tech/bundle'] === 'true')!;
    expect(Object.keys(bundle.data).sort()).toEqual(['stackable_demo.rego', 'trino.rego']);
    expect(index(objs, 'ConfigMap', bundle.metadata.name)).toBeLessThan(index(objs, 'TrinoCluster', 'trino'));
    expect(index(objs, 'OpaCluster', 'opa')).toBeLessThan(index(objs, 'TrinoCluster', 'trino'));
  });

  test('Superset: credentials, metadata database and the dashboard import Job', () => {
    const superset = find(objs, 'SupersetCluster', 'superset');
    const keys = secretKeys(objs, superset.spec.clusterConfig.credentialsSecret);
    expect(keys.sort()).toEqual(['adminUser.email', 'adminUser.firstname', 'adminUser.lastname', 'adminUser.password', 'adminUser.username']);
    // SECRET_KEY: no Secret superset-secret-key; the superset-operator creates it with a random key.
    expect(has(objs, 'Secret', 'superset-secret-key')).toBe(false);
    const db = superset.spec.clusterConfig.metadataDatabase.postgresql;
    expect(db.host).toBe(`postgresql-superset.${NS}.svc.cluster.local`);
    expect(superset.spec.nodes.roleConfig.listenerClass).toBe('external-stable');
    const job = find(objs, 'Job', 'superset-import-dashboard');
    const env = job.spec.template.spec.containers[0].env;
    expect(env.find((e: any) => e.name === 'SUPERSET_URL').value).toBe(`http://superset-node.${NS}.svc.cluster.local:8088`);
    expect(JSON.parse(env.find((e: any) => e.name === 'DATABASE_PASSWORDS').value)).toEqual({ 'databases/trino.yaml': 'DATABASE_PASSWORD_1' });
    expect(env.find((e: any) => e.name === 'DATABASE_PASSWORD_1').valueFrom.secretKeyRef).toEqual({ name: 'trino-users', key: 'admin' });
    // The bundle's database points at the coordinator's HTTPS endpoint, without a password.
    const bundle = find(objs, 'ConfigMap', 'superset-import-dashboard-bundle');
    const dbFile = Object.entries<string>(bundle.data).find(([k]) => k.includes('databases'))![1];
    // The host in the coordinator certificate (pod scope: the role group headless Service), see TrinoCluster.host.
    expect(dbFile).toContain(`@trino-coordinator-default-headless.${NS}.svc.cluster.local:8443/`);
    expect(dbFile).not.toContain('adminadmin');
  });

  test('the Spark job reads the loaded data, writes through hive-iceberg, and waits for the load', () => {
    const app = find(objs, 'SparkApplication', 'spark-ad');
    expect(app.spec.sparkConf['spark.sql.catalog.prediction.uri']).toBe(`thrift://hive-iceberg-metastore.${NS}.svc.cluster.local:9083`);
    expect(app.spec.args).toEqual(expect.arrayContaining(['--input', 's3a://demo/ny-taxi-data/raw/', '--output-table', 'prediction.ad.iforest']));
    expect(has(objs, 'ConfigMap', app.spec.volumes[0].configMap.name)).toBe(true);
    const wait = app.spec.job.podOverrides.spec.initContainers[0];
    const env = Object.fromEntries(wait.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
    const load = find(objs, 'Job', 'load-ny-taxi-data');
    const loadEnv = Object.fromEntries(load.spec.template.spec.containers[0].env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
    expect(env.KEYS).toBe(loadEnv.KEYS);
    expect(env.KEYS).toBe('fhvhv_tripdata_2020-09.parquet fhvhv_tripdata_2020-10.parquet fhvhv_tripdata_2020-11.parquet fhvhv_tripdata_2020-12.parquet');
    expect(loadEnv.TARGET).toBe(`https://minio.${NS}.svc.cluster.local:9000/demo/ny-taxi-data/raw/`);
    expect(env.MARKER).toBe('minio/demo/ny-taxi-data/raw/_SUCCESS');
    // No RBAC is needed for the ordering.
    expect(objs.filter(o => ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding', 'ServiceAccount'].includes(o.kind))).toEqual([]);
  });

  test('every container we write has requests, limits and a restricted security context', () => {
    const pods = objs.filter(o => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind)).map(o => o.spec.template.spec);
    expect(pods.length).toBe(7);
    for (const pod of pods) {
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
        expect(c.resources.requests).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }));
        expect(c.resources.limits).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }));
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true });
        expect(c.image).not.toMatch(/:latest$|^[^:]+$/);
      }
    }
  });

  test('no credentials in ConfigMaps or command lines', () => {
    const passwords = ['adminadmin', 'superset'];
    for (const o of objs.filter(x => x.kind === 'ConfigMap')) {
      for (const v of Object.values<string>(o.data)) expect(v).not.toMatch(/adminadmin/);
    }
    for (const c of collect(objs, 'containers').flat()) {
      for (const part of [...(c.command ?? []), ...(c.args ?? [])]) for (const p of passwords) expect(part.split(/\s+/)).not.toContain(p);
    }
  });
});
