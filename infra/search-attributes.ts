/**
 * Registers applyfree's custom search attributes on the namespace (idempotent: existing
 * ones are left alone). Values are pseudonymous keys only, never raw identifiers.
 */
import { Connection } from '@temporalio/client';
import proto, { type temporal } from '@temporalio/proto';
import { SearchAttributes } from '../workflows/contracts/index.js';
import { temporalConnectOptions, type TemporalAccess } from './temporal-connection.js';

// @temporalio/proto is CommonJS: its namespace is reached through the default export.
const { IndexedValueType } = proto.temporal.api.enums.v1;

const TYPE_BY_KIND: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  KEYWORD_LIST: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  TEXT: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  BOOL: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};

/** Adds whichever of the project's search attributes the namespace lacks; returns their names. */
export async function registerSearchAttributes(
  connection: Pick<Connection, 'operatorService'>,
  namespace: string,
): Promise<string[]> {
  // Temporal's Java test server can add search attributes but not list them (gRPC UNIMPLEMENTED).
  const UNIMPLEMENTED = 12;
  const existing = await connection.operatorService
    .listSearchAttributes({ namespace })
    .catch((error: { code?: number }) => {
      if (error.code === UNIMPLEMENTED) return { customAttributes: {} };
      throw error;
    });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
  for (const key of Object.values(SearchAttributes)) {
    if (!known.has(key.name)) missing[key.name] = TYPE_BY_KIND[key.type];
  }
  if (Object.keys(missing).length > 0) {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  }
  return Object.keys(missing);
}

/** registerSearchAttributes over a connection of its own to `address` (over TLS when `access` says so). */
export async function ensureSearchAttributes(
  address: string,
  namespace: string,
  access?: TemporalAccess,
): Promise<string[]> {
  const connection = await Connection.connect(temporalConnectOptions(address, access));
  try {
    return await registerSearchAttributes(connection, namespace);
  } finally {
    await connection.close();
  }
}
