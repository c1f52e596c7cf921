/**
 * Unit tests of test/helm/kube-score-report.ts (how scripts/test-lint.sh applies .kube-score.yaml to
 * kube-score's findings), and of the repository's .kube-score.yaml itself.
 */
import * as path from 'path';
import { KubeScoreConfig, loadConfig, report } from './kube-score-report';

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
      exclude: [{ check: 'deployment-strategy', objects: ['Deployment/minio'], reason: 'single RWO volume needs Recreate' }],
    };
    expect(report(config, scored)).toEqual({
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
      exclude: [
        { check: 'deployment-strategy', reason: 'a reason that is long enough' },
        { check: 'container-image-pull-policy', reason: 'a reason that is long enough' },
        { check: 'pod-probes', reason: 'passes, so this exclusion is stale' },
        { check: 'deployment-replicas', reason: 'skipped checks are no findings either' },
      ],
    };
    expect(report(config, scored)).toEqual({ findings: [], stale: ['pod-probes', 'deployment-replicas'] });
  });
});

test('.kube-score.yaml gives every exclusion a reason', () => {
  const config = loadConfig(path.join(__dirname, '..', '..', '.kube-score.yaml'));
  expect(config.exclude.length).toBeGreaterThan(0);
  for (const e of config.exclude) expect(e.reason.length).toBeGreaterThan(80);
});
