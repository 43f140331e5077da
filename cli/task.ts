/**
 * `applyfree task …` (任务): the caller's worklist, one task, and its steps — claim, release,
 * reassign (a supervisor) and complete (the holder) — through the API as the person in
 * APPLYFREE_TOKEN, so the same roles and refusals apply as in the console. Human output by
 * default, `--json` for scripts.
 */
import { readFile } from 'node:fs/promises';
import { TASK_STATUSES, TASK_TYPE_TEXT, type TaskView } from '../domain/tasks.js';
import type { CompletedTask, TaskList } from '../services/tasks/service.js';
import type { CommandContext } from './context.js';

export const TASK_USAGE = `usage: applyfree task <command> [--json]  任务: the worklist of what people decide
  list [--type T] [--status S] [--assignee me|none|<user-id>] [--overdue] [--department D]
       [--limit N] [--cursor C]        your worklist: overdue first (marked !), then by due date, with counts
  show <task-id>                       one task with its history (who did what, when)
  claim <task-id>                      take an open task of a type your role handles
  release <task-id>                    put it back on the worklist (its holder, or a supervisor)
  reassign <task-id> --to <user-id>    assign it to staff who handle its type (supervisor)
  complete <task-id> (--outcome-file F | --note TEXT | --decide eligible|ineligible --reason TEXT
                      | --finding conforms|does-not-conform|cannot-verify --notes TEXT [--evidence A,B])
                                       close it with its outcome (its holder): a review re-evaluates the case,
                                       an inspection's finding closes or revokes the pledge
  statuses: active (open and claimed, the default), ${TASK_STATUSES.join(', ')}`;

/** An instant as the city reads it: YYYY-MM-DD HH:MM in Asia/Shanghai (UTC+8 all year). */
const cityTime = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
const cityDate = (iso: string) => cityTime(iso).slice(0, 10);

const line = (t: TaskView) =>
  `${t.overdue ? '!' : ' '} ${t.id}  ${t.type} · ${TASK_TYPE_TEXT[t.type].zh}  ${t.status}  due 时限 ${cityDate(t.dueAt)}${t.overdue ? ' OVERDUE 已超期' : ''}  ${t.assigneeName ? `${t.assigneeName} (${t.assigneeId})` : 'unclaimed 未认领'}`;

function details(t: TaskView): string[] {
  const lines = [
    line(t),
    `  ${t.title.zh} · ${t.title.en}`,
    `  source 来源: ${t.source.kind} ${t.source.key}${t.caseId && t.caseId !== t.source.key ? `  case 案件: ${t.caseId}` : ''}`,
  ];
  if (t.department) lines.push(`  department 部门: ${t.department}`);
  if (t.missingFacts.length) lines.push(`  missing 缺少数据: ${t.missingFacts.join(', ')}`);
  if (t.failedSources.length) lines.push(`  failed sources 数据源故障: ${t.failedSources.join(', ')}`);
  lines.push(
    `  limit 办结时限: ${t.timeLimitDays} days 天, opened 立项 ${cityTime(t.openedAt)}, reminder 提醒 ${cityTime(t.remindAt)}, due 到期 ${cityTime(t.dueAt)}`,
  );
  if (t.escalatedAt) lines.push(`  escalated 已报督查: ${cityTime(t.escalatedAt)}`);
  if (t.outcome) lines.push(`  outcome 办结结果: ${JSON.stringify(t.outcome)}`);
  if (t.resolution) lines.push(`  resolution 处理: ${t.resolution.action} · ${t.resolution.text.zh}`);
  lines.push(
    '  history 过程:',
    ...t.history.map(
      (h) =>
        `    ${cityTime(h.at)}  ${h.action}${h.byName ? `  — ${h.byName} (${h.byId})` : ''}${h.note ? `  ${h.note}` : ''}`,
    ),
  );
  return lines;
}

/** The outcome the flags give, or the file's. */
async function outcomeOf(rest: string[], context: CommandContext): Promise<unknown> {
  const { flag, usage, refused } = context;
  const file = flag(rest, '--outcome-file');
  if (file) {
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw refused(`${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
    });
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw refused(`${file}: not valid JSON: ${(error as Error).message}`);
    }
  }
  const note = flag(rest, '--note');
  if (note !== undefined) return { kind: 'closed', note };
  const decide = flag(rest, '--decide');
  if (decide !== undefined) return { kind: 'decided', outcome: decide, reason: flag(rest, '--reason') ?? '' };
  const finding = flag(rest, '--finding');
  if (finding !== undefined) {
    const evidence = flag(rest, '--evidence');
    return {
      kind: 'finding',
      finding,
      notes: flag(rest, '--notes') ?? '',
      evidence: evidence ? evidence.split(',').map((ref) => ref.trim()) : [],
    };
  }
  throw usage(
    'complete <task-id> needs --outcome-file F, --note TEXT, --decide … --reason TEXT or --finding … --notes TEXT',
  );
}

/** Runs one `applyfree task` command; returns the exit code. */
export async function runTaskCommand(argv: string[], context: CommandContext): Promise<number> {
  const { api, flag, usage, out } = context;
  const [command, ...rest] = argv;
  const path = (id: string | undefined, action = '') => {
    if (!id || id.startsWith('--')) throw usage('give a task ID (applyfree task list shows them)');
    return `/tasks/${encodeURIComponent(id)}${action}`;
  };
  switch (command) {
    case 'list': {
      const query = new URLSearchParams();
      for (const name of ['type', 'status', 'assignee', 'department', 'limit', 'cursor']) {
        const value = flag(rest, `--${name}`);
        if (value !== undefined) query.set(name, value);
      }
      if (rest.includes('--overdue')) query.set('overdue', 'true');
      const list = (await api('GET', `/tasks${query.size ? `?${query}` : ''}`)) as TaskList;
      const { counts } = list;
      const byType = Object.entries(counts.byType)
        .map(([type, n]) => `${type} ${n}`)
        .join(', ');
      out.print(
        [
          `open 待认领 ${counts.open} · claimed 办理中 ${counts.claimed} · overdue 已超期 ${counts.overdue} · due soon 即将到期 ${counts.dueSoon}  (${byType})`,
          ...(list.tasks.length ? list.tasks.map(line) : ['no tasks · 没有任务']),
          ...(list.nextCursor ? [`more 更多: applyfree task list --cursor ${list.nextCursor}`] : []),
        ],
        list,
      );
      return 0;
    }
    case 'show': {
      const task = (await api('GET', path(rest[0]))) as TaskView;
      out.print(details(task), task);
      return 0;
    }
    case 'claim':
    case 'release': {
      const task = (await api('POST', path(rest[0], `/${command}`), {})) as TaskView;
      out.print(
        [command === 'claim' ? `claimed 已认领 ${task.id}` : `released 已退回 ${task.id}`, ...details(task)],
        task,
      );
      return 0;
    }
    case 'reassign': {
      const to = flag(rest, '--to');
      if (!to) throw usage('reassign <task-id> --to <user-id>');
      const task = (await api('POST', path(rest[0], '/reassign'), { assigneeId: to })) as TaskView;
      out.print([`assigned 已指派 ${task.id} → ${task.assigneeName} (${task.assigneeId})`, ...details(task)], task);
      return 0;
    }
    case 'complete': {
      const id = rest[0];
      const target = path(id, '/complete');
      const outcome = await outcomeOf(rest.slice(1), context);
      const done = (await api('POST', target, { outcome })) as CompletedTask;
      out.print(
        [
          `completed 已办结 ${done.task.id}: ${done.resolution.action} · ${done.resolution.text.zh} · ${done.resolution.text.en}`,
          ...details(done.task),
        ],
        done,
      );
      return 0;
    }
    default:
      throw usage(command ? `unknown task command "${command}"` : 'name a task command');
  }
}
