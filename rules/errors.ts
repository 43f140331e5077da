/**
 * Errors raised by the rules layer. Each carries a stable `code` so activities can map it
 * to an ApplicationFailure type and the API can answer with it; "not eligible" is never an error.
 */

export type RulesErrorCode =
  | 'POLICY_INVALID'
  | 'POLICY_CATALOG_INVALID'
  | 'POLICY_NOT_FOUND'
  | 'PARAMETER_NOT_IN_FORCE'
  | 'AMOUNT_UNRESOLVED'
  | 'INVALID_AS_OF';

/** Base class of every error thrown from rules/; `code` is stable, the message is for people. */
export class RulesError extends Error {
  constructor(
    readonly code: RulesErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RulesError';
  }
}

/** One problem found in a policy document, with the path of the field at fault. */
export interface ValidationIssue {
  /** Dotted path into the policy, array items as `[i]`, e.g. `namedConditions.childUnderThree.fact`. */
  path: string;
  /** What is wrong, in English: the CLI, logs and the error's own message use it. */
  message: string;
  /** The same in Chinese, for the console and the officers who read it. */
  messageZh: string;
}

/** A policy document failed validation; `issues` lists every problem found, not just the first. */
export class PolicyValidationError extends RulesError {
  constructor(readonly issues: readonly ValidationIssue[]) {
    const shown = issues.slice(0, 3).map((issue) => `${issue.path}: ${issue.message}`);
    const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
    super('POLICY_INVALID', `Policy is invalid: ${shown.join('; ')}${more}`);
    this.name = 'PolicyValidationError';
  }
}

/** One problem in the shipped policy catalog: the file, the field and what is wrong. */
export interface CatalogProblem {
  file: string;
  path: string;
  message: string;
}

/** The policy catalog on disk is broken; lists every problem in every file. */
export class PolicyCatalogError extends RulesError {
  constructor(readonly problems: readonly CatalogProblem[]) {
    const shown = problems.slice(0, 3).map((problem) => `${problem.file} ${problem.path}: ${problem.message}`);
    const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
    super('POLICY_CATALOG_INVALID', `Policy catalog is invalid: ${shown.join('; ')}${more}`);
    this.name = 'PolicyCatalogError';
  }
}
