/**
 * Tests of constructs/core/credentials.ts: literal credentials create a Secret in the consumer's
 * layout, `Credentials.fromSecret` creates nothing and references the given Secret.
 * Run: npx jest test/core
 */
import { Testing } from 'cdk8s';
import { Credentials } from '../../constructs/core';
import { find, ofKind, synth } from '../util';

describe('Credentials.literal', () => {
  it('writes user, password, extra keys and labels into a new Secret', () => {
    const chart = Testing.chart();
    const bound = Credentials.literal('alice', 's3cret').bind(chart, 'Creds', {
      secretName: 'app-credentials', usernameKey: 'user', passwordKey: 'pass',
      extraData: { 'extra.key': 'x' }, labels: { team: 'data' },
    });
    const secret = find(synth(chart), 'Secret', 'app-credentials');
    expect(secret.stringData).toEqual({ 'user': 'alice', 'pass': 's3cret', 'extra.key': 'x' });
    expect(secret.metadata.labels).toEqual({ team: 'data' });
    expect(bound).toMatchObject({ secretName: 'app-credentials', username: 'alice', passwordKey: 'pass', usernameKey: 'user' });
  });

  it('exposes the password at synth time', () => {
    expect(Credentials.literal('alice', 's3cret')).toMatchObject({ username: 'alice', password: 's3cret' });
  });

  it('does not store the user name when the layout has no key for it', () => {
    const chart = Testing.chart();
    const bound = Credentials.literal('admin', 'pw').bind(chart, 'Creds', { secretName: 'users', passwordKey: 'admin' });
    expect(find(synth(chart), 'Secret', 'users').stringData).toEqual({ admin: 'pw' });
    expect(bound.usernameEnv('USER')).toEqual({ name: 'USER', value: 'admin' });
    expect(bound.passwordEnv('PASS')).toEqual({ name: 'PASS', valueFrom: { secretKeyRef: { name: 'users', key: 'admin' } } });
  });

  it('rejects an empty password and a blank user name', () => {
    expect(() => Credentials.literal('admin', '')).toThrow(/Credentials\.literal: password must not be empty/);
    expect(() => Credentials.literal(' ', 'pw')).toThrow(/Credentials\.literal: username " " must be a non-empty string/);
  });
});

describe('Credentials.fromSecret', () => {
  it('creates no Secret and references the given one with the layout keys', () => {
    const chart = Testing.chart();
    const creds = Credentials.fromSecret('existing-secret', 'bob');
    expect(creds.password).toBeUndefined();
    const bound = creds.bind(chart, 'Creds', { secretName: 'would-be-created', usernameKey: 'u', passwordKey: 'p', labels: { a: 'b' } });
    expect(ofKind(synth(chart), 'Secret')).toEqual([]);
    expect(bound).toMatchObject({ secretName: 'existing-secret', username: 'bob', passwordKey: 'p', usernameKey: 'u' });
    expect(bound.usernameEnv('U')).toEqual({ name: 'U', valueFrom: { secretKeyRef: { name: 'existing-secret', key: 'u' } } });
    expect(bound.passwordEnv('P')).toEqual({ name: 'P', valueFrom: { secretKeyRef: { name: 'existing-secret', key: 'p' } } });
  });

  it('rejects a bad Secret name and a blank user name', () => {
    expect(() => Credentials.fromSecret('Bad_Secret', 'bob')).toThrow(/Credentials\.fromSecret: secretName "Bad_Secret" is not a valid object name/);
    expect(() => Credentials.fromSecret('ok', '')).toThrow(/Credentials\.fromSecret: username "" must be a non-empty string/);
  });
});
