/**
 * The second half of `make build-app` (the first is `tsc -p tsconfig.app.json`, incremental, into
 * build/app/): copies the files the constructs embed next to their compiled code, and makes the
 * package name `cdk8s-stackable-demos` resolve to build/app/constructs for the compiled demo apps
 * (a package folder in build/app/node_modules, found by Node's lookup from build/app/demos/*).
 * Then `node build/app/main.js` and `node build/app/scripts/synth.js` run compiled JavaScript:
 * synthesis without compiling TypeScript at every run (scripts/bench-synth.sh measures it).
 *
 * Usage: node build/app/scripts/build-app.js   (after the tsc step; run from anywhere)
 */
import * as fs from 'fs';
import * as path from 'path';
import { copyAssets } from './build-lib';
import { REPO_ROOT, runMain } from './lib/cli';

function main(): void {
  const app = path.join(REPO_ROOT, 'build', 'app');
  const copied = copyAssets('constructs', app) + copyAssets('demos', app);
  // build/app/ is a package scope of its own: without this package.json, Node resolves the name from
  // build/app/demos/* to the repository's package.json (self-reference through its `exports`, which
  // Node tries before node_modules: doc/api/packages.md "Self-referencing a package using its name"),
  // i.e. to lib/constructs, which is stale or missing (a fresh clone has no lib/).
  fs.writeFileSync(path.join(app, 'package.json'), `${JSON.stringify({ name: 'cdk8s-stackable-demos-build', private: true }, null, 2)}\n`);
  const pkg = path.join(app, 'node_modules', 'cdk8s-stackable-demos');
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(path.join(pkg, 'package.json'), `${JSON.stringify({ name: 'cdk8s-stackable-demos', private: true, main: '../../constructs/index.js' }, null, 2)}\n`);
  console.log(`build/app/: ${copied} embedded files copied, cdk8s-stackable-demos -> build/app/constructs`);
}

runMain(module, main);
