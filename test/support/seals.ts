/**
 * A seal keeper for tests (services/certificates/seal-keeper.ts): the keys in a fresh directory
 * of its own, removed by `remove()`. Tests that issue certificates from an activity pass `seals`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { createSealKeeper, type SealKeeper } from '../../services/certificates/seal-keeper.js';
import { fileSealKeyStore } from '../../services/certificates/seal-keys.js';

export function testSeals(store: Connection): { seals: SealKeeper; keyDir: string; remove: () => void } {
  const keyDir = join(mkdtempSync(join(tmpdir(), 'applyfree-test-seals-')), 'seals');
  return {
    seals: createSealKeeper({ store, keys: fileSealKeyStore(keyDir) }),
    keyDir,
    remove: () => rmSync(join(keyDir, '..'), { recursive: true, force: true }),
  };
}
