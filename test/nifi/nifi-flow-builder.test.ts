/**
 * Tests of constructs/nifi/nifi-flow-builder.ts: the flow definition NiFi 2's upload takes.
 * Run: npx jest test/nifi
 */
import { NIFI_CONTROLLER_SERVICES, NIFI_PROCESSORS, NifiFlowBuilder } from '../../constructs/nifi';
import { sampleFlow } from './nifi-flow-fixture';

describe('NifiFlowBuilder', () => {
  it('renders a RegisteredFlowSnapshot: the group, its processors with bundles of the NiFi version, services, connections', () => {
    const flow = sampleFlow();
    const def: any = flow.render('2.9.0');
    expect(Object.keys(def).sort()).toEqual(['externalControllerServices', 'flowContents', 'flowEncodingVersion', 'latest', 'parameterContexts', 'parameterProviders']);
    const group = def.flowContents;
    expect(group).toMatchObject({ identifier: flow.groupIdentifier, name: 'Feeds To Kafka', componentType: 'PROCESS_GROUP', processGroups: [], inputPorts: [], outputPorts: [] });
    const byName = (list: any[], name: string) => list.find(c => c.name === name);
    const get = byName(group.processors, 'Get feed');
    expect(get).toMatchObject({
      type: 'org.apache.nifi.processors.standard.InvokeHTTP',
      bundle: { group: 'org.apache.nifi', artifact: 'nifi-standard-nar', version: '2.9.0' },
      properties: { 'HTTP URL': 'https://example.org/feed.json', 'HTTP Method': 'GET' },
      schedulingPeriod: '1 min', schedulingStrategy: 'TIMER_DRIVEN', executionNode: 'PRIMARY', concurrentlySchedulableTaskCount: 1,
      autoTerminatedRelationships: ['Original', 'Retry', 'No Retry', 'Failure'], scheduledState: 'ENABLED', componentType: 'PROCESSOR', groupIdentifier: flow.groupIdentifier,
    });
    const ssl = byName(group.controllerServices, 'SSL context');
    const kafka = byName(group.controllerServices, 'Kafka');
    expect(kafka).toMatchObject({
      type: 'org.apache.nifi.kafka.service.Kafka3ConnectionService', bundle: { artifact: 'nifi-kafka-3-service-nar', version: '2.9.0' },
      scheduledState: 'DISABLED', componentType: 'CONTROLLER_SERVICE',
    });
    // A service reference is the service's identifier, with a descriptor that says so.
    expect(kafka.properties['SSL Context Service']).toBe(ssl.identifier);
    expect(kafka.propertyDescriptors['SSL Context Service']).toEqual({ name: 'SSL Context Service', displayName: 'SSL Context Service', identifiesControllerService: true, sensitive: false, dynamic: false });
    expect(kafka.propertyDescriptors['bootstrap.servers']).toBeUndefined();
    expect(byName(group.processors, 'Publish').properties['Kafka Connection Service']).toBe(kafka.identifier);
    expect(group.connections).toEqual([expect.objectContaining({
      source: { id: get.identifier, type: 'PROCESSOR', groupId: flow.groupIdentifier, name: 'Get feed', comments: '' },
      destination: expect.objectContaining({ name: 'Publish', type: 'PROCESSOR' }),
      selectedRelationships: ['Response'], backPressureObjectThreshold: 10000, backPressureDataSizeThreshold: '1 GB', componentType: 'CONNECTION',
    })]);
  });

  it('renders the same definition for the same flow (identifiers from names), and distinct identifiers', () => {
    expect(JSON.stringify(sampleFlow().render('2.9.0'))).toBe(JSON.stringify(sampleFlow().render('2.9.0')));
    const def: any = sampleFlow().render('2.9.0');
    const ids = [def.flowContents.identifier, ...['processors', 'controllerServices', 'connections'].flatMap(k => def.flowContents[k].map((c: any) => c.identifier))];
    expect(new Set(ids).size).toBe(ids.length);
    ids.forEach(id => expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/));
    expect((sampleFlow('Other').render('2.9.0') as any).flowContents.identifier).not.toBe(def.flowContents.identifier);
  });

  it('keeps a version a type names itself', () => {
    const flow = new NifiFlowBuilder('Custom');
    flow.addProcessor('Mine', { type: 'com.example.MyProcessor', artifact: 'my-nar', group: 'com.example', version: '1.0.0' });
    expect((flow.render('2.9.0') as any).flowContents.processors[0].bundle).toEqual({ group: 'com.example', artifact: 'my-nar', version: '1.0.0' });
  });

  it('refuses a processor that leaves a relationship unhandled, at render', () => {
    const flow = new NifiFlowBuilder('Open');
    const gen = flow.addProcessor('Generate', NIFI_PROCESSORS.generateFlowFile);
    flow.addProcessor('Log', NIFI_PROCESSORS.logAttribute, { autoTerminate: ['success'] });
    expect(() => flow.render('2.9.0')).toThrow(/^NifiFlowBuilder "Open": processor "Generate" leaves the relationship\(s\) "success" unconnected: connect them or add them to autoTerminate/);
    expect(flow.validate()).toHaveLength(1);
    void gen;
    expect(() => new NifiFlowBuilder('Empty').render('2.9.0')).toThrow(/the flow "Empty" has no processor/);
  });

  it.each([
    ['a group name with a slash', () => new NifiFlowBuilder('a/b'), /^NifiFlowBuilder "a\/b": groupName "a\/b" is not allowed: use 1-100 letters, digits, spaces/],
    ['a name twice', (f: NifiFlowBuilder) => { f.addProcessor('X', NIFI_PROCESSORS.logAttribute); f.addControllerService('X', NIFI_CONTROLLER_SERVICES.jsonTreeReader); }, /a component named "X" exists already/],
    ['an unknown relationship in a connection', (f: NifiFlowBuilder) => {
      const a = f.addProcessor('A', NIFI_PROCESSORS.invokeHttp);
      f.connect(a, f.addProcessor('B', NIFI_PROCESSORS.logAttribute), ['response']);
    }, /connection "A" -> "B" relationships "response" is not a relationship of org.apache.nifi.processors.standard.InvokeHTTP: use one of "Original", "Response", "Retry", "No Retry", "Failure"/],
    ['an unknown relationship to auto-terminate', (f: NifiFlowBuilder) => f.addProcessor('A', NIFI_PROCESSORS.logAttribute, { autoTerminate: ['failure'] }), /processor "A" autoTerminate "failure" is not a relationship/],
    ['a connection without relationships', (f: NifiFlowBuilder) => {
      const a = f.addProcessor('A', NIFI_PROCESSORS.logAttribute);
      f.connect(a, a, []);
    }, /needs at least one relationship/],
    ['a processor of another flow', (f: NifiFlowBuilder) => {
      const other = new NifiFlowBuilder('Other').addProcessor('A', NIFI_PROCESSORS.logAttribute);
      f.connect(other, f.addProcessor('B', NIFI_PROCESSORS.logAttribute), ['success']);
    }, /processor "A" is not a processor of this flow/],
    ['a service of another flow', (f: NifiFlowBuilder) => {
      const reader = new NifiFlowBuilder('Other').addControllerService('R', NIFI_CONTROLLER_SERVICES.jsonTreeReader);
      f.addProcessor('Split', NIFI_PROCESSORS.splitRecord, { properties: { 'Record Reader': reader } });
    }, /property "Record Reader" references the controller service "R" of another flow/],
    ['a bad time period', (f: NifiFlowBuilder) => f.addProcessor('A', NIFI_PROCESSORS.logAttribute, { schedulingPeriod: 'often' }), /schedulingPeriod "often" is not a NiFi time period/],
    ['a cron strategy without a period', (f: NifiFlowBuilder) => f.addProcessor('A', NIFI_PROCESSORS.logAttribute, { schedulingStrategy: 'CRON_DRIVEN' }), /is CRON_DRIVEN but has no schedulingPeriod/],
    ['a bad data size', (f: NifiFlowBuilder) => {
      const a = f.addProcessor('A', NIFI_PROCESSORS.logAttribute);
      f.connect(a, a, ['success'], { backPressureDataSizeThreshold: '1 gig' });
    }, /backPressureDataSizeThreshold "1 gig" is not a NiFi data size/],
    ['zero tasks', (f: NifiFlowBuilder) => f.addProcessor('A', NIFI_PROCESSORS.logAttribute, { concurrentTasks: 0 }), /concurrentTasks 0 must be an integer >= 1/],
    ['a type that is no class', (f: NifiFlowBuilder) => f.addProcessor('A', { type: 'InvokeHTTP', artifact: 'nifi-standard-nar' }), /type "InvokeHTTP" is not a Java class name/],
    ['an artifact that is no NAR', (f: NifiFlowBuilder) => f.addProcessor('A', { type: 'org.example.P', artifact: 'nifi-standard' }), /artifact "nifi-standard" is not a NAR artifact/],
  ])('refuses %s', (_, build, error) => {
    expect(() => build(new NifiFlowBuilder('Flow'))).toThrow(error);
  });
});
