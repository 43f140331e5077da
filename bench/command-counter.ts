/**
 * Counts the store commands a connection sends, by command and collection (`find dp_household`,
 * `insert access_records`…), from the driver's command events (connectStore with
 * `monitorCommands`). `npm run bench -- case-path` counts the worker's and the API side's.
 */
import type { Connection } from 'mongoose';

export type CommandCounts = Record<string, number>;

/** Commands the driver sends on its own (handshakes, heartbeats, sessions): not the application's. */
const HOUSEKEEPING = new Set([
  'hello',
  'isMaster',
  'ismaster',
  'ping',
  'endSessions',
  'buildInfo',
  'saslStart',
  'saslContinue',
]);

export function countCommands(connection: Connection): { counts(): CommandCounts; reset(): void } {
  let counts: CommandCounts = {};
  connection.getClient().on('commandStarted', (event) => {
    if (HOUSEKEEPING.has(event.commandName)) return;
    const command = event.command as Record<string, unknown>;
    const target = event.commandName === 'getMore' ? command.collection : command[event.commandName];
    const key = `${event.commandName} ${typeof target === 'string' ? target : '-'}`;
    counts[key] = (counts[key] ?? 0) + 1;
  });
  return {
    counts: () => ({ ...counts }),
    reset: () => {
      counts = {};
    },
  };
}
