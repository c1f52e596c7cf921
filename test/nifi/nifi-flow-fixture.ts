/**
 * Synthesizes a chart with a NifiCluster and a NifiFlow and prints its objects as JSON, for
 * test/jobs/test_nifi_flow.py (which runs the Job's script with real curl against a NiFi REST
 * stand-in), with the DNS names of the nodes' certificate.
 *
 *   npx ts-node --transpile-only test/nifi/nifi-flow-fixture.ts [GROUP_NAME]
 */
import { Testing } from 'cdk8s';
import { Credentials } from '../../constructs/core';
import { NIFI_CONTROLLER_SERVICES, NIFI_PROCESSORS, NifiCluster, nifiCertificateNames, NifiFlow, NifiFlowBuilder } from '../../constructs/nifi';
import { TlsTrustStore } from '../../constructs/secret-operator';
import { namespacedChart } from '../util';

/** A small flow with every kind of part: services referencing services, processors, connections. */
export function sampleFlow(groupName = 'Feeds To Kafka'): NifiFlowBuilder {
  const flow = new NifiFlowBuilder(groupName);
  const ssl = flow.addControllerService('SSL context', NIFI_CONTROLLER_SERVICES.restrictedSslContext, {
    properties: { 'Truststore Filename': '/stackable/keystore/truststore.p12', 'Truststore Type': 'PKCS12', 'Truststore Password': 'secret' },
  });
  const kafka = flow.addControllerService('Kafka', NIFI_CONTROLLER_SERVICES.kafka3Connection, {
    properties: { 'bootstrap.servers': 'kafka-broker-default-headless.ns.svc.cluster.local:9093', 'security.protocol': 'SSL', 'SSL Context Service': ssl },
  });
  const get = flow.addProcessor('Get feed', NIFI_PROCESSORS.invokeHttp, {
    properties: { 'HTTP URL': 'https://example.org/feed.json', 'HTTP Method': 'GET' },
    schedulingPeriod: '1 min', executionNode: 'PRIMARY', autoTerminate: ['Original', 'Retry', 'No Retry', 'Failure'],
  });
  const publish = flow.addProcessor('Publish', NIFI_PROCESSORS.publishKafka, {
    properties: { 'Kafka Connection Service': kafka, 'Topic Name': 'feed' }, autoTerminate: ['success', 'failure'],
  });
  flow.connect(get, publish, ['Response']);
  return flow;
}

if (require.main === module) {
  const chart = namespacedChart();
  const trust = new TlsTrustStore(chart, 'Trust');
  const nifi = new NifiCluster(chart, 'Nifi', { admin: Credentials.literal('admin', 'nifi-Pa55:word/with+specials&=') });
  new NifiFlow(chart, 'Flow', { nifi, trust, flow: sampleFlow(process.argv[2]) });
  // The names the secret-operator puts into the nodes' certificate (the stand-in gets them).
  const certificateNames = nifiCertificateNames(nifi.name, 'ns', 'external-stable', { default: 2 });
  process.stdout.write(JSON.stringify({ objects: Testing.synth(chart), certificateNames }));
}
