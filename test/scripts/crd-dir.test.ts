/**
 * Where the manifests and cluster suites find the Stackable CRDs (scripts/lib/common.sh `crd_dir`)
 * and what scripts/fetch-crds.sh does without internet access: run for real in a copy of the
 * scripts, with and without a ../shared/crds beside it, and an empty tool cache.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const REPO = path.join(__dirname, '..', '..');

/** A folder with a copy of the repository's cdk8s.yaml and scripts (as repo/), and a cache. */
function sandbox(withShared: boolean): { root: string; repo: string; env: NodeJS.ProcessEnv } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-dir-'));
  const repo = path.join(root, 'repo');
  fs.mkdirSync(path.join(repo, 'scripts', 'lib'), { recursive: true });
  for (const f of ['cdk8s.yaml', 'scripts/lib/common.sh', 'scripts/fetch-crds.sh']) fs.copyFileSync(path.join(REPO, f), path.join(repo, f));
  if (withShared) {
    fs.mkdirSync(path.join(root, 'shared', 'crds'), { recursive: true });
    fs.writeFileSync(path.join(root, 'shared', 'crds', 'trino-operator.yaml'), 'kind: CustomResourceDefinition\n');
  }
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: root, DEMO_CACHE_DIR: path.join(root, 'cache') };
  return { root, repo, env };
}

const crdDir = (repo: string, env: NodeJS.ProcessEnv) =>
  spawnSync('bash', ['-c', '. scripts/lib/common.sh; crd_dir test-x'], { cwd: repo, env, encoding: 'utf8' });

describe('the suites\' CRD folder', () => {
  it('is ../shared/crds where it exists, and STACKABLE_CRDS_DIR wins over it', () => {
    const { root, repo, env } = sandbox(true);
    expect(crdDir(repo, env).stdout.trim()).toBe(fs.realpathSync(path.join(root, 'shared', 'crds')));
    const own = fs.mkdtempSync(path.join(root, 'own-'));
    expect(crdDir(repo, { ...env, STACKABLE_CRDS_DIR: own }).stdout.trim()).toBe(fs.realpathSync(own));
  });

  it('is the fetch-crds cache elsewhere, once complete', () => {
    const { repo, env } = sandbox(false);
    const cache = execFileSync('bash', ['-c', '. scripts/lib/common.sh; crd_cache_dir'], { cwd: repo, env, encoding: 'utf8' }).trim();
    fs.mkdirSync(cache, { recursive: true });
    expect(crdDir(repo, env).status).toBe(1); // not complete yet
    fs.writeFileSync(path.join(cache, '.complete'), '');
    expect(crdDir(repo, env).stdout.trim()).toBe(fs.realpathSync(cache));
  });

  it('is missing with a message that says how to get it: run scripts/fetch-crds.sh or set STACKABLE_CRDS_DIR', () => {
    const { repo, env } = sandbox(false);
    const r = crdDir(repo, env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/test-x: no Stackable CRDs: neither STACKABLE_CRDS_DIR, \.\.\/shared\/crds nor .*\/cache\/crds-[0-9a-f]{16}\./);
    expect(r.stderr).toContain('Run scripts/fetch-crds.sh once (it downloads the files cdk8s.yaml names), or set STACKABLE_CRDS_DIR.');
  });
});

describe('scripts/fetch-crds.sh', () => {
  it('downloads exactly the files cdk8s.yaml names, one per operator', () => {
    const { repo, env } = sandbox(false);
    const urls = execFileSync('bash', ['-c', '. scripts/lib/common.sh; crd_urls'], { cwd: repo, env, encoding: 'utf8' }).trim().split('\n');
    const yaml = fs.readFileSync(path.join(REPO, 'cdk8s.yaml'), 'utf8');
    expect(urls).toEqual(yaml.split('\n').filter(l => /^\s+- https:\/\//.test(l)).map(l => l.trim().slice(2)));
    expect(urls.length).toBeGreaterThanOrEqual(8);
  });

  // This machine has no internet access: the offline path is what can be tested here.
  it('offline: fails saying so, and leaves no partial cache', () => {
    const { repo, env } = sandbox(false);
    // An unroutable proxy stands for "no internet", whatever this machine can reach.
    const r = spawnSync('bash', ['scripts/fetch-crds.sh'], { cwd: repo, env: { ...env, https_proxy: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9' }, encoding: 'utf8', timeout: 120000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/fetch-crds: could not download https:\/\/raw\.githubusercontent\.com\/stackabletech\/\S+ \(is this machine offline\?\)/);
    expect(r.stderr).toContain('put the');
    expect(fs.readdirSync(path.join(env.DEMO_CACHE_DIR!)).filter(f => f.startsWith('crds-'))).toEqual([]);
  });
});
