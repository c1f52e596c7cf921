/**
 * Unit tests of test/helm/kube-score-report.ts (how scripts/test-lint.sh applies .kube-score.yaml to
 * kube-score's findings, per run), and of the repository's .kube-score.yaml itself.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KubeScoreConfig, loadConfig, namesObject, report } from './kube-score-report';

const check = (id: string, grade: number, comments: Array<{ path: string; summary: string }> | null = null, skipped = false) => ({
  check: { id }, grade, skipped, comments,
});
const scored = [
  {
    object_meta: { name: 'minio' }, type_meta: { kind: 'Deployment' },
    checks: [
      check('deployment-strategy', 5, [{ path: '', summary: 'Deployment update strategy' }]),
      check('container-image-pull-policy', 1, [{ path: 'minio', summary: 'ImagePullPolicy is not set to Always' }]),
      check('pod-probes', 10),
      check('deployment-replicas', 1, null, true),
    ],
  },
  {
    object_meta: { name: 'web' }, type_meta: { kind: 'Deployment' },
    checks: [check('deployment-strategy', 5, [{ path: '', summary: 'Deployment update strategy' }])],
  },
];

describe('report', () => {
  test('keeps findings no exclusion covers; per-object exclusions cover only their objects', () => {
    const config: KubeScoreConfig = {
      kubernetesVersion: 'v1.37',
      runs: { default: [] },
      exclude: [{ check: 'deployment-strategy', objects: ['Deployment/minio'], reason: 'single RWO volume needs Recreate' }],
    };
    expect(report(config, 'default', scored)).toEqual({
      findings: [
        { level: 'CRITICAL', check: 'container-image-pull-policy', object: 'Deployment/minio', container: 'minio', summary: 'ImagePullPolicy is not set to Always' },
        { level: 'WARNING', check: 'deployment-strategy', object: 'Deployment/web', summary: 'Deployment update strategy' },
      ],
      stale: [],
    });
  });

  test('a global exclusion covers every object; an exclusion that covers nothing is stale', () => {
    const config: KubeScoreConfig = {
      kubernetesVersion: 'v1.37',
      runs: { default: [] },
      exclude: [
        { check: 'deployment-strategy', reason: 'a reason that is long enough' },
        { check: 'container-image-pull-policy', reason: 'a reason that is long enough' },
        { check: 'pod-probes', reason: 'passes, so this exclusion is stale' },
        { check: 'deployment-replicas', reason: 'skipped checks are no findings either' },
      ],
    };
    expect(report(config, 'default', scored)).toEqual({ findings: [], stale: ['pod-probes', 'deployment-replicas'] });
  });

  test('an exclusion for some runs covers findings of those runs only, and is stale only there', () => {
    const config: KubeScoreConfig = {
      kubernetesVersion: 'v1.37',
      runs: { default: [], strict: ['--network-policies'] },
      exclude: [
        { check: 'container-image-pull-policy', reason: 'a reason that is long enough' },
        { check: 'deployment-strategy', runs: ['default'], reason: 'only the default run has this finding' },
      ],
    };
    expect(report(config, 'default', scored)).toEqual({ findings: [], stale: [] });
    expect(report(config, 'strict', scored).findings.map((f) => `${f.check} ${f.object}`)).toEqual([
      'deployment-strategy Deployment/minio', 'deployment-strategy Deployment/web',
    ]);
    const clean = [{ ...scored[0], checks: [scored[0].checks[1]] }];
    expect(report(config, 'default', clean).stale).toEqual(['deployment-strategy']);
    expect(report(config, 'strict', clean).stale).toEqual([]);
    expect(() => report(config, 'other', scored)).toThrow(/unknown run "other"; known runs: default, strict/);
  });
});

describe('loadConfig', () => {
  const load = (text: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-score-config-'));
    try {
      fs.writeFileSync(path.join(dir, 'config.yaml'), text);
      return loadConfig(path.join(dir, 'config.yaml'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  const reason = 'reason: a reason that is long enough';

  test('reads runs and exclusions', () => {
    expect(load(`kubernetesVersion: v1.37\nruns:\n  default: []\n  np: [--network-policies]\nexclude:\n  - check: x\n    runs: [np]\n    ${reason}\n`)).toEqual({
      kubernetesVersion: 'v1.37', runs: { default: [], np: ['--network-policies'] }, exclude: [{ check: 'x', runs: ['np'], reason: 'a reason that is long enough' }],
    });
  });

  test.each([
    ['no runs', 'kubernetesVersion: v1.37\nexclude: []\n', /runs must name at least one synthesis/],
    ['an option with a space', 'kubernetesVersion: v1.37\nruns:\n  default: ["--namespace x"]\n', /run "default" needs a name/],
    ['an exclusion for an unknown run', `kubernetesVersion: v1.37\nruns:\n  default: []\nexclude:\n  - check: x\n    runs: [typo]\n    ${reason}\n`, /names runs \["typo"\]; known runs: default/],
    ['an exclusion without a reason', 'kubernetesVersion: v1.37\nruns:\n  default: []\nexclude:\n  - check: x\n', /needs a check and a reason/],
    ['a bad Kubernetes version', 'kubernetesVersion: 1.37\nruns:\n  default: []\n', /kubernetesVersion must look like/],
  ])('refuses %s', (_what, text, message) => {
    expect(() => load(text)).toThrow(message);
  });
});

describe('.kube-score.yaml', () => {
  const config = loadConfig(path.join(__dirname, '..', '..', '.kube-score.yaml'));

  test('gives every exclusion a reason', () => {
    expect(config.exclude.length).toBeGreaterThan(0);
    for (const e of config.exclude) expect(e.reason.length).toBeGreaterThan(80);
  });

  test('lints the default demo, the NetworkPolicy variant and each example app; only the default run may lack NetworkPolicies', () => {
    const examples = fs.readdirSync(path.join(__dirname, '..', '..', 'demos')).filter(n => fs.existsSync(path.join(__dirname, '..', '..', 'demos', n, 'main.ts'))).sort();
    expect(config.runs).toEqual({
      'default': [], 'network-policies': ['--namespace', 'taxi-demo', '--network-policies'],
      ...Object.fromEntries(examples.map(name => [name, ['--example', name]])),
    });
    expect(config.exclude.filter((e) => e.check === 'pod-networkpolicy')).toEqual([expect.objectContaining({ runs: ['default'] })]);
    // The only NetworkPolicy exclusion: policies of pods an operator creates (Kafka's), which kube-score cannot see;
    // the manifests suite's runtime contract checks their selectors against the operator's pod model instead.
    expect(config.exclude.filter((e) => e.check.startsWith('networkpolicy-')).map((e) => [e.check, e.objects, e.runs])).toEqual([
      ['networkpolicy-targets-pod', ['NetworkPolicy/kafka-broker', 'NetworkPolicy/kafka-controller'], ['data-lakehouse-iceberg-trino-spark']],
    ]);
  });

  test('excludes the low-UID check only for images built for one user: PostgreSQL (999) and the Stackable Superset and trino-cli images (1000)', () => {
    expect(config.exclude.filter((e) => e.check === 'container-security-context-user-group-id').map((e) => e.objects)).toEqual([
      ['StatefulSet/postgresql-hive', 'StatefulSet/postgresql-hive-iceberg', 'StatefulSet/postgresql-superset'],
      ['Job/superset-import-dashboard'],
      ['Job/superset-import-assets', 'Job/create-ny-taxi-data-table-in-trino'],
      ['Job/create-tpch-tables'],
      ['Job/create-trino-views', 'Job/create-tables-in-trino', 'Job/superset-import-dashboards'],
    ]);
  });
});

describe('namesObject', () => {
  test('an exclusion names the object and its content-named versions, nothing else', () => {
    expect(namesObject('Job/superset-import-dashboard', 'Job/superset-import-dashboard')).toBe(true);
    expect(namesObject('Job/superset-import-dashboard', 'Job/superset-import-dashboard-3f480896')).toBe(true);
    expect(namesObject('Job/superset-import-dashboard', 'Job/superset-import-dashboard-extra')).toBe(false);
    expect(namesObject('Job/superset-import', 'Job/superset-import-dashboard-3f480896')).toBe(false);
  });
});
