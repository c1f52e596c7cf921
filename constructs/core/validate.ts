/**
 * Synth-time validation of construct props. Every failure throws an Error whose message names the
 * owner (construct class), the prop, the bad value and what is allowed, e.g.
 * `S3FileLoad Load: prefix "raw" must be a key prefix like "raw/trips/"`.
 */
import { isIPv4, isIPv6 } from 'net';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
// apimachinery pkg/util/validation/validation.go: qualifiedNameFmt (label keys' names, label values).
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function fail(owner: string, prop: string, value: unknown, problem: string): never {
  throw new Error(`${owner}: ${prop} ${JSON.stringify(value)} ${problem}`);
}

/** A Kubernetes object name usable as a Service name too (RFC 1123 label, at most `maxLength`). */
export function dnsLabel(owner: string, prop: string, value: string, maxLength = 63): string {
  if (value.length === 0 || value.length > maxLength || !DNS_LABEL.test(value)) {
    fail(owner, prop, value, `is not a valid name: use 1-${maxLength} lower-case letters, digits and '-', starting and ending with a letter or digit`);
  }
  return value;
}

/** A Kubernetes object name (RFC 1123 subdomain), e.g. a Secret or ConfigMap name. */
export function dnsSubdomain(owner: string, prop: string, value: string): string {
  if (value.length === 0 || value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    fail(owner, prop, value, "is not a valid object name: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit");
  }
  return value;
}

/** An integer within [min, max]. */
export function intInRange(owner: string, prop: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
    fail(owner, prop, value, `must be an integer ${range}`);
  }
  return value;
}

/** A finite number in the interval (min, max] (lower bound exclusive, upper bound inclusive). */
export function numberInHalfOpen(owner: string, prop: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value <= min || value > max) {
    fail(owner, prop, value, `must be a number in (${min}, ${max}]`);
  }
  return value;
}

/** A non-empty string without leading/trailing whitespace. */
export function nonEmpty(owner: string, prop: string, value: string): string {
  if (value.trim().length === 0 || value.trim() !== value) {
    fail(owner, prop, value, 'must be a non-empty string without surrounding whitespace');
  }
  return value;
}

/** Like {@link nonEmpty} for a secret: the message never shows the value. */
export function nonEmptySecret(owner: string, prop: string, value: string): string {
  if (value.trim().length === 0 || value.trim() !== value) {
    throw new Error(`${owner}: ${prop} must be a non-empty string without surrounding whitespace`);
  }
  return value;
}

/**
 * A string made of characters that are safe inside a URL userinfo part, unencoded (for
 * `MC_HOST_*` variables, a SQLAlchemy URL the superset-operator expands from variables); `where`
 * says which URL in the message.
 */
export function urlSafeSecret(owner: string, prop: string, value: string, minLength: number, where = 'an S3 endpoint URL'): string {
  if (value.length < minLength || !/^[A-Za-z0-9._~-]+$/.test(value)) {
    fail(owner, prop, value.replace(/./g, '*'), `must be at least ${minLength} characters of A-Z a-z 0-9 . _ ~ - (it is embedded in ${where})`);
  }
  return value;
}

/**
 * A word a shell neither splits nor expands: no whitespace and no glob characters `* ? [ ]`, nor
 * any of `alsoForbidden` (e.g. `:`, the htpasswd separator, in a user name), for values that
 * upstream scripts use unquoted. `secret` masks the value in the message.
 */
export function shellWord(owner: string, prop: string, value: string, secret: boolean, alsoForbidden: readonly string[] = []): string {
  const forbidden = ['*', '?', '[', ']', ...alsoForbidden];
  if (value.length === 0 || /\s/.test(value) || forbidden.some(c => value.includes(c))) {
    fail(owner, prop, secret ? value.replace(/./g, '*') : value, `must be non-empty without whitespace or ${forbidden.join(' ')} (the trino-operator passes it unquoted to a shell)`);
  }
  return value;
}

/** One of a fixed set of values. */
export function oneOf<T extends string>(owner: string, prop: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    fail(owner, prop, value, `is not allowed: use one of ${allowed.map(a => JSON.stringify(a)).join(', ')}`);
  }
  return value;
}

/** A non-empty list of distinct, ordered `YYYY-MM` months. */
export function months(owner: string, prop: string, value: readonly string[]): string[] {
  if (value.length === 0) {
    fail(owner, prop, value, 'must list at least one YYYY-MM month');
  }
  value.forEach((m, i) => {
    if (!MONTH.test(m)) fail(owner, `${prop}[${i}]`, m, 'is not a YYYY-MM month');
  });
  const dup = value.find((m, i) => value.indexOf(m) !== i);
  if (dup !== undefined) fail(owner, prop, value, `lists ${dup} twice`);
  return [...value];
}

/** An http(s) URL ending in '/'. */
export function baseUrl(owner: string, prop: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(owner, prop, value, 'is not a URL');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !value.endsWith('/')) {
    fail(owner, prop, value, "must be an http(s) URL ending in '/'");
  }
  return value;
}

/** A product version like `4.0.0`, `481` or `1.0.0-rc1`. */
export function version(owner: string, prop: string, value: string): string {
  if (!/^[0-9]+(\.[0-9]+)*(-[0-9A-Za-z]+(\.[0-9A-Za-z]+)*)?$/.test(value)) {
    fail(owner, prop, value, 'is not a version number (e.g. "4.0.0")');
  }
  return value;
}

/** A lower-case SQL identifier (database, schema or table name). */
export function sqlIdentifier(owner: string, prop: string, value: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(value)) {
    fail(owner, prop, value, "is not a valid identifier: use lower-case letters, digits and '_', not starting with a digit");
  }
  return value;
}

/**
 * Kubernetes labels (apimachinery `IsQualifiedName` for keys, `IsValidLabelValue` for values): a
 * key is `[prefix/]name`, the prefix a DNS subdomain, the name and the value at most 63 characters
 * of letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit (a value may be empty).
 */
export function labels(owner: string, prop: string, value: Readonly<Record<string, string>>): Record<string, string> {
  for (const [k, v] of Object.entries(value)) {
    const parts = k.split('/');
    const name = parts[parts.length - 1];
    const prefixOk = parts.length === 1 || (parts.length === 2 && parts[0].length <= 253 && DNS_SUBDOMAIN.test(parts[0]));
    if (parts.length > 2 || !prefixOk || name.length > 63 || !LABEL_NAME.test(name)) {
      fail(owner, `${prop} key`, k, "is not a valid label key: use [prefix/]name, the prefix a DNS subdomain, the name 1-63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit");
    }
    if (v.length > 63 || (v.length > 0 && !LABEL_NAME.test(v))) {
      fail(owner, `${prop}[${JSON.stringify(k)}]`, v, "is not a valid label value: use at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit");
    }
  }
  return { ...value };
}

/** An IPv4 or IPv6 CIDR, e.g. `169.254.20.10/32` or `fd00::/8`. */
export function cidr(owner: string, prop: string, value: string): string {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(value);
  const bits = m === null ? undefined : isIPv4(m[1]) ? 32 : isIPv6(m[1]) ? 128 : undefined;
  if (m === null || bits === undefined || Number(m[2]) > bits) {
    fail(owner, prop, value, 'is not a CIDR: use an IPv4 or IPv6 address and a prefix length, e.g. "169.254.20.10/32"');
  }
  return value;
}
