/**
 * Tests of constructs/core/resources.ts: validation and the two renderings (container resources with
 * ephemeral storage, Stackable role-group resources).
 * Run: npx jest test/core
 */
import { k8s } from 'cdk8s-plus-28';
import { containerResources, stackableResources, validateResources } from '../../constructs/core';

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
