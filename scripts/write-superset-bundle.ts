/**
 * Writes the Superset assets bundle of constructs/superset/dashboard-bundle.ts to a folder.
 *
 *   npx ts-node --transpile-only scripts/write-superset-bundle.ts OUT_DIR [--tree] [--prop=value ...]
 *
 * By default the folder holds the files as the import Job sees the mounted ConfigMap (one file per
 * ConfigMap key, e.g. `datasets--trino--iforest.yaml`); with --tree it holds the bundle's own
 * folder layout (`datasets/trino/iforest.yaml`), for reading. Props default to the demo's values;
 * override any string or number prop of DashboardBundleProps, e.g. --trinoHost=localhost --trinoPort=8443.
 * Also writes `bundle.json` (databaseFile, uuids, dashboardSlug, databaseName) for tests.
 */
import { mkdirSync, rmSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { bundleToConfigMapData, dashboardBundle, DashboardBundleProps } from '../constructs/superset/dashboard-bundle';

function main(argv: string[]): void {
  const positional = argv.filter(a => !a.startsWith('--'));
  if (positional.length !== 1) {
    process.stderr.write('usage: write-superset-bundle.ts OUT_DIR [--tree] [--prop=value ...]\n');
    process.exit(2);
  }
  const outDir = positional[0];
  const tree = argv.includes('--tree');
  const props: Record<string, string | number> = {
    trinoHost: 'trino-coordinator.default.svc.cluster.local',
    trinoPort: 8443,
    trinoUser: 'admin',
  };
  for (const arg of argv.filter(a => a.startsWith('--') && a !== '--tree')) {
    const m = /^--([A-Za-z]+)=(.*)$/.exec(arg);
    if (!m) throw new Error(`write-superset-bundle: cannot parse option '${arg}'`);
    props[m[1]] = m[1] === 'trinoPort' ? Number(m[2]) : m[2];
  }
  const bundle = dashboardBundle(props as unknown as DashboardBundleProps);
  const files = tree ? bundle.files : bundleToConfigMapData(bundle);
  rmSync(outDir, { recursive: true, force: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(outDir, path)), { recursive: true });
    writeFileSync(join(outDir, path), content);
  }
  const { databaseFile, uuids, dashboardSlug, databaseName } = bundle;
  writeFileSync(join(outDir, tree ? 'bundle.json' : '.bundle.json'), JSON.stringify({ databaseFile, uuids, dashboardSlug, databaseName }, null, 2) + '\n');
  process.stdout.write(`wrote ${Object.keys(files).length} files to ${outDir}\n`);
}

main(process.argv.slice(2));
