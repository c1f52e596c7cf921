/**
 * Tests of constructs/core/cluster-scoped.ts: cluster-scoped objects lose the chart's namespace.
 * Run: npx jest test/core
 */
import { ApiObject, Testing } from 'cdk8s';
import { clusterScoped } from '../../constructs/core';
import { find, namespacedChart, synth } from '../util';

describe('clusterScoped', () => {
  it('removes the chart namespace from the object only', () => {
    const chart = namespacedChart('ns');
    clusterScoped(new ApiObject(chart, 'Cls', { apiVersion: 'example.org/v1', kind: 'ClusterThing', metadata: { name: 'c' } }));
    new ApiObject(chart, 'Nsd', { apiVersion: 'example.org/v1', kind: 'Thing', metadata: { name: 't' } });
    const objs = synth(chart);
    expect(find(objs, 'ClusterThing', 'c').metadata).toEqual({ name: 'c' });
    expect(find(objs, 'Thing', 't').metadata.namespace).toBe('ns');
  });

  it('is harmless in a chart without a namespace', () => {
    const chart = Testing.chart();
    const obj = clusterScoped(new ApiObject(chart, 'Cls', { apiVersion: 'example.org/v1', kind: 'ClusterThing', metadata: { name: 'c' } }));
    expect(obj.toJson().metadata).toEqual({ name: 'c' });
  });
});
