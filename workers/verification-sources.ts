/**
 * Which catalog sources a deployment reads from a department's verification service (证明核验接口,
 * activities/shared-data/http-verification.ts) instead of the data platform's collection, as
 * configuration: APPLYFREE_VERIFICATION_SOURCES, a JSON object from source ID to its service.
 *
 *   APPLYFREE_VERIFICATION_SOURCES='{"civil-affairs": {"url": "https://mz.example.gov.cn/verify-api",
 *     "department": "civil-affairs", "client": "applyfree-dezhou", "timeoutMs": 3000, "retries": 2}}'
 *
 * `url` is the service's base (POST {url}/verify); `department` names the registered department
 * whose credential signs each call — its key is derived from the master secret for that
 * department (domain/keys.ts departmentCredential, context = its ID), never written in the
 * environment; `client` is who applyfree is to it (x-applyfree-client). Without `department`
 * the calls are unsigned (a department that authenticates callers otherwise, e.g. mTLS).
 * Parsed once at start-up by workers/config.ts; a source the catalog does not know, or a URL a
 * raw ID may not go to (plain http except to loopback in development), stops the process.
 */
import type { HttpSourceConfig } from '../activities/shared-data/http-verification.js';
import { DEPARTMENT_ID_PATTERN } from '../domain/departments.js';
import { deriveKey } from '../domain/keys.js';
import { findSource } from '../domain/sources.js';
import { outboundUrlProblem } from '../domain/transport.js';

export const VERIFICATION_SOURCES_VARIABLE = 'APPLYFREE_VERIFICATION_SOURCES';

/** One source's service as configured (no key: keys are derived). */
export interface VerificationSourceSetting {
  source: string;
  url: string;
  department?: string;
  client?: string;
  timeoutMs: number;
  retries: number;
}

/** A configuration problem, naming the variable and the entry at fault. */
export class VerificationSourcesError extends Error {
  constructor(message: string) {
    super(`${VERIFICATION_SOURCES_VARIABLE}: ${message}`);
    this.name = 'VerificationSourcesError';
  }
}

const DEFAULT_TIMEOUT_MS = 3_000;
const DEFAULT_RETRIES = 2;

const integer = (value: unknown, where: string, min: number, max: number, fallback: number): number => {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new VerificationSourcesError(`${where} must be an integer from ${min} to ${max}`);
  return value;
};

/** Parses the variable's JSON (absent or empty: no source is read over HTTP). */
export function parseVerificationSources(
  value: string | undefined,
  options: { development: boolean },
): VerificationSourceSetting[] {
  if (value === undefined || value.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new VerificationSourcesError('expected a JSON object from source ID to {"url", "department", "client"}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new VerificationSourcesError('expected a JSON object from source ID to {"url", "department", "client"}');
  return Object.entries(parsed as Record<string, unknown>).map(([source, raw]) => {
    if (!findSource(source)) throw new VerificationSourcesError(`${source} is not a source of the data catalog`);
    if (typeof raw !== 'object' || raw === null) throw new VerificationSourcesError(`${source} must be an object`);
    const entry = raw as Record<string, unknown>;
    if (typeof entry.url !== 'string') throw new VerificationSourcesError(`${source}.url is required`);
    const problem = outboundUrlProblem(entry.url, options);
    if (problem) throw new VerificationSourcesError(`${source}.url: ${problem}`);
    if (
      entry.department !== undefined &&
      (typeof entry.department !== 'string' || !DEPARTMENT_ID_PATTERN.test(entry.department))
    )
      throw new VerificationSourcesError(`${source}.department must be a department ID (kebab-case)`);
    if (entry.client !== undefined && (typeof entry.client !== 'string' || !/^[\w.-]{1,64}$/.test(entry.client)))
      throw new VerificationSourcesError(`${source}.client must be 1 to 64 letters, digits, '.', '_' or '-'`);
    return {
      source,
      url: entry.url,
      ...(entry.department ? { department: entry.department as string } : {}),
      ...(entry.client ? { client: entry.client as string } : {}),
      timeoutMs: integer(entry.timeoutMs, `${source}.timeoutMs`, 100, 60_000, DEFAULT_TIMEOUT_MS),
      retries: integer(entry.retries, `${source}.retries`, 0, 5, DEFAULT_RETRIES),
    };
  });
}

/**
 * The adapters' configuration (activities/shared-data/adapters.ts `http`): each source's service,
 * its calls signed with the key derived for its department from the master secret.
 */
export function httpSourceConfigs(
  settings: readonly VerificationSourceSetting[],
  options: { subjectKeySecret: string; development: boolean },
): Record<string, HttpSourceConfig> {
  return Object.fromEntries(
    settings.map((setting) => [
      setting.source,
      {
        baseUrl: setting.url,
        timeoutMs: setting.timeoutMs,
        retries: setting.retries,
        breaker: { failureThreshold: 5, cooldownMs: 30_000 },
        development: options.development,
        ...(setting.department
          ? {
              auth: {
                clientId: setting.client ?? 'applyfree',
                key: deriveKey(options.subjectKeySecret, 'departmentCredential', setting.department),
              },
            }
          : {}),
      } satisfies HttpSourceConfig,
    ]),
  );
}
