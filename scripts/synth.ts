/**
 * Synthesizes the default demo into a folder (default `dist/`), all or nothing: the chart is
 * built and synthesized into a temporary folder first, and the target is replaced only when that
 * succeeded. A bad prop therefore fails with its message and leaves the previous `dist/` as it was
 * (plain `cdk8s synth` deletes `dist/` before it runs the app).
 *
 * Usage: ts-node scripts/synth.ts [--outdir DIR] [--namespace NS] [--network-policies]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, YamlOutputType } from 'cdk8s';
import { DemoChart } from '../constructs';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = process.argv[i + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`synth: --${name} needs a value`);
  return value;
}

function main(): void {
  const outdir = path.resolve(arg('outdir') ?? path.join(__dirname, '..', 'dist'));
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-synth-'));
  try {
    const app = new App({ outdir: staging, yamlOutputType: YamlOutputType.FILE_PER_CHART });
    new DemoChart(app, 'spark-k8s-anomaly-detection-taxi-data', {
      namespace: arg('namespace'),
      networkPolicies: process.argv.includes('--network-policies'),
    });
    app.synth();
    fs.rmSync(outdir, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(outdir), { recursive: true });
    fs.cpSync(staging, outdir, { recursive: true });
    for (const f of fs.readdirSync(outdir)) console.log(path.join(path.relative(process.cwd(), outdir), f));
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

try {
  main();
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
}
