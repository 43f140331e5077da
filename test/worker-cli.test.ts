import { describe, expect, inject, it } from 'vitest';
import { DEVELOPMENT_SUBJECT_KEY_SECRET } from '../domain/pseudonym.js';
import { freePort } from './support/free-port.js';
import { finished, runEntry } from './support/run-node.js';

const stack = inject('stack');

describe('npm run worker', () => {
  it('says which server does not answer and how to start it, and exits 1', async () => {
    const closed = await freePort();
    const { code, stderr } = await finished(
      runEntry('workers/worker-cli.ts', [], {
        TEMPORAL_ADDRESS: stack.temporalAddress,
        MONGODB_URI: stack.mongodbUri,
        REDIS_URL: `redis://127.0.0.1:${closed}`,
        APPLYFREE_MODE: 'development',
        CI: '1',
      }),
    );
    expect(code).toBe(1);
    expect(stderr).toContain(`Redis at redis://127.0.0.1:${closed} does not answer`);
    expect(stderr).toContain('npm run stack -- up');
    expect(stderr).toContain('applyfree worker: stopped.');
  });

  it('refuses to start in production without a secret: one line naming the variable, exit 1, before any server (abuse 17)', async () => {
    const { code, stdout, stderr } = await finished(
      runEntry('workers/worker-cli.ts', [], {
        TEMPORAL_ADDRESS: '127.0.0.1:9',
        MONGODB_URI: 'mongodb://127.0.0.1:9/applyfree',
        REDIS_URL: 'redis://127.0.0.1:9',
        APPLYFREE_SUBJECT_KEY_SECRET: '',
        APPLYFREE_MODE: '',
        CI: '1',
      }),
    );
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^applyfree worker: APPLYFREE_SUBJECT_KEY_SECRET: required in production/),
    ]);
    expect(stdout).toBe('');
  });

  it('refuses the published development key in production (abuse 17)', async () => {
    const { code, stderr } = await finished(
      runEntry('workers/worker-cli.ts', [], {
        APPLYFREE_MODE: 'production',
        APPLYFREE_SUBJECT_KEY_SECRET: DEVELOPMENT_SUBJECT_KEY_SECRET,
        CI: '1',
      }),
    );
    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(
      /^applyfree worker: APPLYFREE_SUBJECT_KEY_SECRET: is the published development key[^\n]*$/,
    );
  });
});
