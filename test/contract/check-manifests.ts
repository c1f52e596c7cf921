/**
 * Checks the runtime contract (test/contract/runtime-contract.ts) on manifests on disk: YAML files,
 * or folders of them, e.g. `dist/` or the output of `helm template`. Prints each check with its
 * violations and exits 1 if there is any.
 *
 * Usage: ts-node test/contract/check-manifests.ts PATH...
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { runMain } from '../../scripts/lib/cli';
import { CONTRACT_CHECKS, Obj } from './runtime-contract';

/** The objects of the YAML files at `paths` (files, or folders of `*.yaml`). */
export function readManifests(paths: readonly string[]): Obj[] {
  const files = paths.flatMap(p => (fs.statSync(p).isDirectory() ? fs.readdirSync(p).filter(f => /\.ya?ml$/.test(f)).sort().map(f => path.join(p, f)) : [p]));
  return files.flatMap(f => parseAllDocuments(fs.readFileSync(f, 'utf8')).map(d => d.toJS() as Obj)).filter(o => o !== null && typeof o === 'object');
}

function main(): void {
  const paths = process.argv.slice(2);
  if (paths.length === 0) throw new Error('check-manifests: usage: check-manifests PATH...');
  const objs = readManifests(paths);
  if (objs.length === 0) throw new Error(`check-manifests: no objects in ${paths.join(' ')}`);
  let violations = 0;
  for (const [name, check] of Object.entries(CONTRACT_CHECKS)) {
    const found = check(objs);
    violations += found.length;
    console.log(`${found.length === 0 ? 'ok  ' : 'FAIL'} ${name}${found.map(v => `\n     ${v}`).join('')}`);
  }
  console.log(`runtime contract: ${objs.length} objects of ${paths.join(' ')}, ${violations} violation(s)`);
  if (violations > 0) process.exitCode = 1;
}

runMain(module, main);
