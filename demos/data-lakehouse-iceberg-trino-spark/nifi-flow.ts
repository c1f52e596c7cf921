/**
 * The NiFi flow of the demo, written as code from the feeds (feeds.ts) with the library's
 * NifiFlowBuilder, in place of the flow definition Stackable exported from a NiFi UI
 * (stackabletech/demos release-26.7, create-nifi-ingestion-job.yaml). Per feed, the reference's
 * processors and settings:
 * - a timer-driven InvokeHTTP on the primary node (so that a cluster fetches each feed once),
 * - for records below the response's root, a JoltTransformJSON `shift` of that path to the root,
 * - for a per-station feed, the station list is split into one station per flow file
 *   (SplitRecord), its id taken into the attribute `station_uuid` (EvaluateJsonPath), the feed
 *   fetched for it, and the id added to each record (JoltTransformJSON `default`),
 * - PublishKafka with a JSON reader and writer: one message per record, a JSON object, as the
 *   streaming job reads them (apache/nifi rel/nifi-2.9.0 nifi-kafka-processors
 *   RecordStreamKafkaRecordConverter and RecordValueFactory: `writer.write(record)` per record
 *   outside a record set, so WriteJsonResult `writeRecord` writes the object without the array of
 *   `output-array`).
 * Kafka is reached over TLS with NiFi's own certificate and trust (NifiCluster.keystore), which the
 * brokers accept when their client authentication uses the SecretClass of NiFi's certificate.
 */
import { Construct } from 'constructs';
import {
  KafkaCluster, NIFI_CONTROLLER_SERVICES, NIFI_PROCESSORS, NifiCluster, NifiFlow, NifiFlowBuilder, NifiProcessor, TlsTrustStore,
} from 'cdk8s-stackable-demos';
import { Feed } from './feeds';

/** Props of {@link lakehouseFlow}. */
export interface LakehouseFlowProps {
  readonly nifi: NifiCluster;
  readonly kafka: KafkaCluster;
  /** The feeds (checked, see feedsFrom). */
  readonly feeds: readonly Feed[];
  /** CA trust for NiFi's certificate (the upload Job). */
  readonly trust: TlsTrustStore;
  readonly networkPolicy?: boolean;
}

/** The Jolt spec that moves the array at `path` (dotted) to the root, e.g. `data.stations` → `{"data":{"stations":""}}`. */
export function shiftToRoot(path: string): string {
  const spec = path.split('.').reverse().reduce<unknown>((inner, key) => ({ [key]: inner }), '');
  return JSON.stringify([{ operation: 'shift', spec }]);
}

/** The Jolt spec that adds `field` = `${attribute}` to every record of a top-level array. */
export function addAttribute(field: string, attribute: string): string {
  return JSON.stringify([{ operation: 'default', spec: { '*': { [field]: `\${${attribute}}` } } }]);
}

/** The process group `LakehouseKafkaIngest` with the feeds' processors, and the Job that uploads and starts it. */
export function lakehouseFlow(scope: Construct, id: string, props: LakehouseFlowProps): NifiFlow {
  const { nifi, kafka } = props;
  if (nifi.tlsSecretClass !== kafka.clientAuthentication.clientCertSecretClass) {
    throw new Error(`lakehouseFlow ${id}: NiFi's certificate is of SecretClass "${nifi.tlsSecretClass}", but the Kafka brokers accept client certificates of "${kafka.clientAuthentication.clientCertSecretClass}": give both the same class`);
  }
  const flow = new NifiFlowBuilder('LakehouseKafkaIngest');
  const ssl = flow.addControllerService('StandardRestrictedSSLContextService', NIFI_CONTROLLER_SERVICES.restrictedSslContext, {
    properties: {
      'Keystore Filename': nifi.keystore.keystoreFile, 'Keystore Password': nifi.keystore.password, 'Keystore Type': nifi.keystore.type,
      'Truststore Filename': nifi.keystore.truststoreFile, 'Truststore Password': nifi.keystore.password, 'Truststore Type': nifi.keystore.type,
      'SSL Protocol': 'TLSv1.3',
    },
  });
  const reader = flow.addControllerService('JsonTreeReader', NIFI_CONTROLLER_SERVICES.jsonTreeReader, { properties: { 'schema-access-strategy': 'infer-schema' } });
  const writer = flow.addControllerService('JsonRecordSetWriter', NIFI_CONTROLLER_SERVICES.jsonRecordSetWriter, {
    properties: { 'Schema Write Strategy': 'no-schema', 'schema-access-strategy': 'inherit-record-schema', 'output-grouping': 'output-array' },
  });
  // Splits of one station as one JSON object (not a one-element array), so that `$.<id>` finds its id.
  const oneLine = flow.addControllerService('JsonRecordSetWriter one line', NIFI_CONTROLLER_SERVICES.jsonRecordSetWriter, {
    properties: { 'Schema Write Strategy': 'no-schema', 'schema-access-strategy': 'inherit-record-schema', 'output-grouping': 'output-oneline' },
  });
  const connection = flow.addControllerService('Kafka3ConnectionService', NIFI_CONTROLLER_SERVICES.kafka3Connection, {
    properties: { 'bootstrap.servers': kafka.bootstrapServers, 'security.protocol': 'SSL', 'SSL Context Service': ssl, 'max.block.ms': '5 sec', 'ack.wait.time': '5 sec' },
  });

  const get = (name: string, url: string, every?: string): NifiProcessor => flow.addProcessor(name, NIFI_PROCESSORS.invokeHttp, {
    properties: { 'HTTP Method': 'GET', 'HTTP URL': url, 'Connection Timeout': '5 secs', 'Socket Read Timeout': '15 secs' },
    ...(every !== undefined ? { schedulingPeriod: every, executionNode: 'PRIMARY' as const } : {}),
    autoTerminate: ['Original', 'Retry', 'No Retry', 'Failure'],
  });
  const jolt = (name: string, spec: string) => flow.addProcessor(name, NIFI_PROCESSORS.joltTransformJson, {
    properties: { 'Jolt Transform': 'jolt-transform-chain', 'Jolt Specification': spec }, autoTerminate: ['failure'],
  });
  for (const feed of props.feeds) {
    const publish = flow.addProcessor(`Publish ${feed.topic}`, NIFI_PROCESSORS.publishKafka, {
      properties: {
        'Kafka Connection Service': connection, 'Topic Name': feed.topic, 'Record Reader': reader, 'Record Writer': writer,
        'Publish Strategy': 'USE_VALUE', 'acks': 'all', 'Transactions Enabled': 'false',
      },
      autoTerminate: ['success', 'failure'],
    });
    let last: NifiProcessor;
    if (feed.perStation === undefined) {
      last = get(`Get ${feed.topic}`, feed.url, feed.every);
    } else {
      const list = get(`Get stations for ${feed.topic}`, feed.perStation.listUrl, feed.every);
      const split = flow.addProcessor(`Split stations for ${feed.topic}`, NIFI_PROCESSORS.splitRecord, {
        properties: { 'Record Reader': reader, 'Record Writer': oneLine, 'Records Per Split': '1' }, autoTerminate: ['original', 'failure'],
      });
      const id = flow.addProcessor(`Station id for ${feed.topic}`, NIFI_PROCESSORS.evaluateJsonPath, {
        properties: { 'Destination': 'flowfile-attribute', 'Return Type': 'auto-detect', 'station_uuid': `$.${feed.perStation.idField}` },
        autoTerminate: ['unmatched', 'failure'],
      });
      const perStation = get(`Get ${feed.topic} per station`, feed.url);
      const add = jolt(`Add ${feed.perStation.addField} to ${feed.topic}`, addAttribute(feed.perStation.addField, 'station_uuid'));
      flow.connect(list, split, ['Response']);
      flow.connect(split, id, ['splits']);
      flow.connect(id, perStation, ['matched']);
      flow.connect(perStation, add, ['Response']);
      last = add;
      if (feed.recordsAt !== '') throw new Error(`lakehouseFlow ${id}: the per-station feed ${feed.topic} must have its records at the root (recordsAt '')`);
    }
    if (feed.recordsAt !== '') {
      const shift = jolt(`Extract ${feed.recordsAt} of ${feed.topic}`, shiftToRoot(feed.recordsAt));
      flow.connect(last, shift, ['Response']);
      flow.connect(shift, publish, ['success']);
    } else {
      flow.connect(last, publish, [feed.perStation === undefined ? 'Response' : 'success']);
    }
  }
  nifi.allowInternet([80, 443]);
  nifi.allowEgressTo(kafka, [kafka.port]);
  return new NifiFlow(scope, id, { nifi, trust: props.trust, flow, name: 'create-nifi-ingestion-flow', networkPolicy: props.networkPolicy });
}
