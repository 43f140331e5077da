/**
 * Compile-time only, never imported or bundled: every workflow type the contracts name (for
 * starts, signals, schedules and searches by name) is a workflow the bundle exports, with the
 * signature its contract states, so renaming or retyping a workflow fails `tsc` here instead
 * of a start at run time. It sits outside contracts/ because a contract importing the bundle's
 * entry would close an import cycle (contracts → index → each workflow → contracts).
 */
import type * as workflows from './index.js';
import type { BENEFIT_WORKFLOW_BY_MODE, BenefitWorkflow, BenefitWorkflowType } from './contracts/benefit.js';
import type { LIFE_EVENT_WORKFLOW_TYPE, LifeEventWorkflow } from './contracts/case.js';
import type { GRANT_CERTIFICATES_WORKFLOW_TYPE, GrantCertificatesWorkflow } from './contracts/certificates.js';
import type { OBJECTION_WORKFLOW_TYPE, ObjectionWorkflow } from './contracts/objection.js';
import type {
  PAYROLL_WORKFLOW_TYPE,
  PayrollWorkflow,
  SCHEDULED_PAYROLL_WORKFLOW_TYPE,
  ScheduledPayrollWorkflow,
  STOP_PAYMENTS_WORKFLOW_TYPE,
  StopPaymentsWorkflow,
} from './contracts/payroll.js';
import type { STACK_PROBE_WORKFLOW_TYPE, StackProbeWorkflow } from './contracts/probe.js';
import type { RETENTION_PURGE_WORKFLOW_TYPE, RetentionPurgeWorkflow } from './contracts/retention.js';
import type { SCHEDULED_SWEEPS_WORKFLOW_TYPE, ScheduledSweepsWorkflow } from './contracts/schedule.js';
import type {
  SWEEP_PART_WORKFLOW_TYPE,
  SWEEP_WORKFLOW_TYPE,
  SweepPartWorkflow,
  SweepWorkflow,
} from './contracts/sweep.js';
import type {
  HUMAN_TASK_WORKFLOW_TYPE,
  HumanTaskWorkflow,
  TASK_RESOLUTION_WORKFLOW,
  TaskResolutionWorkflow,
} from './contracts/task.js';

type Exported = typeof workflows;
/** True when the named workflow is exported (else a constraint error) and has the contract's signature. */
type Matches<Name extends keyof Exported, Signature> = [Exported[Name]] extends [Signature] ? true : false;
type Holds<Check extends true> = Check;

export type WorkflowTypesMatchTheirContracts = [
  Holds<Matches<typeof LIFE_EVENT_WORKFLOW_TYPE, LifeEventWorkflow>>,
  Holds<Matches<(typeof BENEFIT_WORKFLOW_BY_MODE)['auto'], BenefitWorkflow>>,
  Holds<Matches<(typeof BENEFIT_WORKFLOW_BY_MODE)['offer'], BenefitWorkflow>>,
  Holds<Matches<(typeof BENEFIT_WORKFLOW_BY_MODE)['pledge'], BenefitWorkflow>>,
  Holds<Matches<BenefitWorkflowType, BenefitWorkflow>>,
  Holds<Matches<typeof SWEEP_WORKFLOW_TYPE, SweepWorkflow>>,
  Holds<Matches<typeof SWEEP_PART_WORKFLOW_TYPE, SweepPartWorkflow>>,
  Holds<Matches<typeof SCHEDULED_SWEEPS_WORKFLOW_TYPE, ScheduledSweepsWorkflow>>,
  Holds<Matches<typeof OBJECTION_WORKFLOW_TYPE, ObjectionWorkflow>>,
  Holds<Matches<typeof PAYROLL_WORKFLOW_TYPE, PayrollWorkflow>>,
  Holds<Matches<typeof SCHEDULED_PAYROLL_WORKFLOW_TYPE, ScheduledPayrollWorkflow>>,
  Holds<Matches<typeof STOP_PAYMENTS_WORKFLOW_TYPE, StopPaymentsWorkflow>>,
  Holds<Matches<typeof STACK_PROBE_WORKFLOW_TYPE, StackProbeWorkflow>>,
  Holds<Matches<typeof RETENTION_PURGE_WORKFLOW_TYPE, RetentionPurgeWorkflow>>,
  Holds<Matches<typeof GRANT_CERTIFICATES_WORKFLOW_TYPE, GrantCertificatesWorkflow>>,
  Holds<Matches<typeof HUMAN_TASK_WORKFLOW_TYPE, HumanTaskWorkflow>>,
  Holds<Matches<(typeof TASK_RESOLUTION_WORKFLOW)['review'], TaskResolutionWorkflow>>,
  Holds<Matches<(typeof TASK_RESOLUTION_WORKFLOW)['inspection'], TaskResolutionWorkflow>>,
  Holds<Matches<(typeof TASK_RESOLUTION_WORKFLOW)['inconclusive-inspection'], TaskResolutionWorkflow>>,
];
