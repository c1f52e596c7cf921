/**
 * Tests of constructs/opa/rego-bundle.ts: the labelled ConfigMap the OPA bundle builder serves.
 * Run: npx jest test/opa/rego-bundle.test.ts
 */
import { Testing } from 'cdk8s';
import { RegoBundle } from '../../constructs/opa';
import { find, synth } from '../util';

describe('RegoBundle', () => {
  it('is a ConfigMap of the Rego files, labelled for the OPA bundle builder', () => {
    const chart = Testing.chart();
    const bundle = new RegoBundle(chart, 'Bundle', { name: 'my-policy', files: { 'a.rego': 'package a\n', 'b_2.rego': 'package b\n' } });
    expect(bundle.name).toBe('my-policy');
    const cm = find(synth(chart), 'ConfigMap', 'my-policy');
    expect(cm.metadata.labels).toEqual({ 'opa.stackable.tech/bundle': 'true' });
    expect(cm.data).toEqual({ 'a.rego': 'package a\n', 'b_2.rego': 'package b\n' });
  });

  it('rejects a file that is not a .rego file name', () => {
    expect(() => new RegoBundle(Testing.chart(), 'Bundle', { name: 'p', files: { 'policy.txt': '' } })).toThrow(/RegoBundle Bundle: files key "policy\.txt" must be a file name ending in \.rego/);
    expect(() => new RegoBundle(Testing.chart(), 'Bundle', { name: 'p', files: { 'dir/a.rego': '' } })).toThrow(/RegoBundle Bundle: files key "dir\/a\.rego"/);
  });

  it('rejects a bad ConfigMap name', () => {
    expect(() => new RegoBundle(Testing.chart(), 'Bundle', { name: 'Policy', files: {} })).toThrow(/RegoBundle Bundle: name "Policy" is not a valid object name/);
  });
});
