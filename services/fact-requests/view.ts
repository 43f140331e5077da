/**
 * Fact requests as they are shown (services/fact-requests/service.ts): to staff, with who filed
 * them; to the department asked, without (what, why, for which policy, on what basis, the times);
 * the alerts about answers; the query of the staff list.
 */
import type { FactRequestAnswer, FactRequestStatus } from '../../domain/fact-requests.js';
import type { Text } from '../../domain/sources.js';
import type { FactRequestRecord } from '../../store/fact-requests.js';
import type { StaffAlert } from '../../store/staff-alerts.js';

/** A request as staff see it. */
export interface FactRequestView {
  id: string;
  status: FactRequestStatus;
  fact: FactRequestRecord['fact'];
  why: string;
  policy: FactRequestRecord['policy'];
  legalBasis: string;
  department: string;
  departmentName: Text;
  sourceId?: string;
  filedBy: { id: string; name: string };
  filedAt: string;
  dueAt: string;
  answer?: FactRequestAnswer;
  answeredAt?: string;
  /** Whether the answer (a fact added) came by the due time; absent while open. */
  answeredInTime?: boolean;
  withdrawnAt?: string;
}

/** A request as the department asked sees it: what, why, for which policy, on what basis; not who filed it. */
export type DepartmentFactRequestView = Omit<FactRequestView, 'filedBy'>;

const iso = (at?: Date) => at?.toISOString();

export function viewOf(record: FactRequestRecord): FactRequestView {
  return {
    id: record._id,
    status: record.status,
    fact: record.fact,
    why: record.why,
    policy: record.policy,
    legalBasis: record.legalBasis,
    department: record.department,
    departmentName: record.departmentName,
    ...(record.sourceId ? { sourceId: record.sourceId } : {}),
    filedBy: { id: record.filedBy.id, name: record.filedBy.name },
    filedAt: record.filedAt.toISOString(),
    dueAt: record.dueAt.toISOString(),
    ...(record.answer ? { answer: record.answer } : {}),
    ...(record.answeredAt
      ? {
          answeredAt: iso(record.answeredAt),
          answeredInTime: record.status === 'answered' && record.answeredAt.getTime() <= record.dueAt.getTime(),
        }
      : {}),
    ...(record.withdrawnAt ? { withdrawnAt: iso(record.withdrawnAt) } : {}),
  };
}

export const departmentViewOf = (record: FactRequestRecord): DepartmentFactRequestView => {
  const { filedBy: _filer, ...view } = viewOf(record);
  return view;
};

/** An alert to the caller about the answer to a request they filed. */
export interface FactRequestAlert {
  kind: StaffAlert['kind'];
  factRequestId?: string;
  text: Text;
  at: string;
}

/** Query of GET /fact-requests. */
export interface FactRequestQuery {
  status?: FactRequestStatus;
  department?: string;
  policy?: string;
  /** Only the caller's own filings. */
  mine?: boolean;
}
