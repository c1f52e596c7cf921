import { k8s } from 'cdk8s-plus-28';
import * as fs from 'fs';
import * as path from 'path';
import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import {
  BoundCredentials, containerResources, dnsLabel, ensureUniqueObjectNames, intInRange, IPodSelectable, jsonSha256, PodNetworkPolicy, Resources,
  restrictedContainer, restrictedJob, scratchVolume, STACKABLE_IMAGE_USER, stackableImage, validateResources,
} from '../core';
import { TlsTrustStore } from '../secret-operator';
import { SupersetBundle } from './bundle';
import { Superset } from './superset';

/** The password of one database file of a bundle. */
export interface SupersetDatabasePassword {
  /** Bundle path of the database file, e.g. `databases/trino.yaml` (see `SupersetBundle.databaseFiles`). */
  readonly file: string;
  /** The Secret-backed credentials whose password Superset stores for that connection (e.g. `TrinoCluster.admin`). */
  readonly password: BoundCredentials;
}

/** Props of {@link SupersetAssetsImport}. */
export interface SupersetAssetsImportProps {
  /** The Superset to import into. */
  readonly superset: Superset;
  /** The assets to import. */
  readonly bundle: SupersetBundle;
  /**
   * A password for every database file of the bundle (`bundle.databaseFiles`): exports carry a
   * mask instead of the password (see `PASSWORD_MASK`).
   * @default [] - only for bundles without database files
   */
  readonly databases?: SupersetDatabasePassword[];
  /**
   * The CA trust that verifies the bundle's Trino connections made by this library
   * (`bundle.trinoConnections`): checked to trust each Trino's certificate issuer, its `caFile`
   * to be the connections' CA file. It must be the one mounted in the Superset pods.
   * @default - `superset.trust`
   */
  readonly trust?: TlsTrustStore;
  /** Name of the Job (before its content hash, see `restrictedJob`) and prefix of its ConfigMaps. @default '<superset name>-import-assets' */
  readonly name?: string;
  /** How long the Job waits for Superset (and the databases) before it fails. @default 1800 */
  readonly waitSeconds?: number;
  /**
   * Image with Python 3 (the Superset image, which the import script needs nothing beyond). The
   * pod runs as the Stackable images' user ({@link STACKABLE_IMAGE_USER}), so another image must
   * work as UID 1000, group 0.
   * @default - the Stackable Superset image
   */
  readonly image?: string;
  /** CPU and memory. @default 50m-500m CPU, 256 MiB */
  readonly resources?: Resources;
  /**
   * Create a NetworkPolicy: no ingress; egress only to the Superset pods' web port (selected by
   * `superset.podSelector`) and the cluster DNS.
   * @default false
   */
  readonly networkPolicy?: boolean;
}

/** The import script, next to this file (tested against a real Superset 6.1.0 by scripts/test-superset.sh). */
export const IMPORT_SCRIPT = 'import_assets.py';
/** Pod annotation of the import Job: SHA-256 of the data of its two ConfigMaps. */
export const CONFIG_CHECKSUM_ANNOTATION = 'checksum/configmaps';
/** Environment variable of the Job: JSON map of database file -> name of the variable holding its password. */
export const DATABASE_PASSWORDS_ENV = 'DATABASE_PASSWORDS';
/** Kubernetes docs, "ConfigMaps": the data stored in a ConfigMap cannot exceed 1 MiB (etcd's request limit). */
const CONFIGMAP_MAX_BYTES = 1024 * 1024;

/**
 * A Job that imports a Superset assets bundle (databases, datasets, charts, dashboards): the
 * bundle is embedded in a ConfigMap, the script `import_assets.py` in another. The script waits
 * until Superset answers, then posts the bundle to the assets import API with each database
 * file's password, read from its Secret. Reruns overwrite the same objects (the bundle's UUIDs).
 */
export class SupersetAssetsImport extends Construct implements IPodSelectable {
  /** The ConfigMap of the bundle's files. */
  public readonly bundleConfigMap: kplus.ConfigMap;
  /** The ConfigMap of the import script. */
  public readonly scriptConfigMap: kplus.ConfigMap;
  /** The Job (also `ApiObject.of(this)`); content-named, see `restrictedJob`. */
  public readonly job: k8s.KubeJob;
  /** The imported bundle. */
  public readonly bundle: SupersetBundle;
  /** Labels of the Job's pod. */
  public readonly podSelector: Record<string, string>;

  constructor(scope: Construct, id: string, props: SupersetAssetsImportProps) {
    super(scope, id);
    ensureUniqueObjectNames(this);
    const owner = `SupersetAssetsImport ${id}`;
    const name = dnsLabel(owner, 'name', props.name ?? `${props.superset.name}-import-assets`, 52);
    const waitSeconds = intInRange(owner, 'waitSeconds', props.waitSeconds ?? 1800, 1);
    const resources = validateResources(owner, 'resources', props.resources ?? { cpuRequestMillis: 50, cpuLimitMillis: 500, memoryMi: 256 });
    this.bundle = props.bundle;
    this.podSelector = { 'app.kubernetes.io/name': 'superset-import-assets', 'app.kubernetes.io/instance': name };

    const databases = props.databases ?? [];
    databases.forEach((d, i) => {
      if (!props.bundle.databaseFiles.includes(d.file)) {
        throw new Error(`${owner}: databases[${i}].file "${d.file}" is not a database file of the bundle; its database files: ${props.bundle.databaseFiles.join(', ') || 'none'}`);
      }
      if (databases.findIndex(x => x.file === d.file) !== i) throw new Error(`${owner}: databases[${i}].file "${d.file}" is given twice`);
    });
    for (const file of props.bundle.databaseFiles) {
      if (!databases.some(d => d.file === file)) {
        throw new Error(`${owner}: the bundle's ${file} needs a password: add { file: '${file}', password: <credentials> } to databases`);
      }
    }
    const trust = props.trust ?? props.superset.trust;
    for (const c of props.bundle.trinoConnections) {
      if (c.caFile !== trust.caFile) {
        throw new Error(`${owner}: the bundle's ${c.file} verifies Trino's certificate against ${c.caFile}, but trust (${trust.node.path}) mounts its CA at ${trust.caFile} in the Superset pods: build the bundle with caFile: trust.caFile`);
      }
      if (isTlsServer(c.trino)) trust.checkTrusts(owner, c.trino, 'Superset could not verify Trino');
    }

    const bundleData = props.bundle.toConfigMapData();
    const bytes = Object.entries(bundleData).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
    if (bytes > CONFIGMAP_MAX_BYTES) throw new Error(`${owner}: the bundle has ${bytes} bytes, more than a ConfigMap holds (1 MiB): split it into several imports`);
    const scriptData = { [IMPORT_SCRIPT]: fs.readFileSync(path.join(__dirname, IMPORT_SCRIPT), 'utf8') };
    const bundle = this.bundleConfigMap = new kplus.ConfigMap(this, 'Bundle', { metadata: { name: `${name}-bundle` }, data: bundleData });
    const script = this.scriptConfigMap = new kplus.ConfigMap(this, 'Script', { metadata: { name: `${name}-script` }, data: scriptData });

    if (props.networkPolicy ?? false) {
      const policy = new PodNetworkPolicy(this, 'NetworkPolicy', { name, target: this });
      policy.allowTo(props.superset, [props.superset.port]);
      policy.allowDns();
    }
    // One variable per database file, in the order of the bundle's files; the map tells the script which is which.
    const passwordVars = props.bundle.databaseFiles.map((file, i) => ({ file, env: `DATABASE_PASSWORD_${i + 1}`, password: databases.find(d => d.file === file)!.password }));
    // The Job reads the bundle and the script from the ConfigMaps: a changed one must rename the Job.
    const configSha = jsonSha256([bundleData, scriptData]);
    this.job = restrictedJob(this, {
      name,
      labels: this.podSelector,
      backoffLimit: 6,
      user: STACKABLE_IMAGE_USER,
      podAnnotations: { [CONFIG_CHECKSUM_ANNOTATION]: configSha },
      pod: {
        containers: [{
          name: 'import',
          image: props.image ?? stackableImage('superset', props.superset.productVersion),
          command: ['python3', `/scripts/${IMPORT_SCRIPT}`],
          env: [
            { name: 'SUPERSET_URL', value: props.superset.url },
            props.superset.admin.usernameEnv('SUPERSET_USERNAME'),
            props.superset.admin.passwordEnv('SUPERSET_PASSWORD'),
            { name: DATABASE_PASSWORDS_ENV, value: JSON.stringify(Object.fromEntries(passwordVars.map(v => [v.file, v.env]))) },
            ...passwordVars.map(v => v.password.passwordEnv(v.env)),
            { name: 'BUNDLE_DIR', value: '/bundle' },
            { name: 'WAIT_SECONDS', value: String(waitSeconds) },
            { name: 'HOME', value: '/tmp' },
          ],
          resources: containerResources(resources),
          securityContext: restrictedContainer(),
          volumeMounts: [
            { name: 'bundle', mountPath: '/bundle', readOnly: true },
            { name: 'script', mountPath: '/scripts', readOnly: true },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        }],
        volumes: [
          { name: 'bundle', configMap: { name: bundle.name } },
          { name: 'script', configMap: { name: script.name } },
          scratchVolume('tmp', 64),
        ],
      },
    });
  }
}

/** A server construct whose certificate a TlsTrustStore can check (a `TrinoCluster`), as opposed to a plain endpoint. */
function isTlsServer(x: object): x is IConstruct & { readonly tlsSecretClass: string } {
  return Construct.isConstruct(x) && typeof (x as { tlsSecretClass?: unknown }).tlsSecretClass === 'string';
}
