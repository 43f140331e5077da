/** Workflow entry point for the worker bundle: re-exports only. */
export { application } from './application.js';
export { grantBenefit } from './grant.js';
export { grantCertificates } from './grant-certificates.js';
export { inspectionResolution } from './inspection-resolution.js';
export { lifeEvent } from './life-event.js';
export { objection } from './objection.js';
export { offerBenefit } from './offer.js';
export { payroll } from './payroll.js';
export { pledgeBenefit } from './pledge.js';
export { retentionPurge } from './retention-purge.js';
export { reviewResolution } from './review-resolution.js';
export { scheduledPayroll } from './scheduled-payroll.js';
export { scheduledSweeps } from './scheduled-sweeps.js';
export { stackProbe } from './stack-probe.js';
export { stopPayments } from './stop-payments.js';
export { sweep } from './sweep.js';
export { humanTask } from './task.js';
