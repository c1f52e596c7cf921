/**
 * Tests of constructs/core/cluster-scoped.ts: cluster-scoped objects lose the chart's namespace,
 * and their default names carry it.
 * Run: npx jest test/core
 */
import { ApiObject, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { clusterScoped, clusterScopedName, isClusterScoped } from '../../constructs/core';
import { find, namespacedChart, synth } from '../util';

describe('clusterScoped', () => {
  it('removes the chart namespace from the object only, and marks it', () => {
    const chart = namespacedChart('ns');
    const cls = clusterScoped(new ApiObject(chart, 'Cls', { apiVersion: 'example.org/v1', kind: 'ClusterThing', metadata: { name: 'c' } }));
    const nsd = new ApiObject(chart, 'Nsd', { apiVersion: 'example.org/v1', kind: 'Thing', metadata: { name: 't' } });
    const objs = synth(chart);
    expect(find(objs, 'ClusterThing', 'c').metadata).toEqual({ name: 'c' });
    expect(find(objs, 'Thing', 't').metadata.namespace).toBe('ns');
    expect([isClusterScoped(cls), isClusterScoped(nsd)]).toEqual([true, false]);
  });

  it('is harmless in a chart without a namespace', () => {
    const chart = Testing.chart();
    const obj = clusterScoped(new ApiObject(chart, 'Cls', { apiVersion: 'example.org/v1', kind: 'ClusterThing', metadata: { name: 'c' } }));
    expect(obj.toJson().metadata).toEqual({ name: 'c' });
  });
});

describe('clusterScopedName', () => {
  it('is <namespace>-<base>, from nested constructs too', () => {
    expect(clusterScopedName(new Construct(new Construct(namespacedChart('taxi'), 'Outer'), 'Inner'), 's3-credentials-class')).toBe('taxi-s3-credentials-class');
    expect(clusterScopedName(namespacedChart('default'), 'trino-users')).toBe('default-trino-users');
  });

  it('refuses a chart without a namespace, naming the construct', () => {
    expect(() => clusterScopedName(new Construct(Testing.chart(), 'Inner'), 'x')).toThrow(/^Construct test\/Inner: the chart "test" has no namespace/);
  });

  it('refuses a result that is no object name', () => {
    expect(() => clusterScopedName(new Construct(namespacedChart('ns'), 'Inner'), 'Users'))
      .toThrow(/^Construct test\/Inner: cluster-scoped name \(namespace \+ "Users"\) "ns-Users" is not a valid object name/);
    expect(() => clusterScopedName(new Construct(namespacedChart('ns'), 'Inner'), 'u'.repeat(251))).toThrow(/"ns-u{251}" is not a valid object name/);
  });
});
