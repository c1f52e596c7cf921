/**
 * Synthesizes the demo as a user would after changing props in their own app (README "Customizing
 * the demo"): other months, credentials, Trino workers, Spark executors, model parameters and
 * MinIO's volume size. The cluster suite applies it over the installed default demo.
 *
 *   npx --no-install ts-node --transpile-only test/cluster/synth-changed.ts OUTDIR [--namespace NS] [--network-policies]
 */
import { App } from 'cdk8s';
import { Credentials } from '../../constructs';
import { DemoChart } from '../../demos/spark-k8s-anomaly-detection-taxi-data/demo-chart';
import { runMain } from '../../scripts/lib/cli';
import { DEMO_CHART_ID, parseSynthArgs } from '../../scripts/synth';

/** What the upgrade changes (also printed, so the suite's log says it). */
export const CHANGED = {
  months: ['2021-01', '2021-02'],
  credentials: {
    admin: Credentials.literal('admin', 'changed-admin-password'),
    s3: Credentials.literal('admin', 'changed-minio-password'),
    hiveDatabase: Credentials.literal('hive', 'changed-hive-password'),
  },
  trinoWorkers: 2,
  sparkExecutors: 3,
  model: { contamination: 0.01, nEstimators: 300 },
  minioStorageGi: 20,
};

function main(): void {
  const [outdir, ...rest] = process.argv.slice(2);
  if (!outdir) throw new Error('usage: synth-changed.ts OUTDIR [--namespace NS] [--network-policies]');
  const args = parseSynthArgs(rest, 'synth-changed');
  const app = new App({ outdir });
  new DemoChart(app, DEMO_CHART_ID, { ...args.props, ...CHANGED });
  app.synth();
  console.log(`months ${CHANGED.months.join(', ')}; new admin, MinIO and hive passwords; trinoWorkers ${CHANGED.trinoWorkers}; `
    + `sparkExecutors ${CHANGED.sparkExecutors}; contamination ${CHANGED.model.contamination}, nEstimators ${CHANGED.model.nEstimators}; minioStorageGi ${CHANGED.minioStorageGi}`);
}

runMain(module, main);
