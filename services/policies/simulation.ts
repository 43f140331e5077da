/**
 * Impact simulations as jobs inside the API process: one running job per policy version and
 * content hash (a second request gets the running one), progress as it streams the population,
 * the full result kept in the store (policy_simulations, the latest per version, so it outlives
 * the process) and a summary on the version (policy_versions.simulation) with a 'simulated'
 * history entry, which submitting requires for the current content. A running simulation
 * writes its progress to the store every few seconds, so any API process can show it. One
 * running when its API stops is reported SIMULATION_INTERRUPTED, with the progress it reached:
 * at once when the API shuts down in order, and once its progress is stale after a crash.
 */
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { cityToday } from '../../domain/calendar.js';
import { isInForce } from '../../rules/catalog.js';
import { isIsoDate } from '../../rules/dates.js';
import { RulesError } from '../../rules/errors.js';
import { createSimulation } from '../../rules/simulate.js';
import {
  MINIMUM_CELL_SIZE,
  suppressSmallCells,
  type Cell,
  type SuppressedSimulationResult,
} from '../../rules/simulate-suppress.js';
import type { Policy } from '../../rules/types.js';
import { validatePolicy } from '../../rules/validate.js';
import { policyVersionId, recordPolicyHistory, registerPolicyModels } from '../../store/policy-versions.js';
import { countPopulation, streamPopulation } from '../../store/population.js';
import { programmeRead, recordProgrammeAccess } from '../../store/programme-access.js';
import { loadSimulation, saveSimulation, updateSimulation } from '../../store/simulations.js';
import { issuesOf, PolicyLifecycleError, type Actor, type PolicyLifecycle } from './lifecycle.js';
import { Refusal } from '../../domain/refusal.js';

/** What the API answers for a version's simulation. */
export interface SimulationView {
  status: 'running' | 'done' | 'failed';
  asOf: string;
  startedAt: string;
  progress: { processed: number; total: number };
  error?: { code: string; message: string; messageZh: string };
  /** Counts below the minimum cell size (and their complements) withheld: rules/simulate-suppress.ts. */
  result?: SuppressedSimulationResult;
}

/** A refusal of the simulation API itself (NO_SIMULATION, INVALID_AS_OF), in both languages. */
export class SimulationRefusal extends Refusal {
  declare readonly code: 'NO_SIMULATION' | 'INVALID_AS_OF';
  constructor(code: 'NO_SIMULATION' | 'INVALID_AS_OF', message: string, messageZh: string, field?: string) {
    super(code, message, messageZh, field);
  }
}

export interface SimulationRunnerDeps {
  /** The store holding policy versions and the city data platform (dp_*). */
  store: Connection;
  lifecycle: PolicyLifecycle;
  /** Where the dp_* collections live, when not in `store`. */
  population?: Connection;
  now?: () => Date;
  /** Default as-of date: today in the city. */
  today?: () => string;
  /** Subjects per batch, and documents per database round trip (store/population.ts defaults). */
  batchSize?: number;
  readBatchSize?: number;
  /** How often a running simulation writes its progress to the store (default 2 s). */
  progressEveryMs?: number;
  /** A kept running simulation whose progress is older than this was cut off by its API stopping (default 30 s). */
  staleAfterMs?: number;
  /**
   * Counts below this are withheld, with their complements (default MINIMUM_CELL_SIZE, 10); only
   * tests checking the arithmetic over a handful of residents set 0. Not configurable from the environment.
   */
  minimumCellSize?: number;
}

interface Job {
  /** This attempt, as the store names it. */
  run: string;
  hash: string;
  view: SimulationView;
  abort: AbortController;
  /** The attempt's first write to the store, which start() waits for: then every API process sees it. */
  kept: Promise<void>;
  finished: Promise<void>;
}

const count = (n: Cell) => (n === null ? `<${MINIMUM_CELL_SIZE}` : n.toLocaleString('en'));

/** The one-line summary kept on the version and in its history; a withheld count reads "<10". */
export function describeSimulation(result: SuppressedSimulationResult): string {
  const { counts, baseline, changes } = result;
  const who = result.subject === 'person' ? 'residents' : 'enterprises';
  const cost =
    result.totalCost === null
      ? 'withheld'
      : `${result.totalCost.toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} CNY`;
  const parts = [
    `as of ${result.asOf} over ${count(result.population)} ${who}: ${count(counts.eligible)} eligible, ${count(counts.ineligible)} ineligible, ${count(counts.undetermined)} undetermined; cost ${cost} (${result.period})`,
  ];
  if (baseline && changes)
    parts.push(
      `vs published v${baseline.version}: ${count(changes.winners)} gain, ${count(changes.losers)} lose, ${count(changes.amountUp)} paid more, ${count(changes.amountDown)} paid less`,
    );
  if (result.notInForceOnAsOf) parts.push(`not in force on ${result.asOf}: a what-if`);
  return parts.join('; ');
}

const ZH_BY_CODE: Record<string, (asOf: string) => string> = {
  PARAMETER_NOT_IN_FORCE: (asOf) => `模拟日期 ${asOf} 时政策的某个参数没有生效值：请调整模拟日期或参数生效期`,
  AMOUNT_UNRESOLVED: () => '部分对象无法按金额规则计算金额：请检查金额规则与参数表',
  INVALID_AS_OF: (asOf) => `模拟日期 ${asOf} 无效`,
};

/** What a simulation cut off by its API stopping reports, with the progress it had reached. */
function interrupted(view: SimulationView): SimulationView {
  return {
    ...view,
    status: 'failed',
    error: {
      code: 'SIMULATION_INTERRUPTED',
      message: `the API stopped while this simulation ran (${view.progress.processed} of ${view.progress.total} subjects): start it again`,
      messageZh: `模拟进行中服务已停止（已处理 ${view.progress.processed}/${view.progress.total}），请重新发起模拟`,
    },
  };
}

function failureOf(error: unknown, asOf: string): NonNullable<SimulationView['error']> {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof RulesError)
    return { code: error.code, message, messageZh: (ZH_BY_CODE[error.code] ?? (() => `模拟失败：${message}`))(asOf) };
  return {
    code: 'SIMULATION_FAILED',
    message: `the simulation stopped: ${message}`,
    messageZh: `模拟中断：读取人口数据或计算时出错（${message}）`,
  };
}

/** Starts, tracks and records impact simulations; see the module comment. */
export function createSimulationRunner(deps: SimulationRunnerDeps) {
  const { PolicyVersion } = registerPolicyModels(deps.store);
  const population = deps.population ?? deps.store;
  const now = deps.now ?? (() => new Date());
  const today = deps.today ?? (() => cityToday(now()));
  const jobs = new Map<string, Job>();
  const progressEveryMs = deps.progressEveryMs ?? 2_000;
  const staleAfterMs = deps.staleAfterMs ?? 30_000;
  let stopping = false;

  /** The published version a draft is compared with: the latest one in force on asOf. */
  async function baselineFor(policyId: string, version: number, asOf: string): Promise<Policy | undefined> {
    const published = (await deps.lifecycle.list({ status: 'published' })).filter(
      (v) => v.policyId === policyId && v.version !== version,
    );
    const inForce = published.map((v) => validatePolicy(v.document)).filter((policy) => isInForce(policy, asOf));
    return inForce.sort((a, b) => b.version - a.version)[0];
  }

  async function record(actor: Actor, policy: Policy, hash: string, passed: boolean, detail: string): Promise<void> {
    const _id = policyVersionId(policy.id, policy.version);
    await PolicyVersion.updateOne({ _id, hash }, { $set: { simulation: { hash, at: now(), passed, detail } } });
    await recordPolicyHistory(deps.store, {
      key: `${_id}#${randomUUID()}`,
      policyId: policy.id,
      version: policy.version,
      action: 'simulated',
      actor: actor.name,
      actorId: actor.id,
      role: actor.role,
      at: now(),
      changes: [detail],
    });
  }

  /** Stores a new attempt's first view as the version's latest simulation, replacing any earlier attempt. */
  async function keepFirst(policy: Policy, job: Job): Promise<void> {
    await saveSimulation(deps.store, policyVersionId(policy.id, policy.version), job.run, job.hash, job.view, now());
  }

  /** Stores the attempt's later view (progress, result, failure), unless a later attempt has replaced it. */
  async function keep(policy: Policy, job: Job, view: SimulationView): Promise<void> {
    await updateSimulation(deps.store, policyVersionId(policy.id, policy.version), job.run, view, now());
  }

  /** Writes the running view's progress every `progressEveryMs` until stopped; a failed write waits for the next. */
  function reportProgress(policy: Policy, job: Job): () => Promise<void> {
    let writing: Promise<void> = Promise.resolve();
    const timer = setInterval(() => {
      writing = writing.then(() => keep(policy, job, job.view)).catch(() => undefined);
    }, progressEveryMs);
    return async () => {
      clearInterval(timer);
      await writing;
    };
  }

  async function run(actor: Actor, job: Job, policy: Policy, baseline: Policy | undefined): Promise<void> {
    const { view } = job;
    const started = performance.now();
    let stopReporting = async () => {};
    try {
      job.kept = keepFirst(policy, job);
      await job.kept;
      stopReporting = reportProgress(policy, job);
      // Every subject of the policy's kind is about to be read: one programme-level access record first (S7).
      await recordProgrammeAccess(
        deps.store,
        programmeRead(
          {
            _id: `simulation:${policyVersionId(policy.id, policy.version)}:${job.run}`,
            kind: 'simulation',
            asOf: view.asOf,
            requestedBy: actor.name,
            requestedById: actor.id,
            role: actor.role,
          },
          policy,
          '影响模拟 impact simulation',
        ),
      );
      const simulation = createSimulation(policy, view.asOf, baseline);
      view.progress.total = await countPopulation(population, policy.subject);
      for await (const batch of streamPopulation(population, {
        kind: policy.subject,
        facts: simulation.facts,
        signal: job.abort.signal,
        batchSize: deps.batchSize,
        readBatchSize: deps.readBatchSize,
      })) {
        for (const subject of batch) simulation.add(subject.facts);
        view.progress.processed += batch.length;
        view.progress.total = Math.max(view.progress.total, view.progress.processed);
      }
      view.progress.total = view.progress.processed;
      // Small cells are withheld before the result is kept anywhere: the store, the history, the answer.
      const result = suppressSmallCells(
        simulation.result(Math.round(performance.now() - started)),
        deps.minimumCellSize ?? MINIMUM_CELL_SIZE,
      );
      await stopReporting();
      // Kept and recorded on the version before anyone is told it is done: a submit right after sees it.
      await keep(policy, job, { ...view, status: 'done', result });
      await record(actor, policy, job.hash, true, describeSimulation(result));
      view.result = result;
      view.status = 'done';
    } catch (error) {
      await stopReporting();
      if (job.abort.signal.aborted) {
        // Replaced by a newer attempt: that one is kept. Cut off by shutdown: say so.
        if (stopping) {
          Object.assign(view, interrupted(view));
          await keep(policy, job, view).catch(() => undefined);
        }
        return;
      }
      const failure = failureOf(error, view.asOf);
      await keep(policy, job, { ...view, status: 'failed', error: failure }).catch(() => undefined);
      view.status = 'failed';
      view.error = failure;
      await record(actor, policy, job.hash, false, `failed as of ${view.asOf}: ${failure.message}`).catch(
        () => undefined,
      );
    }
  }

  const noSimulation = (policyId: string, version: number) =>
    new SimulationRefusal(
      'NO_SIMULATION',
      `no simulation of ${policyId} v${version} yet: POST …/simulate to run one`,
      `${policyId} 第 ${version} 版尚未进行影响模拟，请先发起模拟`,
    );

  /** The simulation this process is running or ran last for a version; throws SimulationRefusal NO_SIMULATION. */
  function view(policyId: string, version: number): SimulationView {
    const job = jobs.get(policyVersionId(policyId, version));
    if (!job) throw noSimulation(policyId, version);
    return job.view;
  }

  return {
    view,
    /**
     * The latest simulation of a version: the one this process runs or ran, else the one kept
     * in the store (run before a restart, or by another API process); throws NO_SIMULATION.
     */
    async latest(policyId: string, version: number): Promise<SimulationView> {
      const job = jobs.get(policyVersionId(policyId, version));
      if (job) return job.view;
      const kept = await loadSimulation<SimulationView>(deps.store, policyVersionId(policyId, version));
      if (!kept) throw noSimulation(policyId, version);
      // Running in another API process, or cut off by one that stopped without saying so.
      if (kept.view.status === 'running' && now().getTime() - kept.at.getTime() > staleAfterMs)
        return interrupted(kept.view);
      return kept.view;
    },
    /**
     * Starts a simulation of a version as of a date (default today), or returns the one running
     * for its current content. Throws PolicyLifecycleError (POLICY_NOT_FOUND, POLICY_INVALID) and
     * SimulationRefusal (INVALID_AS_OF); later failures are reported in the view's `error`.
     */
    async start(
      actor: Actor,
      policyId: string,
      version: number,
      options: { asOf?: string } = {},
    ): Promise<SimulationView> {
      const asOf = options.asOf ?? today();
      if (!isIsoDate(asOf))
        throw new SimulationRefusal(
          'INVALID_AS_OF',
          `asOf must be a date YYYY-MM-DD, got ${JSON.stringify(asOf)}`,
          `模拟日期须为 YYYY-MM-DD 格式，收到 ${JSON.stringify(asOf)}`,
          'asOf',
        );
      const current = await deps.lifecycle.get(policyId, version);
      const key = policyVersionId(policyId, version);
      const runningNow = () => {
        const job = jobs.get(key);
        return job && job.view.status === 'running' && job.hash === current.hash ? job : undefined;
      };
      const alreadyRunning = async (job: Job) => {
        await job.kept.catch(() => undefined);
        return job.view;
      };
      if (runningNow()) return alreadyRunning(runningNow()!);
      // Running in another API process (its progress fresh): that one, not a second.
      const kept = await loadSimulation<SimulationView>(deps.store, key);
      const elsewhere =
        kept?.view.status === 'running' &&
        kept.run !== jobs.get(key)?.run &&
        kept.hash === current.hash &&
        now().getTime() - kept.at.getTime() <= staleAfterMs;
      if (elsewhere) return kept.view;
      const issues = issuesOf(current.document);
      if (issues.length > 0) {
        throw new PolicyLifecycleError(
          'POLICY_INVALID',
          `fix the ${issues.length} validation issue(s) before simulating`,
          `请先修正 ${issues.length} 个校验问题再进行影响模拟`,
          issues[0].path,
          issues,
        );
      }
      const policy = validatePolicy(current.document);
      const baseline = await baselineFor(policyId, version, asOf);
      // Checked again with no await before the job is registered: two requests at once start one job.
      const running = runningNow();
      if (running) return alreadyRunning(running);
      jobs.get(key)?.abort.abort();
      const job: Job = {
        run: randomUUID(),
        hash: current.hash,
        view: { status: 'running', asOf, startedAt: now().toISOString(), progress: { processed: 0, total: 0 } },
        abort: new AbortController(),
        kept: Promise.resolve(),
        finished: Promise.resolve(),
      };
      job.finished = run(actor, job, policy, baseline);
      jobs.set(key, job);
      // A failed first write is the run's failure, reported in the view.
      await job.kept.catch(() => undefined);
      return job.view;
    },

    /** Resolves when the version's latest simulation has finished (or failed), with its view. */
    async finished(policyId: string, version: number): Promise<SimulationView> {
      const job = jobs.get(policyVersionId(policyId, version));
      await job?.finished;
      return view(policyId, version);
    },

    /** Stops every running simulation (at shutdown), each kept as SIMULATION_INTERRUPTED. */
    async stop(): Promise<void> {
      stopping = true;
      const running = [...jobs.values()].filter((job) => job.view.status === 'running');
      for (const job of running) job.abort.abort();
      await Promise.all(running.map((job) => job.finished));
    },
  };
}

export type SimulationRunner = ReturnType<typeof createSimulationRunner>;
