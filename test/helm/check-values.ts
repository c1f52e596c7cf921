/**
 * Checks a chart's values with a real helm (called by scripts/test-helm.sh):
 * - for each value, and for all of them together, `helm template -f <sample values>` renders exactly
 *   what the chart builder synthesizes with those settings, and it changes at least one object
 *   (for an optional value: adds the objects the builder adds, holding the sample);
 * - an optional value set to "" or null (unset) renders exactly the defaults;
 * - values.schema.json makes helm refuse values of the wrong type or format, and unknown keys.
 *
 *   [HELM_KUBE_VERSION=1.37.0] npx --no-install ts-node --transpile-only test/helm/check-values.ts HELM CHART_DIR fixture|demo|trino-taxi-data
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Json, Manifest, objectKey, ValueSetting } from '../../constructs/helm/expose-values';
import { parseManifests } from '../../scripts/synth-helm';
import { CASES } from './cases';
import { diffManifests } from './manifest-diff';

/** `{a: {b: value}}` for path `a.b`. */
function valuesObject(settings: ReadonlyMap<string, ValueSetting>): object {
  const out: { [key: string]: { [key: string]: Json } } = {};
  for (const [p, v] of settings) {
    const [group, name] = p.split('.');
    (out[group] ??= {})[name] = v as Json;
  }
  return out;
}

/** helm's `--kube-version`, from $HELM_KUBE_VERSION (scripts/test-helm.sh sets it). */
const KUBE_VERSION = process.env.HELM_KUBE_VERSION ? ['--kube-version', process.env.HELM_KUBE_VERSION] : [];
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'check-values-'));
let files = 0;

function helmTemplate(helm: string, chart: string, values: object): { ok: boolean; stdout: string; stderr: string } {
  const file = path.join(work, `values-${++files}.json`);
  fs.writeFileSync(file, JSON.stringify(values));
  const r = spawnSync(helm, ['template', 'release', chart, '-f', file, ...KUBE_VERSION], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr };
}

/** Whether `value` is somewhere in `json`: as a string, or as the items of a list. */
function holds(json: Json, value: ValueSetting): boolean {
  const text = JSON.stringify(json);
  return (typeof value === 'string' ? [value] : value).every((v) => text.includes(JSON.stringify(v).slice(1, -1)));
}

function changedObjects(before: Manifest[], after: Manifest[]): string[] {
  const old = new Map(before.map((m) => [objectKey(m), JSON.stringify(m)]));
  return after.filter((m) => old.get(objectKey(m)) !== JSON.stringify(m)).map(objectKey).sort();
}

function main(): number {
  const [helm, chart, name] = process.argv.slice(2);
  if (!helm || !chart || !(name in CASES)) {
    console.error(`usage: check-values.ts HELM CHART_DIR ${Object.keys(CASES).join('|')}`);
    return 2;
  }
  const subject = CASES[name as keyof typeof CASES]();
  const failures: string[] = [];
  const defaults = subject.build(new Map());
  const cases: Array<[string, ReadonlyMap<string, ValueSetting>]> = [
    ...subject.values.map((v): [string, ReadonlyMap<string, ValueSetting>] => {
      if (!subject.samples.has(v.path)) throw new Error(`no sample for value ${v.path}`);
      return [v.path, new Map([[v.path, subject.samples.get(v.path)!]])];
    }),
    ['all values together', subject.samples],
  ];
  for (const [label, settings] of cases) {
    const expected = subject.build(settings);
    const rendered = helmTemplate(helm, chart, valuesObject(settings));
    if (!rendered.ok) { failures.push(`${label}: helm template failed: ${rendered.stderr.trim()}`); continue; }
    const actual = parseManifests(rendered.stdout);
    const diffs = diffManifests(expected, actual);
    const changed = changedObjects(defaults, expected);
    // What an optional value adds: in helm's output, holding the sample.
    const known = new Set(defaults.map(objectKey));
    const optional = subject.values.filter((v) => v.optional && settings.has(v.path));
    const added = actual.filter((m) => !known.has(objectKey(m)));
    const empty = optional.filter((v) => !added.some((m) => holds(m, settings.get(v.path)!)));
    if (diffs.length > 0) failures.push(`${label}: helm renders something else than the chart builder:\n${diffs.join('\n')}`);
    else if (changed.length === 0) failures.push(`${label}: the sample changes no object`);
    else if (empty.length > 0) failures.push(`${label}: helm renders no added object holding ${empty.map((v) => v.path).join(', ')}`);
    else console.log(`ok   ${label}: renders as synthesized; changes ${changed.join(', ')}${optional.length > 0 ? ` (adds ${added.map(objectKey).join(', ')})` : ''}`);
  }
  // An optional value left empty or set to null is unset: the defaults.
  for (const v of subject.values.filter((x) => x.optional)) {
    for (const unset of [typeof v.probe === 'string' ? '' : [], null]) {
      const label = `${v.path} = ${JSON.stringify(unset)}`;
      const rendered = helmTemplate(helm, chart, valuesObject(new Map([[v.path, unset as ValueSetting]])));
      if (!rendered.ok) { failures.push(`${label}: helm template failed: ${rendered.stderr.trim()}`); continue; }
      const diffs = diffManifests(defaults, parseManifests(rendered.stdout));
      if (diffs.length > 0) failures.push(`${label}: helm renders something else than the defaults:\n${diffs.join('\n')}`);
      else console.log(`ok   ${label}: renders the defaults`);
    }
  }
  for (const { what, values } of subject.invalid) {
    const r = helmTemplate(helm, chart, values);
    if (r.ok) failures.push(`schema accepts ${what}: ${JSON.stringify(values)}`);
    else if (!/don't meet the specifications of the schema/.test(r.stderr)) failures.push(`${what}: helm failed, but not on the schema: ${r.stderr.trim()}`);
    else console.log(`ok   schema refuses ${what}`);
  }
  fs.rmSync(work, { recursive: true, force: true });
  for (const f of failures) console.error(`FAIL ${f}`);
  return failures.length === 0 ? 0 : 1;
}

process.exit(main());
