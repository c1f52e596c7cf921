import { k8s } from 'cdk8s-plus-28';
import { intInRange } from './validate';

/**
 * CPU, memory and local storage of one container (or CPU and memory of one Stackable role group),
 * as numbers. By default memory is requested and limited at the same value (the pod is never
 * OOM-killed for using what it asked for) and CPU may burst from the request up to the limit.
 * A plain Kubernetes container may leave the CPU unlimited and limit memory above its request;
 * a Stackable role group may not (see {@link StackableResources}).
 */
export interface ResourceAmounts {
  /** CPU request in millicores (1000 = one core). */
  readonly cpuRequestMillis: number;
  /**
   * CPU limit in millicores; must be >= `cpuRequestMillis`. Required for Stackable role groups
   * (without it the operator would apply its own default limit).
   * @default - no CPU limit (plain containers only)
   */
  readonly cpuLimitMillis?: number;
  /** Memory request in MiB; also the limit unless `memoryLimitMi` is set. */
  readonly memoryMi: number;
  /**
   * Memory limit in MiB; must be >= `memoryMi`. Plain containers only: Stackable role groups
   * request and limit memory at one value (`memory.limit`).
   * @default - memoryMi
   */
  readonly memoryLimitMi?: number;
  /**
   * Local (ephemeral) storage request and limit in MiB: the container's writable layer, its logs
   * and its share of the pod's `emptyDir` volumes; the kubelet evicts a pod that uses more.
   * Not used for Stackable role groups (the operators size their pods' volumes themselves).
   * @default - 512, or what the construct documents
   */
  readonly ephemeralStorageMi?: number;
}

/**
 * The Stackable role-group `config.resources` form (`cpu.min`, `cpu.max`, `memory.limit` as
 * Kubernetes quantities), shared by all Stackable CRDs, e.g. copied from a Stackable demo:
 * `{ cpu: { min: '500m', max: '2' }, memory: { limit: '4Gi' } }`. A Stackable role group gets the
 * quantities exactly as written. For a plain container they mean what the operators make of them:
 * `cpu.min` is the CPU request, `cpu.max` the CPU limit (none if omitted), `memory.limit` the
 * memory request and limit (operator-rs stackable-operator-0.113.3,
 * crates/stackable-operator/src/commons/resources.rs `impl Into<ResourceRequirements> for Resources`).
 */
export interface StackableResources {
  /** CPU request (`min`) and limit (`max`); `max` is required for Stackable role groups. */
  readonly cpu: { readonly min: string; readonly max?: string };
  /** Memory request and limit. */
  readonly memory: { readonly limit: string };
  /**
   * Local (ephemeral) storage request and limit of a plain container, e.g. `'1Gi'`
   * (not part of the Stackable CRDs; ignored for role groups).
   * @default - 512Mi, or what the construct documents
   */
  readonly ephemeralStorage?: string;
}

/**
 * Resources of a container or Stackable role group, in either form: numbers
 * ({@link ResourceAmounts}) or Stackable quantities ({@link StackableResources}).
 */
export type Resources = ResourceAmounts | StackableResources;

/** The smallest ephemeral storage a container may have (its logs and small temporary files). */
const MIN_EPHEMERAL_STORAGE_MI = 64;
const DEFAULT_EPHEMERAL_STORAGE_MI = 512;
const MIN_MEMORY_MI = 16;

function isStackable(r: Resources): r is StackableResources {
  return 'cpu' in r;
}

/** The numbers `r` stands for (Stackable quantities rounded up to millicores and MiB). */
function amounts(owner: string, prop: string, r: Resources): ResourceAmounts {
  if (!isStackable(r)) return r;
  const s = r;
  const q = (field: string, value: string, units: Record<string, number>) => quantity(owner, `${prop}.${field}`, value, units);
  return {
    cpuRequestMillis: q('cpu.min', s.cpu.min, CPU_UNITS),
    ...(s.cpu.max === undefined ? {} : { cpuLimitMillis: q('cpu.max', s.cpu.max, CPU_UNITS) }),
    memoryMi: q('memory.limit', s.memory.limit, BYTE_UNITS),
    ...(s.ephemeralStorage === undefined ? {} : { ephemeralStorageMi: q('ephemeralStorage', s.ephemeralStorage, BYTE_UNITS) }),
  };
}

/**
 * Validates `value` (named `prop` in error messages, fields named as the user wrote them) for a
 * plain container and returns it.
 */
export function validateResources(owner: string, prop: string, value: Resources): Resources {
  if (!isStackable(value)) {
    intInRange(owner, `${prop}.cpuRequestMillis`, value.cpuRequestMillis, 1);
    if (value.cpuLimitMillis !== undefined) intInRange(owner, `${prop}.cpuLimitMillis`, value.cpuLimitMillis, value.cpuRequestMillis);
    intInRange(owner, `${prop}.memoryMi`, value.memoryMi, MIN_MEMORY_MI);
    if (value.memoryLimitMi !== undefined) intInRange(owner, `${prop}.memoryLimitMi`, value.memoryLimitMi, value.memoryMi);
    if (value.ephemeralStorageMi !== undefined) intInRange(owner, `${prop}.ephemeralStorageMi`, value.ephemeralStorageMi, MIN_EPHEMERAL_STORAGE_MI);
    return value;
  }
  const a = amounts(owner, prop, value);
  if (a.cpuLimitMillis !== undefined && a.cpuLimitMillis < a.cpuRequestMillis) {
    throw new Error(`${owner}: ${prop}.cpu.max "${value.cpu.max}" must be >= cpu.min "${value.cpu.min}"`);
  }
  if (a.memoryMi < MIN_MEMORY_MI) throw new Error(`${owner}: ${prop}.memory.limit "${value.memory.limit}" must be at least ${MIN_MEMORY_MI}Mi`);
  if (a.ephemeralStorageMi !== undefined && a.ephemeralStorageMi < MIN_EPHEMERAL_STORAGE_MI) {
    throw new Error(`${owner}: ${prop}.ephemeralStorage "${value.ephemeralStorage}" must be at least ${MIN_EPHEMERAL_STORAGE_MI}Mi`);
  }
  return value;
}

/**
 * Validates `value` for a Stackable role group (as {@link validateResources}, and: a CPU limit is
 * set, memory has one value for request and limit) and returns it.
 */
export function validateRoleResources(owner: string, prop: string, value: Resources): Resources {
  validateResources(owner, prop, value);
  const why = 'for a Stackable role group';
  if (isStackable(value)) {
    if (value.cpu.max === undefined) throw new Error(`${owner}: ${prop}.cpu.max is required ${why} (without it the operator applies its own default limit)`);
  } else {
    if (value.cpuLimitMillis === undefined) throw new Error(`${owner}: ${prop}.cpuLimitMillis is required ${why} (without it the operator applies its own default limit)`);
    if (value.memoryLimitMi !== undefined && value.memoryLimitMi !== value.memoryMi) {
      throw new Error(`${owner}: ${prop}.memoryLimitMi ${value.memoryLimitMi} must equal memoryMi ${value.memoryMi} ${why} (Stackable requests and limits memory at memory.limit)`);
    }
  }
  return value;
}

/**
 * The Kubernetes container `resources` for `r` (validated with {@link validateResources}):
 * ephemeral storage requested and limited at `r`'s value or `defaultEphemeralStorageMi`.
 */
export function containerResources(r: Resources, defaultEphemeralStorageMi = DEFAULT_EPHEMERAL_STORAGE_MI): k8s.ResourceRequirements {
  const q = (s: string) => k8s.Quantity.fromString(s);
  const a = amounts('containerResources', 'resources', r);
  const ephemeral = q(`${a.ephemeralStorageMi ?? defaultEphemeralStorageMi}Mi`);
  // The Stackable form keeps its quantities as written (cpu.min "1" stays "1").
  const cpuRequest = isStackable(r) ? r.cpu.min : `${a.cpuRequestMillis}m`;
  const cpuLimit = isStackable(r) ? r.cpu.max : a.cpuLimitMillis === undefined ? undefined : `${a.cpuLimitMillis}m`;
  const memory = isStackable(r) ? r.memory.limit : `${a.memoryMi}Mi`;
  const memoryLimit = isStackable(r) ? r.memory.limit : `${a.memoryLimitMi ?? a.memoryMi}Mi`;
  return {
    requests: { 'cpu': q(cpuRequest), 'memory': q(memory), 'ephemeral-storage': ephemeral },
    limits: { ...(cpuLimit === undefined ? {} : { cpu: q(cpuLimit) }), 'memory': q(memoryLimit), 'ephemeral-storage': ephemeral },
  };
}

/** The role-group `config.resources` of the Stackable CRDs. */
export interface StackableRoleResources {
  readonly cpu: { readonly min: string; readonly max: string };
  readonly memory: { readonly limit: string };
}

/**
 * The Stackable `config.resources` for `r` (validated with {@link validateRoleResources}): the
 * Stackable form as written, numbers as `<n>m` and `<n>Mi`.
 */
export function stackableResources(r: Resources): StackableRoleResources {
  if (isStackable(r)) {
    if (r.cpu.max === undefined) throw new Error('stackableResources: cpu.max is missing (validate with validateRoleResources first)');
    return { cpu: { min: r.cpu.min, max: r.cpu.max }, memory: { limit: r.memory.limit } };
  }
  if (r.cpuLimitMillis === undefined) throw new Error('stackableResources: cpuLimitMillis is missing (validate with validateRoleResources first)');
  return {
    cpu: { min: `${r.cpuRequestMillis}m`, max: `${r.cpuLimitMillis}m` },
    memory: { limit: `${r.memoryMi}Mi` },
  };
}

/**
 * Resources written the way Stackable manifests write them, checked now for well-formed
 * quantities (a malformed one throws, naming the field) and returned unchanged: the same as
 * passing the {@link StackableResources} form where a `Resources` is wanted, which keeps the
 * quantities as written and names them in errors (`workerResources.cpu.max "1" must be >= cpu.min "4"`).
 */
export function resourcesFromStackable(r: StackableResources): Resources {
  amounts('resourcesFromStackable', 'resources', r);
  return r;
}

/** CPU quantity suffixes, in millicores. */
const CPU_UNITS: Record<string, number> = { '': 1000, 'm': 1 };
/** Byte quantity suffixes (Kubernetes binary and decimal), in MiB. */
const BYTE_UNITS: Record<string, number> = {
  '': 1 / 2 ** 20, 'Ki': 1 / 1024, 'Mi': 1, 'Gi': 1024, 'Ti': 1024 ** 2,
  'k': 1e3 / 2 ** 20, 'M': 1e6 / 2 ** 20, 'G': 1e9 / 2 ** 20, 'T': 1e12 / 2 ** 20,
};

function quantity(owner: string, prop: string, value: string, units: Record<string, number>): number {
  const m = typeof value === 'string' ? /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(value) : null;
  if (m === null || !(m[2] in units) || Number(m[1]) <= 0) {
    throw new Error(`${owner}: ${prop} ${JSON.stringify(value)} is not a positive quantity (suffixes: ${Object.keys(units).filter(u => u !== '').join(', ')} or none)`);
  }
  return Math.ceil(Number(m[1]) * units[m[2]]);
}

/**
 * The memory limit of container resources `r` (validated) in MiB, and how the user wrote it (the
 * field and its value, e.g. `memoryMi 512` or `memory.limit "1Gi"`), for error messages.
 */
export function memoryLimit(r: Resources): { readonly mi: number; readonly written: string } {
  if (isStackable(r)) return { mi: amounts('memoryLimit', 'resources', r).memoryMi, written: `memory.limit ${JSON.stringify(r.memory.limit)}` };
  return r.memoryLimitMi === undefined ? { mi: r.memoryMi, written: `memoryMi ${r.memoryMi}` } : { mi: r.memoryLimitMi, written: `memoryLimitMi ${r.memoryLimitMi}` };
}
