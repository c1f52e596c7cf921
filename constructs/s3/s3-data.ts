import { k8s } from 'cdk8s-plus-28';
import { IPodSelectable, PodNetworkPolicy } from '../core';

/**
 * Files in S3 that a load Job writes and consumers wait for (e.g. `S3FileLoad`). Consumers read
 * it by URL and start only after it is complete: they add {@link waitForDataContainer} as an init
 * container and {@link waitForDataVolumes} to their pod.
 */
export interface IS3Data {
  /** Bucket of the files. */
  readonly bucket: string;
  /** Key prefix of the files (ending in '/'). */
  readonly prefix: string;
  /** The files' S3A URL, e.g. `s3a://lake/raw/trips/`. */
  readonly s3aUrl: string;
  /** An init container that blocks until the data is complete. */
  waitForDataContainer(name?: string): k8s.Container;
  /** The pod volumes {@link waitForDataContainer} needs. */
  waitForDataVolumes(): k8s.Volume[];
  /**
   * Lets the pods of `client` reach the data's S3 server (its wait container does): the server
   * accepts them, and `policy`, the client's own NetworkPolicy if it has one, allows egress to it.
   */
  allowReader(client: IPodSelectable, policy?: PodNetworkPolicy): void;
}
