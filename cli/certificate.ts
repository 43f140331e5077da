/**
 * `applyfree certificate verify FILE` (离线验章验签): checks a signed certificate file (what
 * GET /me/certificates/:id downloads) with the seal registry's public keys, without the store and,
 * given the registry and revocation list as files, without the network — the same verification
 * the API runs (domain/certificate-verify.ts). Exit 0 valid, 1 invalid (each reason in Chinese and
 * English) or unreadable, 2 usage. `applyfree seal list|rotate|revoke` manages the seals through the API.
 */
import { readFile } from 'node:fs/promises';
import { cityToday } from '../domain/calendar.js';
import type { SealRegistryView, VerificationResult } from '../domain/certificates.js';
import { readRevocationList, verifyCertificate } from '../domain/certificate-verify.js';
import type { Text } from '../domain/sources.js';
import { loadConfig } from '../workers/config.js';
import type { CommandContext } from './context.js';

export const CERTIFICATE_USAGE = `usage: applyfree certificate verify FILE [--registry FILE_OR_URL] [--revocations FILE_OR_URL] [--json]
  verify FILE            verify a signed certificate file (<id>.json, from GET /me/certificates/:id) with the
                         seal registry's SM2 public keys: every seal's signature, its status and validity when it
                         signed, every issuing department sealed, the revocation list, the expiry. Exit 0 valid,
                         1 invalid (the reasons, 中文 and English), 2 usage
  --registry FILE_OR_URL the seal registry (GET /seals saved as a file, or its URL); default the API's /seals
  --revocations FILE_OR_URL
                         the sealed revocation list (GET /certificates/revocations, a file or URL); default the
                         API's when the registry is the API's too, else not checked (said so)
  --json                 the verification result as JSON`;

export const SEAL_USAGE = `usage: applyfree seal list | rotate DEPARTMENT | revoke SEAL_ID --reason TEXT [--json]
  list                   the seal registry: every department's seals, status and validity (anyone)
  rotate DEPARTMENT      a new seal for the department; the old one is retired and still verifies what it
                         signed (reviewer token)
  revoke SEAL_ID --reason TEXT
                         revoke a seal: nothing it ever signed verifies any more (reviewer token)
  --json                 machine output`;

/** A JSON document from a file, or from a URL (http or https). */
async function readSource(source: string, what: string, context: CommandContext): Promise<unknown> {
  let text: string;
  if (/^https?:\/\//.test(source)) {
    const response = await fetch(source, { headers: { accept: 'application/json' } }).catch((error: Error) => {
      throw context.refused(`${what} ${source}: cannot reach it (${error.message})`);
    });
    if (!response.ok) throw context.refused(`${what} ${source}: answered ${response.status}`);
    text = await response.text();
  } else {
    text = await readFile(source, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw context.refused(`${what} ${source}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw context.refused(`${what} ${source}: not valid JSON (${(error as Error).message})`);
  }
}

const both = (text: Text) => `${text.zh} · ${text.en}`;

/** The result as lines: valid with who vouches, or every reason it is not. */
export function verificationLines(result: VerificationResult, revocationsChecked: boolean): string[] {
  const lines = result.valid
    ? [`valid · 有效: certificate 证照 ${result.certificateId} (${result.type})`]
    : [`INVALID · 无效${result.certificateId ? `: certificate 证照 ${result.certificateId}` : ''}`];
  for (const failure of result.failures) lines.push(`  ${failure.code}: ${failure.message.zh} · ${failure.message.en}`);
  for (const vouch of result.vouchedBy)
    lines.push(`  vouched for by 签章部门 ${both(vouch.name)} (${vouch.department}, seal 印章 ${vouch.sealId})`);
  if (!revocationsChecked)
    lines.push('  not checked against a revocation list · 未核对撤销列表 (give --revocations FILE_OR_URL)');
  return lines;
}

async function verifyFile(args: string[], context: CommandContext): Promise<number> {
  const registrySource = context.flag(args, '--registry');
  const revocationSource = context.flag(args, '--revocations');
  const [file, ...extra] = args;
  if (!file || extra.length > 0) throw context.usage('name one certificate file');
  const apiUrl = loadConfig().apiUrl;
  const registry = (await readSource(registrySource ?? `${apiUrl}/seals`, 'registry', context)) as SealRegistryView;
  if (!registry || !Array.isArray(registry.seals))
    throw context.refused(`registry ${registrySource ?? `${apiUrl}/seals`}: not a seal registry (expected { seals })`);
  const revocations =
    revocationSource ?? (registrySource === undefined ? `${apiUrl}/certificates/revocations` : undefined);
  let revoked = new Set<string>();
  if (revocations) {
    const read = readRevocationList(await readSource(revocations, 'revocations', context), registry);
    if ('problem' in read) throw context.refused(`${revocations}: ${both(read.problem)}`);
    revoked = read.revoked;
  }
  const result = verifyCertificate(await readSource(file, 'certificate', context), registry, revoked, cityToday());
  context.out.print(verificationLines(result, revocations !== undefined), result);
  return result.valid ? 0 : 1;
}

/** `applyfree certificate verify …`. */
export async function runCertificateCommand(argv: string[], context: CommandContext): Promise<number> {
  const [sub, ...args] = argv;
  if (sub === 'verify') return verifyFile(args, context);
  throw context.usage(sub ? `unknown subcommand "${sub}"` : 'name a subcommand: verify');
}

type Seal = SealRegistryView['seals'][number];
const sealLine = (seal: Seal) =>
  `${seal.sealId}  ${seal.status.padEnd(7)}  ${seal.department}  ${seal.name.zh}  ${seal.validFrom.slice(0, 10)} – ${seal.validTo.slice(0, 10)}${seal.revocationReason ? `  (${seal.revocationReason})` : ''}`;

/** `applyfree seal list|rotate|revoke …`, through the API. */
export async function runSealCommand(argv: string[], context: CommandContext): Promise<number> {
  const [sub, ...args] = argv;
  if (sub === 'list') {
    const registry = (await context.api('GET', '/seals')) as SealRegistryView;
    context.out.print(registry.seals.length ? registry.seals.map(sealLine) : 'no seals yet · 尚无印章', registry);
    return 0;
  }
  if (sub === 'rotate') {
    const [department] = args;
    if (!department) throw context.usage('name the department');
    const answer = (await context.api('POST', `/seals/${encodeURIComponent(department)}/rotate`)) as {
      active: Seal;
      retired?: Seal;
    };
    context.out.print(
      [
        `active 启用: ${sealLine(answer.active)}`,
        ...(answer.retired ? [`retired 停用: ${sealLine(answer.retired)}`] : []),
      ],
      answer,
    );
    return 0;
  }
  if (sub === 'revoke') {
    const reason = context.flag(args, '--reason');
    const [sealId] = args;
    if (!sealId || !reason) throw context.usage('name the seal and give --reason');
    const seal = (await context.api('POST', `/seals/${encodeURIComponent(sealId)}/revoke`, { reason })) as Seal;
    context.out.print(`revoked 已吊销: ${sealLine(seal)}`, seal);
    return 0;
  }
  throw context.usage(sub ? `unknown subcommand "${sub}"` : 'name a subcommand: list, rotate or revoke');
}
