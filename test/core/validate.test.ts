/**
 * Unit tests of the prop validators in constructs/core/validate.ts: what each accepts, and that
 * each failure message names the owner, the prop and the bad value.
 * Run: npx jest test/core
 */
import {
  baseUrl, cidr, dnsLabel, dnsSubdomain, intInRange, labels, months, nonEmpty, nonEmptySecret, numberInHalfOpen, oneOf, sqlIdentifier, urlSafeSecret,
  version,
} from '../../constructs/core';

describe('dnsLabel', () => {
  it.each(['a', 'minio', 'postgresql-hive-iceberg', '0abc9', 'a'.repeat(63)])('accepts %j', v => {
    expect(dnsLabel('Owner', 'name', v)).toBe(v);
  });
  it.each(['', 'Minio', 'bad_name', '-lead', 'trail-', 'has.dot', 'a'.repeat(64)])('rejects %j', v => {
    expect(() => dnsLabel('Owner', 'name', v)).toThrow(`Owner: name ${JSON.stringify(v)} is not a valid name`);
  });
  it('applies a shorter maximum and says so', () => {
    expect(dnsLabel('Owner', 'name', 'a'.repeat(40), 40)).toHaveLength(40);
    expect(() => dnsLabel('Owner', 'name', 'a'.repeat(41), 40)).toThrow(/Owner: name "a{41}" is not a valid name: use 1-40 /);
  });
});

describe('dnsSubdomain', () => {
  it.each(['tls', 's3-credentials-class', 'a.b-c.d'])('accepts %j', v => expect(dnsSubdomain('O', 'secretName', v)).toBe(v));
  it.each(['', 'Upper', 'a..b', '.a', 'a_b', 'a'.repeat(254)])('rejects %j', v => {
    expect(() => dnsSubdomain('O', 'secretName', v)).toThrow(`O: secretName ${JSON.stringify(v)} is not a valid object name`);
  });
});

describe('intInRange', () => {
  it('accepts integers in range, bounds included', () => {
    expect(intInRange('O', 'replicas', 1, 1)).toBe(1);
    expect(intInRange('O', 'replicas', 5, 1, 5)).toBe(5);
  });
  it.each([
    [0, 1, undefined, /O: replicas 0 must be an integer >= 1$/],
    [-1, 0, undefined, /O: replicas -1 must be an integer >= 0$/],
    [1.5, 1, undefined, /O: replicas 1.5 must be an integer >= 1$/],
    [6, 1, 5, /O: replicas 6 must be an integer between 1 and 5$/],
    [Number.NaN, 1, undefined, /O: replicas null must be an integer >= 1$/],
  ])('rejects %p (min %p, max %p)', (value, min, max, message) => {
    expect(() => intInRange('O', 'replicas', value, min, max)).toThrow(message);
  });
});

describe('numberInHalfOpen', () => {
  it('excludes the lower bound and includes the upper one', () => {
    expect(numberInHalfOpen('O', 'p', 0.5, 0, 0.5)).toBe(0.5);
    expect(numberInHalfOpen('O', 'p', 1e-9, 0, 0.5)).toBe(1e-9);
    expect(() => numberInHalfOpen('O', 'p', 0, 0, 0.5)).toThrow(/O: p 0 must be a number in \(0, 0\.5\]/);
    expect(() => numberInHalfOpen('O', 'p', 0.51, 0, 0.5)).toThrow(/O: p 0\.51 must be a number in \(0, 0\.5\]/);
    expect(() => numberInHalfOpen('O', 'p', Number.POSITIVE_INFINITY, 0, 1)).toThrow(/O: p null must be a number/);
  });
});

describe('nonEmpty', () => {
  it('accepts a trimmed string and rejects empty or padded ones', () => {
    expect(nonEmpty('O', 'user', 'admin')).toBe('admin');
    expect(() => nonEmpty('O', 'user', '')).toThrow(/O: user "" must be a non-empty string/);
    expect(() => nonEmpty('O', 'user', '   ')).toThrow(/O: user " {3}" must be a non-empty string/);
    expect(() => nonEmpty('O', 'user', ' admin')).toThrow(/O: user " admin" must be a non-empty string without surrounding whitespace/);
  });
});

describe('nonEmptySecret', () => {
  it('checks like nonEmpty but never shows the value', () => {
    expect(nonEmptySecret('O', 'key', 's3cret')).toBe('s3cret');
    expect(() => nonEmptySecret('O', 'key', '')).toThrow(/^O: key must be a non-empty string without surrounding whitespace$/);
    expect(() => nonEmptySecret('O', 'key', ' s3cret')).toThrow(/^O: key must be a non-empty string without surrounding whitespace$/);
  });
});

describe('urlSafeSecret', () => {
  it('accepts URL-safe values of the minimum length', () => {
    expect(urlSafeSecret('O', 'password', 'Ab1._~-x', 8)).toBe('Ab1._~-x');
  });
  it.each(['short', 'has space in it', 'pass@word:1', 'pässwörd1'])('rejects %j without echoing it', v => {
    let message = '';
    try {
      urlSafeSecret('O', 'password', v, 8);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^O: password "\**" must be at least 8 characters of A-Z a-z 0-9 \. _ ~ -/);
    expect(message).not.toContain(v);
  });
});

describe('oneOf', () => {
  it('accepts an allowed value and lists the allowed ones otherwise', () => {
    expect(oneOf('O', 'mode', 'a', ['a', 'b'])).toBe('a');
    expect(() => oneOf('O', 'mode', 'c' as string, ['a', 'b'])).toThrow('O: mode "c" is not allowed: use one of "a", "b"');
  });
});

describe('months', () => {
  it('accepts and copies a list of distinct months', () => {
    const input = ['2020-09', '2021-01'];
    const result = months('O', 'months', input);
    expect(result).toEqual(input);
    expect(result).not.toBe(input);
  });
  it('rejects an empty list', () => {
    expect(() => months('O', 'months', [])).toThrow('O: months [] must list at least one YYYY-MM month');
  });
  it.each([['2020-13', 1], ['2020-00', 0], ['2020-9', 1], ['20-09', 0], ['2020-09-01', 1]])('rejects malformed %j at index %p', (bad, i) => {
    const list = i === 0 ? [bad] : ['2020-01', bad];
    expect(() => months('O', 'months', list)).toThrow(`O: months[${i}] "${bad}" is not a YYYY-MM month`);
  });
  it('rejects a duplicate month', () => {
    expect(() => months('O', 'months', ['2020-09', '2020-10', '2020-09'])).toThrow('O: months ["2020-09","2020-10","2020-09"] lists 2020-09 twice');
  });
});

describe('baseUrl', () => {
  it.each(['https://example.org/data/', 'http://mirror.local:8080/'])('accepts %j', v => expect(baseUrl('O', 'sourceUrl', v)).toBe(v));
  it.each([
    ['not a url', 'is not a URL'],
    ['ftp://example.org/data/', "must be an http(s) URL ending in '/'"],
    ['https://example.org/data', "must be an http(s) URL ending in '/'"],
  ])('rejects %j', (v, problem) => {
    expect(() => baseUrl('O', 'sourceUrl', v)).toThrow(`O: sourceUrl ${JSON.stringify(v)} ${problem}`);
  });
});

describe('version', () => {
  it.each(['481', '4.0.0', '1.16.2', '4.1.2-rc1', '26.7.0'])('accepts %j', v => expect(version('O', 'productVersion', v)).toBe(v));
  it.each(['', 'latest', 'v4.0.0', '4.0.0 ', '4.0.0/amd64', '.4', '4..0', '4.0.0.', '4.0.0-'])('rejects %j', v => {
    expect(() => version('O', 'productVersion', v)).toThrow(`O: productVersion ${JSON.stringify(v)} is not a version number`);
  });
});

describe('sqlIdentifier', () => {
  it.each(['hive', 'prediction', '_tmp', 'ad_2'])('accepts %j', v => expect(sqlIdentifier('O', 'database', v)).toBe(v));
  it.each(['', 'Hive', '2ad', 'with-dash', 'a'.repeat(64), 'semi;colon'])('rejects %j', v => {
    expect(() => sqlIdentifier('O', 'database', v)).toThrow(`O: database ${JSON.stringify(v)} is not a valid identifier`);
  });
});

describe('labels', () => {
  it('accepts keys with and without a prefix, and empty values', () => {
    const ok = { 'k8s-app': 'kube-dns', 'dns.operator.openshift.io/daemonset-dns': 'default', 'app.kubernetes.io/name': '', A_b: 'x.Y-z' };
    expect(labels('O', 'podLabels', ok)).toEqual(ok);
  });
  it.each(['', 'k8s app', '-lead', 'a/b/c', '/name', 'Bad_Prefix/name', `${'a'.repeat(64)}`])('rejects the key %j', k => {
    expect(() => labels('O', 'podLabels', { [k]: 'v' })).toThrow(`O: podLabels key ${JSON.stringify(k)} is not a valid label key`);
  });
  it.each(['kube dns', 'trail-', 'a/b', 'v'.repeat(64)])('rejects the value %j, naming its key', v => {
    expect(() => labels('O', 'podLabels', { app: v })).toThrow(`O: podLabels["app"] ${JSON.stringify(v)} is not a valid label value`);
  });
});

describe('cidr', () => {
  it.each(['169.254.20.10/32', '10.0.0.0/8', '0.0.0.0/0', 'fd00::/8', '::/0', '2001:db8::1/128'])('accepts %j', v => expect(cidr('O', 'ipBlocks[0]', v)).toBe(v));
  it.each(['169.254.20.10', '169.254.20.10/33', '300.1.1.1/32', '01.2.3.4/32', 'fd00::/129', 'kube-dns/32', '10.0.0.0/-1', ''])('rejects %j', v => {
    expect(() => cidr('O', 'ipBlocks[0]', v)).toThrow(`O: ipBlocks[0] ${JSON.stringify(v)} is not a CIDR`);
  });
});
