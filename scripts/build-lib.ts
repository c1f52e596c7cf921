/**
 * Builds the importable library into `lib/`: compiles `constructs/` and `imports/` with
 * `tsconfig.build.json` (JavaScript + type declarations), then copies the non-TypeScript files the
 * constructs embed in manifests (the PySpark job, the Rego policy, the Superset import script, the
 * NiFi flow upload script and its awk program, the table contract, the job requirements) next to the compiled code, where the constructs read them.
 *
 * Usage: ts-node scripts/build-lib.ts   (npm run build; scripts/pack.ts runs it before packing)
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT, runMain } from './lib/cli';

const ROOT = REPO_ROOT;
const ASSET = /\.(py|rego|json|txt|sh|awk)$/;

/** Copies the embedded (non-TypeScript) files of `dir` (relative to the repository) into `outRoot` at the same relative paths. */
export function copyAssets(dir: string, outRoot = path.join(ROOT, 'lib')): number {
  let copied = 0;
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      copied += copyAssets(rel, outRoot);
    } else if (ASSET.test(entry.name)) {
      fs.mkdirSync(path.join(outRoot, dir), { recursive: true });
      fs.copyFileSync(path.join(ROOT, rel), path.join(outRoot, rel));
      copied++;
    }
  }
  return copied;
}

/** Compiles lib/ and copies the embedded files next to the compiled code. */
export function buildLib(): void {
  fs.rmSync(path.join(ROOT, 'lib'), { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  const copied = copyAssets('constructs');
  console.log(`lib/: compiled constructs and imports, ${copied} embedded files copied`);
}

function main(): void {
  buildLib();
}

runMain(module, main);
