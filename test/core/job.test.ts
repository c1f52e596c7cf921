/**
 * Tests of constructs/core/job.ts: the Job every construct of ours writes.
 * Run: npx jest test/core
 */
import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { podVolumes, restrictedJob, scratchVolume, STACKABLE_IMAGE_USER } from '../../constructs/core';
import { find, synth } from '../util';

const pod = { containers: [{ name: 'main', image: 'busybox:1.37' }], volumes: [scratchVolume('tmp')] };

describe('restrictedJob', () => {
  it('runs restricted as UID 10001 without a service-account token, or as the image user it is given', () => {
    const chart = Testing.chart();
    restrictedJob(new Construct(chart, 'A'), { name: 'a', labels: { app: 'a' }, backoffLimit: 2, pod });
    restrictedJob(new Construct(chart, 'B'), { name: 'b', labels: { app: 'b' }, backoffLimit: 2, pod, user: STACKABLE_IMAGE_USER });
    const objs = synth(chart);
    expect(find(objs, 'Job', 'a').spec.template.spec).toMatchObject({
      automountServiceAccountToken: false, restartPolicy: 'OnFailure',
      securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 },
    });
    expect(find(objs, 'Job', 'b').spec.template.spec.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 });
  });

  it('refuses a volume given twice, which Kubernetes would reject only at apply time', () => {
    const chart = Testing.chart();
    expect(() => restrictedJob(new Construct(chart, 'A'), { name: 'a', labels: {}, backoffLimit: 1, pod: { ...pod, volumes: [scratchVolume('tmp'), scratchVolume('tmp')] } }))
      .toThrow(/^test\/A: Job a has the volume\(s\) tmp twice/);
  });

  it('writes several Jobs in one construct under their own ids, and names the prop when an id is taken', () => {
    const chart = Testing.chart();
    const owner = new Construct(chart, 'Owner');
    restrictedJob(owner, { name: 'first', labels: {}, backoffLimit: 1, pod });
    restrictedJob(owner, { name: 'second', id: 'Second', labels: {}, backoffLimit: 1, pod });
    expect(synth(chart).map(o => o.metadata.name).sort()).toEqual([expect.stringMatching(/^first-[0-9a-f]{8}$/), expect.stringMatching(/^second-[0-9a-f]{8}$/)]);
    expect(() => restrictedJob(owner, { name: 'third', labels: {}, backoffLimit: 1, pod }))
      .toThrow(/^test\/Owner: restrictedJob: scope has a child "Resource" already \(a second Job in one construct needs its own id: RestrictedJobProps\.id\)$/);
  });
});

/** podVolumes: the volumes of a pod assembled from parts. */
describe('podVolumes', () => {
  it('keeps one of identical volumes and refuses different volumes of one name, naming the owner', () => {
    expect(podVolumes('Owner', [scratchVolume('tmp')], [scratchVolume('tmp'), scratchVolume('work')]).map(v => v.name)).toEqual(['tmp', 'work']);
    expect(() => podVolumes('Owner', [scratchVolume('tmp')], [scratchVolume('tmp', 128)])).toThrow(/^Owner: two different volumes are named "tmp"/);
  });
});
