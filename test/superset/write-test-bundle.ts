/**
 * Writes a SupersetBundle of one of the library's sources in the layout the import Job sees (one
 * file per ConfigMap key, from `SupersetBundle.toConfigMapData`), for the superset suite's
 * pytest (test_other_bundles.py), which then runs import_assets.py on it as the Job does.
 *
 *   npx ts-node --transpile-only test/superset/write-test-bundle.ts OUT_DIR --source=SOURCE
 *     --trinoHost=H --trinoPort=P --trinoCaFile=F [--catalog=C] [--databaseName=N] [--withTrinoDatabase=FILE]
 *
 * SOURCE: `taxi` (taxi-dashboard.ts), `trino-database` (SupersetBundle.trinoDatabase),
 * `zip:PATH` (SupersetBundle.fromZip), `dir:PATH` (SupersetBundle.fromDirectory).
 * `--withTrinoDatabase=FILE` then points that database file at the Trino given.
 * Also writes OUT_DIR/.bundle.json: { files, databaseFiles } (hidden: the script skips it).
 */
import { mkdirSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';
import { SupersetBundle } from '../../constructs/superset';
import { taxiDashboardBundle } from '../../demos/trino-taxi-data/taxi-dashboard';

function main(argv: string[]): void {
  const positional = argv.filter(a => !a.startsWith('--'));
  const opts: Record<string, string> = {};
  for (const arg of argv.filter(a => a.startsWith('--'))) {
    const m = /^--([A-Za-z]+)=(.*)$/.exec(arg);
    if (!m) throw new Error(`write-test-bundle: cannot parse option '${arg}'`);
    opts[m[1]] = m[2];
  }
  if (positional.length !== 1 || !opts.source) {
    process.stderr.write('usage: write-test-bundle.ts OUT_DIR --source=taxi|trino-database|zip:PATH|dir:PATH [options]\n');
    process.exit(2);
  }
  const trino = { host: opts.trinoHost, port: Number(opts.trinoPort), admin: { username: opts.trinoUser ?? 'admin' } };
  const caFile = opts.trinoCaFile;
  const catalog = opts.catalog ?? 'prediction';
  let bundle: SupersetBundle;
  if (opts.source === 'taxi') bundle = taxiDashboardBundle({ trino, caFile });
  else if (opts.source === 'trino-database') bundle = SupersetBundle.trinoDatabase(trino, { catalog, caFile, databaseName: opts.databaseName });
  else if (opts.source.startsWith('zip:')) bundle = SupersetBundle.fromZip(opts.source.slice(4));
  else if (opts.source.startsWith('dir:')) bundle = SupersetBundle.fromDirectory(opts.source.slice(4));
  else throw new Error(`write-test-bundle: unknown source '${opts.source}'`);
  if (opts.withTrinoDatabase !== undefined) bundle = bundle.withTrinoDatabase(opts.withTrinoDatabase, trino, { catalog, caFile });

  const outDir = positional[0];
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const [key, content] of Object.entries(bundle.toConfigMapData())) writeFileSync(join(outDir, key), content);
  writeFileSync(join(outDir, '.bundle.json'), JSON.stringify({ files: bundle.files, databaseFiles: bundle.databaseFiles }, null, 2) + '\n');
}

main(process.argv.slice(2));
