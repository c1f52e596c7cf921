/**
 * Packs the library for consumers: builds lib/ (scripts/build-lib.ts), then stages the package in
 * build/package/ with a package.json that has only what a consumer's npm needs (name, version,
 * entry points, peer dependencies, ...; no scripts, no devDependencies: development steps such as
 * the build never run on a consumer's machine), and runs `npm pack` on that folder.
 *
 * Usage: ts-node scripts/pack.ts [--pack-destination DIR]   (npm run pack; prints the tarball's path)
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { buildLib } from './build-lib';
import { REPO_ROOT, runMain } from './lib/cli';

const ROOT = REPO_ROOT;
/** The fields of package.json a consumer's install uses; everything else stays in the repository. */
export const PACKED_FIELDS = ['name', 'version', 'description', 'license', 'keywords', 'main', 'types', 'exports', 'files', 'engines', 'peerDependencies'] as const;

/** The package.json of the packed package. */
export function packedManifest(manifest: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(PACKED_FIELDS.filter(f => manifest[f] !== undefined).map(f => [f, manifest[f]]));
}

function main(): void {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--pack-destination');
  const dest = path.resolve(i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : path.join(ROOT, 'build'));
  buildLib();
  const stage = path.join(ROOT, 'build', 'package');
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(stage, { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(packedManifest(manifest), null, 2)}\n`);
  fs.copyFileSync(path.join(ROOT, 'README.md'), path.join(stage, 'README.md'));
  fs.cpSync(path.join(ROOT, 'lib'), path.join(stage, 'lib'), { recursive: true });
  fs.mkdirSync(dest, { recursive: true });
  const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', dest, stage], { encoding: 'utf8' }).trim().split('\n').pop()!;
  console.log(path.join(dest, out));
}

runMain(module, main);
