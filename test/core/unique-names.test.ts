/**
 * Tests of constructs/core/unique-names.ts: two objects Kubernetes would take for one are refused at
 * synth, naming both constructs; cluster-scoped ones across the charts of an app too.
 * Run: npx jest test/core
 */
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { ChartNamespace, clusterScoped, ensureUniqueObjectNames } from '../../constructs/core';
import { OpaServer, TrinoPolicy } from '../../constructs/opa';
import { S3CredentialsClass } from '../../constructs/s3';
import { TrinoCluster } from '../../constructs/trino';
import { synth } from '../util';

const chartIn = (app: App, id: string, namespace: string) => new Chart(app, id, { namespace });

describe('ensureUniqueObjectNames', () => {
  it('refuses two charts of one app writing the same cluster-scoped name, naming both constructs', () => {
    const app = Testing.app();
    const a = chartIn(app, 'a', 'shared');
    const b = chartIn(app, 'b', 'shared');
    new S3CredentialsClass(a, 'S3Credentials');
    new S3CredentialsClass(b, 'S3Credentials');
    expect(() => app.synth()).toThrow(/SecretClass "shared-s3-credentials-class" is created by both a\/S3Credentials and b\/S3Credentials \(cluster-scoped: one object for every chart and namespace\): give one of them another name/);
    expect(() => synth(a)).toThrow(/is created by both a\/S3Credentials and b\/S3Credentials/);
  });

  it('refuses a cluster-scoped name given twice, whatever the charts\' namespaces', () => {
    const app = Testing.app();
    for (const [id, namespace] of [['one', 'demo-one'], ['two', 'demo-two']]) {
      const chart = chartIn(app, id, namespace);
      new TrinoCluster(chart, 'Trino', { opa: new OpaServer(chart, 'Opa'), policy: new TrinoPolicy(chart, 'Policy'), authenticationClassName: 'corp-users' });
    }
    expect(() => app.synth()).toThrow(/AuthenticationClass "corp-users" is created by both one\/Trino and two\/Trino \(cluster-scoped/);
  });

  it('refuses two charts of one namespace that each create its Namespace (deleting one would delete the other)', () => {
    const app = Testing.app();
    for (const id of ['a', 'b']) new ChartNamespace(chartIn(app, id, 'shared'), 'Namespace');
    expect(() => app.synth()).toThrow(/Namespace "shared" is created by both a\/Namespace and b\/Namespace \(cluster-scoped/);
  });

  it('accepts the defaults of two charts in two namespaces, and namespaced objects of one name there', () => {
    const app = Testing.app();
    const a = chartIn(app, 'a', 'demo-a');
    const b = chartIn(app, 'b', 'demo-b');
    for (const chart of [a, b]) {
      new S3CredentialsClass(chart, 'S3Credentials');
      new TrinoCluster(chart, 'Trino', { opa: new OpaServer(chart, 'Opa'), policy: new TrinoPolicy(chart, 'Policy') });
    }
    expect(() => app.synth()).not.toThrow();
  });

  it('refuses namespaced objects of one name in one namespace, also from two charts', () => {
    const app = Testing.app();
    const a = chartIn(app, 'a', 'ns');
    const b = chartIn(app, 'b', 'ns');
    ensureUniqueObjectNames(a);
    for (const chart of [a, b]) new ApiObject(chart, 'Thing', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'same' } });
    expect(() => synth(a)).toThrow(/ConfigMap "same" is created by both a\/Thing and b\/Thing: give one of them another name/);
  });

  it('compares cluster-scoped objects by name only, also within one chart', () => {
    const app = Testing.app();
    const chart = chartIn(app, 'c', 'ns');
    ensureUniqueObjectNames(chart);
    const make = (id: string, namespace: string) => clusterScoped(new ApiObject(chart, id, {
      apiVersion: 'example.org/v1', kind: 'ClusterThing', metadata: { name: 'c', namespace },
    }));
    make('One', 'x');
    make('Two', 'y');
    expect(() => synth(chart)).toThrow(/ClusterThing "c" is created by both c\/One and c\/Two: give one of them another name/);
  });
});
