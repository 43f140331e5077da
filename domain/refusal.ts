/**
 * A refused request, as every route group answers it: HTTP status, a stable code, the message
 * in English and Chinese, the field at fault and, for documents, each issue with its path.
 * Each service names its own subclass, narrowing `code` to the codes it answers, so callers
 * and tests can tell what refused them; the API's error handler answers every subclass alike.
 */
export class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly messageZh: string,
    readonly field?: string,
    readonly issues?: ReadonlyArray<{ path: string; message: string; messageZh?: string }>,
  ) {
    super(message);
  }
}
