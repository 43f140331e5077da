/**
 * A returned payment (退回款项) on the officers' worklist: every line the bank rejected, or that was
 * withheld for want of a usable account, opens one `returned-payment` task (domain/tasks.ts, ten days
 * by default), keyed by the line, beside its entry on the returns worklist (store/bank-files.ts), so
 * an officer claims it, corrects what can be corrected and closes it with what was done. A retried
 * import or export opens nothing new.
 */
import type { Connection } from 'mongoose';
import type { BenefitStarter } from '../../activities/benefit-start.js';
import { openTask } from '../../activities/tasks.js';
import type { PaymentReturn } from '../../store/bank-files.js';

export const returnTaskKey = (lineKey: string): string => `payroll-return:${lineKey}`;

export async function openReturnTask(
  store: Connection,
  workflows: BenefitStarter | undefined,
  entry: Pick<PaymentReturn, 'lineKey' | 'subjectKey' | 'policy'>,
): Promise<void> {
  await openTask(
    { store, ...(workflows ? { workflows } : {}) },
    {
      key: returnTaskKey(entry.lineKey),
      type: 'returned-payment',
      source: { kind: 'payroll-return', key: entry.lineKey },
      subjectKey: entry.subjectKey,
      policyId: entry.policy.id,
    },
  );
}
