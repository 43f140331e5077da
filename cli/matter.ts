/**
 * `applyfree matter …`: the list of matters (用证事项清单) from the command line, a client of the
 * HTTP API. Reading is public; drafting is an officer's (the whole next list from a file, submitted
 * for review at once) and approving a reviewer's who did not draft it (which publishes it), the
 * same four-eyes rule as in the console. Exit codes: 0 done, 1 refused, 2 usage.
 */
import { api, flag, readJson, UsageError, type CommandContext } from './context.js';

export const MATTER_USAGE = `usage: applyfree matter <command> [--json]
  list [--subject person|enterprise] [--department D]
                                       the list in force: each matter, proof-free or how many proofs
                                       are still on paper; counts by method; version, date, stale flag
  show <matter-id>                     one matter: its fields (filled by shared data or typed) and
                                       each proof it used to require with how it is obtained now
  versions                             every published version of the list
  draft <file.json>                    draft the next version (officer): {"matters": [...]}, the
                                       whole list (GET /matters gives the one in force), and submit it
  approve <draft-id> [--note TEXT]     approve and publish a submitted draft (reviewer; not the drafter)
  reject <draft-id> --note TEXT        send a submitted draft back, saying why (reviewer)`;

type Text = { zh: string; en: string };
type Replacement =
  | { method: 'sharing'; facts: string[] }
  | { method: 'verification'; claim: string }
  | { method: 'certificate'; certificateType: string }
  | { method: 'pledge'; statement: Text }
  | { method: 'cancelled'; basis: Text }
  | { method: 'paper' };
type MatterView = {
  id: string;
  subject: string;
  title: Text;
  department: { id: string; name: Text };
  legalBasis: Text;
  level: string;
  timeLimitWorkingDays: number;
  fields: Array<{ id: string; label: Text; fact?: string; input?: string; required: boolean }>;
  proofs: Array<{ id: string; title: Text; issuedBy: Text; replacement: Replacement }>;
  claims: string[];
  proofFree: boolean;
};
type ListView = {
  version: number;
  publishedOn?: string;
  stale: boolean;
  byMethod: Record<string, number>;
  proofFreeCount: number;
  matters: MatterView[];
};
type DraftView = { id: string; status: string; matterCount: number; publishedVersion?: number };

/** How each replacement method reads. */
export const METHOD_WORDS: Record<string, string> = {
  sharing: '数据共享 (shared data)',
  verification: '部门核验 (verified by the department)',
  certificate: '电子证照 (e-certificate)',
  pledge: '告知承诺 (pledge)',
  cancelled: '直接取消 (no longer asked)',
  paper: '仍需提交 (still on paper)',
};
const LEVEL_WORDS: Record<string, string> = { city: '市级', county: '县级', township: '乡级' };

function how(replacement: Replacement): string {
  switch (replacement.method) {
    case 'sharing':
      return `${METHOD_WORDS.sharing}: ${replacement.facts.join(', ')}`;
    case 'verification':
      return `${METHOD_WORDS.verification}: ${replacement.claim}`;
    case 'certificate':
      return `${METHOD_WORDS.certificate}: ${replacement.certificateType}`;
    case 'pledge':
      return `${METHOD_WORDS.pledge}: ${replacement.statement.zh}`;
    case 'cancelled':
      return `${METHOD_WORDS.cancelled}: ${replacement.basis.zh}`;
    case 'paper':
      return METHOD_WORDS.paper;
  }
}

const matterLine = (m: MatterView) => {
  const paper = m.proofs.filter((p) => p.replacement.method === 'paper').length;
  return `${m.id.padEnd(40)} ${m.title.zh} · ${m.department.name.zh} · ${m.timeLimitWorkingDays}个工作日 · ${
    m.proofFree ? '免提交 (proof-free)' : `${paper} 项仍需提交 (on paper)`
  }`;
};
const draftLine = (d: DraftView) =>
  `${d.id}  ${d.status.padEnd(9)}  ${d.matterCount} matters${d.publishedVersion ? `  → v${d.publishedVersion}` : ''}`;

export async function runMatterCommand(argv: string[], { out }: CommandContext): Promise<number> {
  const [command, ...rest] = argv;
  const draftPath = (id: string | undefined) => {
    if (!id || id.startsWith('--')) throw new UsageError('give a draft ID (applyfree matter draft prints it)');
    return `/matters/drafts/${encodeURIComponent(id)}`;
  };
  switch (command) {
    case 'list': {
      const query = new URLSearchParams();
      const subject = flag(rest, '--subject');
      const department = flag(rest, '--department');
      if (subject) query.set('subject', subject);
      if (department) query.set('department', department);
      const list = (await api('GET', `/matters${query.size ? `?${query}` : ''}`)) as ListView;
      out.print(
        [
          `list of matters v${list.version}, published ${list.publishedOn ?? '—'} · 用证事项清单第 ${list.version} 版${
            list.stale ? '  ⚠ 已超过六个月未更新 (stale: older than six months)' : ''
          }`,
          `${list.matters.length} matters, ${list.proofFreeCount} proof-free · ${Object.entries(list.byMethod)
            .map(([method, count]) => `${method} ${count}`)
            .join(' · ')}`,
          ...list.matters.map(matterLine),
        ],
        list,
      );
      return 0;
    }
    case 'show': {
      const id = rest[0];
      if (!id || id.startsWith('--')) throw new UsageError('give a matter ID (applyfree matter list lists them)');
      const m = (await api('GET', `/matters/${encodeURIComponent(id)}`)) as MatterView;
      out.print(
        [
          `${m.title.zh} · ${m.title.en} (${m.id})`,
          `  ${m.department.name.zh} · ${LEVEL_WORDS[m.level] ?? m.level} · 法定办结时限 ${m.timeLimitWorkingDays} 个工作日`,
          `  依据 ${m.legalBasis.zh}`,
          '  表单 (form):',
          ...m.fields.map(
            (f) =>
              `    ${f.label.zh.padEnd(16)} ${f.fact ? `免填写 ← ${f.fact}` : `申请人填写 (${f.input ?? 'text'})`}${f.required ? '' : ' (可选)'}`,
          ),
          '  证明材料 (proofs it used to require):',
          ...m.proofs.map((p) => `    ${p.title.zh} (${p.issuedBy.zh}) → ${how(p.replacement)}`),
          ...(m.claims.length ? [`  可核验 (claims others may verify): ${m.claims.join(', ')}`] : []),
        ],
        m,
      );
      return 0;
    }
    case 'versions': {
      const versions = (await api('GET', '/matters/versions')) as Array<{
        version: number;
        publishedOn: string;
        origin: string;
        added: string[];
        matterCount: number;
        publishedBy: string;
      }>;
      out.print(
        versions.map(
          (v) =>
            `v${v.version}  ${v.publishedOn}  ${v.origin.padEnd(7)} ${v.publishedBy}  ${v.matterCount} matters, +${v.added.length} ${v.added.slice(0, 4).join(', ')}${v.added.length > 4 ? ' …' : ''}`,
        ),
        versions,
      );
      return 0;
    }
    case 'draft': {
      const drafted = (await api('POST', '/matters/drafts', await readJson(rest[0]))) as DraftView;
      const submitted = (await api('POST', `${draftPath(drafted.id)}/submit`, {})) as DraftView;
      out.print([`drafted and submitted ${drafted.id} · 已起草并提交审核`, draftLine(submitted)], submitted);
      return 0;
    }
    case 'approve':
    case 'reject': {
      const note = flag(rest, '--note');
      if (command === 'reject' && !note) throw new UsageError('reject needs --note "why"');
      const draft = (await api('POST', `${draftPath(rest[0])}/${command}`, note ? { note } : {})) as DraftView;
      out.print(draftLine(draft), draft);
      return 0;
    }
    default:
      throw new UsageError(command ? `unknown matter command "${command}"` : 'name a matter command');
  }
}
