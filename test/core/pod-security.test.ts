/**
 * Tests of constructs/core/pod-security.ts: the Pod Security "restricted" settings.
 * Run: npx jest test/core
 */
import { k8s } from 'cdk8s-plus-28';
import { NON_ROOT_UID, restrictedContainer, restrictedContainerAs, restrictedPod, scratchVolume } from '../../constructs/core';

describe('pod security', () => {
  it('pins a container\'s user on top of the restricted settings (restrictedContainerAs)', () => {
    expect(restrictedContainerAs(NON_ROOT_UID)).toEqual({ ...restrictedContainer(), runAsUser: NON_ROOT_UID, runAsGroup: NON_ROOT_UID });
    expect(restrictedContainerAs(1000, 0)).toMatchObject({ runAsUser: 1000, runAsGroup: 0, runAsNonRoot: true });
  });

  it('restricts containers: no privilege escalation, no capabilities, read-only root, RuntimeDefault seccomp', () => {
    expect(restrictedContainer()).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it('runs pods as the given non-root user and group', () => {
    expect(restrictedPod(999)).toEqual({ runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, fsGroup: 999, seccompProfile: { type: 'RuntimeDefault' } });
    expect(restrictedPod(1000, 2000)).toMatchObject({ runAsUser: 1000, runAsGroup: 2000, fsGroup: 2000 });
  });

  it('has a non-root UID above 10000 for images that run as any user (no clash with node users)', () => {
    expect(NON_ROOT_UID).toBe(10001);
    expect(restrictedPod(NON_ROOT_UID)).toMatchObject({ runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 });
  });

  it('gives scratch volumes a size limit', () => {
    expect(k8s.toJson_Volume(scratchVolume('tmp'))).toEqual({ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } });
    expect(k8s.toJson_Volume(scratchVolume('work', 2048))).toEqual({ name: 'work', emptyDir: { sizeLimit: '2048Mi' } });
  });
});
