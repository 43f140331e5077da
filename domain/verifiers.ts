/**
 * Verifiers (扫码核验方): the parties allowed to scan resident and enterprise codes — a
 * department's counter, or a registered outside party (a bank, a park, an employer) — each with its
 * own credential (domain/verifier-signature.ts) and the matters it may check (domain/code-matters.ts).
 * Pure: store/verifiers.ts keeps the register.
 */
import { codeMatter, CODE_MATTERS } from './code-matters.js';
import { DEPARTMENT_ID_MAX, DEPARTMENT_ID_PATTERN } from './departments.js';
import type { Text } from './sources.js';

/** A department's own counter or app, or a party outside government. */
export type VerifierKind = 'department' | 'outside';
export const VERIFIER_KINDS: readonly VerifierKind[] = ['department', 'outside'];

/** What a verifier is registered for: the register's entry without its credentials. */
export interface VerifierSpec {
  /** kebab-case, e.g. `bank-of-rizhao`, `civil-affairs-counter` (never a `/`: part of a key's HKDF context). */
  id: string;
  name: Text;
  kind: VerifierKind;
  /** For a department's verifier: the department (its kebab-case ID). */
  department?: string;
  /** The matters (domain/code-matters.ts) it may check. */
  matters: readonly string[];
}

/** A verifier's registration that cannot be used, naming the field. */
export class VerifierSpecError extends Error {
  constructor(
    readonly field: 'id' | 'name.zh' | 'name.en' | 'kind' | 'department' | 'matters',
    message: string,
  ) {
    super(message);
    this.name = 'VerifierSpecError';
  }
}

const kebab = (value: string | undefined) =>
  value !== undefined && DEPARTMENT_ID_PATTERN.test(value) && value.length <= DEPARTMENT_ID_MAX;

/** Checks a registration (ID, names, kind, department, known matters); throws VerifierSpecError. */
export function validateVerifierSpec(spec: VerifierSpec): VerifierSpec {
  if (!kebab(spec.id))
    throw new VerifierSpecError(
      'id',
      `expected a kebab-case verifier ID (a-z, 0-9 and single hyphens, at most ${DEPARTMENT_ID_MAX}), got "${spec.id}"`,
    );
  for (const language of ['zh', 'en'] as const)
    if (!spec.name[language]?.trim() || spec.name[language].length > 200)
      throw new VerifierSpecError(`name.${language}`, 'expected a name of 1 to 200 characters');
  if (!VERIFIER_KINDS.includes(spec.kind))
    throw new VerifierSpecError('kind', `expected one of ${VERIFIER_KINDS.join(', ')}, got "${spec.kind}"`);
  if (spec.kind === 'department' && !kebab(spec.department))
    throw new VerifierSpecError('department', 'a department’s verifier names its department (a kebab-case ID)');
  if (spec.kind === 'outside' && spec.department !== undefined)
    throw new VerifierSpecError('department', 'an outside party belongs to no department');
  if (spec.matters.length === 0) throw new VerifierSpecError('matters', 'expected at least one matter');
  for (const matter of spec.matters)
    if (!codeMatter(matter))
      throw new VerifierSpecError(
        'matters',
        `"${matter}" is not a matter (one of ${CODE_MATTERS.map((known) => known.id).join(', ')})`,
      );
  return {
    id: spec.id,
    name: { zh: spec.name.zh.trim(), en: spec.name.en.trim() },
    kind: spec.kind,
    ...(spec.kind === 'department' ? { department: spec.department } : {}),
    matters: [...new Set(spec.matters)],
  };
}
