import { createHash } from 'crypto';
import { intInRange, nonEmpty } from '../core';

/**
 * A NiFi extension (processor or controller service): its Java class and the NAR that brings it.
 * The bundle is `group:artifact:version`; NiFi 2 instantiates a component of a flow definition
 * from exactly that bundle, else from the only installed bundle of that type, else from the one of
 * the framework's version (apache/nifi rel/nifi-2.9.0 nifi-framework-components util/BundleUtils.java
 * `getCompatibleBundle`, `findOptionalBundleForType`; ProcessGroupResource `uploadProcessGroup`
 * calls it through `discoverCompatibleBundles`). The NARs of a NiFi build carry its version, so
 * {@link NifiFlow} writes the version of the cluster's image (`NifiCluster.bundleVersion`) unless
 * `version` is given.
 */
export interface NifiComponentType {
  /** The Java class, e.g. `org.apache.nifi.processors.standard.InvokeHTTP`. */
  readonly type: string;
  /** The NAR's Maven artifact, e.g. `nifi-standard-nar`. */
  readonly artifact: string;
  /** The NAR's Maven group. @default 'org.apache.nifi' */
  readonly group?: string;
  /** The NAR's version. @default - the NARs' version in the image of the cluster the flow is uploaded to (`NifiCluster.bundleVersion`) */
  readonly version?: string;
  /**
   * The processor's relationships, when they are fixed: each must then be connected or
   * auto-terminated (NiFi otherwise reports the processor invalid and does not start it), and
   * connections may use only these. Controller services have none.
   * @default - not checked (a processor with dynamic relationships)
   */
  readonly relationships?: readonly string[];
}

const NIFI_GROUP = 'org.apache.nifi';

/**
 * Processors of the Apache NiFi 2.9.0 distribution, with their NAR and relationships, as in
 * apache/nifi tag rel/nifi-2.9.0: the class and its `Relationship` constants (`.name(...)`) in
 * nifi-extension-bundles/…/src/main/java, and the NAR of its bundle (the bundle's `*-nar/pom.xml`
 * artifactId): InvokeHTTP (nifi-standard-bundle, InvokeHTTP.java `RELATIONSHIPS`), SplitRecord,
 * EvaluateJsonPath, GenerateFlowFile, LogAttribute (nifi-standard-nar), JoltTransformJSON
 * (nifi-jolt-bundle/nifi-jolt-nar), PublishKafka (nifi-kafka-bundle/nifi-kafka-nar). The same
 * artifacts as the flow exported from NiFi 2.6.0 in stackabletech/demos release-26.7.
 */
export const NIFI_PROCESSORS = {
  invokeHttp: { type: 'org.apache.nifi.processors.standard.InvokeHTTP', artifact: 'nifi-standard-nar', relationships: ['Original', 'Response', 'Retry', 'No Retry', 'Failure'] },
  splitRecord: { type: 'org.apache.nifi.processors.standard.SplitRecord', artifact: 'nifi-standard-nar', relationships: ['splits', 'original', 'failure'] },
  evaluateJsonPath: { type: 'org.apache.nifi.processors.standard.EvaluateJsonPath', artifact: 'nifi-standard-nar', relationships: ['matched', 'unmatched', 'failure'] },
  generateFlowFile: { type: 'org.apache.nifi.processors.standard.GenerateFlowFile', artifact: 'nifi-standard-nar', relationships: ['success'] },
  logAttribute: { type: 'org.apache.nifi.processors.standard.LogAttribute', artifact: 'nifi-standard-nar', relationships: ['success'] },
  joltTransformJson: { type: 'org.apache.nifi.processors.jolt.JoltTransformJSON', artifact: 'nifi-jolt-nar', relationships: ['success', 'failure'] },
  publishKafka: { type: 'org.apache.nifi.kafka.processors.PublishKafka', artifact: 'nifi-kafka-nar', relationships: ['success', 'failure'] },
} as const satisfies Record<string, NifiComponentType>;

/**
 * Controller services of the Apache NiFi 2.9.0 distribution, with their NAR (apache/nifi
 * rel/nifi-2.9.0): StandardRestrictedSSLContextService (nifi-ssl-context-bundle/
 * nifi-ssl-context-service-nar), JsonTreeReader and JsonRecordSetWriter
 * (nifi-record-serialization-services-nar), Kafka3ConnectionService
 * (nifi-kafka-bundle/nifi-kafka-3-service-nar).
 */
export const NIFI_CONTROLLER_SERVICES = {
  restrictedSslContext: { type: 'org.apache.nifi.ssl.StandardRestrictedSSLContextService', artifact: 'nifi-ssl-context-service-nar' },
  jsonTreeReader: { type: 'org.apache.nifi.json.JsonTreeReader', artifact: 'nifi-record-serialization-services-nar' },
  jsonRecordSetWriter: { type: 'org.apache.nifi.json.JsonRecordSetWriter', artifact: 'nifi-record-serialization-services-nar' },
  kafka3Connection: { type: 'org.apache.nifi.kafka.service.Kafka3ConnectionService', artifact: 'nifi-kafka-3-service-nar' },
} as const satisfies Record<string, NifiComponentType>;

/** A property value: text, or a controller service of the same flow (written as its identifier). */
export type NifiPropertyValue = string | NifiControllerService;

/** Options of {@link NifiFlow.addControllerService}. */
export interface NifiControllerServiceOptions {
  /** Properties by their name (the `PropertyDescriptor` name, not the display name). @default - none (the service's defaults) */
  readonly properties?: Readonly<Record<string, NifiPropertyValue>>;
  /** Comments shown in NiFi. @default '' */
  readonly comments?: string;
}

/** Options of {@link NifiFlow.addProcessor}. */
export interface NifiProcessorOptions {
  /** Properties by their name (the `PropertyDescriptor` name, not the display name). @default - none (the processor's defaults) */
  readonly properties?: Readonly<Record<string, NifiPropertyValue>>;
  /** `TIMER_DRIVEN` (every {@link schedulingPeriod}) or `CRON_DRIVEN` (a Quartz cron expression). @default 'TIMER_DRIVEN' */
  readonly schedulingStrategy?: 'TIMER_DRIVEN' | 'CRON_DRIVEN';
  /** Run schedule: a NiFi time period such as '10 min' (timer) or a cron expression. @default '0 sec' */
  readonly schedulingPeriod?: string;
  /** Where it runs: every node, or only the primary node (sources that must not run twice). @default 'ALL' */
  readonly executionNode?: 'ALL' | 'PRIMARY';
  /** Concurrent tasks per node. @default 1 */
  readonly concurrentTasks?: number;
  /** Relationships whose FlowFiles are dropped. @default - none */
  readonly autoTerminate?: readonly string[];
  /** How long a penalized FlowFile waits. @default '30 sec' */
  readonly penaltyDuration?: string;
  /** How long the processor yields when it has nothing to do. @default '1 sec' */
  readonly yieldDuration?: string;
  /** Comments shown in NiFi. @default '' */
  readonly comments?: string;
}

/** Options of {@link NifiFlow.connect}. */
export interface NifiConnectionOptions {
  /** Queued FlowFiles at which the source is no longer scheduled. @default 10000 */
  readonly backPressureObjectThreshold?: number;
  /** Queued data at which the source is no longer scheduled. @default '1 GB' */
  readonly backPressureDataSizeThreshold?: string;
  /** Age after which queued FlowFiles are dropped ('0 sec': never). @default '0 sec' */
  readonly flowFileExpiration?: string;
  /** Spread the queue's FlowFiles over the nodes. @default 'DO_NOT_LOAD_BALANCE' */
  readonly loadBalanceStrategy?: 'DO_NOT_LOAD_BALANCE' | 'ROUND_ROBIN' | 'SINGLE_NODE';
}

/** A controller service of a {@link NifiFlowBuilder}; pass it as a property value to reference it. */
export class NifiControllerService {
  /** @internal */
  constructor(
    /** Name of the service, unique in its flow. */
    public readonly name: string,
    /** Its identifier in the flow definition (derived from the flow's and its own name). */
    public readonly identifier: string,
    /** Its type and bundle. */
    public readonly componentType: NifiComponentType,
    /** @internal What it was added with. */
    public readonly options: NifiControllerServiceOptions,
  ) {}
}

/** A processor of a {@link NifiFlowBuilder}; connect it with `NifiFlowBuilder.connect`. */
export class NifiProcessor {
  /** @internal */
  constructor(
    /** Name of the processor, unique in its flow. */
    public readonly name: string,
    /** Its identifier in the flow definition (derived from the flow's and its own name). */
    public readonly identifier: string,
    /** Its type and bundle. */
    public readonly componentType: NifiComponentType,
    /** @internal What it was added with. */
    public readonly options: NifiProcessorOptions,
  ) {}
}

interface Connection {
  readonly identifier: string;
  readonly source: NifiProcessor;
  readonly destination: NifiProcessor;
  readonly relationships: readonly string[];
  readonly options: NifiConnectionOptions;
}

/**
 * A stable identifier in UUID form (name-based, like UUID version 5) of `parts`, so that the same
 * flow renders the same definition (and the Job's name does not change without a reason).
 * NiFi maps these versioned identifiers to new instance identifiers when it imports a flow.
 */
function stableId(...parts: string[]): string {
  const h = createHash('sha1').update(parts.join('\u0000')).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Component and group names: printable, no leading or trailing space, at most 200 characters. */
function componentName(owner: string, prop: string, value: string): string {
  nonEmpty(owner, prop, value);
  if (value.length > 200 || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new Error(`${owner}: ${prop} ${JSON.stringify(value)} must be at most 200 printable characters`);
  }
  return value;
}

/** A NiFi time period (FormatUtils TIME_DURATION_REGEX: a number and a unit such as 'sec', 'min', 'hours'). */
function timePeriod(owner: string, prop: string, value: string): string {
  if (!/^\d+(\.\d+)?\s*(ns|nanos?|nanoseconds?|ms|millis?|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?)$/i.test(value)) {
    throw new Error(`${owner}: ${prop} ${JSON.stringify(value)} is not a NiFi time period: use a number and a unit, e.g. "30 sec", "10 min", "1 hour"`);
  }
  return value;
}

/** A NiFi data size (DataUnit: a number and B, KB, MB, GB or TB). */
function dataSize(owner: string, prop: string, value: string): string {
  if (!/^\d+(\.\d+)?\s*(B|KB|MB|GB|TB)$/i.test(value)) {
    throw new Error(`${owner}: ${prop} ${JSON.stringify(value)} is not a NiFi data size: use a number and one of B, KB, MB, GB, TB, e.g. "1 GB"`);
  }
  return value;
}

/** Process group names: letters, digits, space, `_`, `.` and `-` (they go into a curl form field and the Job's name). */
const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}$/;

/**
 * A NiFi process group written as code: controller services, processors and the connections
 * between them, rendered as a NiFi 2 flow definition (the JSON of "Download flow definition", a
 * `RegisteredFlowSnapshot`, which `POST /process-groups/{id}/process-groups/upload` takes). The
 * fields and defaults of each component are those NiFi 2.6.0 exported in the flow of
 * stackabletech/demos release-26.7 (the NiFi flow that repository uploads with nipyapi);
 * identifiers are derived from the names, so the same flow renders the same definition.
 * Build it completely, then give it to a {@link NifiFlow}, which renders it once (later changes throw).
 */
export class NifiFlowBuilder {
  /** The process group's name in NiFi. */
  public readonly groupName: string;
  /** The group's identifier in the definition. */
  public readonly groupIdentifier: string;
  private readonly services: NifiControllerService[] = [];
  private readonly processors: NifiProcessor[] = [];
  private readonly connections: Connection[] = [];
  private readonly owner: string;
  private renderedBy: string | undefined;

  /**
   * @param groupName name of the process group in NiFi's root group: 1-100 letters, digits,
   *   spaces, `_`, `.` and `-`, starting with a letter or digit. The Job uploads the flow only
   *   when no group of this name exists.
   */
  constructor(groupName: string) {
    this.owner = `NifiFlowBuilder ${JSON.stringify(groupName)}`;
    if (!GROUP_NAME.test(groupName)) {
      throw new Error(`${this.owner}: groupName ${JSON.stringify(groupName)} is not allowed: use 1-100 letters, digits, spaces, '_', '.' and '-', starting with a letter or digit`);
    }
    this.groupName = groupName;
    this.groupIdentifier = stableId('group', groupName);
  }

  private get name(): string {
    return this.groupName;
  }

  /** Adds a controller service (e.g. `NIFI_CONTROLLER_SERVICES.jsonTreeReader`); pass the result as a property value. */
  public addControllerService(name: string, type: NifiComponentType, options: NifiControllerServiceOptions = {}): NifiControllerService {
    this.checkOpen('addControllerService');
    this.checkNewName('addControllerService', name, type);
    const service = new NifiControllerService(name, stableId('service', this.name, name), type, options);
    this.checkProperties(`controller service "${name}"`, options.properties);
    this.services.push(service);
    return service;
  }

  /** Adds a processor (e.g. `NIFI_PROCESSORS.invokeHttp`). */
  public addProcessor(name: string, type: NifiComponentType, options: NifiProcessorOptions = {}): NifiProcessor {
    this.checkOpen('addProcessor');
    this.checkNewName('addProcessor', name, type);
    const what = `processor "${name}"`;
    this.checkProperties(what, options.properties);
    if (options.concurrentTasks !== undefined) intInRange(this.owner, `${what} concurrentTasks`, options.concurrentTasks, 1);
    if (options.penaltyDuration !== undefined) timePeriod(this.owner, `${what} penaltyDuration`, options.penaltyDuration);
    if (options.yieldDuration !== undefined) timePeriod(this.owner, `${what} yieldDuration`, options.yieldDuration);
    if ((options.schedulingStrategy ?? 'TIMER_DRIVEN') === 'TIMER_DRIVEN' && options.schedulingPeriod !== undefined) timePeriod(this.owner, `${what} schedulingPeriod`, options.schedulingPeriod);
    if (options.schedulingStrategy === 'CRON_DRIVEN' && options.schedulingPeriod === undefined) {
      throw new Error(`${this.owner}: ${what} is CRON_DRIVEN but has no schedulingPeriod: give a Quartz cron expression, e.g. "0 0 * * * ?"`);
    }
    for (const r of options.autoTerminate ?? []) this.checkRelationship(what, 'autoTerminate', type, r);
    const processor = new NifiProcessor(name, stableId('processor', this.name, name), type, options);
    this.processors.push(processor);
    return processor;
  }

  /** Connects `relationships` of `source` to `destination` (processors of this flow). */
  public connect(source: NifiProcessor, destination: NifiProcessor, relationships: readonly string[], options: NifiConnectionOptions = {}): void {
    this.checkOpen('connect');
    for (const p of [source, destination]) {
      if (!this.processors.includes(p)) throw new Error(`${this.owner}: connect: processor "${p.name}" is not a processor of this flow (add it with addProcessor)`);
    }
    const what = `connection "${source.name}" -> "${destination.name}"`;
    if (relationships.length === 0) throw new Error(`${this.owner}: ${what} needs at least one relationship of "${source.name}"`);
    for (const r of relationships) this.checkRelationship(what, 'relationships', source.componentType, r);
    if (options.backPressureObjectThreshold !== undefined) intInRange(this.owner, `${what} backPressureObjectThreshold`, options.backPressureObjectThreshold, 0);
    if (options.backPressureDataSizeThreshold !== undefined) dataSize(this.owner, `${what} backPressureDataSizeThreshold`, options.backPressureDataSizeThreshold);
    if (options.flowFileExpiration !== undefined) timePeriod(this.owner, `${what} flowFileExpiration`, options.flowFileExpiration);
    const index = this.connections.filter(c => c.source === source && c.destination === destination).length;
    this.connections.push({ identifier: stableId('connection', this.name, source.name, destination.name, String(index)), source, destination, relationships: [...relationships], options });
  }

  /**
   * Problems NiFi would report when starting the group: a processor relationship with a fixed
   * list that is neither connected nor auto-terminated.
   */
  public validate(): string[] {
    const problems: string[] = [];
    if (this.processors.length === 0) problems.push(`${this.owner}: the flow "${this.name}" has no processor`);
    for (const p of this.processors) {
      const known = p.componentType.relationships;
      if (known === undefined) continue;
      const used = new Set([...(p.options.autoTerminate ?? []), ...this.connections.filter(c => c.source === p).flatMap(c => c.relationships)]);
      const open = known.filter(r => !used.has(r));
      if (open.length > 0) {
        problems.push(`${this.owner}: processor "${p.name}" leaves the relationship(s) ${open.map(r => `"${r}"`).join(', ')} unconnected: connect them or add them to autoTerminate (NiFi does not start a processor with an unhandled relationship)`);
      }
    }
    return problems;
  }

  /**
   * The flow definition (a `RegisteredFlowSnapshot`) with bundles of NiFi `version` (unless a
   * component type names its own). Throws the problems of {@link validate}.
   */
  public render(version: string): Record<string, unknown> {
    const problems = this.validate();
    if (problems.length > 0) throw new Error(problems.join('\n'));
    const group = this.groupIdentifier;
    const bundle = (t: NifiComponentType) => ({ group: t.group ?? NIFI_GROUP, artifact: t.artifact, version: t.version ?? version });
    const props = (c: NifiProcessor | NifiControllerService) => {
      const properties: Record<string, string> = {};
      const propertyDescriptors: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(c.options.properties ?? {})) {
        if (value instanceof NifiControllerService) {
          properties[key] = value.identifier;
          // StandardVersionedComponentSynchronizer `populatePropertiesMap` maps a versioned service
          // identifier to the new instance when the property's descriptor (the component's, or
          // this one) identifies a controller service.
          propertyDescriptors[key] = { name: key, displayName: key, identifiesControllerService: true, sensitive: false, dynamic: false };
        } else {
          properties[key] = value;
        }
      }
      return { properties, propertyDescriptors };
    };
    const columns = 4;
    const processors = this.processors.map((p, i) => ({
      identifier: p.identifier,
      name: p.name,
      comments: p.options.comments ?? '',
      position: { x: (i % columns) * 450, y: Math.floor(i / columns) * 250 },
      type: p.componentType.type,
      bundle: bundle(p.componentType),
      ...props(p),
      style: {},
      schedulingPeriod: p.options.schedulingPeriod ?? '0 sec',
      schedulingStrategy: p.options.schedulingStrategy ?? 'TIMER_DRIVEN',
      executionNode: p.options.executionNode ?? 'ALL',
      penaltyDuration: p.options.penaltyDuration ?? '30 sec',
      yieldDuration: p.options.yieldDuration ?? '1 sec',
      bulletinLevel: 'WARN',
      runDurationMillis: 0,
      concurrentlySchedulableTaskCount: p.options.concurrentTasks ?? 1,
      autoTerminatedRelationships: [...(p.options.autoTerminate ?? [])],
      scheduledState: 'ENABLED',
      retryCount: 10,
      retriedRelationships: [],
      backoffMechanism: 'PENALIZE_FLOWFILE',
      maxBackoffPeriod: '10 mins',
      componentType: 'PROCESSOR',
      groupIdentifier: group,
    }));
    const services = this.services.map(s => ({
      identifier: s.identifier,
      name: s.name,
      comments: s.options.comments ?? '',
      type: s.componentType.type,
      bundle: bundle(s.componentType),
      ...props(s),
      scheduledState: 'DISABLED',
      bulletinLevel: 'WARN',
      componentType: 'CONTROLLER_SERVICE',
      groupIdentifier: group,
    }));
    const end = (p: NifiProcessor) => ({ id: p.identifier, type: 'PROCESSOR', groupId: group, name: p.name, comments: p.options.comments ?? '' });
    const connections = this.connections.map(c => ({
      identifier: c.identifier,
      name: '',
      source: end(c.source),
      destination: end(c.destination),
      labelIndex: 1,
      zIndex: 0,
      selectedRelationships: [...c.relationships],
      backPressureObjectThreshold: c.options.backPressureObjectThreshold ?? 10000,
      backPressureDataSizeThreshold: c.options.backPressureDataSizeThreshold ?? '1 GB',
      flowFileExpiration: c.options.flowFileExpiration ?? '0 sec',
      prioritizers: [],
      bends: [],
      loadBalanceStrategy: c.options.loadBalanceStrategy ?? 'DO_NOT_LOAD_BALANCE',
      partitioningAttribute: '',
      loadBalanceCompression: 'DO_NOT_COMPRESS',
      componentType: 'CONNECTION',
      groupIdentifier: group,
    }));
    return {
      flowContents: {
        identifier: group,
        name: this.name,
        comments: '',
        position: { x: 0, y: 0 },
        processGroups: [],
        remoteProcessGroups: [],
        processors,
        inputPorts: [],
        outputPorts: [],
        connections,
        labels: [],
        funnels: [],
        controllerServices: services,
        defaultFlowFileExpiration: '0 sec',
        defaultBackPressureObjectThreshold: 10000,
        defaultBackPressureDataSizeThreshold: '1 GB',
        scheduledState: 'ENABLED',
        executionEngine: 'INHERITED',
        maxConcurrentTasks: 1,
        statelessFlowTimeout: '1 min',
        flowFileConcurrency: 'UNBOUNDED',
        flowFileOutboundPolicy: 'STREAM_WHEN_AVAILABLE',
        componentType: 'PROCESS_GROUP',
      },
      externalControllerServices: {},
      parameterContexts: {},
      flowEncodingVersion: '1.0',
      parameterProviders: {},
      latest: false,
    };
  }

  /**
   * Marks the flow as rendered by `by` (a NifiFlow): later additions throw, since they would not
   * reach NiFi. @internal
   */
  public seal(by: string): void {
    if (this.renderedBy !== undefined) throw new Error(`${this.owner}: the flow is used by ${this.renderedBy} already: build a NifiFlowBuilder per NifiFlow`);
    this.renderedBy = by;
  }

  private checkOpen(method: string): void {
    if (this.renderedBy !== undefined) {
      throw new Error(`${this.owner}: ${method} after ${this.renderedBy} rendered the flow: add every component before creating the NifiFlow`);
    }
  }

  private checkNewName(method: string, name: string, type: NifiComponentType): void {
    componentName(this.owner, `${method} name`, name);
    if ([...this.processors, ...this.services].some(c => c.name === name)) {
      throw new Error(`${this.owner}: ${method}: a component named "${name}" exists already in the flow "${this.name}": names must be unique`);
    }
    if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/.test(type.type)) {
      throw new Error(`${this.owner}: ${method} "${name}": type ${JSON.stringify(type.type)} is not a Java class name (e.g. "org.apache.nifi.processors.standard.InvokeHTTP")`);
    }
    if (!/^[a-z0-9][a-z0-9.-]*-nar$/.test(type.artifact)) {
      throw new Error(`${this.owner}: ${method} "${name}": artifact ${JSON.stringify(type.artifact)} is not a NAR artifact (e.g. "nifi-standard-nar")`);
    }
  }

  private checkProperties(what: string, properties: Readonly<Record<string, NifiPropertyValue>> | undefined): void {
    for (const [key, value] of Object.entries(properties ?? {})) {
      if (key.trim() === '' || key.trim() !== key) throw new Error(`${this.owner}: ${what} property name ${JSON.stringify(key)} must be non-empty without surrounding whitespace`);
      if (value instanceof NifiControllerService) {
        if (!this.services.includes(value)) {
          throw new Error(`${this.owner}: ${what} property "${key}" references the controller service "${value.name}" of another flow: add it to this flow with addControllerService`);
        }
      } else if (typeof value !== 'string') {
        throw new Error(`${this.owner}: ${what} property "${key}" ${JSON.stringify(value)} must be a string or a NifiControllerService`);
      }
    }
  }

  private checkRelationship(what: string, prop: string, type: NifiComponentType, relationship: string): void {
    const known = type.relationships;
    if (known !== undefined && !known.includes(relationship)) {
      throw new Error(`${this.owner}: ${what} ${prop} "${relationship}" is not a relationship of ${type.type}: use one of ${known.map(r => `"${r}"`).join(', ')}`);
    }
  }
}
