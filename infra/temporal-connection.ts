/**
 * The one way to a Temporal frontend: the address, and TLS with its files (TEMPORAL_TLS*) and the
 * API key (TEMPORAL_API_KEY) when the configuration has them (workers/config.ts, TemporalAccess).
 * Every connection of a deployment — the API's client, the worker's NativeConnection, the
 * activities' client, the search-attribute registration, the health and readiness checks, the
 * benchmarks — takes its options from here, so none of them can fall back to plain gRPC.
 */
import type { TLSConfig } from '@temporalio/client';
import type { TemporalAccess } from '../workers/config.js';

export type { TemporalAccess };

/** What Connection.connect (@temporalio/client) and NativeConnection.connect (@temporalio/worker) both accept. */
export interface TemporalConnectOptions {
  address: string;
  /** Absent: plain gRPC (the embedded dev server on loopback). */
  tls?: TLSConfig;
  apiKey?: string;
}

/** The connection options for `address`, reached as `access` says (absent: plain gRPC). */
export function temporalConnectOptions(address: string, access?: TemporalAccess): TemporalConnectOptions {
  if (!access) return { address };
  return {
    address,
    // An object, never `true`: TLS stays on even with no setting in it (TEMPORAL_TLS=on, the system's roots).
    tls: { ...access.tls },
    ...(access.apiKey !== undefined ? { apiKey: access.apiKey } : {}),
  };
}

/** How a process says it reaches Temporal, for its start-up lines: never a key or a path. */
export function describeTemporalAccess(access?: TemporalAccess): string {
  if (!access) return 'plain gRPC';
  const parts = [access.tls.clientCertPair ? 'mTLS' : 'TLS'];
  if (access.tls.serverRootCACertificate) parts.push('CA from TEMPORAL_TLS_CA');
  if (access.tls.serverNameOverride) parts.push(`server name ${access.tls.serverNameOverride}`);
  if (access.apiKey !== undefined) parts.push('API key');
  return parts.join(', ');
}
