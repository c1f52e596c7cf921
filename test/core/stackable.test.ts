/**
 * Tests of constructs/core/stackable.ts: the pod overrides every Stackable role gets.
 * Run: npx jest test/core
 */
import { restrictedPodOverrides } from '../../constructs/core';

describe('restrictedPodOverrides', () => {
  it('sets only the pod-level restricted settings by default (no empty container list)', () => {
    expect(restrictedPodOverrides()).toEqual({ spec: { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } } });
  });

  it('keeps extra pod settings and merges the security context', () => {
    const o: any = restrictedPodOverrides({
      containers: [{ name: 'main', volumeMounts: [{ name: 'v', mountPath: '/v' }] }],
      initContainers: [{ name: 'wait', image: 'busybox:1' }],
      volumes: [{ name: 'v', emptyDir: {} }],
      securityContext: { fsGroup: 1000 },
    });
    expect(o.spec.containers).toEqual([{ name: 'main', volumeMounts: [{ name: 'v', mountPath: '/v' }] }]);
    expect(o.spec.initContainers).toEqual([{ name: 'wait', image: 'busybox:1' }]);
    expect(o.spec.volumes).toEqual([{ name: 'v', emptyDir: {} }]);
    expect(o.spec.securityContext).toEqual({ fsGroup: 1000, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  });
});
