import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-28';

/**
 * Helpers for the parts all Stackable CRDs share.
 */

/** Listener classes of the Stackable listener-operator (how a role is exposed). */
export const LISTENER_CLASSES = ['cluster-internal', 'external-unstable', 'external-stable'] as const;
/** A listener class of the Stackable listener-operator. */
export type ListenerClassName = typeof LISTENER_CLASSES[number];

/**
 * The ListenerClasses, with their Service type, that the listener-operator 26.7.0 creates at start
 * for each value of its Helm value `preset` (deploy/helm/listener-operator/values.yaml, default
 * `ephemeral-nodes`; rust/operator-binary/src/manifests/ephemeral-nodes.yaml and stable-nodes.yaml;
 * created only if missing, main.rs `create_if_missing`, so changing the preset later changes nothing).
 * A LoadBalancer Listener gets no address without a load-balancer controller, and a pod mounting
 * its listener volume then never starts (csi_server/node.rs "listener has no addresses yet").
 * stackablectl picks `stable-nodes` on kind, minikube and k3s and `ephemeral-nodes` elsewhere
 * (stackabletech/stackable-cockpit main@3ab83b6, rust/stackable-cockpit/src/platform/operator/listener_operator.rs).
 */
export const LISTENER_PRESETS: Record<'ephemeral-nodes' | 'stable-nodes', Record<ListenerClassName, 'ClusterIP' | 'NodePort' | 'LoadBalancer'>> = {
  'ephemeral-nodes': { 'cluster-internal': 'ClusterIP', 'external-unstable': 'NodePort', 'external-stable': 'LoadBalancer' },
  'stable-nodes': { 'cluster-internal': 'ClusterIP', 'external-unstable': 'NodePort', 'external-stable': 'NodePort' },
};

/**
 * What a Stackable operator puts into the pods of one role, as far as our `podOverrides` can
 * meet it. The operators merge `podOverrides` into their pod template with k8s-openapi's
 * `DeepMerge` (operator-rs 0.113.3 crates/stackable-operator/src/role_utils.rs `pod_overrides`;
 * e.g. superset-operator 26.7.0 controller/build/resource/statefulset.rs `merge_from`): containers
 * and volumes are merged by `name`, a container's volume mounts by `mountPath`. So an override
 * naming an operator container changes that container, a volume with an operator volume's name is
 * merged into it (two sources: an invalid pod), and a mount on an operator mount path replaces it.
 */
export interface OperatorPod {
  /** Containers and init containers the operator creates (sidecars included). */
  readonly containers: readonly string[];
  /**
   * Pod volumes the operator creates (including those it names after user input, resolved), and
   * the mount paths of its containers; undefined where not modelled, because our overrides add
   * no volumes or mounts there.
   */
  readonly volumes?: { readonly names: readonly string[]; readonly mountPaths: Readonly<Record<string, readonly string[]>> };
  /** Labels the operator sets on the pods (those our selectors may use). */
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * `podOverrides` applied to every pod an operator creates for this library: the pod-level
 * settings of the Pod Security "restricted" profile (`runAsNonRoot`, `seccompProfile`).
 * Container-level settings (`allowPrivilegeEscalation`, `capabilities`) are not set: a container
 * override must name each container the operator creates (including its sidecars and init
 * containers, which vary by version), and naming one that does not exist adds an invalid,
 * image-less container. The operators already run their products as UID 1000.
 * `metadata` (labels, annotations) is merged into the pods' metadata.
 */
export function restrictedPodOverrides(extra: k8s.PodSpec = { containers: [] }, metadata?: k8s.ObjectMeta): Record<string, unknown> {
  const template: k8s.PodTemplateSpec = {
    metadata,
    spec: {
      ...extra,
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, ...extra.securityContext },
    },
  };
  const json = k8s.toJson_PodTemplateSpec(template) ?? {};
  // `containers` is required by the PodSpec type but optional in an override: drop it when empty.
  const spec = json.spec as Record<string, unknown>;
  if (Array.isArray(spec.containers) && spec.containers.length === 0) delete spec.containers;
  return json;
}

/**
 * The `<cluster>-<role>-<rolegroup>` name the operators built on operator-rs 0.113 give a role
 * group's StatefulSet, ConfigMap and (with `-headless`) its headless Service, shortened with a
 * hash when longer than 52 characters (operator-rs tag stackable-operator-0.113.3,
 * crates/stackable-operator/src/v2/role_group_utils.rs `ResourceNames::qualified_role_group_name`
 * and `ensure_max_length`; the trino-operator and superset-operator 26.7.0 use it).
 */
export function qualifiedRoleGroupName(cluster: string, role: string, roleGroup: string): string {
  return ensureMaxLength(`${cluster}-${role}-${roleGroup}`, 52, 6);
}

/** `ResourceNames::headless_service_name`: `<qualified role group name>-headless`, the StatefulSet's `serviceName`. */
export function roleGroupHeadlessServiceName(cluster: string, role: string, roleGroup: string): string {
  return `${qualifiedRoleGroupName(cluster, role, roleGroup)}-headless`;
}

/** operator-rs `ResourceNames::ensure_max_length`, character for character (exported for its test vectors). */
export function ensureMaxLength(name: string, maxLength: number, hashLength: number): string {
  if (name.length <= maxLength) return name;
  if (hashLength === 0) return name.slice(0, maxLength);
  const hash = createHash('sha256').update(name, 'ascii').digest('hex').slice(0, hashLength);
  const truncated = name.slice(0, maxLength - hashLength);
  const last = truncated[truncated.length - 1];
  const secondToLast = truncated[truncated.length - 2];
  const head = truncated.slice(0, -2);
  return secondToLast === '-' && last !== '-' ? `${head}${secondToLast}${hash}` : `${head}${secondToLast}-${hash}`;
}

/**
 * The CSI storage class of listener volumes (listener-operator 26.7.0
 * deploy/helm/listener-operator/templates/storageclass.yaml, `volumeBindingMode: WaitForFirstConsumer`).
 */
export const LISTENER_STORAGE_CLASS = 'listeners.stackable.tech';

/**
 * The annotation of a listener volume that names the Listener it mounts (listener-operator 26.7.0
 * rust/operator-binary/src/csi_server/mod.rs `ListenerSelector::Listener`; the other choice,
 * `listeners.stackable.tech/listener-class`, makes the operator create a Listener per PVC).
 */
export const LISTENER_NAME_ANNOTATION = 'listeners.stackable.tech/listener-name';

/**
 * An ephemeral listener volume mounting the Listener `listenerName`. What mounting it does
 * (listener-operator 26.7.0 rust/operator-binary/src/csi_server/node.rs `node_publish_volume`):
 * the pod gets the label `listener.stackable.tech/mnt.<listener uid>`, which the Service the
 * operator creates for the Listener (named after it, listener_controller.rs `reconcile`) selects;
 * the pod's addresses for that Listener (for a NodePort class: its node's address and node ports,
 * `local_listener_addresses_for_pod`) go into a PodListeners object `pod-<pod uid>`, keyed by this
 * volume's name, where the secret-operator reads them for the scope `listener-volume=<volume>`
 * (secret-operator 26.7.0 rust/operator-binary/src/backend/pod_info.rs, backend/mod.rs `scope_addresses`).
 */
export function listenerVolume(name: string, listenerName: string): k8s.Volume {
  return {
    name,
    ephemeral: {
      volumeClaimTemplate: {
        metadata: { annotations: { [LISTENER_NAME_ANNOTATION]: listenerName } },
        spec: {
          storageClassName: LISTENER_STORAGE_CLASS,
          accessModes: ['ReadWriteMany'],
          resources: { requests: { storage: k8s.Quantity.fromString('1') } },
        },
      },
    },
  };
}
