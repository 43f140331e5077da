/**
 * The edge's pure parts (api/edge.ts, api/request-log.ts, workers/config.ts): which Host names the
 * API answers, where a JSON body carries a key that reaches a prototype, how a log line is scrubbed
 * of identifiers (and stays JSON), and the settings that configure both, each refused with the
 * variable's name when malformed.
 */
import { describe, expect, it } from 'vitest';
import { allowedHostSet, hostAllowed, hostName, prototypeKeyPath } from '../../api/edge.js';
import { buildApi } from '../../api/server.js';
import { ALL_UP } from '../support/all-up.js';
import { REDACTED, scrubIdentifiers } from '../../api/request-log.js';
import { makeCreditCode, makeResidentId } from '../../domain/identity.js';
import { ConfigError, loadConfig } from '../../workers/config.js';

const residentId = makeResidentId('371402', '1958-06-30', 4, 'female');
const creditCode = makeCreditCode('371402', 4_201_337);

describe('the Host check', () => {
  const allowed = allowedHostSet(['0.0.0.0', 'Applyfree.City.Example.', 'intranet-api']);

  it.each([
    ['localhost:3000', true],
    ['127.0.0.1:3000', true],
    ['[::1]:3000', true],
    ['10.1.2.3', true],
    ['[2001:db8::1]:443', true],
    ['applyfree.city.example', true],
    ['APPLYFREE.city.example.:443', true],
    ['intranet-api:8080', true],
    ['evil.example', false],
    ['applyfree.city.example.evil.example', false],
    ['0.0.0.0.evil.example', false],
    ['', false],
    [undefined, false],
    ['a b', false],
  ])('Host %j → %s', (host, expected) => {
    expect(hostAllowed(host, allowed)).toBe(expected);
  });

  it('reads the name without port or trailing dot, and never a wildcard address as a name', () => {
    expect(hostName('Example.COM.:80')).toBe('example.com');
    expect(hostName('[::1]:3000')).toBe('::1');
    expect([...allowed]).toEqual(['applyfree.city.example', 'intranet-api']);
  });
});

describe('keys that reach a prototype (abuse 20)', () => {
  it.each([
    ['{"a":{"__proto__":{"x":1}}}', 'a.__proto__'],
    ['{"list":[{"ok":1},{"b":{"constructor":{"prototype":{}}}}]}', 'list[1].b.constructor.prototype'],
    ['{"__proto__":null}', '__proto__'],
    ['{"constructor":"a string","c":{"constructor":{"name":"x"}}}', undefined],
    ['{"toString":"x","a":[1,"__proto__"]}', undefined],
  ])('%s → %s', (text, path) => {
    expect(prototypeKeyPath(JSON.parse(text))).toBe(path);
  });

  it('walks a document nested 10,000 deep without overflowing', () => {
    const text = `${'{"not":'.repeat(10_000)}{"__proto__":{}}${'}'.repeat(10_000)}`;
    expect(prototypeKeyPath(JSON.parse(text))).toBe(`${Array(10_000).fill('not').join('.')}.__proto__`);
  });
});

describe('scrubbing a log line', () => {
  it('replaces resident IDs and credit codes anywhere in the line, lower-case ones and mistyped check characters too', () => {
    const line = JSON.stringify({
      msg: `lookup of ${residentId} failed`,
      path: `/people/${residentId.toLowerCase()}`,
      err: { stack: `Error: ${creditCode} unknown\n    at x` },
      typo: `${residentId.slice(0, 17)}${residentId.endsWith('0') ? '1' : '0'}`,
    });
    const scrubbed = scrubIdentifiers(line);
    expect(scrubbed).not.toMatch(new RegExp(`${residentId.slice(0, 17)}|${creditCode}`, 'i'));
    expect(scrubbed.split(REDACTED)).toHaveLength(5);
    expect(JSON.parse(scrubbed).path).toBe(`/people/${REDACTED}`);
  });

  it('leaves keys, hashes, tokens, times and shorter numbers as they are, and a bare 18-digit number still JSON', () => {
    const line = JSON.stringify({
      key: 'p_2jdtbngo2sfhatiyx7erogatkw',
      hash: 'a3f1c29e0b7d4c5e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e',
      token: 'af_Qm9vZ2xlLWJhc2U2NHVybC10b2tlbi1vZi0zMi1ieXRlcw',
      time: '2026-12-05T22:14:18.207Z',
      ms: 1_733_436_858_207,
    });
    expect(scrubIdentifiers(line)).toBe(line);
    const bare = `{"n":${'1'.repeat(17)}2,"s":"x"}`;
    expect(JSON.parse(scrubIdentifiers(bare))).toEqual({ n: REDACTED, s: 'x' });
  });
});

describe('the edge settings', () => {
  it('answer API_HOST and the names given, count per user and per address, and send HSTS in production', () => {
    const config = loadConfig({
      API_HOST: '10.0.0.5',
      APPLYFREE_ALLOWED_HOSTS: 'applyfree.city.example, API.city.example',
    });
    expect(config.allowedHosts).toEqual(['10.0.0.5', 'applyfree.city.example', 'api.city.example']);
    expect([config.userRateLimit, config.anonymousRateLimit, config.https, config.trustProxy]).toEqual([
      600,
      300,
      false,
      false,
    ]);
    expect(loadConfig({ MONGODB_URI: 'mongodb://db/applyfree' }).https).toBe(true);
  });

  it.each([
    ['APPLYFREE_ALLOWED_HOSTS', 'https://applyfree.city.example'],
    ['APPLYFREE_ALLOWED_HOSTS', 'applyfree.city.example:443'],
    ['APPLYFREE_USER_RATE_LIMIT', '0'],
    ['APPLYFREE_ANONYMOUS_RATE_LIMIT', 'many'],
    ['APPLYFREE_HTTPS', 'sometimes'],
    ['APPLYFREE_TRUST_PROXY', 'maybe'],
  ])('refuse %s=%s naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name}: `));
  });
});

describe('open answers', () => {
  it('say the summary is unavailable without the store’s own error text', async () => {
    const api = buildApi({
      health: ALL_UP,
      summary: async () => {
        throw new Error('connect ECONNREFUSED 10.0.0.7:27017');
      },
    });
    const answer = await api.inject({ method: 'GET', url: '/summary' });
    expect([answer.statusCode, answer.json().code]).toEqual([503, 'SUMMARY_UNAVAILABLE']);
    expect(answer.body).not.toContain('10.0.0.7');
  });
});
