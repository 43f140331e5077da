import { describe, expect, inject, it } from 'vitest';
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
        CI: '1',
      }),
    );
    expect(code).toBe(1);
    expect(stderr).toContain(`Redis at redis://127.0.0.1:${closed} does not answer`);
    expect(stderr).toContain('npm run stack -- up');
    expect(stderr).toContain('applyfree worker: stopped.');
  });
});
