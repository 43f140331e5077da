/**
 * Whom a fact request is filed to, and for what: the registered department named, or the one that
 * registered the catalog source named (store/departments.ts source claims; both named, they must
 * agree), and the policy's version when one is named. Refusals name the field; nothing is written.
 */
import type { Connection } from 'mongoose';
import { FactRequestRefusal, type FactRequestFiling } from '../../domain/fact-requests.js';
import { findDepartment, registerDepartmentModels, type DepartmentRecord } from '../../store/departments.js';
import { policyVersionId, registerPolicyModels } from '../../store/policy-versions.js';

/** The department asked: the one named, or the one registered for the source named (both: they must agree). */
export async function departmentAsked(store: Connection, filing: FactRequestFiling): Promise<DepartmentRecord> {
  const claim = filing.sourceId
    ? ((await registerDepartmentModels(store).SourceClaim.findById(filing.sourceId).lean()) ?? undefined)
    : undefined;
  if (filing.sourceId && !claim && !filing.department)
    throw new FactRequestRefusal(
      'BAD_VALUE',
      `sourceId: no registered department keeps source "${filing.sourceId}": name the department`,
      `sourceId：没有已登记部门提供数据源“${filing.sourceId}”，请指定部门`,
      'sourceId',
    );
  const id = filing.department ?? claim!.department;
  const department = await findDepartment(store, id);
  if (!department)
    throw new FactRequestRefusal(
      'BAD_VALUE',
      `department: "${id}" is not a registered department (applyfree department list)`,
      `department：“${id}”不是已登记的部门`,
      'department',
    );
  if (claim && claim.department !== department._id)
    throw new FactRequestRefusal(
      'BAD_VALUE',
      `sourceId: source "${filing.sourceId}" is kept by department ${claim.department}, not ${department._id}`,
      `sourceId：数据源“${filing.sourceId}”由部门 ${claim.department} 提供，而非 ${department._id}`,
      'sourceId',
    );
  return department;
}

/** A version named must exist (a policy not drafted yet is named without one). */
export async function checkPolicy(store: Connection, policy: FactRequestFiling['policy']): Promise<void> {
  if (policy.version === undefined) return;
  const found = await registerPolicyModels(store).PolicyVersion.exists({
    _id: policyVersionId(policy.id, policy.version),
  });
  if (!found)
    throw new FactRequestRefusal(
      'BAD_VALUE',
      `policy.version: ${policy.id} has no version ${policy.version} (leave the version out for a policy not drafted yet)`,
      `policy.version：政策 ${policy.id} 没有第 ${policy.version} 版（尚未起草的政策可不填版本）`,
      'policy.version',
    );
}
