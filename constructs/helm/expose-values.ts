/**
 * Where chart values land in an app's manifests (internal to the Helm emitter, see helm-chart.ts).
 *
 * Values are found without hand-written templates: each value says how it maps to the app's props.
 * The app is synthesized once with the defaults and once per value with a recognisable probe; the
 * strings that change are exactly the places the value lands, and become template expressions
 * there. A value whose change is anything but a plain substitution into strings (an object
 * renamed, a hash, a number, base64) cannot be exposed without breaking "default values render
 * the plain synth", and exposure fails naming the value and the field.
 *
 * Optional values (`optional: true`): unset by default (`""`, or `[]` for a list, in values.yaml;
 * `null` works too), and setting one adds objects, e.g. a Secret that exists only when the user
 * brings a key. Synthesized with its probe, such a value must add objects and change nothing
 * else; the objects it adds are rendered in their place of the synth order, each under
 * `{{- if .Values.<value> }}` ... `{{- end }}`, with the value (and any other value) substituted
 * inside them exactly as above. As there is no default to compare with, the added objects are
 * also synthesized with a second setting, the probe without its first character (or item): every
 * field of theirs must then render by substitution too, or exposure fails.
 */
import { specHash } from '../core';

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

/** Where a chart value lands: a segment of a templated string (or the whole of a list field). */
export type Segment =
  | { readonly literal: string }
  | { readonly value: string } // the string value itself
  | { readonly value: string; readonly joinedBy: string } // a list value joined with a separator
  // A list value whose items each render as `item itemLiterals[0] item itemLiterals[1] ... item`
  // (the item k times, with k-1 literals between), joined with a separator, e.g. a file list built
  // from months: `a_<m>.parquet https://host/a_<m>.parquet` per month, one per line.
  | { readonly value: string; readonly joinedBy: string; readonly itemLiterals: readonly string[] }
  | { readonly value: string; readonly wholeList: true }; // a list field equal to the list value

/** A field of one object that becomes a template expression. */
export interface Slot {
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
    if (map.has(key)) throw new Error(`helm: object ${key} is synthesized twice`);
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

export function escapeRegExp(s: string): string {
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
  if (new Set(paths).size !== paths.length) throw new Error(`helm: duplicate value paths in ${paths.join(', ')}`);
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

