/**
 * Tests of constructs/core/resources.ts: validation and the two renderings (container resources with
 * ephemeral storage, Stackable role-group resources).
 * Run: npx jest test/core
 */
import { k8s } from 'cdk8s-plus-28';
import { containerResources, resourcesFromStackable, stackableResources, validateResources } from '../../constructs/core';

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

describe('resourcesFromStackable', () => {
  it('reads the cpu.min / cpu.max / memory.limit of Stackable manifests', () => {
    expect(resourcesFromStackable({ cpu: { min: '500m', max: '2' }, memory: { limit: '4Gi' } })).toEqual({ cpuRequestMillis: 500, cpuLimitMillis: 2000, memoryMi: 4096 });
    expect(resourcesFromStackable({ cpu: { min: '0.25', max: '1.5' }, memory: { limit: '768Mi' }, ephemeralStorage: '1G' }))
      .toEqual({ cpuRequestMillis: 250, cpuLimitMillis: 1500, memoryMi: 768, ephemeralStorageMi: 954 });
  });

  it('round-trips with stackableResources', () => {
    const shape = stackableResources({ cpuRequestMillis: 300, cpuLimitMillis: 1200, memoryMi: 2048 });
    expect(stackableResources(resourcesFromStackable(shape))).toEqual(shape);
  });

  it.each([
    [{ cpu: { min: 'half', max: '1' }, memory: { limit: '1Gi' } }, /cpu\.min "half" is not a positive quantity/],
    [{ cpu: { min: '1', max: '2' }, memory: { limit: '4GB' } }, /memory\.limit "4GB" is not a positive quantity \(suffixes: Ki, Mi, Gi, Ti, k, M, G, T or none\)/],
    [{ cpu: { min: '0', max: '2' }, memory: { limit: '1Gi' } }, /cpu\.min "0" is not a positive quantity/],
  ])('rejects %j', (value, message) => {
    expect(() => resourcesFromStackable(value)).toThrow(message);
  });

  it('is checked like any Resources where it is used (limit below request)', () => {
    expect(() => validateResources('X', 'resources', resourcesFromStackable({ cpu: { min: '2', max: '1' }, memory: { limit: '1Gi' } })))
      .toThrow(/X: resources\.cpuLimitMillis 1000 must be an integer >= 2000/);
  });
});
