/**
 * The console's only way to the server: JSON over the API with the signed-in token.
 * A refusal becomes an ApiFailure carrying the API's code, both messages and any issues.
 */
import { currentLang } from './i18n.js';
import type { Issue } from './types.js';

const TOKEN_KEY = 'applyfree.console.token';

export const tokenStore = {
  get: (): string | null => localStorage.getItem(TOKEN_KEY),
  set: (token: string): void => localStorage.setItem(TOKEN_KEY, token),
  clear: (): void => localStorage.removeItem(TOKEN_KEY),
};

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

/** One JSON request with the signed-in token; throws ApiFailure on a non-2xx answer. */
export async function api<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
  const token = tokenStore.get();
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!response.ok) {
    throw new ApiFailure(
      response.status,
      String(parsed.code ?? response.status),
      String(parsed.message ?? response.statusText),
      typeof parsed.messageZh === 'string' ? parsed.messageZh : undefined,
      typeof parsed.field === 'string' ? parsed.field : undefined,
      Array.isArray(parsed.issues) ? (parsed.issues as Issue[]) : [],
    );
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
