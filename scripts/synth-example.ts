/**
 * Synthesizes an example app of demos/ into a folder (default `demos/<name>/dist/`), all or
 * nothing like scripts/synth.ts: the app runs with `CDK8S_OUTDIR` set to a temporary folder (cdk8s
 * `App` writes there), and the target is replaced only when it succeeded.
 *
 * The examples import the library by its package name, `cdk8s-stackable-demos`, as a consumer
 * repository does; here the name resolves to this repository's constructs/ through the example's
 * tsconfig.json `paths` (tsconfig-paths). The package suite builds the same app against the packed
 * and installed package instead (scripts/test-package.sh).
 *
 * Usage: ts-node scripts/synth-example.ts NAME [--outdir DIR]
 *        ts-node scripts/synth-example.ts --all      (every example into its own dist/; `make synth`)
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT, runMain } from './lib/cli';

const EXAMPLES = path.join(REPO_ROOT, 'demos');
/** Compiled (build/app/scripts/synth-example.js, see scripts/build-app.ts): the apps run compiled too. */
const COMPILED = __filename.endsWith('.js');

/** The examples: the folders of demos/ with a main.ts. */
export function exampleNames(): string[] {
  return fs.readdirSync(EXAMPLES).filter(n => fs.existsSync(path.join(EXAMPLES, n, 'main.ts'))).sort();
}

function main(): void {
  const argv = process.argv.slice(2);
  let outdir: string | undefined;
  let all = false;
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--outdir') {
      outdir = argv[++i];
      if (outdir === undefined) throw new Error('synth-example: --outdir needs a value');
    } else if (argv[i] === '--all') all = true;
    else if (argv[i].startsWith('--')) throw new Error(`synth-example: unknown argument ${JSON.stringify(argv[i])} (usage: NAME [--outdir DIR])`);
    else names.push(argv[i]);
  }
  const known = exampleNames();
  if (all && names.length === 0 && outdir === undefined) {
    for (const name of known) synthExample(name);
    return;
  }
  if (all || names.length !== 1 || !known.includes(names[0])) {
    throw new Error(`synth-example: give one example name, one of ${known.map(n => JSON.stringify(n)).join(', ')} (or --all alone)`);
  }
  synthExample(names[0], outdir);
}

/** Synthesizes the example `name` into `outdir` (default its own dist/), all or nothing. */
function synthExample(name: string, outdir?: string): void {
  const dir = path.join(EXAMPLES, name);
  const target = path.resolve(outdir ?? path.join(dir, 'dist'));
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'example-synth-'));
  try {
    const run = COMPILED ? [path.join(REPO_ROOT, 'build', 'app', 'demos', name, 'main.js')] : ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'main.ts'];
    execFileSync(process.execPath, run, {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, CDK8S_OUTDIR: staging, TS_NODE_PROJECT: path.join(dir, 'tsconfig.json') },
    });
    fs.rmSync(target, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.cpSync(staging, target, { recursive: true });
    for (const f of fs.readdirSync(target)) console.log(path.join(path.relative(process.cwd(), target), f));
  } catch (e) {
    // The app's own error is on stderr already.
    throw new Error(`synth-example: ${name} failed${e instanceof Error && 'status' in e ? ` (exit ${String((e as { status: unknown }).status)})` : ''}`);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

runMain(module, main);
