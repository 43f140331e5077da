/**
 * Staff names in public answers (security review S14): the published record is open to anyone, but
 * who drafted, approved or launched a version or a sweep is for the staff who work with policies
 * (domain/permissions.ts `staff.names`; sweeps themselves are read only by those staff, `sweep.read`). Open routes read the caller's token for this
 * alone; a caller the table leaves out gets the answer without the names.
 */
import type { FastifyRequest } from 'fastify';
import { allows } from '../domain/permissions.js';
import type { User } from '../store/users.js';

/** The fields of policy versions and sweeps (and a sweep's `approval`) that name a member of staff, by name or user ID. */
export const STAFF_NAME_FIELDS = [
  'createdBy',
  'updatedBy',
  'submittedBy',
  'approvedBy',
  'publishedBy',
  'retiredBy',
  'requestedBy',
  'requestedById',
  'decidedBy',
  'decidedById',
] as const;

/** The record without the fields that name staff, in a sweep's request (`approval`) too. */
export function withoutStaffNames<T extends object>(record: T): T {
  const copy = { ...record } as Record<string, unknown>;
  for (const field of STAFF_NAME_FIELDS) delete copy[field];
  if (copy.approval && typeof copy.approval === 'object') copy.approval = withoutStaffNames(copy.approval);
  return copy as T;
}

/**
 * A function that trims staff names from what a request answers unless its caller may see them
 * (`identify`: the token's person, or undefined without one; a token nobody holds is a 401).
 */
export function staffNamesFor(identify: (request: FastifyRequest) => Promise<User | undefined>) {
  return async (request: FastifyRequest) => {
    const shown = allows((await identify(request))?.role, 'staff.names');
    return <T extends object>(record: T): T => (shown ? record : withoutStaffNames(record));
  };
}
