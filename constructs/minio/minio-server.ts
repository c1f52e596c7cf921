import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Listener } from '../../imports/listeners.stackable.tech';
import {
  BoundCredentials, containerResources, Credentials, dnsLabel, dnsSubdomain, ensureUniqueObjectNames, IMAGES,
  intInRange, IPodSelectable, LISTENER_CLASSES, ListenerClassName, listenerVolume, NON_ROOT_UID, oneOf,
  PodNetworkPolicy, Resources, restrictedContainer, restrictedPod, scratchVolume, serviceFqdn, urlSafeSecret,
  validateResources,
} from '../core';
import { IS3Endpoint, S3CredentialsClass } from '../s3';
import { SecretScope, secretOperatorVolume } from '../secret-operator';

/** Props of {@link MinioServer}. */
export interface MinioServerProps {
  /** Name of the Deployment, Service and PVC; also the TLS certificate's service scope. @default 'minio' */
  readonly name?: string;
  /**
   * Root user (access key) and password (secret key). The Secret has keys `accessKey` and
   * `secretKey`, the layout Stackable S3 credentials use, so the same Secret serves the products.
   * Literal values must be URL-safe (they are used in `MC_HOST_*` URLs), the password 8+ characters.
   * @default - Credentials.literal('admin', 'adminadmin') in Secret `<name>-s3-credentials`
   */
  readonly credentials?: Credentials;
  /** Labels the credentials Secret for this SecretClass so Stackable products can use it. @default - not labelled */
  readonly credentialsClass?: S3CredentialsClass;
  /** secret-operator SecretClass that issues the server certificate. @default 'tls' */
  readonly tlsSecretClass?: string;
  /**
   * Lifetime of the server certificate in days, 1 to 15 (the default `tls` SecretClass issues at
   * most 15). The secret-operator renews a certificate only by having the pod restarted some hours
   * before it expires, so this is how often the single MinIO server restarts; with the
   * secret-operator's own default of 24 hours it would restart about every 13 to 18 hours.
   * @default 7
   */
  readonly certificateLifetimeDays?: number;
  /** Size of the data volume in GiB. @default 10 */
  readonly storageGi?: number;
  /** Storage class of the data volume. @default - the cluster's default storage class */
  readonly storageClassName?: string;
  /**
   * CPU and memory, e.g. `{ cpuRequestMillis: 500, memoryMi: 1024 }` (no CPU limit, as Stackable's
   * MinIO stacks run it) or `{ cpu: { min: '500m' }, memory: { limit: '1Gi' } }`.
   * @default 250m-1000m CPU, 1024 MiB
   */
  readonly resources?: Resources;
  /**
   * Exposes the S3 API and the console through a listener-operator Listener of this class
   * (named `<name>-listener`, ports `https` 9000 and `console` 9001), mounted by the MinIO pod
   * as a listener volume; the server certificate then also names the addresses the Listener
   * gives the pod (scope `listener-volume`), so clients reaching MinIO there can verify it
   * against the SecretClass's CA. `external-unstable` is a NodePort: the certificate names the
   * address of the node MinIO runs on. The ClusterIP Service `<name>` stays for in-cluster clients.
   * @default - no Listener: MinIO is reachable inside the cluster only
   */
  readonly listenerClass?: ListenerClassName;
  /** Container image. @default IMAGES.minio */
  readonly image?: string;
  /**
   * Create a NetworkPolicy: only clients added with `allowFrom` reach MinIO, and MinIO itself
   * opens no connection (no egress).
   * @default false
   */
  readonly networkPolicy?: boolean;
}

const API_PORT = 9000;
/** The pod volume that mounts the Listener (and names it in the certificate's `listener-volume` scope). */
const LISTENER_VOLUME = 'listener';
const CONSOLE_PORT = 9001;

/**
 * MinIO reads its certificate and key from `<certs-dir>/public.crt` and `<certs-dir>/private.key`
 * (minio/minio cmd/config-dir.go `publicCertFile` / `privateKeyFile`). The secret-operator
 * writes `tls.crt` / `tls.key` unless told otherwise: the volume's
 * `secrets.stackable.tech/format.tls-pem.cert-name` / `key-name` annotations rename them
 * (see secret-operator/secret-volume.ts), and the subPath mounts use the same names.
 */
export const MINIO_TLS_FILES = { cert: 'public.crt', key: 'private.key' } as const;

/**
 * A single-node MinIO S3 server: Deployment with a persistent volume, Service (S3 API on 9000,
 * console on 9001), root credentials in a Secret, and a TLS certificate issued by the
 * secret-operator for `service=<name>` (files named `public.crt`/`private.key` as MinIO wants).
 * With `listenerClass`, also a listener-operator Listener that exposes both ports, e.g. outside
 * the cluster, with the Listener's addresses in the certificate.
 */
export class MinioServer extends Construct implements IS3Endpoint, IPodSelectable {
  /** The Deployment (also `ApiObject.of(minio)`). */
  public readonly deployment: k8s.KubeDeployment;
  /** The Service of the S3 API and console. */
  public readonly service: k8s.KubeService;
  /** The data volume's claim. */
  public readonly volumeClaim: k8s.KubePersistentVolumeClaim;
  /** Name of the Service. */
  public readonly serviceName: string;
  /** In-cluster DNS name of the S3 API. */
  public readonly host: string;
  /** Port of the S3 API (HTTPS). */
  public readonly apiPort = API_PORT;
  /** Port of the web console (HTTPS). */
  public readonly consolePort = CONSOLE_PORT;
  /** The SecretClass that issues the server certificate. */
  public readonly tlsSecretClass: string;
  /**
   * Scopes of the server certificate: `service=<name>`, so its SAN is {@link host}, the name every
   * in-cluster client connects to, and with a `listenerClass` also `listener-volume=listener`: the
   * addresses of the pod's listener volume, i.e. where the Listener reaches this pod (a NodePort
   * Listener: the node's address, an IP with the 26.7 ListenerClasses' default `preferredAddressType`
   * HostnameConservative; a LoadBalancer: its address; cluster-internal: `<name>-listener.<ns>.svc.<domain>`)
   * (secret-operator 26.7.0 backend/mod.rs `scope_addresses`; listener-operator 26.7.0
   * csi_server/node.rs `local_listener_addresses_for_pod`, listener_controller.rs `reconcile`).
   */
  public readonly tlsScopes: SecretScope[];
  /** The SecretClass the credentials Secret is labelled for, if any. */
  public readonly credentialsClass?: S3CredentialsClass;
  /** The Secret with `accessKey` and `secretKey`. */
  public readonly credentials: BoundCredentials;
  /** Labels of the server pod. */
  public readonly podSelector: Record<string, string>;
  /** The Listener exposing the S3 API and console, when `listenerClass` is set. */
  public readonly listener?: Listener;
  /** The listener class of {@link listener}, when `listenerClass` is set. */
  public readonly listenerClass?: ListenerClassName;
  /** The NetworkPolicy of the server pod, when `networkPolicy` is on. */
  public readonly networkPolicy?: PodNetworkPolicy;

  constructor(scope: Construct, id: string, props: MinioServerProps = {}) {
    super(scope, id);
    ensureUniqueObjectNames(this);
    const owner = `MinioServer ${id}`;
    const name = dnsLabel(owner, 'name', props.name ?? 'minio');
    const storageGi = intInRange(owner, 'storageGi', props.storageGi ?? 10, 1);
    const lifetimeDays = intInRange(owner, 'certificateLifetimeDays', props.certificateLifetimeDays ?? 7, 1, 15);
    const resources = validateResources(owner, 'resources', props.resources ?? { cpuRequestMillis: 250, cpuLimitMillis: 1000, memoryMi: 1024 });
    const credentials = props.credentials ?? Credentials.literal('admin', 'adminadmin');
    urlSafeSecret(owner, 'credentials.username', credentials.username, 3);
    if (credentials.password !== undefined) urlSafeSecret(owner, 'credentials.password', credentials.password, 8);
    this.credentialsClass = props.credentialsClass;
    this.tlsSecretClass = dnsSubdomain(owner, 'tlsSecretClass', props.tlsSecretClass ?? 'tls');
    this.serviceName = name;
    this.host = serviceFqdn(this, name);
    this.listenerClass = props.listenerClass === undefined ? undefined : oneOf(owner, 'listenerClass', props.listenerClass, LISTENER_CLASSES);
    this.tlsScopes = [SecretScope.service(name), ...(this.listenerClass === undefined ? [] : [SecretScope.listenerVolume(LISTENER_VOLUME)])];
    this.podSelector = { 'app.kubernetes.io/name': 'minio', 'app.kubernetes.io/instance': name };
    this.credentials = credentials.bind(this, 'Credentials', {
      secretName: `${name}-s3-credentials`, usernameKey: 'accessKey', passwordKey: 'secretKey',
      labels: props.credentialsClass?.secretLabels,
    });

    const pvc = this.volumeClaim = new k8s.KubePersistentVolumeClaim(this, 'Data', {
      metadata: { name: `${name}-data`, labels: this.podSelector },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: props.storageClassName,
        resources: { requests: { storage: k8s.Quantity.fromString(`${storageGi}Gi`) } },
      },
    });

    this.service = new k8s.KubeService(this, 'Service', {
      metadata: { name, labels: this.podSelector },
      spec: {
        selector: this.podSelector,
        ports: [
          { name: 'https', port: API_PORT, targetPort: k8s.IntOrString.fromNumber(API_PORT) },
          { name: 'console', port: CONSOLE_PORT, targetPort: k8s.IntOrString.fromNumber(CONSOLE_PORT) },
        ],
      },
    });

    if (this.listenerClass !== undefined) {
      // Its own name: the listener-operator names the Listener's Service after the Listener and
      // refuses to take over a Service it does not own (listener_controller.rs
      // `ensure_existing_service_is_not_foreign`), such as ours. The Service's ports forward to the
      // same port numbers on the pod (no targetPort is set, listener_controller.rs `reconcile`).
      this.listener = new Listener(this, 'Listener', {
        metadata: { name: `${name}-listener`, labels: this.podSelector },
        spec: {
          className: this.listenerClass,
          ports: [{ name: 'https', port: API_PORT, protocol: 'TCP' }, { name: 'console', port: CONSOLE_PORT, protocol: 'TCP' }],
        },
      });
    }

    const probe = (path: string, initialDelaySeconds: number): k8s.Probe => ({
      httpGet: { path, port: k8s.IntOrString.fromNumber(API_PORT), scheme: 'HTTPS' },
      initialDelaySeconds, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6,
    });
    const certsDir = '/etc/minio/certs';
    this.deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name, labels: this.podSelector },
      spec: {
        replicas: 1,
        // One pod owns the ReadWriteOnce volume: stop the old pod before starting the new one.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: this.podSelector },
        template: {
          metadata: { labels: this.podSelector },
          spec: {
            automountServiceAccountToken: false,
            securityContext: restrictedPod(NON_ROOT_UID),
            containers: [{
              name: 'minio',
              image: props.image ?? IMAGES.minio,
              args: ['server', '/data', '--address', `:${API_PORT}`, '--console-address', `:${CONSOLE_PORT}`, '--certs-dir', certsDir],
              env: [
                this.credentials.usernameEnv('MINIO_ROOT_USER'),
                this.credentials.passwordEnv('MINIO_ROOT_PASSWORD'),
                { name: 'HOME', value: '/tmp' },
              ],
              ports: [{ name: 'https', containerPort: API_PORT }, { name: 'console', containerPort: CONSOLE_PORT }],
              resources: containerResources(resources),
              securityContext: restrictedContainer(),
              readinessProbe: probe('/minio/health/ready', 5),
              livenessProbe: probe('/minio/health/live', 30),
              volumeMounts: [
                { name: 'data', mountPath: '/data' },
                // MinIO creates `CAs/` inside its certs dir: a writable emptyDir holds the dir, the
                // secret-operator volume provides the two files under the names MinIO looks for.
                { name: 'certs', mountPath: certsDir },
                { name: 'tls', mountPath: `${certsDir}/${MINIO_TLS_FILES.cert}`, subPath: MINIO_TLS_FILES.cert, readOnly: true },
                { name: 'tls', mountPath: `${certsDir}/${MINIO_TLS_FILES.key}`, subPath: MINIO_TLS_FILES.key, readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
                // The listener-operator writes the pod's addresses for the Listener here.
                ...(this.listener === undefined ? [] : [{ name: LISTENER_VOLUME, mountPath: '/stackable/listener', readOnly: true }]),
              ],
            }],
            volumes: [
              { name: 'data', persistentVolumeClaim: { claimName: pvc.name } },
              scratchVolume('certs', 4),
              scratchVolume('tmp', 256),
              secretOperatorVolume('tls', { secretClass: this.tlsSecretClass, scopes: this.tlsScopes, format: 'tls-pem', pemFiles: MINIO_TLS_FILES, lifetimeDays }),
              ...(this.listener === undefined ? [] : [listenerVolume(LISTENER_VOLUME, this.listener.name)]),
            ],
          },
        },
      },
    });

    if (props.networkPolicy ?? false) {
      // A single-node server answers requests and initiates nothing: no egress rule at all.
      this.networkPolicy = new PodNetworkPolicy(this, 'NetworkPolicy', { name, target: this, requireClients: true });
      // Through a NodePort or LoadBalancer, clients arrive from outside the cluster (or from a
      // node's address after SNAT): no pod selector can name them.
      if (this.listener !== undefined) this.networkPolicy.allowFromAnyone([API_PORT, CONSOLE_PORT]);
    }
  }

  /**
   * Lets `client`'s pods connect to `ports` (effective when `networkPolicy` is on). The console is
   * for people, e.g. through `kubectl port-forward`, which connects inside the pod's network
   * namespace and is not filtered by NetworkPolicies.
   * @param ports the ports (default: the S3 API port only)
   */
  public allowFrom(client: IPodSelectable, ports: readonly number[] = [API_PORT]): void {
    this.networkPolicy?.allowFrom(client, ports);
  }
}
