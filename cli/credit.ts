/**
 * `applyfree credit export --since <date> [--out file]` (信用记录报送): downloads the false-pledge
 * credit records written since a date, as the JSON lines GET /credit-records/export answers
 * (schema applyfree.credit-record/1, docs/CREDIT.md), to a file or standard output. Supervisors only.
 */
import { writeFile } from 'node:fs/promises';
import { apiFetch, type CommandContext } from './context.js';

export const CREDIT_USAGE = `usage: applyfree credit export --since <YYYY-MM-DD> [--out <file>]
                                       信用记录报送: false-pledge credit records since a date, as JSON lines
                                       (schema applyfree.credit-record/1, docs/CREDIT.md) to <file> or stdout (supervisor)`;

export async function runCreditCommand(argv: string[], context: CommandContext): Promise<number> {
  const { flag, usage, out } = context;
  const [command, ...rest] = argv;
  if (command !== 'export') throw usage(`unknown credit command ${command ?? '(none)'}: credit export --since <date>`);
  const since = flag(rest, '--since');
  const file = flag(rest, '--out');
  if (!since || !/^\d{4}-\d{2}-\d{2}$/.test(since)) throw usage('--since takes a date, YYYY-MM-DD');
  if (rest.length > 0) throw usage(`unexpected ${rest.join(' ')}: credit export takes --since and --out`);
  const response = await apiFetch('GET', `/credit-records/export?since=${since}`, { accept: 'application/x-ndjson' });
  const text = await response.text();
  const lines = text.split('\n').filter((line) => line.length > 0).length;
  if (file) {
    await writeFile(file, text);
    out.print(`${lines} credit records since ${since} written to ${file} · 已导出 ${lines} 条信用记录`, {
      file,
      lines,
      since,
    });
  } else if (out.json)
    out.print([], {
      lines,
      since,
      records: text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as unknown),
    });
  else process.stdout.write(text);
  return 0;
}
