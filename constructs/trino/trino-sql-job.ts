import { k8s } from 'cdk8s-plus-28';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  BoundCredentials, containerResources, dnsLabel, ensureUniqueObjectNames, intInRange, IPodSelectable, PodNetworkPolicy, podVolumes, Resources,
  restrictedContainer, restrictedJob, scratchVolume, STACKABLE_IMAGE_USER, stackableImage, validateResources, memoryLimit,
} from '../core';
import { IS3Data } from '../s3';
import { TlsTrustStore } from '../secret-operator';
import { TrinoCluster } from './trino-cluster';

/** Props of {@link TrinoSqlJob}. */
export interface TrinoSqlJobProps {
  /** The Trino cluster the statements run in. */
  readonly trino: TrinoCluster;
  /** CA trust for Trino's certificate; must be of the SecretClass that issues it. */
  readonly trust: TlsTrustStore;
  /** SQL statements, run in order; the Job fails at the first one that fails. Without the final `;`. */
  readonly statements: string[];
  /** Name of the Job and of its statements ConfigMap. @default '<trino name>-sql' */
  readonly name?: string;
  /** The Trino user and password. @default - Trino's admin (`trino.admin`) */
  readonly user?: BoundCredentials;
  /** How long the Job waits for Trino to answer before it fails, in seconds. @default 1800 */
  readonly waitSeconds?: number;
  /**
   * Data the statements read (e.g. files a `CREATE TABLE ... WITH (external_location = ...)` points
   * at): the Job's pod waits in an init container until the data is complete.
   * @default - waits for no data
   */
  readonly waitFor?: IS3Data[];
  /** Trino CLI image (runs as the Stackable images' user). @default - the Stackable trino-cli image of the cluster's version */
  readonly image?: string;
  /**
   * CPU and memory. The memory must hold the CLI's JVM: at least {@link TRINO_CLI_MIN_MEMORY_MI}.
   * @default 100m-1000m CPU, 1280 MiB
   */
  readonly resources?: Resources;
  /** Create a NetworkPolicy: no ingress; egress only to Trino's pods and the cluster DNS. @default false */
  readonly networkPolicy?: boolean;
}

/**
 * Where the Stackable `trino-cli` image has the CLI (stackabletech/docker-images 26.7.0
 * trino-cli/Dockerfile: `WORKDIR /stackable/trino-cli`, `ln -s trino-cli-${PRODUCT_VERSION} trino-cli`,
 * `ENTRYPOINT ["/stackable/trino-cli/trino-cli"]`, on java-base, which has bash; trino-cli/boil-config.toml
 * builds it for Trino 481, the cluster's version, tagged like the product images).
 */
export const TRINO_CLI = '/stackable/trino-cli/trino-cli';

/**
 * The heap the CLI's JVM may grow to: the CLI is Trino's executable jar, whose `#!/bin/sh`
 * preamble runs `exec java -Xmx1G --enable-native-access=ALL-UNNAMED -XX:+IgnoreUnrecognizedVMOptions
 * -jar "$0" "$@"` (trinodb/trino 481 client/trino-cli/pom.xml, really-executable-jar-maven-plugin
 * `<flags>`; the same in 476, whose jar's first line the superset and e2e suites run). Neither
 * JAVA_TOOL_OPTIONS nor JDK_JAVA_OPTIONS lowers it: the command line's -Xmx comes after them.
 */
const TRINO_CLI_MAX_HEAP_MI = 1024;
/**
 * Memory of the JVM beside its heap: metaspace, class data, code cache, GC structures and threads
 * (about 65 MiB with the Serial GC, 100 MiB with G1 for the CLI on Temurin 25, measured with
 * -XX:NativeMemoryTracking), with room to spare.
 */
const JVM_NON_HEAP_MI = 256;
/** The least memory a TrinoSqlJob's container gets: the CLI's heap limit plus the JVM's own memory. */
export const TRINO_CLI_MIN_MEMORY_MI = TRINO_CLI_MAX_HEAP_MI + JVM_NON_HEAP_MI;

const SQL_FILE = 'statements.sql';

/**
 * A Job that runs SQL statements in Trino with the Trino CLI, e.g. to create tables over raw files
 * or views for a dashboard. It waits until Trino answers `SELECT 1`, then runs the statements
 * from a ConfigMap (after the data of `waitFor`, if given, is complete). TLS is verified against the trust store's CA and the host name in Trino's
 * certificate ({@link TrinoCluster.host}); the password reaches the CLI through `TRINO_PASSWORD`
 * from its Secret, never on a command line. Statements that create objects should be idempotent
 * (`CREATE ... IF NOT EXISTS`), so that a retried or rerun Job does no harm.
 */
export class TrinoSqlJob extends Construct implements IPodSelectable {
  /** The ConfigMap of the statements. */
  public readonly statementsConfigMap: kplus.ConfigMap;
  /** The Job (also `ApiObject.of(this)`); content-named, see `restrictedJob`. */
  public readonly job: k8s.KubeJob;
  /** Labels of the Job's pod. */
  public readonly podSelector: Record<string, string>;
  /** The statements, as run. */
  public readonly statements: string[];

  constructor(scope: Construct, id: string, props: TrinoSqlJobProps) {
    super(scope, id);
    ensureUniqueObjectNames(this);
    const owner = `TrinoSqlJob ${id}`;
    const name = dnsLabel(owner, 'name', props.name ?? `${props.trino.name}-sql`, 52);
    const waitSeconds = intInRange(owner, 'waitSeconds', props.waitSeconds ?? 1800, 1);
    const resources = validateResources(owner, 'resources', props.resources ?? { cpuRequestMillis: 100, cpuLimitMillis: 1000, memoryMi: TRINO_CLI_MIN_MEMORY_MI });
    if (memoryLimit(resources).mi < TRINO_CLI_MIN_MEMORY_MI) {
      throw new Error(`${owner}: resources.${memoryLimit(resources).written} is below ${TRINO_CLI_MIN_MEMORY_MI}: the trino-cli launcher starts Java with -Xmx1G, whose heap plus the JVM's own memory would exceed the container's limit (OOM kill); give at least ${TRINO_CLI_MIN_MEMORY_MI}`);
    }
    if (props.statements.length === 0) throw new Error(`${owner}: statements must list at least one SQL statement`);
    this.statements = props.statements.map((s, i) => {
      const sql = s.trim().replace(/;$/, '').trim();
      if (sql === '') throw new Error(`${owner}: statements[${i}] is empty`);
      return sql;
    });
    props.trust.checkTrusts(owner, props.trino);
    const user = props.user ?? props.trino.admin;
    const waitFor = props.waitFor ?? [];
    this.podSelector = { 'app.kubernetes.io/name': 'trino-sql', 'app.kubernetes.io/instance': name };

    const sql = this.statementsConfigMap = new kplus.ConfigMap(this, 'Statements', {
      metadata: { name: `${name}-statements` },
      data: { [SQL_FILE]: this.statements.map(s => `${s};\n`).join('') },
    });
    const script = [
      'set -euo pipefail',
      `cli() { "${TRINO_CLI}" --server "$TRINO_SERVER" --user "$TRINO_USER" --password --truststore-path "$TRUST_FILE" "$@"; }`,
      'deadline=$(( $(date +%s) + WAIT_SECONDS ))',
      "until cli --execute 'SELECT 1' >/dev/null 2>&1; do",
      '  if [ "$(date +%s)" -ge "$deadline" ]; then echo "Trino at $TRINO_SERVER did not answer within $WAIT_SECONDS s" >&2; cli --execute "SELECT 1" >&2 || true; exit 1; fi',
      '  echo "waiting for Trino at $TRINO_SERVER"; sleep 10',
      'done',
      `cli --file "/sql/${SQL_FILE}"`,
      `echo "ran ${this.statements.length} statement(s)"`,
    ].join('\n');

    const policy = props.networkPolicy ?? false ? new PodNetworkPolicy(this, 'NetworkPolicy', { name, target: this }) : undefined;
    policy?.allowTo(props.trino, [props.trino.port]);
    policy?.allowDns();
    for (const data of waitFor) data.allowReader(this, policy);
    this.job = restrictedJob(this, {
      name,
      labels: this.podSelector,
      backoffLimit: 4,
      user: STACKABLE_IMAGE_USER,
      pod: {
        initContainers: waitFor.length > 0 ? waitFor.map((data, i) => data.waitForDataContainer(`wait-for-data-${i}`)) : undefined,
        containers: [{
          name: 'sql',
          image: props.image ?? stackableImage('trino-cli', props.trino.productVersion),
          command: ['/bin/bash', '-c', script],
          env: [
            { name: 'TRINO_SERVER', value: props.trino.url },
            user.usernameEnv('TRINO_USER'),
            // The CLI reads the password of --password from TRINO_PASSWORD instead of prompting.
            user.passwordEnv('TRINO_PASSWORD'),
            { name: 'TRUST_FILE', value: props.trust.caFile },
            { name: 'WAIT_SECONDS', value: String(waitSeconds) },
            { name: 'HOME', value: '/tmp' },
          ],
          resources: containerResources(resources),
          securityContext: restrictedContainer(),
          volumeMounts: [props.trust.volumeMount(), { name: 'sql', mountPath: '/sql', readOnly: true }, { name: 'tmp', mountPath: '/tmp' }],
        }],
        volumes: podVolumes(owner, [props.trust.volume(), { name: 'sql', configMap: { name: sql.name } }, scratchVolume('tmp', 64)], ...waitFor.map(d => d.waitForDataVolumes())),
      },
    });
  }
}
