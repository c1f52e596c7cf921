/**
 * Tests of constructs/s3/s3-credentials-class.ts: the cluster-scoped SecretClass that finds the
 * labelled S3 credentials Secret in the asking pod's namespace.
 * Run: npx jest test/s3
 */
import { Testing } from 'cdk8s';
import { S3CredentialsClass } from '../../constructs/s3';
import { find, namespacedChart, synth } from '../util';

describe('S3CredentialsClass', () => {
  it('is a cluster-scoped k8sSearch SecretClass searching the pod namespace', () => {
    const chart = namespacedChart('ns');
    const cls = new S3CredentialsClass(chart, 'Class');
    const obj = find(synth(chart), 'SecretClass', 's3-credentials-class');
    expect(obj.apiVersion).toMatch(/^secrets\.stackable\.tech\//);
    expect(obj.metadata).toEqual({ name: 's3-credentials-class' });
    expect(obj.spec).toEqual({ backend: { k8sSearch: { searchNamespace: { pod: {} } } } });
    expect(cls.secretLabels).toEqual({ 'secrets.stackable.tech/class': 's3-credentials-class' });
  });

  it('labels Secrets with a custom name', () => {
    const cls = new S3CredentialsClass(Testing.chart(), 'Class', { name: 'corp-s3' });
    expect(cls.name).toBe('corp-s3');
    expect(cls.secretLabels).toEqual({ 'secrets.stackable.tech/class': 'corp-s3' });
  });

  it('rejects a name that is not an object name', () => {
    expect(() => new S3CredentialsClass(Testing.chart(), 'Class', { name: 'S3 Credentials' })).toThrow(/S3CredentialsClass: name "S3 Credentials" is not a valid object name/);
  });
});
