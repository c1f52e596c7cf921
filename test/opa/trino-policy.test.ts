/**
 * Tests of constructs/opa/trino-policy.ts: the Trino Rego bundle (policy file plus generated
 * admin list). The policy's behaviour is tested with the real OPA by scripts/test-opa.sh.
 * Run: npx jest test/opa/trino-policy.test.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { TrinoPolicy } from '../../constructs/opa';
import { find, synth } from '../util';

const POLICY = fs.readFileSync(path.join(__dirname, '..', '..', 'constructs', 'opa', 'trino.rego'), 'utf8');

describe('TrinoPolicy', () => {
  it('ships trino.rego and an admin list for package trino', () => {
    const chart = Testing.chart();
    const policy = new TrinoPolicy(chart, 'Policy');
    expect(policy).toMatchObject({ packageName: 'trino', admins: ['admin'] });
    expect(POLICY).toMatch(/^package trino$/m);
    const cm = find(synth(chart), 'ConfigMap', 'trino-opa-bundle');
    expect(cm.metadata.labels).toEqual({ 'opa.stackable.tech/bundle': 'true' });
    expect(cm.data['trino.rego']).toBe(POLICY);
    expect(cm.data['stackable_demo.rego']).toMatch(/^package stackable_demo$/m);
    expect(cm.data['stackable_demo.rego']).toMatch(/^trino_admins := \{"admin"\}$/m);
    // The policy reads the generated data module.
    expect(POLICY).toContain('data.stackable_demo.trino_admins');
  });

  it('lists custom admins as quoted Rego strings, under a custom name', () => {
    const chart = Testing.chart();
    new TrinoPolicy(chart, 'Policy', { admins: ['alice', 'bob "the builder"'], name: 'trino-authz' });
    const data = find(synth(chart), 'ConfigMap', 'trino-authz').data['stackable_demo.rego'];
    expect(data).toMatch(/^trino_admins := \{"alice", "bob \\"the builder\\""\}$/m);
  });

  describe('rejects bad props', () => {
    it('an empty admin list', () => {
      expect(() => new TrinoPolicy(Testing.chart(), 'Policy', { admins: [] })).toThrow(/TrinoPolicy Policy: admins must list at least one user/);
    });
    it('a blank admin', () => {
      expect(() => new TrinoPolicy(Testing.chart(), 'Policy', { admins: ['admin', ' '] })).toThrow(/TrinoPolicy Policy: admins\[1\] " " must be a non-empty string/);
    });
    it('a bad bundle name', () => {
      expect(() => new TrinoPolicy(Testing.chart(), 'Policy', { name: 'Trino Bundle' })).toThrow(/name "Trino Bundle" is not a valid object name/);
    });
  });
});
