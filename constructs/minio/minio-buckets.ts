import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  BoundCredentials, Credentials, dnsLabel, ensureUniqueObjectNames, intInRange, IPodSelectable, JOB_NAME_MAX_LENGTH, oneOf, PodNetworkPolicy,
  restrictedJob, urlSafeSecret,
} from '../core';
import { IS3Data, IS3Endpoint, S3CredentialsClass } from '../s3';
import { TlsTrustStore } from '../secret-operator';
import { connectToMinio, MC_ALIAS, mcContainer, mcVolumes, RETRY_FUNCTION } from './mc-client';
import { MinioServer } from './minio-server';

/**
 * Anonymous access to a bucket, the permissions of `mc anonymous set` (minio/mc
 * RELEASE.2025-04-16T18-13-26Z cmd/anonymous-main.go `checkAnonymousSyntax`): `none` (only
 * signed requests), `download` (anyone may list and read), `upload` (anyone may write),
 * `public` (both).
 */
export type BucketPolicy = 'none' | 'download' | 'upload' | 'public';

/** The {@link BucketPolicy} values. */
export const BUCKET_POLICIES: readonly BucketPolicy[] = ['none', 'download', 'upload', 'public'];

/** A bucket and its anonymous access. */
export interface MinioBucket {
  /** Bucket name: 3-63 lower-case letters, digits and '-'. */
  readonly name: string;
  /**
   * Anonymous access, set by every run of the Job (so a policy changed here replaces the one
   * MinIO has; `none` removes anonymous access again).
   * @default - not set: the Job leaves the bucket's anonymous access as it is (none for a new bucket)
   */
  readonly policy?: BucketPolicy;
}

/** What a {@link MinioUser} may do in one bucket: `read` (list and get) or `readwrite` (also put, delete, multipart uploads). */
export type BucketAccess = 'read' | 'readwrite';

/** The {@link BucketAccess} values. */
export const BUCKET_ACCESS: readonly BucketAccess[] = ['read', 'readwrite'];

/**
 * A MinIO user of its own, with access to some buckets only (no other bucket, no bucket creation,
 * no admin API): the S3 credentials to give products instead of MinIO's root user.
 */
export interface MinioUser {
  /**
   * Its credentials: the user name is the access key (3+ characters), the password the secret key
   * (8+ characters), both of A-Z a-z 0-9 . _ ~ - (MinIO's limits, and URL-safe for `mc`).
   */
  readonly credentials: Credentials;
  /** Its access, by bucket; each bucket must be one of `buckets`. */
  readonly access: Readonly<Record<string, BucketAccess>>;
  /**
   * The S3CredentialsClass its Secret is labelled for: S3Connections on {@link MinioBuckets.endpointFor}
   * this user hand these credentials to the products.
   * @default - labelled for no class
   */
  readonly credentialsClass?: S3CredentialsClass;
}

/** Props of {@link MinioBuckets}. */
export interface MinioBucketsProps {
  /** The MinIO server. */
  readonly minio: MinioServer;
  /** Trust for MinIO's certificate. */
  readonly trust: TlsTrustStore;
  /** Buckets to create: names, or names with an anonymous-access policy. */
  readonly buckets: Array<string | MinioBucket>;
  /**
   * Users to create (or update) with their bucket access, by name (a DNS label; also the name of
   * the user's MinIO policy and part of its Secret's name, `<minio name>-<name>-s3-credentials`).
   * @default - none: only the root user exists
   */
  readonly users?: Readonly<Record<string, MinioUser>>;
  /** Name of the Job, before its content hash (see `restrictedJob`). @default '<minio name>-buckets' */
  readonly name?: string;
  /** How long the Job waits for MinIO to answer before it fails. @default 900 */
  readonly waitSeconds?: number;
  /** `mc` image. @default IMAGES.mc */
  readonly image?: string;
  /** Create a NetworkPolicy: no ingress; egress only to MinIO's S3 API and the cluster DNS. @default false */
  readonly networkPolicy?: boolean;
}

/**
 * A Job that creates buckets in MinIO: waits until MinIO answers (TLS verified), then
 * `mc mb --ignore-existing` for each bucket and `mc anonymous set` for each bucket with a policy;
 * then each user with its policy (`mc admin user add`, `mc admin policy create` and `attach`), so
 * rerunning it is harmless (a changed password or access replaces the old one).
 */
export class MinioBuckets extends Construct implements IPodSelectable {
  /** The Job (also `ApiObject.of(this)`); content-named, see `restrictedJob`. */
  public readonly job: k8s.KubeJob;
  /** The bucket names, in order. */
  public readonly buckets: string[];
  /** The anonymous-access policy of each bucket that has one. */
  public readonly policies: Readonly<Record<string, BucketPolicy>>;
  /** The users' credentials Secrets (keys `accessKey`, `secretKey`), by user name. */
  public readonly users: Readonly<Record<string, BoundCredentials>>;
  /** Labels of the Job's pod. */
  public readonly podSelector: Record<string, string>;
  private readonly owner: string;
  private readonly userClasses: Record<string, S3CredentialsClass | undefined> = {};
  private readonly props: MinioBucketsProps;

  constructor(scope: Construct, id: string, props: MinioBucketsProps) {
    super(scope, id);
    ensureUniqueObjectNames(this);
    const owner = `MinioBuckets ${id}`;
    this.owner = owner;
    this.props = props;
    const name = dnsLabel(owner, 'name', props.name ?? `${props.minio.serviceName}-buckets`, JOB_NAME_MAX_LENGTH);
    props.trust.checkTrusts(owner, props.minio);
    const specs = props.buckets.map(b => (typeof b === 'string' ? { name: b } : b));
    this.buckets = specs.map(b => b.name);
    if (this.buckets.length === 0) throw new Error(`${owner}: buckets must list at least one bucket`);
    // S3 bucket names: 3-63 characters of lower-case letters, digits and '-'.
    this.buckets.forEach((b, i) => dnsLabel(owner, `buckets[${i}]`, b));
    this.buckets.forEach((b, i) => { if (b.length < 3) throw new Error(`${owner}: buckets[${i}] "${b}" must have at least 3 characters`); });
    this.buckets.forEach((b, i) => { if (this.buckets.indexOf(b) !== i) throw new Error(`${owner}: buckets[${i}] "${b}" is listed twice`); });
    const policies: Record<string, BucketPolicy> = {};
    specs.forEach((b, i) => { if (b.policy !== undefined) policies[b.name] = oneOf(owner, `buckets[${i}].policy`, b.policy, BUCKET_POLICIES); });
    this.policies = policies;
    // `<bucket>=<policy>` words; names and policies have no '=' or blanks (checked above).
    const policyWords = Object.entries(policies).map(([b, p]) => `${b}=${p}`).join(' ');
    const waitSeconds = intInRange(owner, 'waitSeconds', props.waitSeconds ?? 900, 1);
    const users: Record<string, BoundCredentials> = {};
    const userEnv: k8s.EnvVar[] = [];
    const userLines: string[] = [];
    Object.entries(props.users ?? {}).forEach(([userName, user], i) => {
      dnsLabel(owner, `users key "${userName}"`, userName);
      urlSafeSecret(owner, `users.${userName}.credentials.username`, user.credentials.username, 3);
      if (user.credentials.password !== undefined) urlSafeSecret(owner, `users.${userName}.credentials.password`, user.credentials.password, 8);
      if (user.credentials.username === props.minio.credentials.username) {
        throw new Error(`${owner}: users.${userName}.credentials.username "${user.credentials.username}" is MinIO's root user: give the user a name of its own`);
      }
      const access = Object.entries(user.access);
      if (access.length === 0) throw new Error(`${owner}: users.${userName}.access must name at least one bucket`);
      access.forEach(([bucket, level]) => {
        this.requireBucket(owner, `users.${userName}.access bucket`, bucket);
        oneOf(owner, `users.${userName}.access.${bucket}`, level, BUCKET_ACCESS);
      });
      users[userName] = user.credentials.bind(this, `User${i}`, {
        secretName: `${props.minio.serviceName}-${userName}-s3-credentials`, usernameKey: 'accessKey', passwordKey: 'secretKey',
        labels: user.credentialsClass?.secretLabels,
      });
      this.userClasses[userName] = user.credentialsClass;
      userEnv.push(users[userName].usernameEnv(`USER_${i}_ACCESS_KEY`), users[userName].passwordEnv(`USER_${i}_SECRET_KEY`),
        { name: `USER_${i}_POLICY`, value: JSON.stringify(userPolicy(access)) });
      // The secret key reaches mc on its standard input, never on a command line: `mc admin user
      // add ALIAS ACCESSKEY` reads it from there (mc RELEASE.2025-04-16T18-13-26Z
      // cmd/admin-user-add.go). `policy create` of an existing name replaces it, `attach` of an
      // attached policy succeeds (both run against MinIO by the jobs suite).
      userLines.push(
        `printf '%s\\n' "$USER_${i}_SECRET_KEY" | mc admin user add ${MC_ALIAS} "$USER_${i}_ACCESS_KEY" >/dev/null`,
        `printf '%s' "$USER_${i}_POLICY" | mc admin policy create ${MC_ALIAS} ${userName} /dev/stdin >/dev/null`,
        `mc admin policy attach ${MC_ALIAS} ${userName} --user "$USER_${i}_ACCESS_KEY" >/dev/null`,
        `echo "user ready: $USER_${i}_ACCESS_KEY (policy ${userName})"`,
      );
    });
    this.users = users;
    this.podSelector = { 'app.kubernetes.io/name': 'minio-buckets', 'app.kubernetes.io/instance': name };

    const script = [
      'set -eu',
      RETRY_FUNCTION,
      `retry "mc ls ${MC_ALIAS}" "$WAIT_SECONDS"`,
      `for bucket in $BUCKETS; do mc mb --ignore-existing "${MC_ALIAS}/$bucket"; done`,
      ...(policyWords === '' ? [] : [
        `for entry in $BUCKET_POLICIES; do mc anonymous set "\${entry#*=}" "${MC_ALIAS}/\${entry%%=*}"; done`,
      ]),
      'echo "buckets ready: $BUCKETS"',
      ...userLines,
    ].join('\n');
    connectToMinio(this, props.minio, name, props.networkPolicy ?? false);
    this.job = restrictedJob(this, {
      name,
      labels: this.podSelector,
      backoffLimit: 4,
      pod: {
        containers: [mcContainer({
          name: 'create-buckets', minio: props.minio, trust: props.trust, script, image: props.image,
          env: [
            { name: 'BUCKETS', value: this.buckets.join(' ') },
            ...(policyWords === '' ? [] : [{ name: 'BUCKET_POLICIES', value: policyWords }]),
            { name: 'WAIT_SECONDS', value: String(waitSeconds) },
            ...userEnv,
          ],
        })],
        volumes: mcVolumes(props.trust),
      },
    });
  }

  /**
   * MinIO as an S3 endpoint seen with the credentials of `user` (one of {@link users}): pass it to
   * an S3Connection, whose products then get this user's Secret through its credentialsClass.
   * Throws for an unknown user, or one whose Secret is labelled for no S3CredentialsClass.
   */
  public endpointFor(user: string): IS3Endpoint {
    if (!(user in this.users)) {
      throw new Error(`${this.owner}: endpointFor(user) "${user}" is not one of the users (${Object.keys(this.users).map(u => `"${u}"`).join(', ') || 'none'})`);
    }
    const credentialsClass = this.userClasses[user];
    if (credentialsClass === undefined) {
      throw new Error(`${this.owner}: users.${user} has no credentialsClass, so no S3Connection can hand its credentials to products: give it one`);
    }
    const { minio } = this.props;
    return { host: minio.host, apiPort: minio.apiPort, tlsSecretClass: minio.tlsSecretClass, credentialsClass };
  }

  /**
   * A location below one of these buckets, for a consumer that writes there (a Trino schema's
   * `location`, a Spark job's output): as {@link IS3Data}, its wait-for-data container blocks
   * until the bucket exists (`mc stat` of the bucket succeeds), so pass it as the consumer's
   * `waitFor` and use its `s3aUrl`. Throws for a bucket this Job does not create, naming those it does.
   * @param bucket one of {@link buckets}
   * @param prefix key prefix below the bucket: '' or segments each ending in '/', e.g. 'tpch/'
   */
  public location(bucket: string, prefix = ''): IS3Data {
    this.requireBucket(this.owner, 'location(bucket)', bucket);
    if (prefix !== '' && !/^([A-Za-z0-9._-]+\/)+$/.test(prefix)) {
      throw new Error(`${this.owner}: location(prefix) "${prefix}" must be '' or a key prefix like "tpch/" (segments of A-Z a-z 0-9 . _ -, each ending in '/')`);
    }
    // `mc stat ALIAS/BUCKET` exits 0 with the bucket's properties, 1 for a bucket that does not
    // exist (mc RELEASE.2025-04-16T18-13-26Z, the jobs suite runs it against MinIO).
    return this.mcWait(bucket, prefix, 'wait-for-bucket', { name: 'BUCKET', value: `${MC_ALIAS}/${bucket}` },
      ['set -eu', 'until mc stat "$BUCKET" >/dev/null 2>&1; do echo "waiting for bucket $BUCKET"; sleep 5; done', 'echo "bucket present: $BUCKET"']);
  }

  /**
   * Objects that another program writes below one of these buckets (e.g. an Iceberg table's
   * `metadata/` folder, which the table's creator writes first): as {@link IS3Data}, its
   * wait-for-data container blocks until at least one object exists under `prefix`, for a consumer
   * that may start only once they exist (a view over a table another job creates). Throws for a
   * bucket this Job does not create, naming those it does.
   * @param bucket one of {@link buckets}
   * @param prefix key prefix below the bucket: segments each ending in '/', e.g. 'schema/table/metadata/'
   */
  public objectsUnder(bucket: string, prefix: string): IS3Data {
    this.requireBucket(this.owner, 'objectsUnder(bucket)', bucket);
    if (!/^([A-Za-z0-9._-]+\/)+$/.test(prefix)) {
      throw new Error(`${this.owner}: objectsUnder(prefix) "${prefix}" must be a key prefix like "schema/table/metadata/" (segments of A-Z a-z 0-9 . _ -, each ending in '/')`);
    }
    // `mc ls --recursive ALIAS/BUCKET/PREFIX` prints a line per object below the prefix and
    // nothing when there is none (mc RELEASE.2025-04-16T18-13-26Z, the jobs suite runs it
    // against MinIO); the test is on its output, whatever its exit status.
    return this.mcWait(bucket, prefix, 'wait-for-objects', { name: 'PREFIX', value: `${MC_ALIAS}/${bucket}/${prefix}` },
      ['set -u', 'until [ -n "$(mc ls --recursive "$PREFIX" 2>/dev/null)" ]; do echo "waiting for objects under $PREFIX"; sleep 5; done',
        'echo "objects present under $PREFIX"']);
  }

  /** An {@link IS3Data} below `bucket` whose wait container runs `script` (mc, MinIO's trust) with `env`. */
  private mcWait(bucket: string, prefix: string, defaultName: string, env: k8s.EnvVar, script: string[]): IS3Data {
    const { minio, trust, image } = this.props;
    return {
      bucket, prefix, s3aUrl: `s3a://${bucket}/${prefix}`,
      waitForDataContainer: (name = defaultName) => mcContainer({ name, minio, trust, image, env: [env], script: script.join('\n') }),
      waitForDataVolumes: () => mcVolumes(trust),
      allowReader: (client: IPodSelectable, policy?: PodNetworkPolicy) => {
        minio.allowFrom(client);
        policy?.allowTo(minio, [minio.apiPort]);
      },
    };
  }

  /**
   * `bucket`, if this bootstrap creates it; otherwise throws naming `owner`, its prop `prop` and the
   * buckets there are (and `bootstrapProp`, the owner's prop holding this bootstrap, when given).
   */
  public requireBucket(owner: string, prop: string, bucket: string, bootstrapProp?: string): string {
    if (!this.buckets.includes(bucket)) {
      const via = bootstrapProp === undefined ? '' : ` (${bootstrapProp})`;
      throw new Error(`${owner}: ${prop} "${bucket}" is not created by the bucket bootstrap${via}: use one of ${this.buckets.map(b => `"${b}"`).join(', ')}`);
    }
    return bucket;
  }
}

/**
 * The IAM policy of a user: list its buckets and read their objects; with `readwrite` also write
 * and delete objects and run multipart uploads (what Spark's S3A, Trino and Iceberg do when they
 * write; e2e runs them with such a user). No bucket creation or deletion, no bucket policy, no admin.
 */
function userPolicy(access: Array<[string, BucketAccess]>): object {
  const read = ['s3:GetObject'];
  const write = ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'];
  return {
    Version: '2012-10-17',
    Statement: access.flatMap(([bucket, level]) => [
      { Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:ListBucket', ...(level === 'readwrite' ? ['s3:ListBucketMultipartUploads'] : [])], Resource: [`arn:aws:s3:::${bucket}`] },
      { Effect: 'Allow', Action: level === 'readwrite' ? [...read, ...write] : read, Resource: [`arn:aws:s3:::${bucket}/*`] },
    ]),
  };
}
