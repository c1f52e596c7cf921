/**
 * Tests of constructs/core/cluster-dns.ts: in-cluster DNS names follow the chart's namespace.
 * Run: npx jest test/core
 */
import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { namespaceOf, serviceFqdn } from '../../constructs/core';
import { namespacedChart } from '../util';

describe('cluster DNS', () => {
  it('uses the chart namespace, also from nested constructs', () => {
    const inner = new Construct(new Construct(namespacedChart('taxi'), 'Outer'), 'Inner');
    expect(namespaceOf(inner)).toBe('taxi');
    expect(serviceFqdn(inner, 'minio')).toBe('minio.taxi.svc.cluster.local');
  });

  it('falls back to the default namespace', () => {
    expect(serviceFqdn(Testing.chart(), 'minio')).toBe('minio.default.svc.cluster.local');
  });
});
