/**
 * The console's only way to the server: JSON over the API. The page holds no token: the session
 * is an httpOnly cookie the browser sends itself (api/auth-routes.ts), which no script can read,
 * and every request carries the console's header, without which a change made with that cookie
 * is refused (CSRF). A refusal becomes an ApiFailure carrying the API's code, both messages and
 * any issues; a 401 while signed in (the session ended) is also reported to `whenSessionEnds`.
 */
import { currentLang } from './i18n.js';
import type { Issue } from './types.js';

/** The header no other site can make a browser send here (no CORS): it marks the console's own requests. */
const CONSOLE_HEADER = 'x-applyfree-console';

let sessionEnded: ((failure: ApiFailure) => void) | undefined;

/** Who to tell when an answer says the session has ended (401): the console sends the person to sign in. */
export function whenSessionEnds(handler: (failure: ApiFailure) => void): void {
  sessionEnded = handler;
}

/** An API refusal as the console shows it: code, both messages, field and issues. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly messageZh: string | undefined,
    readonly field: string | undefined,
    readonly issues: Issue[],
  ) {
    super(message);
  }

  /** The message in the console's language. */
  get shown(): string {
    return currentLang() === 'zh' && this.messageZh ? this.messageZh : this.message;
  }
}

/** One JSON request in the signed-in session (the cookie); throws ApiFailure on a non-2xx answer. */
export async function api<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { [CONSOLE_HEADER]: '1' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!response.ok) {
    const failure = new ApiFailure(
      response.status,
      String(parsed.code ?? response.status),
      String(parsed.message ?? response.statusText),
      typeof parsed.messageZh === 'string' ? parsed.messageZh : undefined,
      typeof parsed.field === 'string' ? parsed.field : undefined,
      Array.isArray(parsed.issues) ? (parsed.issues as Issue[]) : [],
    );
    if (response.status === 401) sessionEnded?.(failure);
    throw failure;
  }
  return parsed as T;
}

/** What an issue says, in the console's language (English when the answer has no Chinese). */
export const issueText = (issue: Issue): string =>
  currentLang() === 'zh' && issue.messageZh ? issue.messageZh : issue.message;

/** The message of any error, in the console's language. */
export const errorText = (error: unknown): string =>
  error instanceof ApiFailure
    ? `${error.shown} (${error.code})`
    : error instanceof Error
      ? error.message
      : String(error);
