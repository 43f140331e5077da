import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVELOPMENT_SUBJECT_KEY_SECRET } from '../../domain/pseudonym.js';
import { describeTemporalAccess, temporalConnectOptions } from '../../infra/temporal-connection.js';
import { childEnv, ConfigError, loadConfig, loadServerConfig, redactUrl } from '../../workers/config.js';
import { makeTlsFiles, type TlsFiles } from '../support/tls-files.js';

describe('configuration from the environment', () => {
  it('uses the embedded servers when no server URL is set', () => {
    const config = loadConfig({ HOME: '/home/officer' });
    expect(config.temporalAddress).toBeUndefined();
    expect(config.mongodbUri).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config.apiPort).toBe(3000);
    expect(config.temporalNamespace).toBe('default');
    expect(config.taskQueue).toBe('applyfree');
    expect(config.queuePrefix).toBe('applyfree');
    expect(config.demo).toEqual({ enabled: true, residents: 10_000, enterprises: 1_000, eventsPerSecond: 20 });
    expect(config.departmentRateLimit).toBe(600);
  });

  it('keeps the seals’ private keys under the state directory unless APPLYFREE_SEAL_KEY_DIR names another', () => {
    expect(loadConfig({ APPLYFREE_STATE_DIR: '/var/lib/applyfree' }).sealKeyDir).toBe('/var/lib/applyfree/seals');
    expect(
      loadConfig({ APPLYFREE_STATE_DIR: '/var/lib/applyfree', APPLYFREE_SEAL_KEY_DIR: '/secrets/seals' }).sealKeyDir,
    ).toBe('/secrets/seals');
    expect(loadConfig({ APPLYFREE_SEAL_KEY_DIR: 'relative/seals' }).sealKeyDir).toBe(resolve('relative/seals'));
  });

  it('reads CI as a CI service sets it, and CI=false or CI=0 as not CI', () => {
    for (const value of ['true', '1', 'woodpecker', 'TRUE']) expect(loadConfig({ CI: value }).ci, value).toBe(true);
    for (const value of ['false', '0', 'no', 'off', '', 'False'])
      expect(loadConfig({ CI: value }).ci, value).toBe(false);
    expect(loadConfig({}).ci).toBe(false);
  });

  it('sizes the demo city and keeps deployments on shared servers apart', () => {
    const config = loadConfig({
      APPLYFREE_DEMO: 'off',
      APPLYFREE_DEMO_RESIDENTS: '1000000',
      APPLYFREE_DEMO_ENTERPRISES: '50000',
      APPLYFREE_DEMO_EVENTS_PER_SECOND: '200',
      APPLYFREE_TASK_QUEUE: 'applyfree-east',
      APPLYFREE_QUEUE_PREFIX: 'east',
      APPLYFREE_DEPARTMENT_RATE_LIMIT: '120',
    });
    expect(config.demo).toEqual({ enabled: false, residents: 1_000_000, enterprises: 50_000, eventsPerSecond: 200 });
    expect([config.taskQueue, config.queuePrefix]).toEqual(['applyfree-east', 'east']);
    expect(config.departmentRateLimit).toBe(120);
  });

  it('points at existing servers when TEMPORAL_ADDRESS, MONGODB_URI and REDIS_URL are set', () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: 'temporal.city.internal:7233',
      MONGODB_URI: 'mongodb://db1:27017,db2:27017/applyfree?replicaSet=rs0',
      REDIS_URL: 'rediss://:secret@cache:6380',
    });
    expect(config.temporalAddress).toBe('temporal.city.internal:7233');
    expect(config.mongodbUri).toContain('replicaSet=rs0');
    expect(config.redisUrl).toBe('rediss://:secret@cache:6380');
  });

  it.each([
    ['TEMPORAL_ADDRESS', 'http://temporal:7233', /TEMPORAL_ADDRESS: expected host:port/],
    ['TEMPORAL_ADDRESS', 'temporal:99999', /TEMPORAL_ADDRESS/],
    ['MONGODB_URI', 'postgres://db/x', /MONGODB_URI: expected a mongodb or mongodb\+srv URL/],
    ['MONGODB_URI', 'not a url', /MONGODB_URI: not a valid URL/],
    ['REDIS_URL', 'http://cache', /REDIS_URL: expected a redis or rediss URL/],
    ['API_PORT', 'eighty', /API_PORT: expected a port number/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL: expected one of/],
    ['APPLYFREE_DEMO', 'sometimes', /APPLYFREE_DEMO: expected on or off/],
    ['APPLYFREE_DEMO_RESIDENTS', '10k', /APPLYFREE_DEMO_RESIDENTS: expected a whole number/],
    ['APPLYFREE_DEMO_EVENTS_PER_SECOND', '-5', /APPLYFREE_DEMO_EVENTS_PER_SECOND: expected a whole number/],
    ['APPLYFREE_TASK_QUEUE', 'my queue', /APPLYFREE_TASK_QUEUE: expected letters, digits/],
    ['APPLYFREE_DEPARTMENT_RATE_LIMIT', '0', /APPLYFREE_DEPARTMENT_RATE_LIMIT: expected a whole number 1-/],
    ['APPLYFREE_QUEUE_PREFIX', 'a:b', /APPLYFREE_QUEUE_PREFIX: expected letters, digits/],
  ])('rejects %s=%s with an error naming the variable', (name, value, message) => {
    let thrown: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).variable).toBe(name);
    expect((thrown as Error).message).toMatch(message);
  });

  it('never prints a connection password', () => {
    expect(redactUrl('rediss://user:s3cret@cache:6380')).toBe('rediss://user:***@cache:6380');
    expect(() => loadConfig({ MONGODB_URI: 'mongodb://u:s3cret@' + ' bad' })).toThrow(/^((?!s3cret).)*$/);
  });
});

const SECRET = 'a-random-production-secret-of-40-characters';
const OLD_SECRET = 'the-previous-production-secret-40-chars-x';
const SERVERS = {
  TEMPORAL_ADDRESS: 'temporal:7233',
  MONGODB_URI: 'mongodb://db/applyfree',
  REDIS_URL: 'redis://cache',
};

/** The ConfigError a load throws, or undefined. */
function refusal(load: () => unknown): ConfigError | undefined {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  return undefined;
}

describe('production and development mode', () => {
  it('is development on the embedded stack and production as soon as any external server is named', () => {
    expect(loadConfig({}).mode).toBe('development');
    for (const [name, value] of Object.entries(SERVERS))
      expect(loadConfig({ [name]: value }).mode, name).toBe('production');
    expect(loadConfig({ ...SERVERS, APPLYFREE_MODE: 'development' }).mode).toBe('development');
    expect(loadConfig({ APPLYFREE_MODE: 'production' }).mode).toBe('production');
    expect(refusal(() => loadConfig({ APPLYFREE_MODE: 'prod' }))?.variable).toBe('APPLYFREE_MODE');
  });

  it('refuses to run production without a secret, in one line naming the variable', () => {
    const error = refusal(() => loadServerConfig({ ...SERVERS }));
    expect(error?.variable).toBe('APPLYFREE_SUBJECT_KEY_SECRET');
    expect(error?.message).toMatch(/^APPLYFREE_SUBJECT_KEY_SECRET: required in production/);
    expect(error?.message).not.toContain('\n');
    expect(refusal(() => loadServerConfig({ APPLYFREE_MODE: 'production' }))?.variable).toBe(
      'APPLYFREE_SUBJECT_KEY_SECRET',
    );
  });

  it('refuses the published development key in production, and a secret shorter than 32 characters anywhere', () => {
    const published = refusal(() =>
      loadServerConfig({ ...SERVERS, APPLYFREE_SUBJECT_KEY_SECRET: DEVELOPMENT_SUBJECT_KEY_SECRET }),
    );
    expect(published?.message).toMatch(/APPLYFREE_SUBJECT_KEY_SECRET: is the published development key/);
    expect(refusal(() => loadServerConfig({ APPLYFREE_SUBJECT_KEY_SECRET: 'short' }))?.variable).toBe(
      'APPLYFREE_SUBJECT_KEY_SECRET',
    );
  });

  it('uses the development key in development, and says so', () => {
    const { keys } = loadServerConfig({});
    expect(keys).toEqual({
      subjectKeySecret: DEVELOPMENT_SUBJECT_KEY_SECRET,
      previousSubjectKeySecrets: [],
      development: true,
    });
    expect(loadServerConfig({ APPLYFREE_SUBJECT_KEY_SECRET: SECRET }).keys.development).toBe(false);
  });

  it('reads the key ring: the current secret and the previous ones, each at least 32 characters', () => {
    const { keys } = loadServerConfig({
      ...SERVERS,
      APPLYFREE_SUBJECT_KEY_SECRET: SECRET,
      APPLYFREE_SUBJECT_KEY_SECRETS_PREVIOUS: ` ${OLD_SECRET} , ${DEVELOPMENT_SUBJECT_KEY_SECRET},${SECRET}`,
    });
    // The development key may be a previous one: that is how a deployment started on it moves off it.
    expect(keys).toEqual({
      subjectKeySecret: SECRET,
      previousSubjectKeySecrets: [OLD_SECRET, DEVELOPMENT_SUBJECT_KEY_SECRET],
      development: false,
    });
    const short = refusal(() => loadConfig({ APPLYFREE_SUBJECT_KEY_SECRETS_PREVIOUS: `${OLD_SECRET},too-short` }));
    expect(short?.message).toBe('APPLYFREE_SUBJECT_KEY_SECRETS_PREVIOUS: secret 2 must be at least 32 characters long');
  });

  it('runs no demo in production unless asked, and the demo by default in development', () => {
    expect(loadConfig({ ...SERVERS }).demo.enabled).toBe(false);
    expect(loadConfig({ ...SERVERS, APPLYFREE_DEMO: 'on' }).demo.enabled).toBe(true);
    expect(loadConfig({}).demo.enabled).toBe(true);
  });

  it('sends webhook notices over https only, plain http only to loopback in development', () => {
    expect(loadConfig({ ...SERVERS, NOTICE_WEBHOOK_URL: 'https://sms.city.internal/notices' }).noticeWebhookUrl).toBe(
      'https://sms.city.internal/notices',
    );
    expect(loadConfig({ NOTICE_WEBHOOK_URL: 'http://127.0.0.1:8080/notices' }).noticeWebhookUrl).toBeDefined();
    const production = refusal(() => loadConfig({ ...SERVERS, NOTICE_WEBHOOK_URL: 'http://127.0.0.1:8080/notices' }));
    expect(production?.message).toMatch(/^NOTICE_WEBHOOK_URL: must be https outside development/);
    const remote = refusal(() => loadConfig({ NOTICE_WEBHOOK_URL: 'http://sms.city.internal/notices' }));
    expect(remote?.message).toMatch(/NOTICE_WEBHOOK_URL: plain http is allowed only to this machine/);
  });
});

describe('sessions and the identity provider', () => {
  it('gives console sessions 30 minutes idle and 12 hours, machine tokens 30 and 90 days, unless set', () => {
    expect(loadConfig({}).sessions).toEqual({
      console: { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 },
      machine: { idleMs: 30 * 86_400_000, absoluteMs: 90 * 86_400_000 },
    });
    const tight = loadConfig({
      APPLYFREE_SESSION_IDLE_MINUTES: '15',
      APPLYFREE_SESSION_ABSOLUTE_HOURS: '8',
      APPLYFREE_TOKEN_IDLE_DAYS: '7',
      APPLYFREE_TOKEN_ABSOLUTE_DAYS: '30',
    }).sessions;
    expect(tight).toEqual({
      console: { idleMs: 15 * 60_000, absoluteMs: 8 * 3_600_000 },
      machine: { idleMs: 7 * 86_400_000, absoluteMs: 30 * 86_400_000 },
    });
  });

  it.each([
    [{ APPLYFREE_SESSION_IDLE_MINUTES: '0' }, /APPLYFREE_SESSION_IDLE_MINUTES: expected a whole number 1-1440/],
    [{ APPLYFREE_SESSION_ABSOLUTE_HOURS: 'half a day' }, /APPLYFREE_SESSION_ABSOLUTE_HOURS: expected a whole number/],
    [
      { APPLYFREE_SESSION_IDLE_MINUTES: '800', APPLYFREE_SESSION_ABSOLUTE_HOURS: '12' },
      /APPLYFREE_SESSION_IDLE_MINUTES: is longer than APPLYFREE_SESSION_ABSOLUTE_HOURS/,
    ],
    [{ APPLYFREE_TOKEN_ABSOLUTE_DAYS: '400' }, /APPLYFREE_TOKEN_ABSOLUTE_DAYS: expected a whole number 1-366/],
  ])('refuses session limits %j, naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('signs staff in through the provider only when its issuer, client and redirect are all given', () => {
    expect(loadConfig({}).oidc).toBeUndefined();
    const oidc = loadConfig({
      APPLYFREE_MODE: 'production',
      APPLYFREE_OIDC_ISSUER: 'https://id.dezhou.gov.cn/realms/staff/',
      APPLYFREE_OIDC_CLIENT_ID: 'applyfree',
      APPLYFREE_OIDC_CLIENT_SECRET: 's3cret',
      APPLYFREE_OIDC_REDIRECT_URL: 'https://applyfree.dezhou.gov.cn/auth/callback',
      APPLYFREE_OIDC_ROLES_CLAIM: 'applyfree_roles',
      APPLYFREE_OIDC_DEPARTMENT_CLAIM: 'department',
      APPLYFREE_OIDC_REQUIRED_AMR: 'otp, hwk',
    }).oidc;
    expect(oidc).toEqual({
      issuer: 'https://id.dezhou.gov.cn/realms/staff',
      clientId: 'applyfree',
      clientSecret: 's3cret',
      redirectUrl: 'https://applyfree.dezhou.gov.cn/auth/callback',
      scopes: ['openid', 'profile'],
      rolesClaim: 'applyfree_roles',
      departmentClaim: 'department',
      nameClaim: 'name',
      requiredAmr: ['otp', 'hwk'],
    });
  });

  it.each([
    [{ APPLYFREE_OIDC_CLIENT_ID: 'applyfree' }, /APPLYFREE_OIDC_CLIENT_ID: is set but APPLYFREE_OIDC_ISSUER is not/],
    [{ APPLYFREE_OIDC_ISSUER: 'https://id.city' }, /APPLYFREE_OIDC_CLIENT_ID: required/],
    [
      { APPLYFREE_OIDC_ISSUER: 'https://id.city', APPLYFREE_OIDC_CLIENT_ID: 'a' },
      /APPLYFREE_OIDC_REDIRECT_URL: required/,
    ],
    [
      {
        APPLYFREE_MODE: 'production',
        APPLYFREE_OIDC_ISSUER: 'http://127.0.0.1:8080',
        APPLYFREE_OIDC_CLIENT_ID: 'a',
        APPLYFREE_OIDC_REDIRECT_URL: 'https://applyfree.city/auth/callback',
      },
      /APPLYFREE_OIDC_ISSUER: must be https outside development/,
    ],
    [
      {
        APPLYFREE_OIDC_ISSUER: 'https://id.city',
        APPLYFREE_OIDC_CLIENT_ID: 'a',
        APPLYFREE_OIDC_REDIRECT_URL: 'https://applyfree.city/auth/callback',
        APPLYFREE_OIDC_SCOPES: 'profile email',
      },
      /APPLYFREE_OIDC_SCOPES: must include openid/,
    ],
    [
      {
        APPLYFREE_OIDC_ISSUER: 'https://id.city',
        APPLYFREE_OIDC_CLIENT_ID: 'a',
        APPLYFREE_OIDC_REDIRECT_URL: 'https://applyfree.city/auth/callback',
        APPLYFREE_OIDC_ROLES_CLAIM: 'roles',
      },
      /APPLYFREE_OIDC_DEPARTMENT_CLAIM: required with APPLYFREE_OIDC_ROLES_CLAIM/,
    ],
  ])('refuses an incomplete or unsafe provider %j, naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('Temporal over TLS', () => {
  const ADDRESS = 'temporal-frontend.city.internal:7233';
  let files: TlsFiles;
  beforeAll(() => {
    files = makeTlsFiles();
  });
  afterAll(() => rmSync(files.dir, { recursive: true, force: true }));

  it('reads the CA and the client certificate pair at start-up into the options of Connection and NativeConnection', () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: ADDRESS,
      TEMPORAL_TLS_CA: files.ca,
      TEMPORAL_TLS_CERT: files.clientCert,
      TEMPORAL_TLS_KEY: files.clientKey,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.city.internal',
    });
    expect(temporalConnectOptions(config.temporalAddress!, config.temporalAccess)).toEqual({
      address: ADDRESS,
      tls: {
        serverRootCACertificate: readFileSync(files.ca),
        clientCertPair: { crt: readFileSync(files.clientCert), key: readFileSync(files.clientKey) },
        serverNameOverride: 'temporal.city.internal',
      },
    });
    expect(describeTemporalAccess(config.temporalAccess)).toBe(
      'mTLS, CA from TEMPORAL_TLS_CA, server name temporal.city.internal',
    );
  });

  it('turns TLS on with the system roots for TEMPORAL_TLS=on, and for an API key, which is sent over TLS only', () => {
    const on = loadConfig({ TEMPORAL_ADDRESS: ADDRESS, TEMPORAL_TLS: 'on' });
    expect(temporalConnectOptions(ADDRESS, on.temporalAccess)).toEqual({ address: ADDRESS, tls: {} });
    const cloud = loadConfig({
      TEMPORAL_ADDRESS: 'eu-west-1.aws.api.temporal.io:7233',
      TEMPORAL_API_KEY: 'eyJhbGc.key',
    });
    expect(temporalConnectOptions(cloud.temporalAddress!, cloud.temporalAccess)).toEqual({
      address: 'eu-west-1.aws.api.temporal.io:7233',
      tls: {},
      apiKey: 'eyJhbGc.key',
    });
    // Start-up lines say how, never the key.
    expect(describeTemporalAccess(cloud.temporalAccess)).toBe('TLS, API key');
    expect(describeTemporalAccess(on.temporalAccess)).toBe('TLS');
  });

  it('speaks plain gRPC when none is set, or TEMPORAL_TLS=off alone', () => {
    for (const env of [{ TEMPORAL_ADDRESS: ADDRESS }, { TEMPORAL_ADDRESS: ADDRESS, TEMPORAL_TLS: 'off' }, {}]) {
      const config = loadConfig(env);
      expect(config.temporalAccess, JSON.stringify(env)).toBeUndefined();
      expect(temporalConnectOptions('127.0.0.1:7233', config.temporalAccess)).toEqual({ address: '127.0.0.1:7233' });
      expect(describeTemporalAccess(config.temporalAccess)).toBe('plain gRPC');
    }
  });

  it.each([
    [
      'a missing CA file',
      () => ({ TEMPORAL_TLS_CA: join(files.dir, 'nowhere.pem') }),
      'TEMPORAL_TLS_CA',
      /cannot read "[^"]+nowhere\.pem" \(no such file\)/,
    ],
    ['a folder as the CA', () => ({ TEMPORAL_TLS_CA: files.dir }), 'TEMPORAL_TLS_CA', /\(is a directory\)/],
    ['a key as the CA', () => ({ TEMPORAL_TLS_CA: files.caKey }), 'TEMPORAL_TLS_CA', /holds no PEM certificate/],
    [
      'a certificate without its key',
      () => ({ TEMPORAL_TLS_CERT: files.clientCert }),
      'TEMPORAL_TLS_KEY',
      /required with TEMPORAL_TLS_CERT/,
    ],
    [
      'a key without its certificate',
      () => ({ TEMPORAL_TLS_KEY: files.clientKey }),
      'TEMPORAL_TLS_CERT',
      /required with TEMPORAL_TLS_KEY/,
    ],
    [
      'a missing key file',
      () => ({ TEMPORAL_TLS_CERT: files.clientCert, TEMPORAL_TLS_KEY: join(files.dir, 'gone.key') }),
      'TEMPORAL_TLS_KEY',
      /cannot read/,
    ],
    [
      'a certificate as the key',
      () => ({ TEMPORAL_TLS_CERT: files.clientCert, TEMPORAL_TLS_KEY: files.clientCert }),
      'TEMPORAL_TLS_KEY',
      /holds no unencrypted PEM private key/,
    ],
    [
      'the key of another certificate',
      () => ({ TEMPORAL_TLS_CERT: files.clientCert, TEMPORAL_TLS_KEY: files.serverKey }),
      'TEMPORAL_TLS_KEY',
      /is not the key of the certificate in TEMPORAL_TLS_CERT/,
    ],
    [
      'a URL as the server name',
      () => ({ TEMPORAL_TLS_SERVER_NAME: 'https://temporal' }),
      'TEMPORAL_TLS_SERVER_NAME',
      /expected a host name/,
    ],
    [
      'an API key with a space',
      () => ({ TEMPORAL_API_KEY: 'two words' }),
      'TEMPORAL_API_KEY',
      /expected printable characters without spaces$/,
    ],
    ['TEMPORAL_TLS=maybe', () => ({ TEMPORAL_TLS: 'maybe' }), 'TEMPORAL_TLS', /expected on or off/],
    [
      'a CA with TEMPORAL_TLS=off',
      () => ({ TEMPORAL_TLS: 'off', TEMPORAL_TLS_CA: files.ca }),
      'TEMPORAL_TLS_CA',
      /is set but TEMPORAL_TLS is off/,
    ],
    [
      'an API key with TEMPORAL_TLS=off',
      () => ({ TEMPORAL_TLS: 'off', TEMPORAL_API_KEY: 'k' }),
      'TEMPORAL_API_KEY',
      /is sent over TLS only, but TEMPORAL_TLS is off/,
    ],
  ])('refuses %s in one line naming the variable', (_, env, variable, message) => {
    const error = refusal(() => loadConfig({ TEMPORAL_ADDRESS: ADDRESS, ...env() }));
    expect(error?.variable).toBe(variable);
    expect(error?.message).toMatch(new RegExp(`^${variable}: `));
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain('\n');
    expect(error?.message).not.toContain('two words');
  });

  it("names the variable to set when a file is given under the Temporal CLI's name only", () => {
    const error = refusal(() =>
      loadConfig({ TEMPORAL_ADDRESS: ADDRESS, TEMPORAL_TLS_CLIENT_CERT_PATH: files.clientCert }),
    );
    expect(error?.message).toBe(
      "TEMPORAL_TLS_CLIENT_CERT_PATH: is the Temporal CLI's name, not read here: set TEMPORAL_TLS_CERT to the PEM file's path",
    );
    // Both names, for the CLI and for applyfree, side by side: fine.
    const both = loadConfig({
      TEMPORAL_ADDRESS: ADDRESS,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: files.ca,
      TEMPORAL_TLS_CA: files.ca,
    });
    expect(both.temporalAccess?.tls.serverRootCACertificate).toEqual(readFileSync(files.ca));
  });

  it('refuses TLS settings without TEMPORAL_ADDRESS: the embedded dev server speaks plain gRPC on loopback', () => {
    for (const [name, value] of [
      ['TEMPORAL_TLS', 'on'],
      ['TEMPORAL_TLS_CA', '/etc/temporal/ca.pem'],
      ['TEMPORAL_API_KEY', 'key'],
    ]) {
      const error = refusal(() => loadConfig({ [name]: value }));
      expect(error?.variable, name).toBe(name);
      expect(error?.message).toMatch(/needs TEMPORAL_ADDRESS: .*embedded dev server speaks plain gRPC/);
    }
  });

  it('hands child processes the same files: relative paths made absolute, the other variables as they are', () => {
    const env = childEnv({
      TEMPORAL_TLS_CA: 'certs/ca.pem',
      TEMPORAL_TLS_CERT: '/etc/applyfree/worker.pem',
      TEMPORAL_TLS_KEY: './worker.key',
      TEMPORAL_TLS_SERVER_NAME: 'temporal.city.internal',
      TEMPORAL_API_KEY: 'key',
    });
    expect(env.TEMPORAL_TLS_CA).toBe(resolve('certs/ca.pem'));
    expect(env.TEMPORAL_TLS_CERT).toBe('/etc/applyfree/worker.pem');
    expect(env.TEMPORAL_TLS_KEY).toBe(resolve('worker.key'));
    expect([env.TEMPORAL_TLS_SERVER_NAME, env.TEMPORAL_API_KEY]).toEqual(['temporal.city.internal', 'key']);
  });
});
