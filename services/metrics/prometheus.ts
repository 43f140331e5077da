/**
 * The programme metrics in Prometheus text exposition format (0.0.4) for operations: counters
 * and gauges labelled by policy, department, source, outcome and basis — never a subject —
 * plus this process's runtime basics. Hand-written: a few families need no client library.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ProofIndicators } from '../../domain/proof-indicators.js';
import type { ProgrammeMetrics } from './service.js';

type Labels = Record<string, string>;
interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'summary';
  samples: Array<{ suffix?: string; labels?: Labels; value: number }>;
}

/** A label value escaped as the format requires: backslash, double quote and line feed. */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

const escapeHelp = (text: string) => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const number = (value: number) =>
  Number.isFinite(value) ? String(value) : Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';

function render(families: Family[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      const labels = Object.entries(sample.labels ?? {});
      const text = labels.length > 0 ? `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
      lines.push(`${family.name}${sample.suffix ?? ''}${text} ${number(sample.value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const loopDelay = monitorEventLoopDelay({ resolution: 20 });
loopDelay.enable();

/** This process: CPU, memory, start time, event-loop delay, Node version. */
function runtimeFamilies(): Family[] {
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return [
    {
      name: 'process_cpu_user_seconds_total',
      help: 'User CPU time spent in seconds.',
      type: 'counter',
      samples: [{ value: cpu.user / 1e6 }],
    },
    {
      name: 'process_cpu_system_seconds_total',
      help: 'System CPU time spent in seconds.',
      type: 'counter',
      samples: [{ value: cpu.system / 1e6 }],
    },
    {
      name: 'process_cpu_seconds_total',
      help: 'Total user and system CPU time spent in seconds.',
      type: 'counter',
      samples: [{ value: (cpu.user + cpu.system) / 1e6 }],
    },
    {
      name: 'process_resident_memory_bytes',
      help: 'Resident memory size in bytes.',
      type: 'gauge',
      samples: [{ value: memory.rss }],
    },
    {
      name: 'process_start_time_seconds',
      help: 'Start time of the process since unix epoch in seconds.',
      type: 'gauge',
      samples: [{ value: Math.round(Date.now() / 1000 - process.uptime()) }],
    },
    {
      name: 'nodejs_heap_size_used_bytes',
      help: 'Process heap size used from Node.js in bytes.',
      type: 'gauge',
      samples: [{ value: memory.heapUsed }],
    },
    {
      name: 'nodejs_heap_size_total_bytes',
      help: 'Process heap size from Node.js in bytes.',
      type: 'gauge',
      samples: [{ value: memory.heapTotal }],
    },
    {
      name: 'nodejs_eventloop_lag_p99_seconds',
      help: 'The 99th percentile of the event loop delay since the process started.',
      type: 'gauge',
      samples: [{ value: loopDelay.percentile(99) / 1e9 }],
    },
    {
      name: 'nodejs_version_info',
      help: 'Node.js version info.',
      type: 'gauge',
      samples: [{ labels: { version: process.version }, value: 1 }],
    },
  ];
}

/** The exposition of one metrics reading (all time, no filter) and the process's runtime. */
/** The seed indicators of proof-free applications: by department and month, with the targets in force. */
function proofIndicatorFamilies(p: ProofIndicators): Family[] {
  const ratio = (value: number | null) => value ?? Number.NaN;
  const byRow = (pick: (row: ProofIndicators['rows'][number]) => number | null) =>
    p.rows.map((row) => ({ labels: { department: row.department, month: row.month }, value: ratio(pick(row)) }));
  const targets = (pick: (row: ProofIndicators['rows'][number]) => number | undefined) =>
    p.rows.flatMap((row) => {
      const value = pick(row);
      return value === undefined ? [] : [{ labels: { department: row.department, month: row.month }, value }];
    });
  return [
    {
      name: 'applyfree_applications_total',
      help: 'Proof-free applications (依申请 免提交) submitted, by handling department and month submitted.',
      type: 'counter',
      samples: p.rows.map((row) => ({
        labels: { department: row.department, month: row.month },
        value: row.applications,
      })),
    },
    {
      name: 'applyfree_field_sharing_ratio',
      help: 'Form field sharing (字段共享率): fields filled from shared data ÷ all fields of the applications, by department and month.',
      type: 'gauge',
      samples: byRow((row) => row.fieldSharing.rate),
    },
    {
      name: 'applyfree_field_sharing_target_ratio',
      help: 'The Dezhou plan’s target for 字段共享率 in force that month (0.3 by the end of 2022, 0.5 from 2023).',
      type: 'gauge',
      samples: targets((row) => row.targets.fieldSharing),
    },
    {
      name: 'applyfree_proof_sharing_ratio',
      help: 'Proof sharing (证明材料共享率): proofs obtained by data sharing or a department’s verification ÷ proofs required, by department and month.',
      type: 'gauge',
      samples: byRow((row) => row.proofSharing.rate),
    },
    {
      name: 'applyfree_proof_sharing_target_ratio',
      help: 'The Dezhou plan’s target for 证明材料共享率 in force that month (0.4 by the end of 2022, 0.6 from 2023).',
      type: 'gauge',
      samples: targets((row) => row.targets.proofSharing),
    },
    {
      name: 'applyfree_certificate_substitution_ratio',
      help: 'Certificate substitution (电子证照证明替代率): proofs replaced by an electronic certificate or a verification ÷ proofs required, by department and month.',
      type: 'gauge',
      samples: byRow((row) => row.certificateSubstitution.rate),
    },
    {
      name: 'applyfree_proof_uploads_total',
      help: 'Proofs uploaded because their replacement failed (the last resort), by department and month.',
      type: 'counter',
      samples: p.rows.map((row) => ({ labels: { department: row.department, month: row.month }, value: row.uploads })),
    },
    {
      name: 'applyfree_proof_free_matters_ratio',
      help: 'Matters in the list in force that need no proof on paper ÷ all matters, by handling department.',
      type: 'gauge',
      samples: p.proofFreeMatters.byDepartment.map((d) => ({
        labels: { department: d.department },
        value: ratio(d.rate),
      })),
    },
  ];
}

export function prometheusText(metrics: ProgrammeMetrics | undefined, error?: string): string {
  const families: Family[] = [
    {
      name: 'applyfree_metrics_up',
      help: 'Whether the last reading of the programme metrics from the store succeeded (1) or not (0).',
      type: 'gauge',
      samples: [{ value: metrics && !error ? 1 : 0 }],
    },
  ];
  if (metrics) {
    const policy = (row: ProgrammeMetrics['byPolicy'][number]) => ({
      policy: row.policyId,
      department: row.department.zh,
    });
    const rate = (value: number | null) => value ?? Number.NaN;
    families.push(
      {
        name: 'applyfree_metrics_read_seconds',
        help: 'How long the last reading of the programme metrics took.',
        type: 'gauge',
        samples: [{ value: metrics.readMs / 1000 }],
      },
      {
        name: 'applyfree_grants_total',
        help: 'Proactive grants recorded (免申即享 主动兑现), including later revoked ones.',
        type: 'counter',
        samples: metrics.byPolicy.filter((r) => r.grants > 0).map((r) => ({ labels: policy(r), value: r.grants })),
      },
      {
        name: 'applyfree_grants_revoked_total',
        help: 'Grants revoked after a failed pledge inspection.',
        type: 'counter',
        samples: metrics.byPolicy.filter((r) => r.grants > 0).map((r) => ({ labels: policy(r), value: r.revoked })),
      },
      {
        name: 'applyfree_grant_amount_yuan_total',
        help: 'Sum of the amounts of cash grants recorded, in yuan.',
        type: 'counter',
        samples: metrics.byPolicy.filter((r) => r.grants > 0).map((r) => ({ labels: policy(r), value: r.amount })),
      },
      {
        name: 'applyfree_grants_by_basis_total',
        help: 'Grants recorded by basis: auto (免申即享), offer-confirmed (一键确认), pledge (告知承诺).',
        type: 'counter',
        samples: Object.entries(metrics.grants.byBasis).map(([basis, value]) => ({ labels: { basis }, value })),
      },
      {
        name: 'applyfree_decisions_total',
        help: 'Eligibility decisions recorded, by outcome.',
        type: 'counter',
        samples: metrics.byPolicy.flatMap((r) => [
          { labels: { ...policy(r), outcome: 'eligible' }, value: r.eligible },
          { labels: { ...policy(r), outcome: 'ineligible' }, value: r.decisions - r.eligible - r.undetermined },
          { labels: { ...policy(r), outcome: 'undetermined' }, value: r.undetermined },
        ]),
      },
      {
        name: 'applyfree_takeup_ratio',
        help: 'Take-up (应享尽享): granted ÷ eligible subject-policy-periods.',
        type: 'gauge',
        samples: metrics.byPolicy
          .filter((r) => r.takeUpEligible > 0)
          .map((r) => ({ labels: policy(r), value: r.takeUpGranted / r.takeUpEligible })),
      },
      {
        name: 'applyfree_takeup_undetermined_total',
        help: 'Subject-policy-periods left undetermined, by outcome since: granted (served after outreach, a review or a late answer) or waiting.',
        type: 'gauge',
        samples: metrics.byPolicy
          .filter((r) => r.takeUpUndetermined > 0)
          .flatMap((r) => [
            { labels: { ...policy(r), outcome: 'waiting' }, value: r.takeUpUndetermined - r.takeUpUndeterminedServed },
            { labels: { ...policy(r), outcome: 'granted' }, value: r.takeUpUndeterminedServed },
          ]),
      },
      {
        name: 'applyfree_undetermined_ratio',
        help: 'Undetermined decisions ÷ all decisions.',
        type: 'gauge',
        samples: [{ value: rate(metrics.undetermined.rate) }],
      },
      {
        name: 'applyfree_undetermined_causes_total',
        help: 'Missing facts of undetermined decisions, by source and reason (source-failed, no-record, no-value, other).',
        type: 'counter',
        samples: metrics.undetermined.causes.map((c) => ({
          labels: { source: c.source, department: c.department.zh, fact: c.fact, reason: c.reason },
          value: c.count,
        })),
      },
      {
        name: 'applyfree_event_to_grant_latency_seconds',
        help: 'Life event received → grant recorded, for grants that came from a case (nearest-rank quantiles over all such grants).',
        type: 'summary',
        samples: [
          ...(
            [
              ['0.5', metrics.latency.p50Seconds],
              ['0.9', metrics.latency.p90Seconds],
              ['0.99', metrics.latency.p99Seconds],
            ] as const
          ).map(([quantile, value]) => ({ labels: { quantile }, value: value ?? Number.NaN })),
          { suffix: '_sum', value: metrics.latency.sumSeconds },
          { suffix: '_count', value: metrics.latency.count },
        ],
      },
      {
        name: 'applyfree_data_pulls_total',
        help: 'Shared-data pulls (数据共享调用) by source, providing department and outcome.',
        type: 'counter',
        samples: metrics.dataSharing.bySource.flatMap((s) =>
          (
            [
              ['answered', s.answered],
              ['not-found', s.notFound],
              ['failed', s.failed],
            ] as const
          ).map(([outcome, value]) => ({ labels: { source: s.source, department: s.department.zh, outcome }, value })),
        ),
      },
      {
        name: 'applyfree_data_sharing_satisfaction_ratio',
        help: 'Data-sharing demand satisfaction (数据共享需求满足率): pulls answered (a record or a definite no-record) ÷ pulls requested.',
        type: 'gauge',
        samples: metrics.dataSharing.bySource.map((s) => ({
          labels: { source: s.source, department: s.department.zh },
          value: (s.answered + s.notFound) / s.requested,
        })),
      },
      {
        name: 'applyfree_fact_requests_due_total',
        help: 'Fact requests to departments that are due (数据需求: answered, refused or past one working day), by department, month filed and standing.',
        type: 'counter',
        samples: metrics.dataSharingDemand.rows.flatMap((row) =>
          (
            [
              ['in-time', row.satisfied],
              ['late', row.late],
              ['refused', row.refused],
              ['unanswered', row.unanswered],
            ] as const
          ).map(([standing, value]) => ({
            labels: { department: row.department, month: row.month, standing },
            value,
          })),
        ),
      },
      {
        name: 'applyfree_data_sharing_demand_satisfaction_ratio',
        help: 'Effective data-sharing demand satisfaction (数据共享有效需求满足率): fact requests answered with the fact within one working day ÷ requests due, by department and month filed; target 0.99 (Dezhou plan).',
        type: 'gauge',
        samples: metrics.dataSharingDemand.rows.map((row) => ({
          labels: { department: row.department, month: row.month },
          value: rate(row.rate),
        })),
      },
      {
        name: 'applyfree_data_sharing_demand_satisfaction_target_ratio',
        help: 'The Dezhou plan’s target for 数据共享有效需求满足率.',
        type: 'gauge',
        samples: [{ value: metrics.dataSharingDemand.target.rate }],
      },
      ...proofIndicatorFamilies(metrics.proofIndicators),
    );
    if (metrics.casesRunning !== undefined)
      families.push({
        name: 'applyfree_cases_running',
        help: 'Life-event cases still running (Temporal visibility).',
        type: 'gauge',
        samples: [{ value: metrics.casesRunning }],
      });
  }
  return render([...families, ...runtimeFamilies()]);
}
