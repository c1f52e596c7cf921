/**
 * Emits the demos' Helm charts with the library's HelmChart (constructs/helm/): each demo declares
 * its values next to its chart (demos/<name>/helm-values.ts); this script gives them the release
 * metadata and writes `build/helm/<chart-name>/` (or `<--outdir>/<chart-name>/`).
 *
 *   npm run synth:helm [-- --outdir DIR] [--namespace NS] [--network-policies] [--listener-class CLASS]
 *       every demo's chart (= `scripts/synth-helm.ts --all ...`)
 *   npx --no-install ts-node --transpile-only scripts/synth-helm.ts [NAME ...] [--all] [--outdir DIR] [--namespace NS] [--network-policies] [--listener-class CLASS]
 *       the named demos' charts; no name and no --all: the seed demo's only
 *
 * It prints the folder of each chart written, one per line. The options after --outdir are those
 * of scripts/synth.ts (the seed demo's) and go to its `DemoChart` exactly as there; the other demos
 * have none. Each chart is built in-process from the same chart class as the plain synth, so `helm
 * template` with the default values renders exactly the objects of the plain synth
 * (scripts/test-helm.sh checks that with a real helm). It deliberately does not use `cdk8s synth
 * --format helm`, which downloads the operators' CRDs during synthesis and ships them in `crds/`
 * (the operators own them).
 */
import * as fs from 'fs';
import * as path from 'path';
import { HelmChart, HelmChartProps } from '../constructs';
import { LAKEHOUSE_CHART_ID, LAKEHOUSE_DESCRIPTION, LAKEHOUSE_VALUES } from '../demos/data-lakehouse-iceberg-trino-spark/helm-values';
import { LakehouseChart, LakehouseChartProps } from '../demos/data-lakehouse-iceberg-trino-spark/lakehouse-chart';
import { DemoChart, DemoChartProps } from '../demos/spark-k8s-anomaly-detection-taxi-data/demo-chart';
import { DEMO_VALUES } from '../demos/spark-k8s-anomaly-detection-taxi-data/helm-values';
import { TAXI_DATA_CHART_ID, TAXI_DATA_DESCRIPTION, TAXI_DATA_VALUES } from '../demos/trino-taxi-data/helm-values';
import { TaxiDataChart, TaxiDataChartProps } from '../demos/trino-taxi-data/taxi-data-chart';
import { TRINO_ICEBERG_CHART_ID, TRINO_ICEBERG_DESCRIPTION, TRINO_ICEBERG_VALUES } from '../demos/trino-iceberg/helm-values';
import { TrinoIcebergChart, TrinoIcebergChartProps } from '../demos/trino-iceberg/iceberg-chart';
import { DEMO_CHART_ID, parseSynthArgs } from './synth';
import { REPO_ROOT, runMain } from './lib/cli';

// The emitter's internals, for the tests and tools that read manifests the way it does.
export { contentBaseName, objectKey } from '../constructs/helm/expose-values';
export type { Json, Manifest } from '../constructs/helm/expose-values';
export { parseManifests } from './lib/manifests';

/** Chart id of the seed demo (scripts/synth.ts); it also names its chart. */
export { DEMO_CHART_ID };

/** The release fields every demo chart shares, from package.json. */
export function releaseMetadata(): { version: string; appVersion: string; kubeVersion?: string; generatedBy: string; packageDescription: string } {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    version: string; description: string; peerDependencies: Record<string, string>;
  };
  // The constructs target the Kubernetes API of their cdk8s-plus-<minor> package.
  const plus = Object.keys(pkg.peerDependencies).map((d) => /^cdk8s-plus-(\d+)$/.exec(d)).find((m) => m !== null);
  return {
    version: pkg.version,
    appVersion: '26.7',
    kubeVersion: plus ? `>=1.${plus[1]}.0-0` : undefined,
    generatedBy: 'scripts/synth-helm.ts',
    packageDescription: pkg.description,
  };
}

/** The seed demo's chart, for DemoChart props `base` (the command line's options). */
export function seedChartProps(base: DemoChartProps = {}): HelmChartProps<DemoChartProps> {
  const { packageDescription, ...release } = releaseMetadata();
  return {
    ...release, name: DEMO_CHART_ID, description: packageDescription, values: DEMO_VALUES, props: base,
    build: (app, props) => new DemoChart(app, DEMO_CHART_ID, props),
  };
}

/** trino-taxi-data's chart. */
export function taxiDataChartProps(): HelmChartProps<TaxiDataChartProps> {
  const { packageDescription: _, ...release } = releaseMetadata();
  return {
    ...release, name: TAXI_DATA_CHART_ID, description: TAXI_DATA_DESCRIPTION, values: TAXI_DATA_VALUES, props: {},
    build: (app, props) => new TaxiDataChart(app, TAXI_DATA_CHART_ID, props),
  };
}

/** trino-iceberg's chart. */
export function trinoIcebergChartProps(): HelmChartProps<TrinoIcebergChartProps> {
  const { packageDescription: _, ...release } = releaseMetadata();
  return {
    ...release, name: TRINO_ICEBERG_CHART_ID, description: TRINO_ICEBERG_DESCRIPTION, values: TRINO_ICEBERG_VALUES, props: {},
    build: (app, props) => new TrinoIcebergChart(app, TRINO_ICEBERG_CHART_ID, props),
  };
}

/** data-lakehouse-iceberg-trino-spark's chart. */
export function lakehouseChartProps(): HelmChartProps<LakehouseChartProps> {
  const { packageDescription: _, ...release } = releaseMetadata();
  return {
    ...release, name: LAKEHOUSE_CHART_ID, description: LAKEHOUSE_DESCRIPTION, values: LAKEHOUSE_VALUES, props: {},
    build: (app, props) => new LakehouseChart(app, LAKEHOUSE_CHART_ID, props),
  };
}

/** Every demo's chart by name; the seed demo's takes the command line's DemoChart props. */
export const DEMO_HELM_CHARTS: Record<string, (seed: DemoChartProps) => HelmChart<unknown>> = {
  [DEMO_CHART_ID]: (seed) => new HelmChart(seedChartProps(seed)),
  [TAXI_DATA_CHART_ID]: () => new HelmChart(taxiDataChartProps()),
  [TRINO_ICEBERG_CHART_ID]: () => new HelmChart(trinoIcebergChartProps()),
  [LAKEHOUSE_CHART_ID]: () => new HelmChart(lakehouseChartProps()),
};

function main(): void {
  const argv = process.argv.slice(2);
  const names: string[] = [];
  let all = false;
  const options: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--all') all = true;
    else if (!a.startsWith('--') && (i === 0 || !['--outdir', '--namespace', '--listener-class'].includes(argv[i - 1]))) names.push(a);
    else options.push(a);
  }
  const args = parseSynthArgs(options, 'synth-helm');
  const known = Object.keys(DEMO_HELM_CHARTS);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new Error(`synth-helm: unknown demo ${JSON.stringify(unknown[0])} (one of ${known.map((n) => JSON.stringify(n)).join(', ')}, or --all)`);
  const selected = all ? known : names.length > 0 ? [...new Set(names)] : [DEMO_CHART_ID];
  const outdir = path.resolve(args.outdir ?? path.join(REPO_ROOT, 'build', 'helm'));
  for (const name of selected) {
    const chart = DEMO_HELM_CHARTS[name](args.props).writeTo(outdir);
    const relative = path.relative(process.cwd(), chart);
    console.log(relative.startsWith('..') ? chart : relative);
  }
}

runMain(module, main);
