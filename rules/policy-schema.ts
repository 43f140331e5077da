/**
 * The published JSON Schema of the policy format (rules/policy.schema.json, draft-07) and a
 * check of a document against it. The schema covers structure only, so editors and other
 * tools can check a policy without our code; validatePolicy stays the gate for the semantics
 * (catalog facts, operators for fact types, parameter gaps and overlaps). Issues use
 * validate.ts's paths (`namedConditions.agedSixty.operator`, `facts["person.birthDate"].purpose`).
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import type { ValidationIssue } from './errors.js';
import { at } from './validate-support.js';

/** The schema as published at GET /schemas/policy.json. */
export const POLICY_SCHEMA = JSON.parse(readFileSync(new URL('./policy.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;

const validateAgainstSchema = new Ajv({ allErrors: true, strict: false }).compile(POLICY_SCHEMA);

/** Keywords whose errors only say that a nested branch failed; the nested errors carry the detail. */
const WRAPPERS = new Set(['if', 'anyOf', 'oneOf', 'allOf']);

/** Checks a document against the published schema; empty when it conforms. One issue per path. */
export function checkPolicySchema(document: unknown): ValidationIssue[] {
  if (validateAgainstSchema(document)) return [];
  const byPath = new Map<string, string[]>();
  for (const error of validateAgainstSchema.errors ?? []) {
    if (WRAPPERS.has(error.keyword) && (validateAgainstSchema.errors ?? []).some((other) => other !== error && other.instancePath.startsWith(error.instancePath) && !WRAPPERS.has(other.keyword))) continue;
    const path = issuePath(document, error);
    const messages = byPath.get(path) ?? [];
    const message = describe(error);
    if (!messages.includes(message)) messages.push(message);
    byPath.set(path, messages);
  }
  return [...byPath].map(([path, messages]) => ({ path, message: messages.join('; ') }));
}

/** The validate.ts path of an error: the instance path, narrowed to the member a keyword names. */
function issuePath(document: unknown, error: ErrorObject): string {
  const segments = error.instancePath === '' ? [] : error.instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let path = '';
  let node: unknown = document;
  for (const segment of segments) {
    const index = Array.isArray(node) ? Number(segment) : undefined;
    path = at(path, index ?? segment);
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
  }
  const params = error.params as Record<string, unknown>;
  const member = params.missingProperty ?? params.additionalProperty ?? params.propertyName;
  if (typeof member === 'string') path = at(path, member);
  return path === '' ? '(policy)' : path;
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') return 'is required';
  if (error.keyword === 'additionalProperties') return `unknown field "${String(params.additionalProperty)}"`;
  if (error.keyword === 'enum') return `must be one of: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  if (error.keyword === 'false schema') return 'is not allowed here';
  if (error.keyword === 'propertyNames') return `name "${String(params.propertyName)}" does not match the expected form`;
  return error.message ?? error.keyword;
}
