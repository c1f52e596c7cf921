import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ImageUser } from './images';
import { NON_ROOT_UID, restrictedPod } from './pod-security';

/** Props of {@link restrictedJob}. */
export interface RestrictedJobProps {
  /** Name of the Job. */
  readonly name: string;
  /** Labels of the Job and its pod. */
  readonly labels: Record<string, string>;
  /** Retries of a failed pod. */
  readonly backoffLimit: number;
  /** The pod's containers, init containers and volumes. */
  readonly pod: Pick<k8s.PodSpec, 'containers' | 'initContainers' | 'volumes'>;
  /** The user the pod runs as; images built for one user (Stackable's) need theirs. @default - UID and GID {@link NON_ROOT_UID} */
  readonly user?: ImageUser;
}

/**
 * A one-off Job as this library writes them: restarted on failure, no service-account token
 * (none of our Jobs talks to the Kubernetes API), Pod Security "restricted" as `user` (default UID
 * {@link NON_ROOT_UID}).
 * Created with id `Resource`.
 */
export function restrictedJob(scope: Construct, props: RestrictedJobProps): k8s.KubeJob {
  const names = (props.pod.volumes ?? []).map(v => v.name);
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (twice.length > 0) throw new Error(`${scope.node.path}: Job ${props.name} has the volume(s) ${[...new Set(twice)].join(', ')} twice (a helper already adds them)`);
  return new k8s.KubeJob(scope, 'Resource', {
    metadata: { name: props.name, labels: props.labels },
    spec: {
      backoffLimit: props.backoffLimit,
      template: {
        metadata: { labels: props.labels },
        spec: {
          restartPolicy: 'OnFailure',
          automountServiceAccountToken: false,
          securityContext: props.user === undefined ? restrictedPod(NON_ROOT_UID) : restrictedPod(props.user.uid, props.user.gid, props.user.fsGroup),
          ...props.pod,
        },
      },
    },
  });
}
