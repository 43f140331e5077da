/**
 * What revokes archived proofs (store/proofs.ts): a life event that changes the facts a proof
 * rested on, and a confirmed correction of a shared record. A death, or a firm's deregistration,
 * ends every proof of the subject — nothing proved of them before can be relied on for a new
 * application; a move of hukou, a marriage or a disability certificate changes the named facts,
 * and revokes only the proofs resting on them. A revoked proof is never reused: the next
 * application or verification reads afresh. Idempotent: revoking again leaves the first reason.
 * A confirmed correction revokes in store/corrections.ts itself, so no path that corrects forgets it.
 */
import type { Connection } from 'mongoose';
import { revokeProofs } from '../../store/proofs.js';

/**
 * The facts each life event changes, for revocation: `'all'` ends every proof of the subject.
 * Events not listed change no fact a proof rests on (a birth adds a person; a milestone is a date).
 */
export const EVENT_REVOKES: Readonly<Record<string, 'all' | readonly string[]>> = {
  'death.registered': 'all',
  'enterprise.deregistered': 'all',
  'hukou.moved-out': ['person.localHukou', 'person.district'],
  'hukou.moved-in': ['person.localHukou', 'person.district'],
  'marriage.registered': ['person.maritalStatus'],
  'disability.certified': ['person.disabilityCertified', 'person.disabilityGrade', 'person.disabilityType'],
  'enterprise.licence-changed': ['enterprise.status', 'enterprise.industry'],
};

/** Revokes the proofs an accepted life event ends; answers their keys (none for an event that changes none). */
export async function revokeProofsOnEvent(
  store: Connection,
  event: { subjectKey: string; eventType: string; eventDate: string; at?: Date },
): Promise<string[]> {
  const revokes = EVENT_REVOKES[event.eventType];
  if (!revokes) return [];
  return revokeProofs(store, {
    subjectKey: event.subjectKey,
    ...(revokes === 'all' ? {} : { facts: revokes }),
    reason: `${event.eventType} on ${event.eventDate}`,
    at: event.at ?? new Date(),
  });
}
