/**
 * The demo's firms sign their pledges (告知承诺) as a firm would in the app: every few seconds the
 * pledges awaiting a signature are read and most are signed with their written notice's hash
 * (services/citizen/pledge-sign.ts, channel app), so the demo city's pledges are granted and later
 * inspected; about one in ten, drawn from the pledge's key, is left to lapse unsigned, as some would.
 */
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import { signPledge } from '../services/citizen/pledge-sign.js';
import { registerBenefitModels } from '../store/benefits.js';

const EVERY_MS = 5_000;
const BATCH = 50;

/** Whether the demo firm behind a pledge signs it: nine in ten, the same answer on every run. */
export const demoFirmSigns = (pledgeKey: string): boolean => createHash('sha256').update(pledgeKey).digest()[0] >= 26;

/** Starts the signing loop; the answer stops it. */
export function startDemoSignatures(deps: { store: Connection; temporal: Client; log?: (line: string) => void }): {
  stop(): Promise<void>;
} {
  const { Pledge } = registerBenefitModels(deps.store);
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const round = async () => {
    const waiting = await Pledge.find({ status: 'awaiting-signature' }, { key: 1, subjectKey: 1, noticeHash: 1 })
      .limit(BATCH)
      .lean();
    for (const pledge of waiting) {
      if (stopped) return;
      if (!pledge.noticeHash || !demoFirmSigns(pledge.key)) continue;
      await signPledge(
        { store: deps.store, temporal: deps.temporal },
        {
          subjectKey: pledge.subjectKey,
          pledgeId: pledge.key,
          signature: { channel: 'app', noticeHash: pledge.noticeHash },
        },
      ).catch((error: unknown) =>
        deps.log?.(`demo pledge signature: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
  };
  const timer = setInterval(() => {
    running = running.then(round).catch(() => undefined);
  }, EVERY_MS);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
