/**
 * A refused request, as every route group answers it: HTTP status, a stable code, the message
 * in English and Chinese, the field at fault and, for documents, each issue with its path.
 * Each group names its own subclass so its error handler knows what it threw.
 */
export class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly messageZh: string,
    readonly field?: string,
    readonly issues?: Array<{ path: string; message: string }>,
  ) {
    super(message);
  }
}
