/** Pinned versions of the embedded servers; the cache is keyed by these. */
export const TEMPORAL_CLI_VERSION = '1.5.1';
export const FERRETDB_VERSION = '1.24.2';
export const TEST_SERVER_VERSION = '1.38.0';
/** slf4j binding matching the test server's slf4j-api, so it starts without a logging warning. */
export const SLF4J_VERSION = '1.7.36';
/** Schemathesis (PyPI), the OpenAPI-driven fuzzer of `npm run fuzz`. */
export const SCHEMATHESIS_VERSION = '4.32.5';
