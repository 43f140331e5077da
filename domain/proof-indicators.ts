/**
 * The certificate-free city's seed indicators (德州市“无证明城市”建设实施方案 一(二)), computed from
 * the records of proof-free applications (domain/applications.ts) and the list of matters in force
 * (domain/matters.ts), never from a constant:
 * - 字段共享率 — form fields filled from shared data ÷ all fields (target 30 % by the end of 2022, 50 % from 2023);
 * - 证明材料共享率 — proofs obtained by data sharing or a department's verification ÷ proofs required
 *   (target 40 %, then 60 %);
 * - 电子证照证明替代率 — proofs replaced by an electronic certificate or a verification ÷ proofs required;
 * - the share of matters fully proof-free (no proof still needed on paper).
 * A proof the list cancelled is no longer required, so it counts in neither part nor whole; an
 * upload (the last resort when a replacement failed) counts in the whole only. Per department and
 * month submitted (city time), and in total. Pure: the metrics service and its tests share it.
 */
import { cityDateOf } from './calendar.js';
import type { ApplicationIndicatorRow, ApplicationProof } from './applications.js';
import { proofFree, type Matter } from './matters.js';
import type { Text } from './sources.js';

/** A part of a whole, and their ratio (null when the whole is 0). */
export interface Share {
  part: number;
  whole: number;
  rate: number | null;
}

/** A target that rises over the years: the last step whose year is not after the month's year applies. */
export type TargetSteps = ReadonlyArray<{ year: number; rate: number }>;

/** The plan's targets (德州市“无证明城市”建设实施方案 一(二)工作目标). */
export const PROOF_INDICATOR_TARGETS = {
  fieldSharing: [
    { year: 2022, rate: 0.3 },
    { year: 2023, rate: 0.5 },
  ],
  proofSharing: [
    { year: 2022, rate: 0.4 },
    { year: 2023, rate: 0.6 },
  ],
} as const satisfies Record<string, TargetSteps>;

/** The target in force for a month (YYYY-MM), or undefined before the first step. */
export function targetFor(steps: TargetSteps, month: string): number | undefined {
  const year = Number(month.slice(0, 4));
  let rate: number | undefined;
  for (const step of steps) if (step.year <= year) rate = step.rate;
  return rate;
}

export interface ProofIndicatorCounts {
  applications: number;
  fieldSharing: Share;
  proofSharing: Share;
  certificateSubstitution: Share;
  /** Proofs that had to be uploaded because their replacement failed. */
  uploads: number;
}

export interface ProofIndicatorRow extends ProofIndicatorCounts {
  /** The month submitted, city time (YYYY-MM). */
  month: string;
  department: string;
  departmentName: Text;
  /** The targets in force that month. */
  targets: { fieldSharing?: number; proofSharing?: number };
}

export interface ProofFreeMatters {
  department: string;
  departmentName: Text;
  matters: number;
  proofFree: number;
  rate: number | null;
}

export interface ProofIndicators {
  targets: typeof PROOF_INDICATOR_TARGETS;
  total: ProofIndicatorCounts;
  rows: ProofIndicatorRow[];
  /** The list in force: matters fully proof-free, by handling department and in total. */
  proofFreeMatters: {
    total: Omit<ProofFreeMatters, 'department' | 'departmentName'>;
    byDepartment: ProofFreeMatters[];
  };
}

const share = (): Share => ({ part: 0, whole: 0, rate: null });
const emptyCounts = (): ProofIndicatorCounts => ({
  applications: 0,
  fieldSharing: share(),
  proofSharing: share(),
  certificateSubstitution: share(),
  uploads: 0,
});
const settle = (s: Share) => {
  s.rate = s.whole > 0 ? s.part / s.whole : null;
};

/** Whether a proof counts as required: everything but what the list cancelled. */
const required = (proof: ApplicationProof) => proof.obtainedBy !== 'cancelled';

function count(counts: ProofIndicatorCounts, application: ApplicationIndicatorRow): void {
  counts.applications += 1;
  for (const field of application.fields) {
    counts.fieldSharing.whole += 1;
    if (field.source === 'shared') counts.fieldSharing.part += 1;
  }
  for (const proof of application.proofs.filter(required)) {
    counts.proofSharing.whole += 1;
    counts.certificateSubstitution.whole += 1;
    if (proof.obtainedBy === 'sharing' || proof.obtainedBy === 'verification') counts.proofSharing.part += 1;
    if (proof.obtainedBy === 'certificate' || proof.obtainedBy === 'verification')
      counts.certificateSubstitution.part += 1;
    if (proof.obtainedBy === 'upload') counts.uploads += 1;
  }
}

/**
 * The indicators over applications and the list in force. `departmentName` names a department ID
 * (from the list's matters; the ID itself when no matter names it).
 */
export function proofIndicators(
  applications: Iterable<ApplicationIndicatorRow>,
  matters: readonly Matter[],
): ProofIndicators {
  const names = new Map<string, Text>(matters.map((m) => [m.department.id, m.department.name]));
  const departmentName = (id: string): Text => names.get(id) ?? { zh: id, en: id };
  const rows = new Map<string, ProofIndicatorRow>();
  const total = emptyCounts();
  for (const application of applications) {
    const month = cityDateOf(application.submittedAt).slice(0, 7);
    const id = `${month}|${application.department}`;
    let row = rows.get(id);
    if (!row) {
      row = {
        month,
        department: application.department,
        departmentName: departmentName(application.department),
        targets: {
          fieldSharing: targetFor(PROOF_INDICATOR_TARGETS.fieldSharing, month),
          proofSharing: targetFor(PROOF_INDICATOR_TARGETS.proofSharing, month),
        },
        ...emptyCounts(),
      };
      rows.set(id, row);
    }
    count(row, application);
    count(total, application);
  }
  for (const counts of [...rows.values(), total])
    [counts.fieldSharing, counts.proofSharing, counts.certificateSubstitution].forEach(settle);

  const byDepartment = new Map<string, ProofFreeMatters>();
  for (const matter of matters) {
    const entry = byDepartment.get(matter.department.id) ?? {
      department: matter.department.id,
      departmentName: matter.department.name,
      matters: 0,
      proofFree: 0,
      rate: null,
    };
    entry.matters += 1;
    if (proofFree(matter)) entry.proofFree += 1;
    byDepartment.set(matter.department.id, entry);
  }
  const departments = [...byDepartment.values()].sort((a, b) => a.department.localeCompare(b.department));
  for (const entry of departments) entry.rate = entry.matters > 0 ? entry.proofFree / entry.matters : null;
  const listed = departments.reduce((sum, d) => sum + d.matters, 0);
  const free = departments.reduce((sum, d) => sum + d.proofFree, 0);
  return {
    targets: PROOF_INDICATOR_TARGETS,
    total,
    rows: [...rows.values()].sort((a, b) => a.month.localeCompare(b.month) || a.department.localeCompare(b.department)),
    proofFreeMatters: {
      total: { matters: listed, proofFree: free, rate: listed > 0 ? free / listed : null },
      byDepartment: departments,
    },
  };
}
