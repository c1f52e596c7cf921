/**
 * Compares two sets of Kubernetes objects as parsed data (not text): same objects by
 * apiVersion/kind/namespace/name, same content. Used by scripts/test-helm.sh to check that
 * `helm template` renders exactly the plain synth.
 *
 *   npx --no-install ts-node --transpile-only test/helm/manifest-diff.ts EXPECTED ACTUAL
 *
 * EXPECTED and ACTUAL are YAML files or folders of them (searched recursively); exits 1 with a
 * readable list of differences.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Json, Manifest, objectKey, parseManifests } from '../../scripts/synth-helm';

/** All objects of a YAML file, or of the *.yaml / *.yml files under a folder. */
export function loadManifests(location: string): Manifest[] {
  if (fs.statSync(location).isDirectory()) {
    return fs.readdirSync(location, { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .flatMap((f) => loadManifests(path.join(location, f)));
  }
  return parseManifests(fs.readFileSync(location, 'utf8'));
}

function show(v: Json | undefined): string {
  const s = JSON.stringify(v);
  return s === undefined ? '(absent)' : s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/** For two different multi-line strings: the first differing line, with its number. */
function lineDiff(a: string, b: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  return `first difference at line ${i + 1}: expected ${show(x[i])}, got ${show(y[i])}`;
}

function fieldDiffs(p: string, a: Json | undefined, b: Json | undefined, out: string[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  const isMap = (v: Json | undefined): v is { [key: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isMap(a) && isMap(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      fieldDiffs(`${p}.${/^[\w-]+$/.test(k) ? k : JSON.stringify(k)}`, a[k], b[k], out);
    }
  } else if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((v, i) => fieldDiffs(`${p}[${i}]`, v, b[i], out));
  } else if (typeof a === 'string' && typeof b === 'string' && (a.includes('\n') || b.includes('\n'))) {
    out.push(`  ${p || '.'}: ${lineDiff(a, b)}`);
  } else {
    out.push(`  ${p || '.'}: expected ${show(a)}, got ${show(b)}`);
  }
}

/** Differences between two object sets, one line per object or field; empty when they are equal. */
export function diffManifests(expected: Manifest[], actual: Manifest[]): string[] {
  const index = (ms: Manifest[]) => {
    const map = new Map<string, Manifest[]>();
    for (const m of ms) map.set(objectKey(m), [...(map.get(objectKey(m)) ?? []), m]);
    return map;
  };
  const a = index(expected);
  const b = index(actual);
  const out: string[] = [];
  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const x = a.get(key) ?? [];
    const y = b.get(key) ?? [];
    if (x.length !== 1 || y.length !== 1) {
      out.push(`${key}: expected ${x.length} object(s), got ${y.length}`);
      continue;
    }
    const fields: string[] = [];
    fieldDiffs('', x[0], y[0], fields);
    if (fields.length > 0) out.push(`${key}:`, ...fields);
  }
  return out;
}

if (require.main === module) {
  const [expectedPath, actualPath] = process.argv.slice(2);
  if (!expectedPath || !actualPath) {
    console.error('usage: manifest-diff.ts EXPECTED ACTUAL (YAML files or folders)');
    process.exit(2);
  }
  const expected = loadManifests(expectedPath);
  const actual = loadManifests(actualPath);
  const diffs = diffManifests(expected, actual);
  if (diffs.length > 0) {
    console.error(`${actualPath} differs from ${expectedPath}:\n${diffs.join('\n')}`);
    process.exit(1);
  }
  console.log(`${actual.length} objects, identical to ${expectedPath}`);
}
