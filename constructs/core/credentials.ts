import { k8s } from 'cdk8s-plus-28';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { dnsSubdomain, nonEmpty } from './validate';

/**
 * Where a user name and password come from: written by this library into a new Secret
 * (`Credentials.literal`, demo defaults) or taken from a Secret that already exists in the
 * namespace (`Credentials.fromSecret`). The consumer decides the Secret's layout (key names,
 * labels), see {@link SecretLayout}; an existing Secret must follow that layout.
 */
export abstract class Credentials {
  /** A user name and password written into a Secret that this library creates. */
  public static literal(username: string, password: string): Credentials {
    return new LiteralCredentials(nonEmpty('Credentials.literal', 'username', username), password);
  }

  /**
   * A Secret that exists already (created outside the chart). `username` is the user name the
   * Secret holds a password for; it is not secret and is needed at synth time (e.g. in URLs).
   */
  public static fromSecret(secretName: string, username: string): Credentials {
    return new SecretCredentials(dnsSubdomain('Credentials.fromSecret', 'secretName', secretName), nonEmpty('Credentials.fromSecret', 'username', username));
  }

  /** The user name. */
  public abstract readonly username: string;
  /** The password when it is known at synth time (literal credentials), else `undefined`. */
  public abstract readonly password: string | undefined;

  /**
   * Returns the Secret holding these credentials in `layout`: a new one created in `scope` for
   * literal credentials, or the referenced one.
   */
  public abstract bind(scope: Construct, id: string, layout: SecretLayout): BoundCredentials;
}

/** How a consumer wants credentials laid out in a Secret. */
export interface SecretLayout {
  /** Name of the Secret created for literal credentials. */
  readonly secretName: string;
  /** Key holding the password. */
  readonly passwordKey: string;
  /** Key holding the user name. @default - the user name is not stored */
  readonly usernameKey?: string;
  /** Further fixed keys written into a created Secret. @default - none */
  readonly extraData?: Record<string, string>;
  /** Labels on a created Secret (an existing Secret must carry them itself). @default - none */
  readonly labels?: Record<string, string>;
}

/** Credentials resolved to a Secret. */
export class BoundCredentials {
  constructor(
    /** Name of the Secret. */
    public readonly secretName: string,
    /** The user name. */
    public readonly username: string,
    /** Key of the password in the Secret. */
    public readonly passwordKey: string,
    /** Key of the user name in the Secret, if stored. */
    public readonly usernameKey: string | undefined,
    /**
     * The password, when it was given literally (it is in the chart's Secret anyway), for checks
     * of where it is embedded; undefined for an existing Secret.
     */
    public readonly password?: string,
  ) {}

  /** An environment variable read from the password key. */
  public passwordEnv(name: string): k8s.EnvVar {
    return { name, valueFrom: { secretKeyRef: { name: this.secretName, key: this.passwordKey } } };
  }

  /** An environment variable read from the user-name key (or the literal name when not stored). */
  public usernameEnv(name: string): k8s.EnvVar {
    if (this.usernameKey === undefined) return { name, value: this.username };
    return { name, valueFrom: { secretKeyRef: { name: this.secretName, key: this.usernameKey } } };
  }
}

class LiteralCredentials extends Credentials {
  constructor(public readonly username: string, public readonly password: string) {
    super();
    if (password.length === 0) throw new Error('Credentials.literal: password must not be empty');
  }

  public bind(scope: Construct, id: string, layout: SecretLayout): BoundCredentials {
    const stringData: Record<string, string> = { ...(layout.extraData ?? {}) };
    if (layout.usernameKey !== undefined) stringData[layout.usernameKey] = this.username;
    stringData[layout.passwordKey] = this.password;
    const secret = new kplus.Secret(scope, id, {
      metadata: { name: layout.secretName, labels: layout.labels },
      stringData,
    });
    return new BoundCredentials(secret.name, this.username, layout.passwordKey, layout.usernameKey, this.password);
  }
}

class SecretCredentials extends Credentials {
  public readonly password = undefined;
  constructor(private readonly secretName: string, public readonly username: string) {
    super();
  }

  public bind(_scope: Construct, _id: string, layout: SecretLayout): BoundCredentials {
    return new BoundCredentials(this.secretName, this.username, layout.passwordKey, layout.usernameKey);
  }
}
