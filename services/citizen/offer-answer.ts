/**
 * The citizen's answer to an offer, sent to its workflow: the answerOffer update, answered once
 * the workflow has closed the offer and (for a confirm) recorded the grant, so nothing polls.
 * Where the workflow cannot take the update — no worker takes it in time, or the worker serving
 * it runs code from before the update — the answer goes as the old signal, which the workflow
 * still takes, and waits briefly for the offer record to close, as answers did before.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Offer } from '../../store/benefits.js';
import {
  answerOfferUpdate,
  answerOfferUpdateId,
  confirmOfferSignal,
  declineOfferSignal,
  ErrorType,
  type OfferAnswer,
} from '../../workflows/contracts/index.js';
import { cannotTakeUpdate, updateRefusal } from '../temporal-updates.js';

export interface OfferAnswerDeps {
  temporal: Client;
  /** How long the answer may wait for the workflow to act on it (ms). */
  waitMs: number;
  /** The offer's record as it stands now. */
  reread(): Promise<Offer>;
  /** Whether the offer's grant has been recorded. */
  granted(): Promise<boolean>;
}

/** How the offer stands once its workflow took the answer, or the status it had closed as when it refused it. */
export type OfferAnswered = { current: Offer } | { refused: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `answer` to the open offer `key`'s workflow; see the file's header for how. */
export async function sendOfferAnswer(deps: OfferAnswerDeps, key: string, answer: OfferAnswer): Promise<OfferAnswered> {
  const wanted = answer === 'confirm' ? 'confirmed' : 'declined';
  const deadline = Date.now() + deps.waitMs;
  const handle = deps.temporal.workflow.getHandle(key);
  try {
    // Bounded: with no worker polling, an update would wait for one indefinitely. The same answer
    // twice is one update ID, so a second request gets the first one's result.
    await deps.temporal.connection.withDeadline(deadline, () =>
      handle.executeUpdate(answerOfferUpdate, { args: [answer], updateId: answerOfferUpdateId(answer) }),
    );
    // Answered after the offer closed and any grant was recorded: the records hold both now.
    return { current: await deps.reread() };
  } catch (error) {
    const closedAs = updateRefusal(error, ErrorType.OfferClosed);
    if (closedAs === wanted) return { current: await deps.reread() };
    if (closedAs !== undefined) return { refused: closedAs || 'closed' };
    if (error instanceof WorkflowNotFoundError) {
      // The workflow has ended since the offer was read: the record says how, or (terminated) still says open.
      const now = await deps.reread();
      return now.status === wanted ? { current: now } : { refused: now.status === 'open' ? 'closed' : now.status };
    }
    if (!cannotTakeUpdate(error, answerOfferUpdate.name)) throw error;
  }
  try {
    await handle.signal(answer === 'confirm' ? confirmOfferSignal : declineOfferSignal);
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    // The workflow ended between the read and the signal: the record says how.
  }
  // The workflow closes the offer, then (confirmed) records the grant: wait for both, until the deadline.
  let current = await deps.reread();
  const pending = async () => current.status === 'open' || (current.status === 'confirmed' && !(await deps.granted()));
  while ((await pending()) && Date.now() < deadline) {
    await sleep(150);
    current = await deps.reread();
  }
  return current.status !== 'open' && current.status !== wanted ? { refused: current.status } : { current };
}
