/**
 * What every `applyfree` client command shares: the call to the HTTP API as the person in
 * APPLYFREE_TOKEN (a refusal becomes one line with its code, field and both languages), argument
 * helpers, the two errors that set the exit code, and the output that honours --json.
 */
import { readFile } from 'node:fs/promises';
import { loadConfig } from '../workers/config.js';

/** Wrong use of the command: printed with the usage, exit 2. */
export class UsageError extends Error {}
/** The policy failed or the server refused: one line, exit 1. */
export class Refused extends Error {}

/** Where a command prints: human lines, or the data as JSON with --json. */
export interface Output {
  json: boolean;
  print(human: string[] | string, data: unknown): void;
}

export async function readJson(file: string | undefined): Promise<unknown> {
  if (!file) throw new UsageError('name a policy file');
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new Refused(`${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Refused(`${file}: not valid JSON: ${(error as Error).message}`);
  }
}

export function versionArgs(args: string[]): [string, number] {
  const [id, version] = args;
  if (!id || !version || !/^\d+$/.test(version))
    throw new UsageError('give a policy id and a version number, e.g. childcare-subsidy 2');
  return [id, Number(version)];
}

export function flag(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value`);
  args.splice(at, 2);
  return value;
}

/**
 * A resident ID or credit code given with `name`: `-` reads it from the first line of standard
 * input, so the identifier shows in no process list and no shell history (security review S11).
 */
export async function identifierFlag(args: string[], name: string): Promise<string | undefined> {
  const value = flag(args, name);
  if (value !== '-') return value;
  let text = '';
  for await (const chunk of process.stdin) {
    text += (chunk as Buffer).toString();
    if (text.includes('\n')) break;
  }
  const line = text.split('\n')[0]?.trim();
  if (!line) throw new UsageError(`${name} -: give the identifier on the first line of standard input`);
  return line;
}

/** Calls the policy API; a refusal becomes one line with its code, field and both languages. */
export type Issue = { path: string; message: string; messageZh?: string };

/** One validation issue as a line: the path, then the English and the Chinese as every bilingual CLI line prints them. */
export const issueLine = (issue: Issue): string =>
  `  ${issue.path || '(document)'}: ${issue.message}${issue.messageZh ? ` · ${issue.messageZh}` : ''}`;

/** The API's refusal as one line: its code, the field at fault, both languages and any issues. */
async function refusalOf(response: Response): Promise<Refused> {
  const answer = (await response.json().catch(() => ({}))) as {
    code?: string;
    message?: string;
    messageZh?: string;
    field?: string;
    issues?: Issue[];
  };
  const field = answer.field ? ` [${answer.field}]` : '';
  const issues = (answer.issues ?? []).map((issue) => `\n${issueLine(issue)}`).join('');
  return new Refused(
    `${answer.code ?? response.status}${field}: ${answer.message ?? response.statusText}${answer.messageZh ? ` · ${answer.messageZh}` : ''}${issues}`,
  );
}

/**
 * Calls the API with a body that is not JSON (a bank file) or for an answer that is not JSON (a
 * download): the response as it comes, once it is a success; a refusal becomes one line.
 */
export async function apiFetch(
  method: string,
  path: string,
  request: { body?: string; contentType?: string; accept?: string } = {},
): Promise<Response> {
  const config = loadConfig();
  const headers: Record<string, string> = { accept: request.accept ?? '*/*' };
  if (config.token) headers.authorization = `Bearer ${config.token}`;
  if (request.contentType) headers['content-type'] = request.contentType;
  let response: Response;
  try {
    response = await fetch(`${config.apiUrl}${path}`, { method, headers, body: request.body });
  } catch (error) {
    throw new Refused(
      `cannot reach the API at ${config.apiUrl} (${(error as Error).message}): start it with npm start, or set APPLYFREE_API_URL`,
    );
  }
  if (!response.ok) throw await refusalOf(response);
  return response;
}

export async function api(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await apiFetch(method, path, {
    accept: 'application/json',
    ...(body === undefined ? {} : { body: JSON.stringify(body), contentType: 'application/json' }),
  });
  return (await response.json().catch(() => ({}))) as unknown;
}

/** What the dispatcher lends each command. */
export interface CommandContext {
  api: typeof api;
  flag: typeof flag;
  identifier: typeof identifierFlag;
  out: Output;
  usage(message: string): Error;
  refused(message: string): Error;
}
