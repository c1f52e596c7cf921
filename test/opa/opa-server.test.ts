/**
 * Tests of constructs/opa/opa-server.ts: the OpaCluster and its prop validation.
 * Run: npx jest test/opa/opa-server.test.ts
 */
import { Testing } from 'cdk8s';
import { OpaServer } from '../../constructs/opa';
import { find, namespacedChart, synth } from '../util';

describe('OpaServer', () => {
  it('defaults to OPA 1.16.2, one server per node, restricted pods with resources', () => {
    const chart = namespacedChart('ns');
    const opa = new OpaServer(chart, 'Opa');
    expect(opa).toMatchObject({ name: 'opa', discoveryConfigMapName: 'opa' });
    const obj = find(synth(chart), 'OpaCluster', 'opa');
    expect(obj.metadata.namespace).toBe('ns');
    expect(obj.spec.image).toEqual({ productVersion: '1.16.2' });
    expect(obj.spec.servers.roleGroups).toEqual({ default: {} });
    expect(obj.spec.servers.config.resources).toEqual({ cpu: { min: '100m', max: '500m' }, memory: { limit: '256Mi' } });
    expect(obj.spec.servers.podOverrides.spec.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  });

  it('applies name, version and resource overrides', () => {
    const chart = Testing.chart();
    const opa = new OpaServer(chart, 'Opa', { name: 'authz', productVersion: '1.17.0', resources: { cpuRequestMillis: 50, cpuLimitMillis: 50, memoryMi: 128 } });
    expect(opa.discoveryConfigMapName).toBe('authz');
    const spec = find(synth(chart), 'OpaCluster', 'authz').spec;
    expect(spec.image.productVersion).toBe('1.17.0');
    expect(spec.servers.config.resources).toEqual({ cpu: { min: '50m', max: '50m' }, memory: { limit: '128Mi' } });
  });

  describe('rejects bad props', () => {
    const build = (props: ConstructorParameters<typeof OpaServer>[2]) => () => new OpaServer(Testing.chart(), 'Opa', props);
    it('a product version that is not a version number', () => {
      expect(build({ productVersion: 'v1.16' })).toThrow(/OpaServer Opa: productVersion "v1\.16" is not a version number/);
    });
    it('a name that is not a DNS label', () => {
      expect(build({ name: 'OPA' })).toThrow(/OpaServer Opa: name "OPA" is not a valid name/);
    });
    it('a CPU limit below the request', () => {
      expect(build({ resources: { cpuRequestMillis: 200, cpuLimitMillis: 100, memoryMi: 256 } })).toThrow(/OpaServer Opa: resources\.cpuLimitMillis 100 must be an integer >= 200/);
    });
  });
});
