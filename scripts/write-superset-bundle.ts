/**
 * Writes the anomaly demo's Superset assets bundle (demos/spark-k8s-anomaly-detection-taxi-data/anomaly-dashboard.ts) to a folder.
 *
 *   npx ts-node --transpile-only scripts/write-superset-bundle.ts OUT_DIR [--tree] [--prop=value ...]
 *
 * By default the folder holds the files as the import Job sees the mounted ConfigMap (one file per
 * ConfigMap key, e.g. `datasets--trino--iforest.yaml`); with --tree it holds the bundle's own
 * folder layout (`datasets/trino/iforest.yaml`), for reading. Props default to the demo's values;
 * override them with --trinoHost, --trinoPort, --trinoUser, --trinoCaFile, --catalog, --schema, --table,
 * --databaseName, --dashboardTitle, --dashboardSlug.
 * Also writes `bundle.json` (databaseFile, uuids, dashboardSlug, databaseName) for tests.
 */
import { mkdirSync, rmSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { anomalyDashboardBundle } from '../demos/spark-k8s-anomaly-detection-taxi-data/anomaly-dashboard';

function main(argv: string[]): void {
  const positional = argv.filter(a => !a.startsWith('--'));
  if (positional.length !== 1) {
    process.stderr.write('usage: write-superset-bundle.ts OUT_DIR [--tree] [--prop=value ...]\n');
    process.exit(2);
  }
  const outDir = positional[0];
  const tree = argv.includes('--tree');
  const props: Record<string, string> = {
    trinoHost: 'trino-coordinator.default.svc.cluster.local',
    trinoPort: '8443',
    trinoUser: 'admin',
    trinoCaFile: '/stackable/trust/ca.crt',
    catalog: 'prediction',
    schema: 'ad',
    table: 'iforest',
  };
  for (const arg of argv.filter(a => a.startsWith('--') && a !== '--tree')) {
    const m = /^--([A-Za-z]+)=(.*)$/.exec(arg);
    if (!m) throw new Error(`write-superset-bundle: cannot parse option '${arg}'`);
    if (!(m[1] in props) && !['databaseName', 'dashboardTitle', 'dashboardSlug'].includes(m[1])) throw new Error(`write-superset-bundle: unknown option '--${m[1]}'`);
    props[m[1]] = m[2];
  }
  const dashboard = anomalyDashboardBundle({
    trino: { host: props.trinoHost, port: Number(props.trinoPort), admin: { username: props.trinoUser } },
    table: { catalog: props.catalog, schema: props.schema, table: props.table },
    caFile: props.trinoCaFile,
    databaseName: props.databaseName,
    dashboardTitle: props.dashboardTitle,
    dashboardSlug: props.dashboardSlug,
  });
  const files = tree ? dashboard.bundle.files : dashboard.bundle.toConfigMapData();
  rmSync(outDir, { recursive: true, force: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(outDir, path)), { recursive: true });
    writeFileSync(join(outDir, path), content);
  }
  const { databaseFile, uuids, dashboardSlug, databaseName } = dashboard;
  writeFileSync(join(outDir, tree ? 'bundle.json' : '.bundle.json'), JSON.stringify({ databaseFile, uuids, dashboardSlug, databaseName }, null, 2) + '\n');
  process.stdout.write(`wrote ${Object.keys(files).length} files to ${outDir}\n`);
}

main(process.argv.slice(2));
