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

/**
 * Resources written the way Stackable manifests write them (`cpu.min`, `cpu.max`, `memory.limit`
 * as Kubernetes quantities), e.g. copied from a Stackable demo:
 * `resourcesFromStackable({ cpu: { min: '500m', max: '2' }, memory: { limit: '4Gi' } })`.
 * CPU is rounded up to whole millicores, memory up to whole MiB; a malformed quantity throws,
 * naming the field.
 */
export function resourcesFromStackable(r: StackableResources & { readonly ephemeralStorage?: string }): Resources {
  return {
    cpuRequestMillis: quantity('cpu.min', r.cpu.min, CPU_UNITS),
    cpuLimitMillis: quantity('cpu.max', r.cpu.max, CPU_UNITS),
    memoryMi: quantity('memory.limit', r.memory.limit, BYTE_UNITS),
    ...(r.ephemeralStorage === undefined ? {} : { ephemeralStorageMi: quantity('ephemeralStorage', r.ephemeralStorage, BYTE_UNITS) }),
  };
}

/** CPU quantity suffixes, in millicores. */
const CPU_UNITS: Record<string, number> = { '': 1000, 'm': 1 };
/** Byte quantity suffixes (Kubernetes binary and decimal), in MiB. */
const BYTE_UNITS: Record<string, number> = {
  '': 1 / 2 ** 20, 'Ki': 1 / 1024, 'Mi': 1, 'Gi': 1024, 'Ti': 1024 ** 2,
  'k': 1e3 / 2 ** 20, 'M': 1e6 / 2 ** 20, 'G': 1e9 / 2 ** 20, 'T': 1e12 / 2 ** 20,
};

function quantity(field: string, value: string, units: Record<string, number>): number {
  const m = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(value);
  if (m === null || !(m[2] in units) || Number(m[1]) <= 0) {
    throw new Error(`resourcesFromStackable: ${field} "${value}" is not a positive quantity (suffixes: ${Object.keys(units).filter(u => u !== '').join(', ')} or none)`);
  }
  return Math.ceil(Number(m[1]) * units[m[2]]);
}
