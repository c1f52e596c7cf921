/**
 * Tests of constructs/core/content-name.ts and the Job naming of constructs/core/job.ts: a changed
 * spec renames the object, an unchanged one keeps its name; the JSON text matches Go's encoding/json.
 * Run: npx jest test/core
 */
import { ApiObject, Testing } from 'cdk8s';
import { canonicalJson, CONTENT_NAMED_LABEL, contentName, JOB_NAME_MAX_LENGTH, JOB_TTL_SECONDS_AFTER_FINISHED, restrictedJob, specHash } from '../../constructs/core';
import { synth } from '../util';

function job(script: string, name = 'load') {
  const chart = Testing.chart();
  restrictedJob(chart, { name, labels: { app: name }, backoffLimit: 1, pod: { containers: [{ name: 'c', image: 'i', command: ['sh', '-c', script] }] } });
  return synth(chart)[0];
}

describe('canonicalJson', () => {
  it('sorts keys at every level and leaves out undefined members', () => {
    expect(canonicalJson({ b: [{ z: 1, a: null }], a: 'x', c: undefined })).toBe('{"a":"x","b":[{"a":null,"z":1}]}');
  });

  it('escapes like Go encoding/json (Helm toJson): <, >, &, U+2028, U+2029', () => {
    expect(canonicalJson('a<b>&c\u2028\u2029"\n')).toBe('"a\\u003cb\\u003e\\u0026c\\u2028\\u2029\\"\\n"');
  });

  it('refuses what is not JSON', () => {
    expect(() => canonicalJson(undefined)).toThrow(/undefined is not JSON/);
  });
});

describe('contentName', () => {
  it('appends the hash of the synthesized spec and returns the new name', () => {
    const chart = Testing.chart();
    const obj = new ApiObject(chart, 'Obj', { apiVersion: 'v1', kind: 'Thing', metadata: { name: 'thing' }, spec: { b: 1, a: '2' } });
    const name = contentName(obj);
    expect(name).toBe(`thing-${specHash({ a: '2', b: 1 })}`);
    expect(name).toMatch(/^thing-[0-9a-f]{8}$/);
    expect(synth(chart)[0].metadata.name).toBe(name);
  });

  it('labels the object for the prune of the README upgrade command', () => {
    const chart = Testing.chart();
    contentName(new ApiObject(chart, 'Obj', { apiVersion: 'v1', kind: 'Thing', metadata: { name: 'thing' }, spec: {} }));
    expect(CONTENT_NAMED_LABEL).toBe('cdk8s-stackable-demos/content-named');
    expect(synth(chart)[0].metadata.labels).toEqual({ [CONTENT_NAMED_LABEL]: 'true' });
  });
});

describe('restrictedJob naming', () => {
  it('keeps the name of an unchanged Job and renames a changed one', () => {
    expect(job('echo 1').metadata.name).toBe(job('echo 1').metadata.name);
    expect(job('echo 1').metadata.name).not.toBe(job('echo 2').metadata.name);
    expect(job('echo 1').metadata.name).toBe(`load-${specHash(job('echo 1').spec)}`);
  });

  it('labels the pod with the given labels, not the hashed name, and deletes finished Jobs after a day', () => {
    const j = job('echo 1');
    expect(j.spec.template.metadata.labels).toEqual({ app: 'load' });
    expect(j.spec.ttlSecondsAfterFinished).toBe(JOB_TTL_SECONDS_AFTER_FINISHED);
    expect(JOB_TTL_SECONDS_AFTER_FINISHED).toBe(86400);
  });

  it('leaves room for the hash within the 63 characters of the job-name label', () => {
    expect(job('x', 'a'.repeat(JOB_NAME_MAX_LENGTH)).metadata.name).toHaveLength(63);
    expect(() => job('x', 'a'.repeat(JOB_NAME_MAX_LENGTH + 1))).toThrow(/name "a{55}" is longer than 54 characters/);
  });
});
