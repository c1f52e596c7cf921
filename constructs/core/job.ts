import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ImageUser } from './images';
import { CONTENT_HASH_LENGTH, contentName } from './content-name';
import { NON_ROOT_UID, restrictedPod } from './pod-security';

/**
 * Longest name a Job of {@link restrictedJob} may be given: the hash suffix must fit, and the Job
 * controller copies the Job's name into the label `batch.kubernetes.io/job-name` of its pods
 * (label values have at most 63 characters).
 */
export const JOB_NAME_MAX_LENGTH = 63 - 1 - CONTENT_HASH_LENGTH;

/**
 * How long a finished Job (and its pod) stays before the TTL-after-finished controller deletes it:
 * a day, to read its logs. An unchanged Job that is applied again after that is created again and
 * reruns, which every Job of this library tolerates (they skip or overwrite what exists).
 */
export const JOB_TTL_SECONDS_AFTER_FINISHED = 86400;

/**
 * The volumes of a pod made of parts that bring their own (e.g. a trust store volume that both the
 * main container and an init container of `IS3Data.waitForDataContainer` mount): volumes with the
 * same name and the same definition become one; the same name with different definitions is an
 * error naming `owner`, since one container would read the other's volume.
 */
export function podVolumes(owner: string, ...parts: ReadonlyArray<k8s.Volume>[]): k8s.Volume[] {
  const byName = new Map<string, k8s.Volume>();
  for (const volume of parts.flat()) {
    const seen = byName.get(volume.name);
    if (seen === undefined) byName.set(volume.name, volume);
    else if (JSON.stringify(seen) !== JSON.stringify(volume)) {
      throw new Error(`${owner}: two different volumes are named "${volume.name}" (${JSON.stringify(seen)} and ${JSON.stringify(volume)}): rename one`);
    }
  }
  return [...byName.values()];
}

/** Props of {@link restrictedJob}. */
export interface RestrictedJobProps {
  /** Name of the Job. */
  readonly name: string;
  /**
   * Construct id of the Job in `scope`: give each Job its own when one construct writes several.
   * @default 'Resource'
   */
  readonly id?: string;
  /** Labels of the Job and its pod. */
  readonly labels: Record<string, string>;
  /** Retries of a failed pod. */
  readonly backoffLimit: number;
  /** The pod's containers, init containers and volumes. */
  readonly pod: Pick<k8s.PodSpec, 'containers' | 'initContainers' | 'volumes'>;
  /** The user the pod runs as; images built for one user (Stackable's) need theirs. @default - UID and GID {@link NON_ROOT_UID} */
  readonly user?: ImageUser;
  /**
   * Annotations of the pod: put a checksum of every input outside the Job (the data of the
   * ConfigMaps it mounts) here, so that a changed input renames the Job. @default - none
   */
  readonly podAnnotations?: Record<string, string>;
}

/**
 * A one-off Job as this library writes them: restarted on failure, no service-account token
 * (none of our Jobs talks to the Kubernetes API), Pod Security "restricted" as `user` (default UID
 * {@link NON_ROOT_UID}).
 * Created with id `props.id` (default `Resource`).
 *
 * Upgrades: the Job is named `<name>-<hash of its spec>` ({@link contentName}), because a Job's pod
 * template is immutable. Applying a changed Job creates a new one, which runs; an unchanged one
 * keeps its name and is left alone. Finished Jobs are deleted after
 * {@link JOB_TTL_SECONDS_AFTER_FINISHED}; pruning on apply (README) or `helm upgrade` delete the
 * replaced one at once. The labels carry `name`, not the hash, so selectors stay stable.
 */
export function restrictedJob(scope: Construct, props: RestrictedJobProps): k8s.KubeJob {
  if (props.name.length > JOB_NAME_MAX_LENGTH) {
    throw new Error(`restrictedJob: name "${props.name}" is longer than ${JOB_NAME_MAX_LENGTH} characters (the Job's name gets a ${CONTENT_HASH_LENGTH + 1}-character hash suffix)`);
  }
  const names = (props.pod.volumes ?? []).map(v => v.name);
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (twice.length > 0) throw new Error(`${scope.node.path}: Job ${props.name} has the volume(s) ${[...new Set(twice)].join(', ')} twice (a helper already adds them)`);
  const id = props.id ?? 'Resource';
  if (scope.node.tryFindChild(id) !== undefined) {
    throw new Error(`${scope.node.path}: restrictedJob: scope has a child "${id}" already (a second Job in one construct needs its own id: RestrictedJobProps.id)`);
  }
  const job = new k8s.KubeJob(scope, id, {
    metadata: { name: props.name, labels: props.labels },
    spec: {
      backoffLimit: props.backoffLimit,
      ttlSecondsAfterFinished: JOB_TTL_SECONDS_AFTER_FINISHED,
      template: {
        metadata: { labels: props.labels, annotations: props.podAnnotations },
        spec: {
          restartPolicy: 'OnFailure',
          automountServiceAccountToken: false,
          securityContext: props.user === undefined ? restrictedPod(NON_ROOT_UID) : restrictedPod(props.user.uid, props.user.gid, props.user.fsGroup),
          ...props.pod,
        },
      },
    },
  });
  contentName(job);
  return job;
}
