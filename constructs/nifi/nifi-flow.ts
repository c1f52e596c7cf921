import * as fs from 'fs';
import * as path from 'path';
import { k8s } from 'cdk8s-plus-28';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  containerResources, dnsLabel, ensureUniqueObjectNames, IMAGES, intInRange, IPodSelectable, jsonSha256, NON_ROOT_UID, PodNetworkPolicy,
  Resources, restrictedContainerAs, restrictedJob, scratchVolume, validateResources,
} from '../core';
import { TlsTrustStore } from '../secret-operator';
import { NifiCluster } from './nifi-cluster';
import { NifiFlowBuilder } from './nifi-flow-builder';

/** Props of {@link NifiFlow}. */
export interface NifiFlowProps {
  /** The NiFi cluster the flow is uploaded to and runs in. */
  readonly nifi: NifiCluster;
  /** CA trust for NiFi's certificate; must be of the SecretClass that issues it (`nifi.tlsSecretClass`). */
  readonly trust: TlsTrustStore;
  /** The process group: its name, components and connections (complete: it is rendered here). */
  readonly flow: NifiFlowBuilder;
  /** Name of the Job and of its ConfigMap. @default '<nifi name>-flow-<group name in lower case, dashes>' */
  readonly name?: string;
  /** Where the group is placed on the root canvas. @default { x: 0, y: 0 } */
  readonly position?: { readonly x: number; readonly y: number };
  /** How long the Job waits for NiFi (and for the flow to start) before it fails, in seconds. @default 1800 */
  readonly waitSeconds?: number;
  /** curl image (its BusyBox runs the script). @default IMAGES.curl */
  readonly image?: string;
  /** CPU and memory of the Job's container. @default 50m-500m CPU, 64 MiB */
  readonly resources?: Resources;
  /** Create a NetworkPolicy: no ingress; egress only to NiFi's pods (8443) and the cluster DNS. @default false */
  readonly networkPolicy?: boolean;
}

/** The ConfigMap keys: the flow definition and the JSON flattener of the script. */
const FLOW_FILE = 'flow.json';
const JSON_PATHS_AWK = 'json-paths.awk';
/** The upload script (constructs/nifi/upload-flow.sh), run by the curl image's /bin/sh (BusyBox ash). */
const UPLOAD_SCRIPT = 'upload-flow.sh';
/** Annotation of the Job's pod with the checksum of the ConfigMap it reads. */
const CONFIG_CHECKSUM_ANNOTATION = 'checksum/configmaps';
/** A ConfigMap holds at most 1 MiB. */
const CONFIGMAP_MAX_BYTES = 1024 * 1024;

/**
 * A NiFi process group written as code ({@link NifiFlowBuilder}), and the Job that puts it into
 * NiFi. The flow is rendered as a NiFi 2 flow definition into a ConfigMap, with the bundle
 * version of the cluster's image ({@link NifiCluster.bundleVersion}). The Job (curl
 * alone) logs in as NiFi's admin, uploads the definition as a child of the root group named
 * {@link groupName} unless a group of that name exists (a rerun uploads nothing), enables the
 * group's controller services and starts it. TLS is verified against the trust store's CA and the
 * node's host name ({@link NifiCluster.apiUrl}); the password reaches curl on its standard input,
 * the token in a header file, never on a command line.
 *
 * A changed flow gives a new Job (content-named) but does not change a group that exists:
 * delete the group in NiFi (or give a new `groupName`) to upload a new version.
 */
export class NifiFlow extends Construct implements IPodSelectable {
  /** The process group's name in NiFi. */
  public readonly groupName: string;
  /** The ConfigMap of the flow definition (`flow.json`) and the script's JSON flattener. */
  public readonly configMap: kplus.ConfigMap;
  /** The Job (also `ApiObject.of(this)`); content-named, see `restrictedJob`. */
  public readonly job: k8s.KubeJob;
  /** Labels of the Job's pod. */
  public readonly podSelector: Record<string, string>;
  /** The flow definition as the Job uploads it. */
  public readonly definition: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: NifiFlowProps) {
    super(scope, id);
    ensureUniqueObjectNames(this);
    const owner = `NifiFlow ${id}`;
    this.groupName = props.flow.groupName;
    const derived = `${props.nifi.name}-flow-${this.groupName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')}`.slice(0, 52).replace(/-+$/, '');
    const name = dnsLabel(owner, 'name', props.name ?? derived, 52);
    const waitSeconds = intInRange(owner, 'waitSeconds', props.waitSeconds ?? 1800, 1);
    const resources = validateResources(owner, 'resources', props.resources ?? { cpuRequestMillis: 50, cpuLimitMillis: 500, memoryMi: 64 });
    const position = props.position ?? { x: 0, y: 0 };
    for (const axis of ['x', 'y'] as const) {
      if (!Number.isFinite(position[axis])) throw new Error(`${owner}: position.${axis} ${position[axis]} must be a finite number`);
    }
    props.trust.checkTrusts(owner, props.nifi, 'the Job could not verify NiFi');
    this.definition = props.flow.render(props.nifi.bundleVersion);
    props.flow.seal(this.node.path);
    this.podSelector = { 'app.kubernetes.io/name': 'nifi-flow', 'app.kubernetes.io/instance': name };
    props.nifi.allowFrom(this);

    const script = fs.readFileSync(path.join(__dirname, UPLOAD_SCRIPT), 'utf8');
    const awk = fs.readFileSync(path.join(__dirname, JSON_PATHS_AWK), 'utf8');
    const data = { [FLOW_FILE]: `${JSON.stringify(this.definition)}\n`, [JSON_PATHS_AWK]: awk };
    const bytes = Object.entries(data).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
    if (bytes > CONFIGMAP_MAX_BYTES) throw new Error(`${owner}: the flow definition has ${bytes} bytes, more than a ConfigMap holds (1 MiB): split the flow`);
    this.configMap = new kplus.ConfigMap(this, 'Flow', { metadata: { name: `${name}-flow` }, data });

    if (props.networkPolicy ?? false) {
      const policy = new PodNetworkPolicy(this, 'NetworkPolicy', { name, target: this });
      policy.allowTo(props.nifi, [props.nifi.port]);
      policy.allowDns();
    }
    this.job = restrictedJob(this, {
      name,
      labels: this.podSelector,
      backoffLimit: 4,
      podAnnotations: { [CONFIG_CHECKSUM_ANNOTATION]: jsonSha256(data) },
      pod: {
        containers: [{
          name: 'upload',
          image: props.image ?? IMAGES.curl,
          command: ['/bin/sh', '-c', script],
          env: [
            { name: 'NIFI_URL', value: props.nifi.apiUrl },
            props.nifi.admin.usernameEnv('NIFI_USER'),
            props.nifi.admin.passwordEnv('NIFI_PASSWORD'),
            { name: 'CA_FILE', value: props.trust.caFile },
            { name: 'FLOW_FILE', value: `/flow/${FLOW_FILE}` },
            { name: 'JSON_PATHS_AWK', value: `/flow/${JSON_PATHS_AWK}` },
            { name: 'GROUP_NAME', value: this.groupName },
            { name: 'POSITION_X', value: String(position.x) },
            { name: 'POSITION_Y', value: String(position.y) },
            // The upload's `clientId` (required, any text: the client part of the new group's revision).
            { name: 'CLIENT_ID', value: name },
            { name: 'WAIT_SECONDS', value: String(waitSeconds) },
            { name: 'WORK_DIR', value: '/work' },
          ],
          resources: containerResources(resources),
          // The pod's user, pinned here too, as S3FileLoad does: the curl image has a user of its own.
          securityContext: restrictedContainerAs(NON_ROOT_UID),
          volumeMounts: [props.trust.volumeMount(), { name: 'flow', mountPath: '/flow', readOnly: true }, { name: 'work', mountPath: '/work' }],
        }],
        volumes: [props.trust.volume(), { name: 'flow', configMap: { name: this.configMap.name } }, scratchVolume('work', 16)],
      },
    });
  }
}
