import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactUrl } from '../../workers/config.js';

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
    });
    expect(config.demo).toEqual({ enabled: false, residents: 1_000_000, enterprises: 50_000, eventsPerSecond: 200 });
    expect([config.taskQueue, config.queuePrefix]).toEqual(['applyfree-east', 'east']);
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
