/**
 * Typed failures of a shared-data pull. Messages name the source and what went wrong,
 * never the subject's ID: they travel into failedSources, logs and workflow history.
 */

/** Why a source did not answer. */
export type DataSourceErrorCode =
  'Timeout' | 'Network' | 'ServerError' | 'ClientError' | 'BadResponse' | 'CircuitOpen' | 'ReadFailed';

/** Codes worth another attempt: the department may answer next time. */
const RETRYABLE: ReadonlySet<DataSourceErrorCode> = new Set(['Timeout', 'Network', 'ServerError']);
/** Codes that say nothing about the department's health (it answered), so they do not trip a breaker. */
const NOT_A_HEALTH_FAILURE: ReadonlySet<DataSourceErrorCode> = new Set(['ClientError', 'CircuitOpen']);

/** A source failed to answer; `retryable` drives the adapter's retries, `tripsCircuit` its breaker. */
export class DataSourceError extends Error {
  readonly retryable: boolean;
  readonly tripsCircuit: boolean;

  constructor(
    readonly code: DataSourceErrorCode,
    readonly sourceId: string,
    message: string,
  ) {
    super(message);
    this.name = 'DataSourceError';
    this.retryable = RETRYABLE.has(code);
    this.tripsCircuit = !NOT_A_HEALTH_FAILURE.has(code);
  }
}

/**
 * One line for failedSources: the error's code and message with every occurrence of the
 * subject's ID replaced, as a last guard against a driver or library echoing it.
 */
export function describeFailure(error: unknown, idValue: string): string {
  const text =
    error instanceof DataSourceError
      ? `${error.code}: ${error.message}`
      : error instanceof Error
        ? `${error.name}: ${error.message}`
        : 'UnknownError: the source failed without an error';
  return idValue ? text.split(idValue).join('[redacted]') : text;
}
