/**
 * Emits the demo as a Helm chart: `build/helm/<chart-name>/` (or `<--outdir>/<chart-name>/`).
 *
 *   npm run synth:helm [-- --outdir DIR] [--namespace NS] [--network-policies]
 *   npx --no-install ts-node --transpile-only scripts/synth-helm.ts [--outdir DIR] [--namespace NS] [--network-policies]
 *
 * The options are parsed by scripts/synth.ts's parser and go to `DemoChart` exactly as there.
 *
 * The chart is built in-process from the same `DemoChart` as `npm run synth`, so `helm template`
 * with the default values renders exactly the objects of the plain synth (scripts/test-helm.sh
 * checks that with a real helm). It deliberately does not use `cdk8s synth --format helm`, which
 * downloads the operators' CRDs during synthesis and ships them in `crds/` (the operators own them).
 *
 * How values are exposed, without hand-written templates: each value in `DEMO_VALUES` says how it
 * maps to a `DemoChart` prop. The chart is synthesized once with the defaults and once per value
 * with a recognisable probe; the strings that change are exactly the places the value lands, and
 * become template expressions there. A value whose change is anything but a plain substitution
 * into strings (an object renamed, a hash, a number, base64) cannot be exposed without breaking
 * "default values render the plain synth", and synthesis fails naming the value and the field.
 *
 * Optional values (`optional: true`): unset by default (`""`, or `[]` for a list, in values.yaml;
 * `null` works too), and setting one adds objects, e.g. a Secret that exists only when the user
 * brings a key. Synthesized with its probe, such a value must add objects and change nothing
 * else; the objects it adds are rendered in their place of the synth order, each under
 * `{{- if .Values.<value> }}` ... `{{- end }}`, with the value (and any other value) substituted
 * inside them exactly as above. As there is no default to compare with, the added objects are
 * also synthesized with a second setting, the probe without its first character (or item): every
 * field of theirs must then render by substitution too, or synthesis fails. The schema makes the
 * value optional: the empty value, `null`, or a value of its own schema.
 *
 * Every `{{`/`}}` of the manifests (embedded Python, Rego, shell…) is escaped so that helm renders it
 * verbatim. The namespace is not a value: in-cluster host names are derived from it at synth time,
 * so the chart is rendered for one namespace (synthesize again for another).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Yaml } from 'cdk8s';
import * as YAML from 'yaml';
import { Credentials, SupersetSecretKey } from '../constructs';
import { DemoChart, DemoChartProps } from '../demos/spark-k8s-anomaly-detection-taxi-data/demo-chart';
import { canonicalJson, CONTENT_HASH_LENGTH, specHash } from '../constructs/core';
import { DEMO_CHART_ID, parseSynthArgs } from './synth';
import { REPO_ROOT, runMain } from './lib/cli';

/** A JSON value (the synthesized manifests are plain JSON). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** One synthesized Kubernetes object. */
export type Manifest = { [key: string]: Json };
/** The value of a chart value: a string or a list of strings. */
export type ValueSetting = string | readonly string[];

/** A chart value, i.e. a user-facing setting that is substituted into the manifests. */
export interface ChartValue {
  /** Dotted path in values.yaml, e.g. `minio.rootPassword`. */
  readonly path: string;
  /** What the value is and where it goes (becomes the comment in values.yaml and the schema description). */
  readonly description: string;
  /** JSON schema of the value, without `description` (`type` must be `string` or an array of strings). */
  readonly schema: { readonly type: 'string' | 'array'; readonly [keyword: string]: unknown };
  /**
   * A setting the chart builder accepts and that occurs nowhere in the default manifests, used to
   * find where the value lands. Lists need at least two items (to see how they are joined); give a
   * list probe another length than the default, so that a field sized by the count is detected.
   */
  readonly probe: ValueSetting;
  /**
   * Unset by default, and setting it adds objects (rendered under `{{- if .Values.<path> }}`), which
   * the builder synthesizes only when it gets a setting for this value; without one it must
   * synthesize exactly the default manifests. The builder also gets the probe without its first
   * character (or item), to check that the added objects take the value by substitution only.
   * @default false
   */
  readonly optional?: boolean;
}

/** Builds the manifests with some chart values set (the others at their defaults). */
export type ManifestBuilder = (settings: ReadonlyMap<string, ValueSetting>) => Manifest[];

/** Chart.yaml fields we set. */
export interface ChartMetadata {
  readonly name: string;
  readonly version: string;
  readonly appVersion: string;
  readonly description: string;
  readonly kubeVersion?: string;
}

/** Where a chart value lands: a segment of a templated string (or the whole of a list field). */
type Segment =
  | { readonly literal: string }
  | { readonly value: string } // the string value itself
  | { readonly value: string; readonly joinedBy: string } // a list value joined with a separator
  // A list value whose items each render as `item itemLiterals[0] item itemLiterals[1] ... item`
  // (the item k times, with k-1 literals between), joined with a separator, e.g. a file list built
  // from months: `a_<m>.parquet https://host/a_<m>.parquet` per month, one per line.
  | { readonly value: string; readonly joinedBy: string; readonly itemLiterals: readonly string[] }
  | { readonly value: string; readonly wholeList: true }; // a list field equal to the list value

/** A field of one object that becomes a template expression. */
interface Slot {
  readonly object: string;
  readonly path: readonly (string | number)[];
  readonly segments: readonly Segment[];
}

/** An object of the chart, in synth order. */
export interface ChartObject {
  /** The object as synthesized: with the defaults, or, if it is added by an optional value, with every probe. */
  readonly manifest: Manifest;
  /** The optional value whose setting adds the object; undefined for the objects of the default manifests. */
  readonly addedBy?: string;
}

/** The result of {@link exposeValues}. */
export interface Exposure {
  /** The manifests with all values at their defaults (optional ones unset). */
  readonly manifests: Manifest[];
  /** Every object of the chart in synth order: the default manifests and those optional values add. */
  readonly objects: readonly ChartObject[];
  /** Default of every value: derived from the default manifests, empty (`""` or `[]`) for an optional value. */
  readonly defaults: ReadonlyMap<string, ValueSetting>;
  /** The templated fields. */
  readonly slots: readonly Slot[];
}

/**
 * The name an object was given in code if its name is content-derived, `<name>-<specHash(spec)>`
 * (Jobs and the SparkApplication, constructs/core/content-name.ts); otherwise undefined.
 */
export function contentBaseName(m: Manifest): string | undefined {
  const name = ((m.metadata ?? {}) as { [key: string]: Json }).name;
  if (m.spec === undefined || typeof name !== 'string') return undefined;
  const suffix = `-${specHash(m.spec)}`;
  return name.endsWith(suffix) ? name.slice(0, -suffix.length) : undefined;
}

/**
 * Identity of an object: apiVersion, kind, namespace and name; a content-derived name counts as
 * `<name>-#spec`, so that the object keeps its identity when a value changes its spec (and name).
 */
export function objectKey(m: Manifest): string {
  const meta = (m.metadata ?? {}) as { [key: string]: Json };
  const base = contentBaseName(m);
  return `${m.apiVersion}/${m.kind} ${meta.namespace ? `${meta.namespace}/` : ''}${base === undefined ? meta.name : `${base}-#spec`}`;
}

function byKey(manifests: Manifest[]): Map<string, Manifest> {
  const map = new Map<string, Manifest>();
  for (const m of manifests) {
    const key = objectKey(m);
    if (map.has(key)) throw new Error(`synth-helm: object ${key} is synthesized twice`);
    map.set(key, m);
  }
  return map;
}

function isObject(v: Json): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function formatPath(p: readonly (string | number)[]): string {
  return p.map((s) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z_][\w-]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`)).join('');
}

/** A field that differs between two syntheses. */
interface Change {
  readonly object: string;
  readonly path: readonly (string | number)[];
  readonly before: Json;
  readonly after: Json;
}

/**
 * The fields that differ between two object sets. Only strings may differ, and list fields that
 * `isList` accepts; anything else (objects added/removed, keys, numbers) throws with `context`.
 */
function changes(before: Manifest[], after: Manifest[], context: string, isList: (v: Json) => boolean): Change[] {
  const a = byKey(before);
  const b = byKey(after);
  const added = [...b.keys()].filter((k) => !a.has(k));
  const removed = [...a.keys()].filter((k) => !b.has(k));
  if (added.length + removed.length > 0) {
    throw new Error(`${context} changes which objects exist (added: ${added.join(', ') || '-'}; removed: ${removed.join(', ') || '-'})`);
  }
  const out: Change[] = [];
  const walk = (object: string, p: (string | number)[], x: Json, y: Json): void => {
    if (x === y) return;
    // A content-derived name follows the spec; renderChart templates it from the rendered spec.
    if (p.length === 2 && p[0] === 'metadata' && p[1] === 'name' && object.endsWith('-#spec')) return;
    if (typeof x === 'string' && typeof y === 'string') { out.push({ object, path: p, before: x, after: y }); return; }
    if (Array.isArray(y) && isList(y) && Array.isArray(x)) { out.push({ object, path: p, before: x, after: y }); return; }
    if (Array.isArray(x) && Array.isArray(y) && x.length === y.length) { x.forEach((v, i) => walk(object, [...p, i], v, y[i])); return; }
    if (isObject(x) && isObject(y)) {
      const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
      for (const k of keys) {
        if (!(k in x) || !(k in y)) throw new Error(`${context} adds or removes ${object} ${formatPath([...p, k])}`);
        walk(object, [...p, k], x[k], y[k]);
      }
      return;
    }
    throw new Error(`${context} changes ${object} ${formatPath(p)} from ${JSON.stringify(x)} to ${JSON.stringify(y)}, which is not a substitution into a string`);
  };
  for (const [key, m] of a) walk(key, [], m, b.get(key)!);
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function sameList(v: Json, list: readonly string[]): boolean {
  return Array.isArray(v) && v.length === list.length && v.every((x, i) => x === list[i]);
}

/** One item of a list value as it is rendered: the item, with `literals` between its repetitions. */
function renderItem(item: string, literals: readonly string[]): string {
  return literals.reduce((out, l) => `${out}${l}${item}`, item);
}

/**
 * Where a list probe occurs in `s` from `from` on: its first item repeated k times with literals
 * between (one item's rendering), then a separator, then the other items rendered the same way.
 */
function findList(s: string, probe: readonly string[], from: number): { start: number; end: number; joinedBy: string; itemLiterals: string[] } | undefined {
  const [first, second] = probe;
  for (let start = s.indexOf(first, from); start >= 0; start = s.indexOf(first, start + 1)) {
    const next = s.indexOf(second, start);
    if (next < 0) return undefined;
    // The first item's repetitions before the second item.
    const at: number[] = [];
    for (let i = start; i >= 0 && i < next; i = s.indexOf(first, i + first.length)) at.push(i);
    const itemLiterals = at.slice(1).map((p, j) => s.slice(at[j] + first.length, p));
    const joinedBy = s.slice(at[at.length - 1] + first.length, next);
    const text = probe.map((x) => renderItem(x, itemLiterals)).join(joinedBy);
    if (joinedBy.length > 0 && s.startsWith(text, start)) return { start, end: start + text.length, joinedBy, itemLiterals };
  }
  return undefined;
}

/** Splits `s` at every probe of `values` into literals and value references. */
function tokenize(s: string, values: readonly ChartValue[]): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  for (;;) {
    let best: { start: number; end: number; segment: Segment } | undefined;
    for (const v of values) {
      let found: { start: number; end: number; segment: Segment } | undefined;
      if (typeof v.probe === 'string') {
        const i = s.indexOf(v.probe, last);
        if (i >= 0) found = { start: i, end: i + v.probe.length, segment: { value: v.path } };
      } else {
        const l = findList(s, v.probe, last);
        if (l !== undefined) {
          const segment: Segment = l.itemLiterals.length === 0
            ? { value: v.path, joinedBy: l.joinedBy }
            : { value: v.path, joinedBy: l.joinedBy, itemLiterals: l.itemLiterals };
          found = { start: l.start, end: l.end, segment };
        }
      }
      if (found !== undefined && (best === undefined || found.start < best.start)) best = found;
    }
    if (best === undefined) break;
    if (best.start > last) segments.push({ literal: s.slice(last, best.start) });
    segments.push(best.segment);
    last = best.end;
  }
  if (last < s.length) segments.push({ literal: s.slice(last) });
  return segments;
}

/** The string (or list) a slot renders to with the given settings. */
function renderSlot(segments: readonly Segment[], settings: ReadonlyMap<string, ValueSetting>): Json {
  const first = segments[0];
  if (segments.length === 1 && 'wholeList' in first) return [...(settings.get(first.value) as string[])];
  return segments.map((s) => {
    if ('literal' in s) return s.literal;
    const v = settings.get(s.value)!;
    if ('itemLiterals' in s) return (v as string[]).map((x) => renderItem(x, s.itemLiterals)).join(s.joinedBy);
    return 'joinedBy' in s ? (v as string[]).join(s.joinedBy) : (v as string);
  }).join('');
}

/** Derives a value's default from one field it changes: `before` is `after` with the probe replaced by the default. */
function deriveDefault(value: ChartValue, change: Change): ValueSetting {
  const probe = value.probe;
  const where = `${change.object} ${formatPath(change.path)}`;
  const before = change.before;
  if (typeof probe !== 'string' && sameList(change.after, probe)) {
    if (!Array.isArray(before) || !before.every((x): x is string => typeof x === 'string')) {
      throw new Error(`value ${value.path} replaces ${where}, which is not a list of strings with the defaults`);
    }
    return before;
  }
  const segments = tokenize(change.after as string, [value]);
  const refs = segments.filter((s) => !('literal' in s));
  if (refs.length === 0 || typeof before !== 'string') {
    throw new Error(`value ${value.path} changes ${where} but its probe does not appear there (the field is computed from the value, e.g. encoded, hashed or sized by it)`);
  }
  const literalLength = segments.reduce((n, s) => n + ('literal' in s ? s.literal.length : 0), 0);
  const len = (before.length - literalLength) / refs.length;
  const start = 'literal' in segments[0] ? segments[0].literal.length : 0;
  const text = Number.isInteger(len) && len >= 0 ? before.slice(start, start + len) : '';
  const ref = refs[0] as { joinedBy?: string; itemLiterals?: readonly string[] };
  // An item rendered k times with literals between: the item is its first (length - literals) / k characters.
  const literals = ref.itemLiterals ?? [];
  const item = (rendered: string) => rendered.slice(0, (rendered.length - literals.join('').length) / (literals.length + 1));
  const candidate: ValueSetting = ref.joinedBy === undefined ? text : text.split(ref.joinedBy).map(item);
  if (renderSlot(segments, new Map([[value.path, candidate]])) !== before) {
    throw new Error(`value ${value.path} changes ${where} in a way other than substituting itself`);
  }
  return candidate;
}

function sameSetting(a: ValueSetting, b: ValueSetting): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The setting an optional value is unset with (`""`, or `[]` for a list). */
function unsetSetting(value: ChartValue): ValueSetting {
  return typeof value.probe === 'string' ? '' : [];
}

/** The second setting an optional value is synthesized with: its probe without the first character or item. */
function secondProbe(value: ChartValue): ValueSetting {
  return typeof value.probe === 'string' ? value.probe.slice(1) : value.probe.slice(1);
}

/** The string (and list) fields of an object, with their paths. */
function fieldsOf(value: Json, p: (string | number)[], isList: (v: Json) => boolean, out: Array<{ path: (string | number)[]; value: Json }> = []): Array<{ path: (string | number)[]; value: Json }> {
  if (typeof value === 'string' || (Array.isArray(value) && isList(value))) out.push({ path: p, value });
  else if (Array.isArray(value)) value.forEach((v, i) => fieldsOf(v, [...p, i], isList, out));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) fieldsOf(v, [...p, k], isList, out);
  return out;
}

/**
 * An object with its templated fields rendered for `settings`; a content-derived name follows the
 * rendered spec, as the chart's spec-hash templates make it.
 */
function renderObject(manifest: Manifest, slots: readonly Slot[], settings: ReadonlyMap<string, ValueSetting>): Manifest {
  const copy = JSON.parse(JSON.stringify(manifest)) as Manifest;
  for (const slot of slots) {
    let parent: Json = copy;
    for (const step of slot.path.slice(0, -1)) parent = (parent as { [k: string]: Json })[step];
    (parent as { [k: string]: Json })[slot.path[slot.path.length - 1]] = renderSlot(slot.segments, settings);
  }
  const base = contentBaseName(manifest);
  if (base !== undefined) (copy.metadata as { [k: string]: Json }).name = `${base}-${specHash(copy.spec)}`;
  return copy;
}

/** The objects of `after` that `before` does not have, by key, checking that `after` keeps the others unchanged and in order. */
function addedObjects(before: Manifest[], after: Manifest[], context: string, isList: (v: Json) => boolean): Map<string, Manifest> {
  const known = new Set(before.map(objectKey));
  const kept = after.filter((m) => known.has(objectKey(m)));
  const changed = changes(before, kept, context, isList);
  if (changed.length > 0) throw new Error(`${context} changes ${changed[0].object} ${formatPath(changed[0].path)}, but an optional value may only add objects`);
  if (kept.map(objectKey).join('\n') !== before.map(objectKey).join('\n')) throw new Error(`${context} changes the order of the default objects`);
  return byKey(after.filter((m) => !known.has(objectKey(m))));
}

/**
 * Finds where each value lands in the manifests and what its default is, by synthesizing with the
 * defaults, with each probe alone and with all probes at once (and, for an optional value, with
 * its second setting). Throws if a value cannot be exposed so that the default values render
 * exactly the default manifests and every setting renders what the builder synthesizes.
 */
export function exposeValues(build: ManifestBuilder, values: readonly ChartValue[]): Exposure {
  const paths = values.map((v) => v.path);
  if (new Set(paths).size !== paths.length) throw new Error(`synth-helm: duplicate value paths in ${paths.join(', ')}`);
  const isList = (v: Json) => values.some((x) => typeof x.probe !== 'string' && sameList(v, x.probe));
  const manifests = build(new Map());
  const defaultText = JSON.stringify(manifests);
  const defaults = new Map<string, ValueSetting>();
  const touched = new Map<string, string[]>(); // field -> values that change it
  // Optional values: the objects each adds, synthesized with its probe and with its second setting.
  const addedBy = new Map<string, string>();
  const addedAlone = new Map<string, { probe: Map<string, Manifest>; second: Map<string, Manifest> }>();
  for (const value of values) {
    const probes = typeof value.probe === 'string' ? [value.probe] : value.probe;
    if (typeof value.probe !== 'string' && value.probe.length < 2) throw new Error(`value ${value.path}: a list probe needs at least two items`);
    for (const p of probes) {
      if (defaultText.includes(p)) throw new Error(`value ${value.path}: probe ${JSON.stringify(p)} already occurs in the default manifests; choose another`);
    }
    if (value.optional) {
      const probe = addedObjects(manifests, build(new Map([[value.path, value.probe]])), `value ${value.path}`, isList);
      if (probe.size === 0) throw new Error(`value ${value.path} is optional but adds no object`);
      const second = addedObjects(manifests, build(new Map([[value.path, secondProbe(value)]])), `value ${value.path} (second setting)`, isList);
      if ([...second.keys()].join('\n') !== [...probe.keys()].join('\n')) {
        throw new Error(`value ${value.path} adds other objects for another setting (${[...probe.keys()].join(', ')}; then ${[...second.keys()].join(', ')})`);
      }
      for (const key of probe.keys()) {
        if (addedBy.has(key)) throw new Error(`object ${key} is added by both ${addedBy.get(key)} and ${value.path}`);
        addedBy.set(key, value.path);
      }
      addedAlone.set(value.path, { probe, second });
      defaults.set(value.path, unsetSetting(value));
      continue;
    }
    const found = changes(manifests, build(new Map([[value.path, value.probe]])), `value ${value.path}`, isList);
    if (found.length === 0) throw new Error(`value ${value.path} changes nothing in the manifests`);
    for (const change of found) {
      const d = deriveDefault(value, change);
      const known = defaults.get(value.path);
      if (known !== undefined && !sameSetting(known, d)) {
        throw new Error(`value ${value.path} has different defaults in different places (${JSON.stringify(known)} and ${JSON.stringify(d)} at ${change.object} ${formatPath(change.path)})`);
      }
      defaults.set(value.path, d);
      const field = `${change.object}\u0000${JSON.stringify(change.path)}`;
      touched.set(field, [...(touched.get(field) ?? []), value.path]);
    }
  }

  // All probes at once: fields that several values change are split at every probe.
  const probes = new Map(values.map((v) => [v.path, v.probe]));
  const all = build(probes);
  const known = new Set(manifests.map(objectKey));
  const unexpected = all.map(objectKey).filter((k) => !known.has(k) && !addedBy.has(k));
  if (unexpected.length > 0) throw new Error(`setting all values together adds ${unexpected.join(', ')}, which no single value adds`);
  const missing = [...addedBy.keys()].filter((k) => !all.some((m) => objectKey(m) === k));
  if (missing.length > 0) throw new Error(`setting all values together does not add ${missing.join(', ')}`);
  const kept = all.filter((m) => known.has(objectKey(m)));
  if (kept.map(objectKey).join('\n') !== manifests.map(objectKey).join('\n')) throw new Error('setting all values together changes the order of the default objects');
  const combined = changes(manifests, kept, 'setting all values', isList);
  const slots: Slot[] = [];
  for (const change of combined) {
    const field = `${change.object}\u0000${JSON.stringify(change.path)}`;
    const where = `${change.object} ${formatPath(change.path)}`;
    if (!touched.has(field)) throw new Error(`setting all values together changes ${where}, which no single value changes`);
    const list = values.find((v) => typeof v.probe !== 'string' && sameList(change.after, v.probe));
    const segments: Segment[] = list
      ? [{ value: list.path, wholeList: true }]
      : tokenize(change.after as string, values);
    const check = (settings: ReadonlyMap<string, ValueSetting>, expected: Json, what: string) => {
      if (JSON.stringify(renderSlot(segments, settings)) !== JSON.stringify(expected)) {
        throw new Error(`values ${touched.get(field)!.join(', ')} do not substitute cleanly into ${where} (${what})`);
      }
    };
    check(defaults, change.before, 'default values');
    check(probes, change.after, 'all probes');
    slots.push({ object: change.object, path: change.path, segments });
  }
  if (slots.length !== touched.size) throw new Error('setting all values together leaves fields unchanged that single values change');

  // The objects optional values add: every field holding a probe is templated; rendering them must
  // give what the builder synthesizes with the value alone (probe and second setting) and with all.
  const required = new Map([...defaults].filter(([p]) => !addedAlone.has(p)));
  const objects: ChartObject[] = [];
  const defaultsByKey = byKey(manifests);
  for (const m of all) {
    const key = objectKey(m);
    const owner = addedBy.get(key);
    if (owner === undefined) { objects.push({ manifest: defaultsByKey.get(key)! }); continue; }
    const own: Slot[] = [];
    for (const f of fieldsOf(m, [], isList)) {
      if (f.path.length === 2 && f.path[0] === 'metadata' && f.path[1] === 'name' && contentBaseName(m) !== undefined) continue;
      const list = Array.isArray(f.value) ? values.find((v) => typeof v.probe !== 'string' && sameList(f.value, v.probe)) : undefined;
      const segments: Segment[] = list ? [{ value: list.path, wholeList: true }] : tokenize(f.value as string, values);
      if (!segments.some((g) => 'value' in g)) continue;
      const where = `${key} ${formatPath(f.path)}`;
      for (const g of segments) {
        if ('value' in g && g.value !== owner && addedAlone.has(g.value)) throw new Error(`${where}, added by optional value ${owner}, holds optional value ${g.value}`);
      }
      own.push({ object: key, path: f.path, segments });
    }
    if (!own.some((slot) => slot.segments.some((g) => 'value' in g && g.value === owner))) {
      throw new Error(`value ${owner} adds ${key} but does not land in it`);
    }
    const alone = addedAlone.get(owner)!;
    const value = values.find((v) => v.path === owner)!;
    const expect = (settings: ReadonlyMap<string, ValueSetting>, expected: Manifest, what: string) => {
      if (JSON.stringify(renderObject(m, own, settings)) !== JSON.stringify(expected)) {
        throw new Error(`value ${owner} adds ${key}, and values do not substitute cleanly into it (${what}): some field is computed from a value`);
      }
    };
    expect(probes, m, 'all probes');
    expect(new Map([...required, [owner, value.probe]]), alone.probe.get(key)!, `${owner} alone`);
    expect(new Map([...required, [owner, secondProbe(value)]]), alone.second.get(key)!, `${owner} with its second setting`);
    slots.push(...own);
    objects.push({ manifest: m, addedBy: owner });
  }
  return { manifests, objects, defaults, slots };
}

/** Escapes Go template delimiters: every run of braces holding `{{` or `}}` becomes an action printing it. */
export function escapeTemplateText(text: string): string {
  return text.replace(/[{}]*(?:\{\{|\}\})[{}]*/g, (run) => `{{ ${JSON.stringify(run)} }}`);
}

function valueRef(path: string): string {
  return `.Values.${path}`;
}

/**
 * A Go template expression rendering each item of a list value as `item L1 item ... item` and
 * joining them with `joinedBy` (sprig has no map function): the items are joined by NUL, each run
 * of non-NUL characters (an item; the schema must forbid NUL and empty items) is replaced by its
 * rendering with `regexReplaceAll` (whose replacement expands `${0}` and needs `$$` for a `$`),
 * and the NULs become the separator with `replace`.
 */
function itemTemplateAction(value: string, joinedBy: string, itemLiterals: readonly string[]): string {
  if ([joinedBy, ...itemLiterals].some((l) => l.includes('\u0000'))) throw new Error(`synth-helm: value ${value} renders next to a NUL character`);
  const replacement = itemLiterals.reduce((out, l) => `${out}${l.replace(/\$/g, '$$$$')}\${0}`, '${0}');
  return `(replace "\\x00" ${JSON.stringify(joinedBy)} (regexReplaceAll "[^\\x00]+" (join "\\x00" ${valueRef(value)}) ${JSON.stringify(replacement)}))`;
}

/** The template action that renders a slot (a JSON scalar or flow sequence, hence valid YAML). */
function slotAction(segments: readonly Segment[]): string {
  const first = segments[0];
  if (segments.length === 1 && 'wholeList' in first) return `{{ ${valueRef(first.value)} | toJson }}`;
  const operands = segments.map((s) => {
    if ('literal' in s) return JSON.stringify(s.literal);
    if ('itemLiterals' in s) return itemTemplateAction(s.value, s.joinedBy, s.itemLiterals);
    return 'joinedBy' in s ? `(join ${JSON.stringify(s.joinedBy)} ${valueRef(s.value)})` : valueRef(s.value);
  });
  return operands.length === 1 ? `{{ ${operands[0]} | toJson }}` : `{{ print ${operands.join(' ')} | toJson }}`;
}

function templateFileName(m: Manifest, index: number, width: number): string {
  const meta = (m.metadata ?? {}) as { [key: string]: Json };
  const slug = `${m.kind}-${meta.name}`.toLowerCase().replace(/[^a-z0-9.-]+/g, '-');
  return `${String(index + 1).padStart(width, '0')}-${slug}.yaml`;
}

/** The chart's values.yaml: every value with its description as a comment. */
function valuesYaml(meta: ChartMetadata, values: readonly ChartValue[], exposure: Exposure, namespaces: string[]): string {
  const lines = [
    `# Values of the ${meta.name} chart (generated by scripts/synth-helm.ts; do not edit by hand).`,
    '#',
    `# The chart was rendered for namespace ${namespaces.map((n) => `"${n}"`).join(', ') || '(none)'}: every object carries it, and`,
    '# in-cluster host names (TLS certificates, S3/JDBC/OPA endpoints) are derived from it at synth time.',
    '# It is therefore not a value: for another namespace, synthesize the chart again (see the README).',
    '#',
    '# Only settings that are plain substitutions into the manifests are values. Set strings with',
    '# --set-string (or a values file), lists with --set-json; values.schema.json checks every value.',
  ];
  const tree = new Map<string, ChartValue[]>();
  for (const v of values) {
    const [group, ...rest] = v.path.split('.');
    if (rest.length !== 1) throw new Error(`synth-helm: value path ${v.path} must be GROUP.NAME`);
    tree.set(group, [...(tree.get(group) ?? []), v]);
  }
  for (const [group, members] of tree) {
    lines.push('', `${group}:`);
    for (const v of members) {
      lines.push(...v.description.split('\n').map((l) => `  # ${l}`.trimEnd()));
      const title = (m: Manifest) => `${m.kind} ${(m.metadata as { name: string }).name}`;
      const objects = new Set(exposure.slots.filter((slot) => slot.segments.some((g) => 'value' in g && g.value === v.path)).map((slot) => (
        title(exposure.objects.find((x) => objectKey(x.manifest) === slot.object)!.manifest))));
      if (v.optional) {
        const adds = exposure.objects.filter((x) => x.addedBy === v.path).map((x) => title(x.manifest));
        lines.push(`  # Unset by default; setting it adds: ${adds.join(', ')}.`);
      }
      lines.push(`  # Used in: ${[...objects].join(', ')}.`);
      const d = exposure.defaults.get(v.path)!;
      const rendered = typeof d === 'string' ? JSON.stringify(d) : `[${d.map((x) => JSON.stringify(x)).join(', ')}]`;
      lines.push(`  ${v.path.split('.')[1]}: ${rendered}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** The chart's values.schema.json (draft-07; helm validates values against it). */
function valuesSchema(values: readonly ChartValue[]): Json {
  const groups: { [key: string]: Json } = {};
  for (const v of values) {
    const [group, name] = v.path.split('.');
    const g = (groups[group] ??= { type: 'object', additionalProperties: false, required: [], properties: {} }) as { [key: string]: Json };
    const description = v.description.replace(/\n/g, ' ');
    if (v.optional) {
      // Unset: the empty value of its type, or null (with which helm drops the key).
      const empty: Json = v.schema.type === 'string' ? { type: 'string', maxLength: 0 } : { type: 'array', maxItems: 0 };
      (g.properties as { [key: string]: Json })[name] = { description, anyOf: [{ type: 'null' }, empty, v.schema as { [key: string]: Json }] };
    } else {
      (g.required as string[]).push(name);
      (g.properties as { [key: string]: Json })[name] = { description, ...(v.schema as { [key: string]: Json }) };
    }
  }
  for (const g of Object.values(groups) as Array<{ [key: string]: Json }>) if ((g.required as string[]).length === 0) delete g.required;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    additionalProperties: false,
    required: Object.keys(groups),
    properties: groups,
  };
}

function notesTxt(meta: ChartMetadata, namespaces: string[]): string {
  return [
    `{{ .Chart.Name }} {{ .Chart.Version }} (Stackable ${meta.appVersion}) is installed as release {{ .Release.Name }}.`,
    `Its objects are in namespace ${namespaces.join(', ') || '(none)'}, fixed when the chart was synthesized, whatever`,
    'namespace the release itself is in. For another namespace, synthesize the chart again.',
  ].join('\n') + '\n';
}

const HELMIGNORE = ['# Patterns ignored when packaging the chart.', '.DS_Store', '*.swp', '*.bak', '*.tmp', '*.orig', '*~', ''].join('\n');

/** Renders the whole chart: relative file name -> content. */
export function renderChart(meta: ChartMetadata, values: readonly ChartValue[], exposure: Exposure): Map<string, string> {
  const files = new Map<string, string>();
  const chartYaml: { [key: string]: Json } = {
    apiVersion: 'v2', name: meta.name, description: meta.description, type: 'application', version: meta.version, appVersion: meta.appVersion,
  };
  if (meta.kubeVersion) chartYaml.kubeVersion = meta.kubeVersion;
  files.set('Chart.yaml', YAML.stringify(chartYaml, { lineWidth: 0 }));
  const namespaces = [...new Set(exposure.manifests.map((m) => (m.metadata as { namespace?: string } | undefined)?.namespace).filter((n): n is string => !!n))].sort();
  files.set('values.yaml', valuesYaml(meta, values, exposure, namespaces));
  files.set('values.schema.json', JSON.stringify(valuesSchema(values), null, 2) + '\n');
  files.set('.helmignore', HELMIGNORE);
  files.set('templates/NOTES.txt', notesTxt(meta, namespaces));

  const width = String(exposure.objects.length).length;
  const hashTemplates: string[] = [];
  exposure.objects.forEach(({ manifest, addedBy }, index) => {
    const key = objectKey(manifest);
    const copy = JSON.parse(JSON.stringify(manifest)) as Manifest;
    const actions = new Map<string, string>();
    for (const slot of exposure.slots.filter((s) => s.object === key)) {
      const placeholder = `__HELM_VALUE_SLOT_${actions.size}__`;
      let parent: Json = copy;
      for (const step of slot.path.slice(0, -1)) parent = (parent as { [k: string]: Json })[step];
      (parent as { [k: string]: Json })[slot.path[slot.path.length - 1]] = placeholder;
      actions.set(placeholder, slotAction(slot.segments));
    }
    const base = contentBaseName(manifest);
    const specSlots = base === undefined ? [] : [...actions.keys()].filter((p) => canonicalJson(copy.spec).includes(JSON.stringify(p)));
    if (base !== undefined && specSlots.length > 0) {
      // The name is `<base>-<first digits of the SHA-256 of canonicalJson(spec)>`: rebuild that JSON
      // text in a named template, with each value rendered by `toJson` (Go's encoding/json, which
      // canonicalJson imitates), and hash it in the name.
      const define = `spec-hash.${index + 1}`;
      const pieces = canonicalJson(copy.spec).split(new RegExp(specSlots.map((p) => escapeRegExp(JSON.stringify(p))).join('|')));
      const order = [...canonicalJson(copy.spec).matchAll(new RegExp(specSlots.map((p) => escapeRegExp(JSON.stringify(p))).join('|'), 'g'))]
        .map((m) => JSON.parse(m[0]) as string);
      const body = pieces.map((piece, i) => escapeTemplateText(piece) + (i < order.length ? actions.get(order[i])! : '')).join('');
      hashTemplates.push(`{{- define ${JSON.stringify(define)} -}}\n${body}\n{{- end -}}\n`);
      const namePlaceholder = '__HELM_CONTENT_NAME__';
      (copy.metadata as { [k: string]: Json }).name = namePlaceholder;
      actions.set(namePlaceholder, `${base}-{{ include ${JSON.stringify(define)} . | sha256sum | trunc ${CONTENT_HASH_LENGTH} }}`);
    }
    let text = escapeTemplateText(Yaml.stringify(copy));
    for (const [placeholder, action] of actions) {
      const parts = text.split(placeholder);
      if (parts.length !== 2) throw new Error(`synth-helm: placeholder ${placeholder} of ${key} occurs ${parts.length - 1} times`);
      text = parts.join(action);
    }
    // An object an optional value adds renders only when the value is set (not empty, not null).
    if (addedBy !== undefined) text = `{{- if ${valueRef(addedBy)} }}\n${text}{{- end }}\n`;
    files.set(`templates/${templateFileName(manifest, index, width)}`, text);
  });
  if (hashTemplates.length > 0) files.set('templates/_spec-hashes.tpl', hashTemplates.join(''));
  return files;
}

/** Writes the chart into `<outdir>/<name>/`, replacing it only once everything has been rendered. */
export function writeChart(outdir: string, name: string, files: Map<string, string>): string {
  fs.mkdirSync(outdir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(outdir, `.${name}-`));
  for (const [file, content] of files) {
    fs.mkdirSync(path.dirname(path.join(staging, file)), { recursive: true });
    fs.writeFileSync(path.join(staging, file), content);
  }
  const target = path.join(outdir, name);
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(staging, target);
  return target;
}

/** Parses multi-document YAML the way cdk8s writes it (YAML 1.1), skipping empty documents. */
export function parseManifests(text: string): Manifest[] {
  return YAML.parseAllDocuments(text, { version: '1.1' })
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`invalid YAML: ${d.errors[0].message}`);
      return d.toJSON() as Manifest | null;
    })
    .filter((m): m is Manifest => m !== null && typeof m === 'object' && Object.keys(m).length > 0);
}

// ---------------------------------------------------------------------------------------------
// The demo chart.

/** Chart id of the demo (scripts/synth.ts); it also names the chart. */
export { DEMO_CHART_ID };

const ANY_PASSWORD = { type: 'string', minLength: 1 } as const;

/** The demo's chart values: the passwords, Superset's secret key (optional) and the data months (namespace-independent). */
export const DEMO_VALUES: ChartValue[] = [
  {
    path: 'admin.password',
    description: 'Password of user admin in Trino and Superset; no whitespace or * ? [ ] (the trino-operator\'s\n'
      + 'password-file script uses it unquoted).',
    schema: { type: 'string', minLength: 1, pattern: '^[^\\s*?\\[\\]]+$' },
    probe: 'ProbeAdminPassword',
  },
  {
    path: 'minio.rootPassword',
    description: 'MinIO root password, also the S3 secret key of Hive, Trino and Spark.\n'
      + 'At least 8 characters of A-Z a-z 0-9 . _ ~ - (it is embedded in S3 endpoint URLs).',
    schema: { type: 'string', minLength: 8, pattern: '^[A-Za-z0-9._~-]+$' },
    probe: 'ProbeMinioRootPassword',
  },
  {
    path: 'postgresql.hivePassword',
    description: 'Password of user hive of the PostgreSQL behind metastore hive.',
    schema: ANY_PASSWORD,
    probe: 'ProbeHiveDatabasePassword',
  },
  {
    path: 'postgresql.hiveIcebergPassword',
    description: 'Password of user hive of the PostgreSQL behind metastore hive-iceberg.',
    schema: ANY_PASSWORD,
    probe: 'ProbeHiveIcebergDatabasePassword',
  },
  {
    path: 'postgresql.supersetPassword',
    description: 'Password of user superset of the PostgreSQL behind Superset.',
    schema: ANY_PASSWORD,
    probe: 'ProbeSupersetDatabasePassword',
  },
  {
    path: 'superset.secretKey',
    description: 'Flask SECRET_KEY of Superset (signs sessions, encrypts the database passwords Superset stores).\n'
      + 'Unset, the superset-operator creates Secret superset-secret-key with a random key and keeps it.\n'
      + 'Set it before the first install: Superset cannot decrypt what it stored under another key.',
    // DemoChart refuses surrounding whitespace.
    schema: { type: 'string', minLength: 1, pattern: '^\\S([\\s\\S]*\\S)?$' },
    probe: 'ProbeSupersetSecretKey',
    optional: true,
  },
  {
    path: 'data.months',
    description: 'Months of NYC high-volume for-hire taxi trips to load into s3://demo/ny-taxi-data/raw/, as YYYY-MM\n'
      + '(loaded one file at a time: any number of months).',
    schema: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' } },
    // Three items against the default four: a field that depended on the count would fail the exposure.
    probe: ['1901-01', '1901-02', '1901-03'],
  },
];

/** DemoChart props for chart values (the others keep the chart's defaults). */
export function demoProps(settings: ReadonlyMap<string, ValueSetting>, base: DemoChartProps = {}): DemoChartProps {
  const s = (p: string) => settings.get(p) as string | undefined;
  const literal = (user: string, p: string) => (s(p) === undefined ? undefined : Credentials.literal(user, s(p)!));
  const months = settings.get('data.months');
  // Unset or empty (as the chart's `if` sees it): the superset-operator generates the key.
  const secretKey = s('superset.secretKey');
  return {
    ...base,
    credentials: {
      ...base.credentials,
      admin: literal('admin', 'admin.password') ?? base.credentials?.admin,
      s3: literal('admin', 'minio.rootPassword') ?? base.credentials?.s3,
      hiveDatabase: literal('hive', 'postgresql.hivePassword') ?? base.credentials?.hiveDatabase,
      hiveIcebergDatabase: literal('hive', 'postgresql.hiveIcebergPassword') ?? base.credentials?.hiveIcebergDatabase,
      supersetDatabase: literal('superset', 'postgresql.supersetPassword') ?? base.credentials?.supersetDatabase,
    },
    supersetSecretKey: secretKey === undefined || secretKey === '' ? base.supersetSecretKey : SupersetSecretKey.literal(secretKey),
    months: months === undefined ? base.months : [...months],
  };
}

/** The demo's manifests for some chart values, built exactly like scripts/synth.ts builds them. */
export function demoBuilder(base: DemoChartProps = {}): ManifestBuilder {
  return (settings) => {
    const app = new App();
    new DemoChart(app, DEMO_CHART_ID, demoProps(settings, base));
    return parseManifests(app.synthYaml());
  };
}

/** Chart.yaml metadata of the demo, from package.json. */
export function demoMetadata(): ChartMetadata {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    version: string; description: string; peerDependencies: Record<string, string>;
  };
  // The constructs target the Kubernetes API of their cdk8s-plus-<minor> package.
  const plus = Object.keys(pkg.peerDependencies).map((d) => /^cdk8s-plus-(\d+)$/.exec(d)).find((m) => m !== null);
  return {
    name: DEMO_CHART_ID,
    version: pkg.version,
    appVersion: '26.7',
    description: pkg.description,
    kubeVersion: plus ? `>=1.${plus[1]}.0-0` : undefined,
  };
}

function main(): void {
  const args = parseSynthArgs(process.argv.slice(2), 'synth-helm');
  const outdir = path.resolve(args.outdir ?? path.join(REPO_ROOT, 'build', 'helm'));
  const meta = demoMetadata();
  const files = renderChart(meta, DEMO_VALUES, exposeValues(demoBuilder(args.props), DEMO_VALUES));
  const chart = writeChart(outdir, meta.name, files);
  const relative = path.relative(process.cwd(), chart);
  console.log(relative.startsWith('..') ? chart : relative);
}

runMain(module, main);
