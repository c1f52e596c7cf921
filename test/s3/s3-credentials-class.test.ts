/**
 * Tests of constructs/s3/s3-credentials-class.ts: the cluster-scoped SecretClass that finds the
 * labelled S3 credentials Secret in the asking pod's namespace.
 * Run: npx jest test/s3
 */
import { Testing } from 'cdk8s';
import { S3CredentialsClass } from '../../constructs/s3';
import { find, namespacedChart, synth } from '../util';

describe('S3CredentialsClass', () => {
  it('is a cluster-scoped k8sSearch SecretClass searching the pod namespace, named after the chart namespace', () => {
    const chart = namespacedChart('ns');
    const cls = new S3CredentialsClass(chart, 'Class');
    const obj = find(synth(chart), 'SecretClass', 'ns-s3-credentials-class');
    expect(obj.apiVersion).toMatch(/^secrets\.stackable\.tech\//);
    expect(obj.metadata).toEqual({ name: 'ns-s3-credentials-class' });
    expect(obj.spec).toEqual({ backend: { k8sSearch: { searchNamespace: { pod: {} } } } });
    expect(cls.secretLabels).toEqual({ 'secrets.stackable.tech/class': 'ns-s3-credentials-class' });
  });

  it('in two namespaces, writes two classes', () => {
    expect(new S3CredentialsClass(namespacedChart('a'), 'Class').name).toBe('a-s3-credentials-class');
    expect(new S3CredentialsClass(namespacedChart('b'), 'Class').name).toBe('b-s3-credentials-class');
  });

  it('labels Secrets with a custom name, kept as given', () => {
    const cls = new S3CredentialsClass(namespacedChart('ns'), 'Class', { name: 'corp-s3' });
    expect(cls.name).toBe('corp-s3');
    expect(cls.secretLabels).toEqual({ 'secrets.stackable.tech/class': 'corp-s3' });
  });

  it('rejects a name that is not an object name', () => {
    expect(() => new S3CredentialsClass(Testing.chart(), 'Class', { name: 'S3 Credentials' })).toThrow(/S3CredentialsClass: name "S3 Credentials" is not a valid object name/);
  });

  it('rejects a name too long for the label value it is used in, also one derived from a long namespace', () => {
    expect(() => new S3CredentialsClass(Testing.chart(), 'Class', { name: 's'.repeat(64) })).toThrow(/^S3CredentialsClass: name "s{64}" is longer than 63 characters/);
    expect(() => new S3CredentialsClass(namespacedChart('n'.repeat(43)), 'Class')).toThrow(/^S3CredentialsClass: name "n{43}-s3-credentials-class" is longer than 63 characters/);
  });

  it('refuses a chart without a namespace when it derives the name', () => {
    expect(() => new S3CredentialsClass(Testing.chart(), 'Class')).toThrow(/^S3CredentialsClass test\/Class: the chart "test" has no namespace/);
  });
});
