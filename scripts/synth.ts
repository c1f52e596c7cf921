/**
 * Synthesizes the default demo into a folder (default `dist/`), all or nothing: the chart is
 * built and synthesized into a temporary folder first, and the target is replaced only when that
 * succeeded. A bad prop therefore fails with its message and leaves the previous `dist/` as it was
 * (plain `cdk8s synth` deletes `dist/` before it runs the app).
 *
 * Usage: ts-node scripts/synth.ts [--outdir DIR] [--namespace NS] [--network-policies] [--listener-class CLASS]
 *
 * The chart id and the argument parsing are exported for scripts/synth-helm.ts, which builds the
 * same chart from the same arguments.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, YamlOutputType } from 'cdk8s';
import { ListenerClassName } from '../constructs';
import { DemoChart, DemoChartProps } from '../demos/spark-k8s-anomaly-detection-taxi-data/demo-chart';
import { REPO_ROOT, runMain } from './lib/cli';

/** Chart id of the demo, as in main.ts; it names the synthesized file. */
export const DEMO_CHART_ID = 'spark-k8s-anomaly-detection-taxi-data';

/** The command line of the synth scripts. */
export interface SynthArgs {
  /** `--outdir DIR`, if given (each script has its own default). */
  readonly outdir?: string;
  /** The DemoChart props the options select. */
  readonly props: DemoChartProps;
}

/**
 * Parses `[--outdir DIR] [--namespace NS] [--network-policies] [--listener-class CLASS]` (`argv` without node and the
 * script). Unknown arguments and missing values throw, naming `program`.
 */
export function parseSynthArgs(argv: readonly string[], program = 'synth'): SynthArgs {
  let outdir: string | undefined;
  let namespace: string | undefined;
  let networkPolicies = false;
  let listenerClass: ListenerClassName | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${program}: ${a} needs a value`);
      return v;
    };
    if (a === '--outdir') outdir = value();
    else if (a === '--namespace') namespace = value();
    else if (a === '--network-policies') networkPolicies = true;
    else if (a === '--listener-class') listenerClass = value() as ListenerClassName; // DemoChart validates it
    else throw new Error(`${program}: unknown argument ${JSON.stringify(a)} (usage: [--outdir DIR] [--namespace NS] [--network-policies] [--listener-class CLASS])`);
  }
  return { outdir, props: { namespace, networkPolicies, ...(listenerClass === undefined ? {} : { listenerClass }) } };
}

function main(): void {
  const args = parseSynthArgs(process.argv.slice(2));
  const outdir = path.resolve(args.outdir ?? path.join(REPO_ROOT, 'dist'));
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-synth-'));
  try {
    const app = new App({ outdir: staging, yamlOutputType: YamlOutputType.FILE_PER_CHART });
    new DemoChart(app, DEMO_CHART_ID, args.props);
    app.synth();
    fs.rmSync(outdir, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(outdir), { recursive: true });
    fs.cpSync(staging, outdir, { recursive: true });
    for (const f of fs.readdirSync(outdir)) console.log(path.join(path.relative(process.cwd(), outdir), f));
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

runMain(module, main);
