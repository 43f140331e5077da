/**
 * The export of false-pledge credit records to the credit office (信用主管部门, docs/CREDIT.md):
 * JSON lines, one record a line, in schema `applyfree.credit-record/1`, oldest first from a date.
 * A line names the subject by its pseudonymous key only, never a resident ID or credit code
 * (DESIGN.md, data and privacy): the credit office resolves a key it must act on through the city's
 * logged reveal, which the subject sees. Supervisors only (credit.export).
 */
import type { Connection } from 'mongoose';
import { authorize } from '../../domain/permissions.js';
import { Refusal } from '../../domain/refusal.js';
import { registerBenefitModels } from '../../store/benefits.js';
import type { User } from '../../store/users.js';
import { PLEDGE_DEFAULTS } from '../../workflows/contracts/index.js';

export const CREDIT_EXPORT_SCHEMA = 'applyfree.credit-record/1';

/** One exported line (docs/CREDIT.md lists each field). */
export interface CreditExportLine {
  schema: typeof CREDIT_EXPORT_SCHEMA;
  recordId: string;
  subjectKey: string;
  kind: 'false-pledge';
  policyId: string;
  recordedAt: string;
  reason: string;
  barsPledgeModeDays: number;
  barsPledgeModeUntil: string;
}

export class CreditRefusal extends Refusal {}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Lines per export: a larger backlog is exported in steps, each from the last line's date. */
export const CREDIT_EXPORT_LIMIT = 10_000;

export function createCreditService(deps: { store: Connection }) {
  const { CreditRecord } = registerBenefitModels(deps.store);
  return {
    /** The records written on or after `since` (YYYY-MM-DD), oldest first, as export lines. */
    async exportSince(actor: User, since: string | undefined): Promise<CreditExportLine[]> {
      authorize(actor, 'credit.export', CreditRefusal);
      if (since === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(since) || Number.isNaN(Date.parse(since)))
        throw new CreditRefusal('BAD_DATE', 'since is a date, YYYY-MM-DD', 'since 须为日期 YYYY-MM-DD', 'since');
      const records = await CreditRecord.find({ recordedAt: { $gte: new Date(`${since}T00:00:00+08:00`) } })
        .sort({ recordedAt: 1, _id: 1 })
        .limit(CREDIT_EXPORT_LIMIT)
        .lean();
      return records.map((r) => {
        const days = r.blockDays ?? PLEDGE_DEFAULTS.creditBlockDays;
        return {
          schema: CREDIT_EXPORT_SCHEMA,
          recordId: r.key,
          subjectKey: r.subjectKey,
          kind: r.kind,
          policyId: r.policyId,
          recordedAt: r.recordedAt.toISOString(),
          reason: r.reason ?? '',
          barsPledgeModeDays: days,
          barsPledgeModeUntil: new Date(r.recordedAt.getTime() + days * DAY_MS).toISOString().slice(0, 10),
        };
      });
    },
  };
}

export type CreditService = ReturnType<typeof createCreditService>;
