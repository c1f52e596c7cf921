/**
 * Synthesizes the DemoChart in-process for the jobs suite (test/jobs/), once per variant, and
 * prints `{ "<variant>": [objects in apply order], ... }` as JSON on stdout. The suite runs the
 * shell scripts of these objects; nothing about them is re-typed in the tests.
 *
 * Usage: ts-node --transpile-only test/jobs/synth-demo.ts '{"<variant>": <DemoChartProps as JSON>, ...}'
 * (only JSON-expressible props: months, dataSourceUrl, namespace, networkPolicies, ...).
 */
import { Testing } from 'cdk8s';
import { DemoChart, DemoChartProps } from '../../constructs';

function main(): void {
  const variants = JSON.parse(process.argv[2] ?? '{}') as Record<string, DemoChartProps>;
  const out: Record<string, unknown[]> = {};
  for (const [name, props] of Object.entries(variants)) {
    out[name] = Testing.synth(new DemoChart(Testing.app(), 'demo', props));
  }
  process.stdout.write(JSON.stringify(out));
}

main();
