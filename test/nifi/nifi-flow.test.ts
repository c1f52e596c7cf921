/**
 * Tests of constructs/nifi/nifi-flow.ts. Its script runs with BusyBox and real curl against a NiFi
 * REST stand-in in test/jobs/test_nifi_flow.py (jobs suite).
 * Run: npx jest test/nifi
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject } from 'cdk8s';
import { NIFI_PROCESSORS, NifiCluster, NifiFlow, NifiFlowBuilder } from '../../constructs/nifi';
import { TlsTrustStore } from '../../constructs/secret-operator';
import { container, envOf, expectSecretRefsResolve, find, namespacedChart, ofKind, podSpec, synth } from '../util';
import { sampleFlow } from './nifi-flow-fixture';

type Props = ConstructorParameters<typeof NifiFlow>[2];

function setup(props: Partial<Props> = {}, trustClass?: string) {
  const chart = namespacedChart();
  const trust = new TlsTrustStore(chart, 'Trust', { secretClass: trustClass });
  const nifi = new NifiCluster(chart, 'Nifi', { networkPolicy: true });
  const flow = new NifiFlow(chart, 'Flow', { nifi, trust, flow: sampleFlow(), ...props });
  return { chart, trust, nifi, flow };
}

describe('NifiFlow', () => {
  it('puts the definition into a ConfigMap and runs the upload script with curl, as a restricted non-root pod, against the node\'s name', () => {
    const { chart, flow } = setup();
    const objs = synth(chart);
    const cm = find(objs, 'ConfigMap', 'nifi-flow-feeds-to-kafka-flow');
    expect(JSON.parse(cm.data['flow.json'])).toEqual(flow.definition);
    // The NARs' version in the Stackable image (docker-images 26.7.0 nifi/Dockerfile `mvn versions:set`).
    const bundles = ['processors', 'controllerServices'].flatMap(k => (flow.definition as any).flowContents[k].map((c: any) => c.bundle.version));
    expect(new Set(bundles)).toEqual(new Set(['2.9.0-stackable26.7.0']));
    expect(cm.data['json-paths.awk']).toBe(fs.readFileSync(path.join(__dirname, '../../constructs/nifi/json-paths.awk'), 'utf8'));
    const job = find(objs, 'Job', 'nifi-flow-feeds-to-kafka');
    expect(ApiObject.of(flow)).toBe(flow.job);
    const pod = podSpec(job);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    expect(pod.automountServiceAccountToken).toBe(false);
    const c = container(pod, 'upload');
    expect(c.image).toBe('docker.io/curlimages/curl:8.14.1');
    expect(c.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(c.command[2]).toBe(fs.readFileSync(path.join(__dirname, '../../constructs/nifi/upload-flow.sh'), 'utf8'));
    const env = envOf(c);
    expect(env.NIFI_URL.value).toBe('https://nifi-node-default-0.nifi-node-default-headless.ns.svc.cluster.local:8443');
    expect(env.NIFI_USER.value).toBe('admin');
    expect(env.NIFI_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'nifi-admin-credentials', key: 'admin' });
    expect(env.GROUP_NAME.value).toBe('Feeds To Kafka');
    expect(env.CA_FILE.value).toBe('/stackable/trust/ca.crt');
    expect(env.FLOW_FILE.value).toBe('/flow/flow.json');
    expect(env.WAIT_SECONDS.value).toBe('1800');
    expect(JSON.stringify(job)).not.toContain('adminadmin');
    // The ConfigMap's data is hashed into the pod: a changed flow renames the Job.
    expect(job.spec.template.metadata.annotations['checksum/configmaps']).toMatch(/^[0-9a-f]{64}$/);
    expectSecretRefsResolve(objs);
  });

  it('renames the Job when the flow changes, and keeps the name otherwise', () => {
    const name = (groupUrl: string) => {
      const chart = namespacedChart();
      const nifi = new NifiCluster(chart, 'Nifi');
      const flow = new NifiFlowBuilder('Feed');
      flow.addProcessor('Get', NIFI_PROCESSORS.invokeHttp, { properties: { 'HTTP URL': groupUrl }, autoTerminate: ['Original', 'Response', 'Retry', 'No Retry', 'Failure'] });
      new NifiFlow(chart, 'Flow', { nifi, trust: new TlsTrustStore(chart, 'Trust'), flow });
      return ofKind(synth(chart), 'Job')[0].metadata.name;
    };
    expect(name('https://a.example/')).toBe(name('https://a.example/'));
    expect(name('https://a.example/')).not.toBe(name('https://b.example/'));
  });

  it('with networkPolicy: egress to NiFi\'s nodes on 8443 and DNS only, and NiFi takes it as a client', () => {
    const { chart, flow, nifi } = setup({ networkPolicy: true });
    const objs = synth(chart);
    const own = find(objs, 'NetworkPolicy', 'nifi-flow-feeds-to-kafka');
    expect(own.spec.ingress).toBeUndefined();
    expect(own.spec.egress[0]).toEqual({ to: [{ podSelector: { matchLabels: nifi.podSelector } }], ports: [{ protocol: 'TCP', port: 8443 }] });
    const server = find(objs, 'NetworkPolicy', 'nifi');
    expect(server.spec.ingress).toContainEqual({ from: [{ podSelector: { matchLabels: flow.podSelector } }], ports: [{ protocol: 'TCP', port: 8443 }] });
  });

  it('refuses a trust store of another SecretClass, a used builder, a later change, and bad props', () => {
    expect(() => setup({}, 'other-ca')).toThrow(/^NifiFlow Flow: trust \(test\/Trust\) holds the CA of SecretClass "other-ca", but the certificate of test\/Nifi is issued by "tls": the Job could not verify NiFi/);
    const { chart, nifi, trust } = setup();
    const used = sampleFlow('Twice');
    new NifiFlow(chart, 'A', { nifi, trust, flow: used });
    expect(() => new NifiFlow(chart, 'B', { nifi, trust, flow: used, name: 'other' })).toThrow(/the flow is used by test\/A already/);
    expect(() => used.addProcessor('Late', NIFI_PROCESSORS.logAttribute)).toThrow(/addProcessor after test\/A rendered the flow: add every component before creating the NifiFlow/);
    expect(() => setup({ waitSeconds: 0 })).toThrow(/^NifiFlow Flow: waitSeconds 0 must be an integer >= 1/);
    expect(() => setup({ name: 'Flow' })).toThrow(/^NifiFlow Flow: name "Flow" is not a valid name/);
    expect(() => setup({ position: { x: Number.NaN, y: 0 } })).toThrow(/^NifiFlow Flow: position.x NaN must be a finite number/);
  });
});
