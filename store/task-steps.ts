/**
 * Every change to a task after it opens (a claim, a release, a reassignment, a reminder, an
 * escalation, a completion, a cancellation) is one step with a line in its history. Two people
 * may claim the same task in the same second, and FerretDB's guarded updates are not atomic
 * (store/step-claims.ts): so each step is claimed under the revision it starts from
 * (`task:<key>#<rev>`), once. Whoever's claim went in takes the step; anyone else applies that
 * claimed change, reads the task again and decides anew — the second claimant then finds the task
 * claimed, and is refused or finds nothing to do.
 */
import type { Connection } from 'mongoose';
import type { TaskEntry } from '../domain/tasks.js';
import { claimStep, updateOf, type StepChange } from './step-claims.js';
import { registerTaskModels, type Task } from './tasks.js';

/** A step to take: the fields it sets (undefined removes one) and its line in the history. */
export interface TaskStep {
  fields: Partial<Record<keyof Task, unknown>>;
  entry: TaskEntry;
}

/** Whether a retry or a race left the task without work for this step: the steps never loop forever. */
const MOST_ATTEMPTS = 20;

/**
 * Takes the step `decide` chooses for the task as it stands (undefined: nothing to do; a throw: a
 * refusal, nothing written). Answers the task after it, and whether this call took the step;
 * undefined when there is no task `key`.
 */
export async function stepTask(
  store: Connection,
  key: string,
  decide: (task: Task) => TaskStep | undefined,
): Promise<{ task: Task; stepped: boolean } | undefined> {
  const { Task: TaskModel } = registerTaskModels(store);
  for (let attempt = 0; attempt < MOST_ATTEMPTS; attempt++) {
    const task = await TaskModel.findById(key).lean();
    if (!task) return undefined;
    const step = decide(task);
    if (!step) return { task, stepped: false };
    const rev = task.rev ?? 0;
    const set: Record<string, unknown> = { rev: rev + 1, history: [...(task.history ?? []), step.entry] };
    const unset: string[] = [];
    for (const [field, value] of Object.entries(step.fields)) {
      if (value === undefined) unset.push(field);
      else set[field] = value;
    }
    const change: StepChange = unset.length ? { set, unset } : { set };
    const { mine, claim } = await claimStep(store, `task:${key}#${rev}`, change);
    // The claimed change, whoever claimed it: written only over the revision it was decided on.
    await TaskModel.updateOne({ _id: key, ...(rev === 0 ? { rev: { $exists: false } } : { rev }) }, updateOf(claim));
    if (mine) return { task: (await TaskModel.findById(key).lean())!, stepped: true };
  }
  throw new Error(`task ${key}: no step could be claimed in ${MOST_ATTEMPTS} attempts`);
}
