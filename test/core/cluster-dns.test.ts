/**
 * Tests of constructs/core/cluster-dns.ts: in-cluster DNS names follow the chart's namespace, and a
 * chart without one is refused instead of guessing `default`.
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

  it('refuses a chart without a namespace, naming the construct and the fix', () => {
    const inner = new Construct(Testing.chart(), 'Inner');
    expect(() => namespaceOf(inner)).toThrow(/^Construct test\/Inner: the chart "test" has no namespace, .* set it, e\.g\. `new Chart\(app, id, \{ namespace: '\.\.\.' \}\)`$/);
    expect(() => serviceFqdn(inner, 'minio')).toThrow(/the chart "test" has no namespace/);
  });
});
