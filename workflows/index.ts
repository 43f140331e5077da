/** Workflow entry point for the worker bundle: re-exports only. */
export { stackProbe } from './stack-probe.js';
