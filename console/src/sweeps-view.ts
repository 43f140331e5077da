/**
 * Sweeps (主动筛查) in the console: the list with status and progress, one sweep's live
 * progress with pause, resume and (reviewers) cancel, the approval of a requested sweep by a
 * reviewer other than the requester, and the offer to request a published version's sweep after
 * reading its last impact simulation. Pages poll while a sweep runs or awaits approval.
 */
import { api, ApiFailure, errorText } from './api.js';
import { h, mount } from './dom.js';
import { button, type Session } from './form-kit.js';
import { formatNumber, formatTime, pick, t } from './i18n.js';
import type { MessageKey } from './messages.js';
import { cellText, costText, todayInCity } from './simulation-view.js';
import type { Catalog, SimulationView, Text, VersionView } from './types.js';
import { loadPolicyTitles } from './choices.js';
import { allows, conditionOf, type Action } from '../../domain/permissions.js';

/** A sweep as GET /sweeps/:id answers (services/sweeps/service.ts SweepView). */
export interface SweepView {
  id: string;
  status: 'awaiting-approval' | 'running' | 'paused' | 'done' | 'cancelled' | 'failed';
  policy: { id: string; version: number };
  asOf: string;
  total: number;
  processed: number;
  eligible: number;
  ineligible: number;
  undetermined: number;
  granted: number;
  grantsCreated: number;
  started: number;
  alreadyHandled: number;
  noticesQueued: number;
  slices: number;
  startedAt: string;
  updatedAt: string;
  requestedBy?: string;
  /** The requester's user ID (shown to staff who may see who launched what). */
  requestedById?: string;
  approval?: {
    status: 'awaiting-approval' | 'approved' | 'declined';
    backDated: boolean;
    requestedAt: string;
    decidedBy?: string;
    decidedAt?: string;
  };
  undeterminedCauses: Array<{ fact: string; count: number }>;
  error?: { code: string; message: string; messageZh: string };
}

export const sweepHash = (id: string): string => `#/sweep/${encodeURIComponent(id)}`;
const sweepPath = (id: string) => `/sweeps/${encodeURIComponent(id)}`;
const ended = (view: SweepView) => view.status === 'done' || view.status === 'cancelled' || view.status === 'failed';

function sweepBadge(status: SweepView['status']): HTMLElement {
  return h('span', { class: `badge sweep-status sweep-${status}` }, t(`sweepStatus_${status}` as MessageKey));
}

/** A bar of processed over total, with the numbers beside it. */
function progressBar(view: SweepView): HTMLElement {
  const share = view.total > 0 ? Math.min(1, view.processed / view.total) : 0;
  return h(
    'div',
    { class: 'sweep-progress' },
    h(
      'div',
      {
        class: `bar bar-${view.status}`,
        role: 'progressbar',
        'aria-valuemin': 0,
        'aria-valuemax': view.total,
        'aria-valuenow': view.processed,
      },
      h('span', { style: `width:${(share * 100).toFixed(1)}%` }),
    ),
    h(
      'span',
      { class: 'bar-text' },
      `${formatNumber(view.processed)} / ${formatNumber(view.total)} (${Math.floor(share * 100)}%)`,
    ),
  );
}

/** The list of sweeps, newest first; refreshed while any is running or paused. */
export function renderSweepList(): HTMLElement {
  const body = h('tbody', {}, h('tr', {}, h('td', { colspan: 6, class: 'muted' }, t('loading'))));
  // Each policy by its title once the stored policies are read; by its ID until then.
  const titles = new Map<string, Text>();
  let shown: SweepView[] | undefined;
  const draw = (sweeps: SweepView[]) => {
    shown = sweeps;
    body.replaceChildren(
      ...(sweeps.length === 0
        ? [h('tr', {}, h('td', { colspan: 6, class: 'muted sweeps-none' }, t('sweepsNone')))]
        : sweeps.map((s) =>
            h(
              'tr',
              { class: 'sweep-row', 'data-sweep': s.id, 'data-status': s.status },
              h(
                'td',
                {},
                h(
                  'a',
                  { href: sweepHash(s.id), class: 'sweep-policy' },
                  titles.has(s.policy.id) ? pick(titles.get(s.policy.id)) : s.policy.id,
                ),
                h('div', { class: 'muted mono sweep-policy-id' }, `${s.policy.id} · v${s.policy.version}`),
              ),
              h('td', { class: 'num', 'data-label': t('colAsOf') }, s.asOf),
              h('td', {}, sweepBadge(s.status)),
              h('td', { class: 'progress-cell' }, progressBar(s)),
              h('td', { class: 'num', 'data-label': t('colEligible') }, formatNumber(s.eligible)),
              h('td', { class: 'muted' }, `${s.requestedBy ?? ''} · ${formatTime(s.startedAt)}`),
            ),
          )),
    );
  };
  loadPolicyTitles(titles, () => shown && draw(shown));
  const load = async () => {
    if (body.dataset.loaded && !body.isConnected) return;
    try {
      const sweeps = await api<SweepView[]>('GET', '/sweeps');
      body.dataset.loaded = 'yes';
      draw(sweeps);
      if (sweeps.some((s) => !ended(s))) window.setTimeout(() => body.isConnected && void load(), 2000);
    } catch (error) {
      body.replaceChildren(h('tr', {}, h('td', { colspan: 6, class: 'error-box' }, errorText(error))));
    }
  };
  window.setTimeout(() => void load(), 0);
  return h(
    'section',
    { class: 'card list sweeps' },
    h('h2', {}, t('sweepsTitle')),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'sweep-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, t('colPolicy')),
            h('th', {}, t('colAsOf')),
            h('th', {}, t('colStatus')),
            h('th', {}, t('colProgress')),
            h('th', {}, t('colEligible')),
            h('th', {}, t('colRequestedBy')),
          ),
        ),
        body,
      ),
    ),
  );
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** One sweep, polled once a second until it ends; the buttons follow its status and the person's role. */
export function renderSweep(id: string, session: Session, catalog: Catalog): HTMLElement {
  const labels = new Map(
    catalog.sources.flatMap((source) => source.fields.map((field) => [field.key, field.label] as const)),
  );
  const head = h('div', { class: 'sweep-head' });
  const stats = h('div', { class: 'sweep-body' }, h('p', { class: 'muted' }, t('loading')));
  const flash = h('div', { class: 'flash', role: 'status', 'aria-live': 'polite' });
  const samples: Array<{ at: number; processed: number }> = [];
  let view: SweepView | undefined;
  let title: VersionView['title'] | undefined;

  const steer = (action: 'pause' | 'resume' | 'cancel' | 'approve', said: MessageKey) => async () => {
    const awaiting = view?.status === 'awaiting-approval';
    if (action === 'cancel' && !window.confirm(t(awaiting ? 'sweepDeclineConfirm' : 'sweepCancelConfirm'))) return;
    try {
      show(await api<SweepView>('POST', `${sweepPath(id)}/${action}`));
      mount(flash, h('div', { class: 'flash-ok' }, t(said)));
    } catch (error) {
      mount(flash, h('div', { class: 'flash-bad' }, errorText(error)));
    }
  };

  function show(next: SweepView): void {
    view = next;
    if (next.status === 'running') samples.push({ at: Date.now(), processed: next.processed });
    const recent = samples.filter((s) => Date.now() - s.at <= 30_000);
    const rate =
      recent.length > 1
        ? (recent[recent.length - 1].processed - recent[0].processed) /
          ((recent[recent.length - 1].at - recent[0].at) / 1000)
        : 0;
    const actions: HTMLElement[] = [];
    const may = (action: Action) => allows(session.role, action);
    const awaiting = next.status === 'awaiting-approval';
    // Four eyes, by user ID: the requester sees why they cannot approve (the API refuses it too).
    const ownRequest =
      conditionOf(session.role, 'sweep.approve') === 'not-requester' &&
      (next.requestedById ? next.requestedById === session.id : next.requestedBy === session.name);
    if (awaiting && may('sweep.approve'))
      actions.push(
        ownRequest
          ? h('span', { class: 'muted sweep-own-request' }, t('sweepOwnRequest'))
          : button(t('sweepApprove'), steer('approve', 'sweepApproved'), { class: 'primary act-approve' }),
      );
    if (awaiting && may('sweep.cancel'))
      actions.push(button(t('sweepDecline'), steer('cancel', 'sweepDeclined'), { class: 'danger act-decline' }));
    if (next.status === 'running' && may('sweep.pause'))
      actions.push(button(t('sweepPause'), steer('pause', 'sweepPausing'), { class: 'act-pause' }));
    if (next.status === 'paused' && may('sweep.resume'))
      actions.push(button(t('sweepResume'), steer('resume', 'sweepResumed'), { class: 'primary act-resume' }));
    if (!ended(next) && !awaiting && may('sweep.cancel'))
      actions.push(button(t('sweepCancel'), steer('cancel', 'sweepCancelling'), { class: 'danger act-cancel' }));
    if (!ended(next) && !awaiting && !may('sweep.cancel'))
      actions.push(h('span', { class: 'muted' }, t('sweepReviewerCancels')));
    const approval = next.approval;
    mount(
      head,
      h('a', { href: '#/sweeps', class: 'back' }, `← ${t('sweepBack')}`),
      h(
        'div',
        { class: 'title-row' },
        h('h2', {}, title ? pick(title) : next.policy.id, h('span', { class: 'version' }, ` v${next.policy.version}`)),
        sweepBadge(next.status),
      ),
      h(
        'div',
        { class: 'muted' },
        t('sweepMeta', {
          policy: next.policy.id,
          version: next.policy.version,
          asOf: next.asOf,
          name: next.requestedBy ?? '—',
          slices: next.slices,
        }),
      ),
      h('div', { class: 'muted mono' }, next.id),
      awaiting
        ? h('p', { class: 'notice sweep-awaiting' }, t('sweepAwaiting', { name: next.requestedBy ?? '—' }))
        : null,
      approval?.backDated && approval.status !== 'declined'
        ? h('p', { class: 'notice sweep-back-dated' }, t('sweepBackDated'))
        : null,
      approval?.decidedBy && approval.decidedAt
        ? h(
            'p',
            { class: 'muted sweep-decided' },
            t(approval.status === 'declined' ? 'sweepDeclinedBy' : 'sweepDecidedBy', {
              name: approval.decidedBy,
              at: formatTime(approval.decidedAt),
            }),
          )
        : null,
      h('div', { class: 'actions' }, ...actions),
      flash,
    );
    const stat = (label: string, value: number | string, cls: string) =>
      h(
        'div',
        { class: `stat ${cls}` },
        h('span', {}, label),
        h('strong', {}, typeof value === 'number' ? formatNumber(value) : value),
      );
    // Nothing is screened before the approval: no counts to show.
    if (awaiting || approval?.status === 'declined') {
      mount(stats);
      return;
    }
    mount(
      stats,
      progressBar(next),
      next.status === 'running' && rate > 0
        ? h(
            'p',
            { class: 'muted sweep-rate' },
            t('sweepRate', {
              rate: formatNumber(Math.round(rate)),
              eta: duration((next.total - next.processed) / rate),
            }),
          )
        : null,
      next.error
        ? h(
            'p',
            { class: 'error-box' },
            `${next.error.code}: ${pick({ zh: next.error.messageZh, en: next.error.message })}`,
          )
        : null,
      h(
        'div',
        { class: 'stats' },
        stat(t('sweepProcessed'), next.processed, 'stat-processed'),
        stat(t('outcome_eligible'), next.eligible, 'stat-eligible'),
        stat(t('sweepIneligible'), next.ineligible, 'stat-ineligible'),
        stat(t('sweepUndeterminedCount'), next.undetermined, 'stat-undetermined'),
        stat(t('sweepGranted', { created: formatNumber(next.grantsCreated) }), next.granted, 'stat-granted'),
        stat(t('sweepStartedWorkflows'), next.started, 'stat-started'),
        stat(t('sweepAlreadyHandled'), next.alreadyHandled, 'stat-handled'),
        stat(t('sweepNotices'), next.noticesQueued, 'stat-notices'),
      ),
      next.undeterminedCauses.length > 0
        ? h(
            'div',
            { class: 'sweep-causes' },
            h('h4', {}, t('sweepCauses')),
            h(
              'ul',
              {},
              ...next.undeterminedCauses.map((cause) =>
                h('li', {}, `${pick(labels.get(cause.fact)) || cause.fact}：${formatNumber(cause.count)}`),
              ),
            ),
          )
        : null,
    );
  }

  const poll = async () => {
    if (view && !head.isConnected) return;
    try {
      const next = await api<SweepView>('GET', sweepPath(id));
      title ??= await api<VersionView>('GET', `/policies/${next.policy.id}/versions/${next.policy.version}`).then(
        (v) => v.title,
        () => undefined,
      );
      show(next);
    } catch (error) {
      mount(stats, h('p', { class: 'error-box' }, errorText(error)));
      return;
    }
    if (view && !ended(view)) window.setTimeout(() => void poll(), 1000);
  };
  window.setTimeout(() => void poll(), 0);
  return h('section', { class: 'card sweep' }, head, stats);
}

/** The offer to launch a published version's sweep: its last impact simulation first, then a date and the button. */
export function renderLaunchOffer(
  view: VersionView,
  justPublished: boolean,
  navigate: (hash: string) => void,
): HTMLElement {
  const base = `/policies/${view.policyId}/versions/${view.version}`;
  const simulation = h('p', { class: 'launch-simulation muted' }, t('loading'));
  const flash = h('div', { class: 'flash' });
  const asOf = h('input', { type: 'date', class: 'launch-as-of', value: todayInCity(), 'aria-label': t('launchAsOf') });
  void api<SimulationView>('GET', `${base}/simulation`)
    .then((sim) => {
      const result = sim.result;
      if (!result) throw new ApiFailure(404, 'NO_SIMULATION', '', undefined, undefined, []);
      simulation.className = 'launch-simulation';
      simulation.textContent = t('launchSimulation', {
        asOf: result.asOf,
        population: formatNumber(result.population),
        eligible: cellText(result.counts.eligible),
        undetermined: cellText(result.counts.undetermined),
        cost: costText(result.totalCost),
        period: result.period ?? '',
      });
    })
    .catch(() => {
      // The detailed result lives in the API process; after a restart the version's check summary remains.
      simulation.textContent = view.simulation
        ? t('launchSimDetail', { detail: view.simulation.detail })
        : t('launchNoSimulation');
    });
  const launch = button(
    t('launchRun'),
    async () => {
      launch.disabled = true;
      try {
        const started = await api<SweepView>('POST', '/sweeps', {
          policyId: view.policyId,
          version: view.version,
          asOf: asOf.value,
        });
        navigate(sweepHash(started.id));
      } catch (error) {
        mount(flash, h('div', { class: 'flash-bad' }, errorText(error)));
        launch.disabled = false;
      }
    },
    { class: 'primary launch-sweep' },
  );
  return h(
    'section',
    { class: `card launch-offer${justPublished ? ' just-published' : ''}` },
    h('h3', {}, t('launchTitle')),
    justPublished ? h('p', { class: 'flash-ok launch-published' }, t('launchPublished')) : null,
    h('p', { class: 'muted' }, t('launchIntro')),
    simulation,
    h('div', { class: 'row' }, h('label', { class: 'inline' }, t('launchAsOf'), asOf), launch),
    flash,
  );
}
