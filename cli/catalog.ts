/**
 * `applyfree catalog …`: the data catalog (数据目录) from the command line, a client of the HTTP
 * API as the person whose token is in APPLYFREE_TOKEN, so the same roles and four-eyes rules apply
 * as in the console: an officer drafts an addition from a file and submits it; a reviewer who did
 * not draft it approves (which publishes it) or sends it back. Exit codes: 0 done, 1 refused, 2 usage.
 */
import { api, flag, readJson, UsageError, type CommandContext } from './context.js';

export const CATALOG_USAGE = `usage: applyfree catalog <command> [--json]
  list                                 the catalog in force: sources, their facts, coverage, version
  versions                             every published version, what it added, who published it
  drafts [--status S]                  catalog drafts (officers, reviewers, supervisors)
  show <draft-id>                      one draft with its addition and history
  draft <file.json>                    draft an addition (officer): {"sourceId": …, "facts": [...]}
                                       for a published source, or {"source": {...}} for a new one
  submit <draft-id> [--note TEXT]      hand a draft to review (officer)
  approve <draft-id> [--note TEXT]     approve and publish (reviewer; not the drafter)
  reject <draft-id> --note TEXT        send a submitted draft back, saying why (reviewer)`;

type Text = { zh: string; en: string };
type CatalogView = {
  version: number;
  sources: Array<{
    id: string;
    subject: string;
    department: Text;
    updateFrequency: string;
    fields: Array<{ key: string; type: string; label: Text; unit?: Text; coverage: string; sensitivity: string }>;
  }>;
};
type DraftView = {
  id: string;
  status: string;
  facts: string[];
  createdBy: string;
  publishedVersion?: number;
  history: Array<{ action: string; actor: string; at: string; note?: string }>;
};

/** How coverage reads to an officer. */
export const COVERAGE_WORDS: Record<string, string> = {
  'absent-means-no': '无记录即"否" (no record means no)',
  'absent-means-unknown': '无记录即"未知" (no record means unknown)',
};

const draftLine = (d: DraftView) =>
  `${d.id}  ${d.status.padEnd(9)}  ${d.facts.join(', ')}${d.publishedVersion ? `  → v${d.publishedVersion}` : ''}`;

export async function runCatalogCommand(argv: string[], { out }: CommandContext): Promise<number> {
  const [command, ...rest] = argv;
  const draftPath = (id: string | undefined) => {
    if (!id || id.startsWith('--')) throw new UsageError('give a draft ID (applyfree catalog drafts lists them)');
    return `/catalog/drafts/${encodeURIComponent(id)}`;
  };
  switch (command) {
    case 'list': {
      const catalog = (await api('GET', '/catalog')) as CatalogView;
      out.print(
        [
          `data catalog v${catalog.version} · 数据目录第 ${catalog.version} 版`,
          ...catalog.sources.flatMap((s) => [
            `${s.id} (${s.subject}) ${s.department.zh} · ${s.department.en} · ${s.updateFrequency}`,
            ...s.fields.map(
              (f) =>
                `  ${f.key.padEnd(40)} ${f.type.padEnd(7)} ${f.unit ? `${f.unit.zh} ` : ''}${f.label.zh} · ${COVERAGE_WORDS[f.coverage] ?? f.coverage}`,
            ),
          ]),
        ],
        catalog,
      );
      return 0;
    }
    case 'versions': {
      const versions = (await api('GET', '/catalog/versions')) as Array<{
        version: number;
        origin: string;
        added: string[];
        publishedBy: string;
        publishedAt: string;
      }>;
      out.print(
        versions.map(
          (v) =>
            `v${v.version}  ${v.publishedAt.slice(0, 19).replace('T', ' ')}  ${v.origin.padEnd(7)} ${v.publishedBy}  +${v.added.length} ${v.added.slice(0, 5).join(', ')}${v.added.length > 5 ? ' …' : ''}`,
        ),
        versions,
      );
      return 0;
    }
    case 'drafts': {
      const status = flag(rest, '--status');
      const drafts = (await api(
        'GET',
        `/catalog/drafts${status ? `?status=${encodeURIComponent(status)}` : ''}`,
      )) as DraftView[];
      out.print(drafts.map(draftLine), drafts);
      return 0;
    }
    case 'show': {
      const draft = (await api('GET', draftPath(rest[0]))) as DraftView;
      out.print(
        [
          draftLine(draft),
          ...draft.history.map(
            (e) =>
              `  ${e.at.slice(0, 19).replace('T', ' ')}  ${e.action.padEnd(9)} ${e.actor}${e.note ? ` — ${e.note}` : ''}`,
          ),
        ],
        draft,
      );
      return 0;
    }
    case 'draft': {
      const draft = (await api('POST', '/catalog/drafts', await readJson(rest[0]))) as DraftView;
      out.print([`drafted ${draft.id} · 已起草`, draftLine(draft)], draft);
      return 0;
    }
    case 'submit':
    case 'approve':
    case 'reject': {
      const note = flag(rest, '--note');
      if (command === 'reject' && !note) throw new UsageError('reject needs --note "why"');
      const draft = (await api('POST', `${draftPath(rest[0])}/${command}`, note ? { note } : {})) as DraftView;
      out.print(draftLine(draft), draft);
      return 0;
    }
    default:
      throw new UsageError(command ? `unknown catalog command "${command}"` : 'name a catalog command');
  }
}
