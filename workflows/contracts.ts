/**
 * @deprecated The contracts live in workflows/contracts/ (one file per workflow family, behind
 * contracts/index.ts). This re-export keeps test files that still import the old path compiling
 * while test/ is reorganised in parallel; product code imports workflows/contracts/ and this
 * file goes once those imports are moved (`sed -i 's#workflows/contracts.js#workflows/contracts/index.js#'`).
 */
export * from './contracts/index.js';
