/**
 * The contracts of every workflow family, one file each: case (life-event), benefit (grant,
 * offer, pledge), sweep, schedule, objection and probe, over what they share (task queue,
 * activity options, search attributes, failure types, the pinned plan). Each family holds its
 * business-key ID builders and parsers, its DTOs and status unions, its messages and its patch
 * IDs: no workflow ID is built or parsed, and no case status spelled, anywhere else. Imported by
 * workflows, activities, workers and clients alike, so it holds no Node or database imports.
 * The patches, why each was made, which recorded histories pin it and when it can be retired:
 * workflows/PATCHES.md.
 */
export * from './shared.js';
export * from './probe.js';
export * from './case.js';
export * from './benefit.js';
export * from './sweep.js';
export * from './schedule.js';
export * from './objection.js';
export * from './retention.js';
export * from './payroll.js';
export * from './certificates.js';
export * from './task.js';
export * from './application.js';
