/**
 * Tests of constructs/core/resources.ts: validation and the two renderings (container resources with
 * ephemeral storage, Stackable role-group resources).
 * Run: npx jest test/core
 */
import { k8s } from 'cdk8s-plus-28';
import { containerResources, memoryLimit, Resources, resourcesFromStackable, stackableResources, validateResources, validateRoleResources } from '../../constructs/core';

const r = { cpuRequestMillis: 250, cpuLimitMillis: 1000, memoryMi: 512 };

describe('resources', () => {
  it('renders requests and limits (as written to the manifest), memory and ephemeral storage equal in both', () => {
    expect(k8s.toJson_ResourceRequirements(containerResources(r))).toEqual({
      requests: { 'cpu': '250m', 'memory': '512Mi', 'ephemeral-storage': '512Mi' },
      limits: { 'cpu': '1000m', 'memory': '512Mi', 'ephemeral-storage': '512Mi' },
    });
    expect(k8s.toJson_ResourceRequirements(containerResources({ ...r, ephemeralStorageMi: 300 }))).toEqual({
      requests: { 'cpu': '250m', 'memory': '512Mi', 'ephemeral-storage': '300Mi' },
      limits: { 'cpu': '1000m', 'memory': '512Mi', 'ephemeral-storage': '300Mi' },
    });
  });

  it('leaves ephemeral storage out of the Stackable shape (the operators size their pods)', () => {
    expect(stackableResources({ ...r, ephemeralStorageMi: 300 })).toEqual(stackableResources(r));
  });

  it('renders the Stackable role-group shape', () => {
    expect(stackableResources(r)).toEqual({ cpu: { min: '250m', max: '1000m' }, memory: { limit: '512Mi' } });
  });

  it('accepts a CPU limit equal to the request', () => {
    expect(validateResources('O', 'resources', { ...r, cpuLimitMillis: 250 })).toEqual({ ...r, cpuLimitMillis: 250 });
  });

  it.each([
    [{ ...r, cpuLimitMillis: 100 }, /O: resources\.cpuLimitMillis 100 must be an integer >= 250/],
    [{ ...r, cpuRequestMillis: 0 }, /O: resources\.cpuRequestMillis 0 must be an integer >= 1/],
    [{ ...r, cpuRequestMillis: 0.5 }, /O: resources\.cpuRequestMillis 0\.5 must be an integer/],
    [{ ...r, memoryMi: 8 }, /O: resources\.memoryMi 8 must be an integer >= 16/],
    [{ ...r, ephemeralStorageMi: 32 }, /O: resources\.ephemeralStorageMi 32 must be an integer >= 64/],
  ])('rejects %j', (value, message) => {
    expect(() => validateResources('O', 'resources', value)).toThrow(message);
  });
});

describe('resources: requests only and memory below its limit (plain containers)', () => {
  it('leaves the CPU limit out when none is given', () => {
    expect(k8s.toJson_ResourceRequirements(containerResources({ cpuRequestMillis: 500, memoryMi: 1024 }))).toEqual({
      requests: { 'cpu': '500m', 'memory': '1024Mi', 'ephemeral-storage': '512Mi' },
      limits: { 'memory': '1024Mi', 'ephemeral-storage': '512Mi' },
    });
  });

  it('limits memory above its request with memoryLimitMi', () => {
    expect(k8s.toJson_ResourceRequirements(containerResources({ cpuRequestMillis: 100, cpuLimitMillis: 200, memoryMi: 256, memoryLimitMi: 512 }))).toEqual({
      requests: { 'cpu': '100m', 'memory': '256Mi', 'ephemeral-storage': '512Mi' },
      limits: { 'cpu': '200m', 'memory': '512Mi', 'ephemeral-storage': '512Mi' },
    });
    expect(memoryLimit({ cpuRequestMillis: 100, memoryMi: 256, memoryLimitMi: 512 })).toEqual({ mi: 512, written: 'memoryLimitMi 512' });
    expect(memoryLimit({ cpuRequestMillis: 100, memoryMi: 256 })).toEqual({ mi: 256, written: 'memoryMi 256' });
  });

  it('uses the construct\'s ephemeral storage default unless one is given', () => {
    expect(k8s.toJson_ResourceRequirements(containerResources(r, 2048))).toMatchObject({ limits: { 'ephemeral-storage': '2048Mi' } });
    expect(k8s.toJson_ResourceRequirements(containerResources({ ...r, ephemeralStorageMi: 300 }, 2048))).toMatchObject({ limits: { 'ephemeral-storage': '300Mi' } });
  });

  it('rejects a memory limit below the request', () => {
    expect(() => validateResources('O', 'resources', { ...r, memoryLimitMi: 256 })).toThrow(/O: resources\.memoryLimitMi 256 must be an integer >= 512/);
  });

  it.each([
    [{ cpuRequestMillis: 500, memoryMi: 1024 }, /T: workerResources\.cpuLimitMillis is required for a Stackable role group/],
    [{ ...r, memoryLimitMi: 1024 }, /T: workerResources\.memoryLimitMi 1024 must equal memoryMi 512 for a Stackable role group/],
    [{ cpu: { min: '1' }, memory: { limit: '1Gi' } }, /T: workerResources\.cpu\.max is required for a Stackable role group/],
  ])('refuses %j for a Stackable role group (the operator would fill in its own limit)', (value, message) => {
    expect(() => validateRoleResources('T', 'workerResources', value)).toThrow(message);
  });
});

describe('the Stackable form (cpu.min / cpu.max / memory.limit)', () => {
  const form = { cpu: { min: '1', max: '4' }, memory: { limit: '6Gi' } };

  it('round-trips into a role group exactly as written', () => {
    expect(stackableResources(validateRoleResources('T', 'workerResources', form))).toEqual(form);
    expect(stackableResources(resourcesFromStackable({ cpu: { min: '0.25', max: '1500m' }, memory: { limit: '768Mi' } })))
      .toEqual({ cpu: { min: '0.25', max: '1500m' }, memory: { limit: '768Mi' } });
  });

  it('leaves ephemeral storage out of the role group', () => {
    expect(stackableResources({ ...form, ephemeralStorage: '1Gi' })).toEqual(form);
  });

  it('means in a plain container what the operators make of it (memory.limit both request and limit; no cpu.max, no CPU limit)', () => {
    expect(k8s.toJson_ResourceRequirements(containerResources({ ...form, ephemeralStorage: '1G' }))).toEqual({
      requests: { 'cpu': '1', 'memory': '6Gi', 'ephemeral-storage': '954Mi' },
      limits: { 'cpu': '4', 'memory': '6Gi', 'ephemeral-storage': '954Mi' },
    });
    expect(k8s.toJson_ResourceRequirements(containerResources({ cpu: { min: '500m' }, memory: { limit: '1Gi' } }))).toEqual({
      requests: { 'cpu': '500m', 'memory': '1Gi', 'ephemeral-storage': '512Mi' },
      limits: { 'memory': '1Gi', 'ephemeral-storage': '512Mi' },
    });
    expect(memoryLimit(form)).toEqual({ mi: 6144, written: 'memory.limit "6Gi"' });
  });

  it.each<[Resources, RegExp]>([
    [{ cpu: { min: '4', max: '1' }, memory: { limit: '1Gi' } }, /^X: workerResources\.cpu\.max "1" must be >= cpu\.min "4"$/],
    [{ cpu: { min: 'half', max: '1' }, memory: { limit: '1Gi' } }, /^X: workerResources\.cpu\.min "half" is not a positive quantity/],
    [{ cpu: { min: '1', max: '2' }, memory: { limit: '4GB' } }, /^X: workerResources\.memory\.limit "4GB" is not a positive quantity \(suffixes: Ki, Mi, Gi, Ti, k, M, G, T or none\)/],
    [{ cpu: { min: '1', max: '2' }, memory: { limit: '8Mi' } }, /^X: workerResources\.memory\.limit "8Mi" must be at least 16Mi$/],
    [{ cpu: { min: '1' }, memory: { limit: '1Gi' }, ephemeralStorage: '10Mi' }, /^X: workerResources\.ephemeralStorage "10Mi" must be at least 64Mi$/],
  ])('names the field as written: %j', (value, message) => {
    expect(() => validateResources('X', 'workerResources', value)).toThrow(message);
  });
});

describe('resourcesFromStackable', () => {
  it('returns the quantities as written', () => {
    const form = { cpu: { min: '500m', max: '2' }, memory: { limit: '4Gi' } };
    expect(resourcesFromStackable(form)).toEqual(form);
  });

  it.each([
    [{ cpu: { min: 'half', max: '1' }, memory: { limit: '1Gi' } }, /resourcesFromStackable: resources\.cpu\.min "half" is not a positive quantity/],
    [{ cpu: { min: '0', max: '2' }, memory: { limit: '1Gi' } }, /cpu\.min "0" is not a positive quantity/],
  ])('rejects a malformed quantity at once: %j', (value, message) => {
    expect(() => resourcesFromStackable(value)).toThrow(message);
  });

  it('is checked where it is used, naming the prop and the fields as written (limit below request)', () => {
    expect(() => validateRoleResources('TrinoCluster Trino', 'workerResources', resourcesFromStackable({ cpu: { min: '4', max: '1' }, memory: { limit: '1Gi' } })))
      .toThrow('TrinoCluster Trino: workerResources.cpu.max "1" must be >= cpu.min "4"');
  });
});
