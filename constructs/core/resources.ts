import { k8s } from 'cdk8s-plus-28';
import { intInRange } from './validate';

/**
 * CPU, memory and local storage of one container (or CPU and memory of one Stackable role group).
 * Memory and ephemeral storage are requested and limited at the same value: the scheduler places
 * the pod where they are available, and a pod is never OOM-killed or evicted for using what it
 * asked for. CPU may burst from the request up to the limit.
 */
export interface Resources {
  /** CPU request in millicores (1000 = one core). */
  readonly cpuRequestMillis: number;
  /** CPU limit in millicores; must be >= `cpuRequestMillis`. */
  readonly cpuLimitMillis: number;
  /** Memory request and limit in MiB. */
  readonly memoryMi: number;
  /**
   * Local (ephemeral) storage request and limit in MiB: the container's writable layer, its logs
   * and its share of the pod's `emptyDir` volumes; the kubelet evicts a pod that uses more.
   * Not used for Stackable role groups (the operators size their pods' volumes themselves).
   * @default 512
   */
  readonly ephemeralStorageMi?: number;
}

/** The smallest ephemeral storage a container may have (its logs and small temporary files). */
const MIN_EPHEMERAL_STORAGE_MI = 64;
const DEFAULT_EPHEMERAL_STORAGE_MI = 512;

/** Validates `value` (named `prop` in error messages) and returns it. */
export function validateResources(owner: string, prop: string, value: Resources): Resources {
  intInRange(owner, `${prop}.cpuRequestMillis`, value.cpuRequestMillis, 1);
  intInRange(owner, `${prop}.cpuLimitMillis`, value.cpuLimitMillis, value.cpuRequestMillis);
  intInRange(owner, `${prop}.memoryMi`, value.memoryMi, 16);
  if (value.ephemeralStorageMi !== undefined) intInRange(owner, `${prop}.ephemeralStorageMi`, value.ephemeralStorageMi, MIN_EPHEMERAL_STORAGE_MI);
  return value;
}

/** The Kubernetes container `resources` for `r`. */
export function containerResources(r: Resources): k8s.ResourceRequirements {
  const q = (s: string) => k8s.Quantity.fromString(s);
  const fixed = { 'memory': q(`${r.memoryMi}Mi`), 'ephemeral-storage': q(`${r.ephemeralStorageMi ?? DEFAULT_EPHEMERAL_STORAGE_MI}Mi`) };
  return {
    requests: { cpu: q(`${r.cpuRequestMillis}m`), ...fixed },
    limits: { cpu: q(`${r.cpuLimitMillis}m`), ...fixed },
  };
}

/**
 * The Stackable role-group `config.resources` shape (`cpu.min`/`cpu.max`/`memory.limit`),
 * shared by all Stackable CRDs. The operators turn it into requests and limits.
 */
export interface StackableResources {
  readonly cpu: { readonly min: string; readonly max: string };
  readonly memory: { readonly limit: string };
}

/** The Stackable `config.resources` for `r`. */
export function stackableResources(r: Resources): StackableResources {
  return {
    cpu: { min: `${r.cpuRequestMillis}m`, max: `${r.cpuLimitMillis}m` },
    memory: { limit: `${r.memoryMi}Mi` },
  };
}
