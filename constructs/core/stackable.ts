import { k8s } from 'cdk8s-plus-28';

/**
 * Helpers for the parts all Stackable CRDs share.
 */

/** Listener classes of the Stackable listener-operator (how a role is exposed). */
export const LISTENER_CLASSES = ['cluster-internal', 'external-unstable', 'external-stable'] as const;
/** A listener class of the Stackable listener-operator. */
export type ListenerClassName = typeof LISTENER_CLASSES[number];

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
