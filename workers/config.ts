/**
 * The only reader of the process environment. Parses and validates once, fails fast
 * with the variable's name, and hands typed settings to everything else.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { DEVELOPMENT_SUBJECT_KEY_SECRET, type SubjectKeyRing } from '../domain/pseudonym.js';
import { outboundUrlProblem } from '../domain/transport.js';
import {
  parseVerificationSources,
  VERIFICATION_SOURCES_VARIABLE,
  VerificationSourcesError,
  type VerificationSourceSetting,
} from './verification-sources.js';

/** Thrown when an environment variable is malformed; the message names the variable. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

/**
 * production: real data, so real keys (the process refuses to start without them), https-only
 * webhooks and no demo by default. development: the embedded stack, the published development
 * key, the demo city. APPLYFREE_MODE chooses; unset, any external server means production.
 */
export type Mode = 'production' | 'development';

export interface Config {
  mode: Mode;
  /** External Temporal frontend (host:port); when unset the embedded dev server is used. */
  temporalAddress?: string;
  temporalNamespace: string;
  /** How TEMPORAL_ADDRESS is reached over TLS (TEMPORAL_TLS*, TEMPORAL_API_KEY); absent, plain gRPC. */
  temporalAccess?: TemporalAccess;
  /** External MongoDB-wire database; when unset embedded FerretDB is used. */
  mongodbUri?: string;
  /** External Redis; when unset the embedded redis-server is used. */
  redisUrl?: string;
  apiHost: string;
  apiPort: number;
  /** Where provisioned server binaries are cached, keyed by version (outside the repo). */
  cacheDir: string;
  /** Where the embedded dev stack keeps its state (SQLite files, Redis dump, logs). */
  stateDir: string;
  /**
   * Where the seals' private keys are kept, one PEM file of mode 0600 each (APPLYFREE_SEAL_KEY_DIR;
   * default `<stateDir>/seals`). Every process that signs certificates must see the same keys: a
   * shared secure volume, or a hardware security module behind the same interface (docs/CERTIFICATES.md).
   */
  sealKeyDir: string;
  /** Gateway for the webhook notice channel (SMS or app push): https, or http to loopback in development; without it notices go to the inbox only. */
  noticeWebhookUrl?: string;
  /** The master secret as set (APPLYFREE_SUBJECT_KEY_SECRET); serverKeys() yields the effective one. */
  subjectKeySecret?: string;
  /** Older master secrets whose subjects keep their keys (APPLYFREE_SUBJECT_KEY_SECRETS_PREVIOUS), newest first. */
  previousSubjectKeySecrets: string[];
  /** Temporal task queue of the workers and of the cases the API starts (one per deployment). */
  taskQueue: string;
  /** BullMQ key prefix of the notice queues (one per deployment sharing a Redis); also of nonces and rate limits. */
  queuePrefix: string;
  /**
   * Catalog sources read from a department's verification service instead of the platform's
   * collection (APPLYFREE_VERIFICATION_SOURCES, workers/verification-sources.ts); empty: none.
   */
  verificationSources: VerificationSourceSetting[];
  /** Requests per minute each department may make to POST /events, and to POST /verifications (APPLYFREE_DEPARTMENT_RATE_LIMIT). */
  departmentRateLimit: number;
  /** Requests per minute each signed-in person may make (APPLYFREE_USER_RATE_LIMIT). */
  userRateLimit: number;
  /** Requests per minute from one address without a token (APPLYFREE_ANONYMOUS_RATE_LIMIT). */
  anonymousRateLimit: number;
  /** Host names the API answers to besides loopback and IP addresses: API_HOST and APPLYFREE_ALLOWED_HOSTS. */
  allowedHosts: string[];
  /** Answers reach people over https (HSTS is sent): APPLYFREE_HTTPS, on in production. */
  https: boolean;
  /** The API sits behind a proxy that sets X-Forwarded-For (APPLYFREE_TRUST_PROXY). */
  trustProxy: boolean;
  /** How long sessions last (store/sessions.ts): a person's at the console, and a machine token's. */
  sessions: SessionLimitSettings;
  /** Staff sign-in through the city's OpenID Connect provider (APPLYFREE_OIDC_*); absent: built-in accounts only. */
  oidc?: OidcSettings;
  /** The demo city that `npm start` seeds and feeds with life events; off in production. */
  demo: DemoSettings;
  /**
   * The paying bureau the bank files debit (APPLYFREE_PAYING_BUREAU_NAME, _ACCOUNT, _BANK_CODE,
   * _BANK_NAME); each unset part is the synthetic city's civil affairs bureau's.
   */
  payingBureau: PayingBureau;
  /** The API the CLI talks to (APPLYFREE_API_URL; default: this machine's API_HOST and API_PORT). */
  apiUrl: string;
  /** The CLI user's token for the policy API (APPLYFREE_TOKEN). */
  token?: string;
  /** True under CI: progress displays print plain lines instead of redrawing. */
  ci: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

/** The debtor of the payroll's bank files: name, account number and the 12-digit CNAPS code of its bank. */
export interface PayingBureau {
  name: string;
  accountNumber: string;
  bankCode: string;
  bankName?: string;
}

/** The synthetic city's civil affairs bureau and its disbursement account (synthetic numbers). */
export const DEFAULT_PAYING_BUREAU: Readonly<PayingBureau> = {
  name: '市民政局',
  accountNumber: '9102014681000000017',
  bankCode: '102468100017',
  bankName: '中国工商银行市分行营业部',
};

/**
 * TLS to an external Temporal frontend, with the files already read (start-up fails on a missing
 * one): a self-hosted cluster with mTLS, or Temporal Cloud with mTLS or an API key.
 * infra/temporal-connection.ts turns it into the options of Connection.connect and NativeConnection.connect.
 */
export interface TemporalAccess {
  tls: {
    /** PEM CA bundle the server's certificate is checked against (TEMPORAL_TLS_CA); absent, the system's roots. */
    serverRootCACertificate?: Buffer;
    /** This deployment's client certificate and its key, for mTLS (TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY). */
    clientCertPair?: { crt: Buffer; key: Buffer };
    /** The name the server's certificate must carry, when not the host of TEMPORAL_ADDRESS (TEMPORAL_TLS_SERVER_NAME). */
    serverNameOverride?: string;
  };
  /** Sent as `Authorization: Bearer <key>` on every call (TEMPORAL_API_KEY; Temporal Cloud). */
  apiKey?: string;
}

/** Idle and absolute limits in milliseconds, for console sessions and machine tokens. */
export interface SessionLimitSettings {
  console: { idleMs: number; absoluteMs: number };
  machine: { idleMs: number; absoluteMs: number };
}

/**
 * The city's identity provider (services/identity/oidc.ts): authorization code with PKCE, the ID
 * token verified against the issuer's keys. Roles and department come from claims when their names
 * are set, else from users registered beforehand (`applyfree user add --oidc-subject`).
 */
export interface OidcSettings {
  /** The issuer URL; its discovery document is `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  /** A confidential client's secret (client_secret_basic); absent, a public client (PKCE alone). */
  clientSecret?: string;
  /** Where the provider sends the browser back: this API's /auth/callback as the browser reaches it. */
  redirectUrl: string;
  scopes: string[];
  /** The claim listing applyfree roles (a string or an array); absent, users are registered beforehand. */
  rolesClaim?: string;
  departmentClaim?: string;
  nameClaim: string;
  /** The ID token's `amr` must include one of these (e.g. mfa, otp, hwk): two factors for staff (MLPS level 3). */
  requiredAmr: string[];
  /** Asked of the provider (acr_values) and required of the ID token's `acr` when set. */
  acrValues?: string;
}

export interface DemoSettings {
  enabled: boolean;
  residents: number;
  enterprises: number;
  /** Life events the demo registry feed delivers per second. */
  eventsPerSecond: number;
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function parseHostPort(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const match = /^([A-Za-z0-9.\-_]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(value);
  if (!match || Number(match[2]) > 65535) {
    throw new ConfigError(name, `expected host:port (for example 127.0.0.1:7233), got "${value}"`);
  }
  return value;
}

function parseUrl(name: string, value: string | undefined, schemes: string[]): string | undefined {
  if (value === undefined) return undefined;
  // Not WHATWG URL: MongoDB replica-set URIs list several hosts, which it cannot parse.
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^\s/?#]+)([/?#]\S*)?$/i.exec(value);
  if (!match) throw new ConfigError(name, `not a valid URL: "${redactUrl(value)}"`);
  const scheme = match[1].toLowerCase();
  if (!schemes.includes(scheme)) {
    throw new ConfigError(name, `expected a ${schemes.join(' or ')} URL, got scheme "${scheme}"`);
  }
  return value;
}

function parsePort(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > 65535) {
    throw new ConfigError(name, `expected a port number 0-65535, got "${value}"`);
  }
  return Number(value);
}

function parseCount(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > max)
    throw new ConfigError(name, `expected a whole number 0-${max}, got "${value}"`);
  return Number(value);
}

function parsePositive(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max)
    throw new ConfigError(name, `expected a whole number 1-${max}, got "${value}"`);
  return Number(value);
}

function parseSwitch(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (/^(on|true|1|yes)$/i.test(value)) return true;
  if (/^(off|false|0|no)$/i.test(value)) return false;
  throw new ConfigError(name, `expected on or off, got "${value}"`);
}

/**
 * CI services set CI to "true", "1" or their own name; "false", "0", "no", "off" or empty mean
 * not CI (a developer's `CI=false` must not switch a terminal to plain progress lines).
 */
function isCi(value: string | undefined): boolean {
  return value !== undefined && !/^(|false|0|no|off)$/i.test(value.trim());
}

function parsePayingBureau(env: Env): PayingBureau {
  const name = optional(env, 'APPLYFREE_PAYING_BUREAU_NAME') ?? DEFAULT_PAYING_BUREAU.name;
  const accountNumber = optional(env, 'APPLYFREE_PAYING_BUREAU_ACCOUNT') ?? DEFAULT_PAYING_BUREAU.accountNumber;
  const bankCode = optional(env, 'APPLYFREE_PAYING_BUREAU_BANK_CODE') ?? DEFAULT_PAYING_BUREAU.bankCode;
  const bankName = optional(env, 'APPLYFREE_PAYING_BUREAU_BANK_NAME') ?? DEFAULT_PAYING_BUREAU.bankName;
  if (name.length > 140) throw new ConfigError('APPLYFREE_PAYING_BUREAU_NAME', 'at most 140 characters');
  if (!/^[0-9A-Za-z]{1,34}$/.test(accountNumber))
    throw new ConfigError('APPLYFREE_PAYING_BUREAU_ACCOUNT', `expected 1-34 letters or digits, got "${accountNumber}"`);
  if (!/^\d{12}$/.test(bankCode))
    throw new ConfigError('APPLYFREE_PAYING_BUREAU_BANK_CODE', `expected a 12-digit CNAPS code, got "${bankCode}"`);
  if (bankName !== undefined && bankName.length > 140)
    throw new ConfigError('APPLYFREE_PAYING_BUREAU_BANK_NAME', 'at most 140 characters');
  return { name, accountNumber, bankCode, ...(bankName === undefined ? {} : { bankName }) };
}

function parseName(name: string, value: string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(value))
    throw new ConfigError(name, `expected letters, digits, '.', '_' or '-', got "${value}"`);
  return value;
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/;

/** A comma-separated list of host names (no ports, no addresses: those are always answered). */
function parseHostNames(name: string, value: string | undefined): string[] {
  const names = (value ?? '')
    .split(',')
    .map((host) => host.trim().toLowerCase())
    .filter(Boolean);
  for (const host of names)
    if (!HOST_NAME.test(host))
      throw new ConfigError(name, `expected host names separated by commas (no scheme or port), got "${host}"`);
  return names;
}

function parseSecret(name: string, value: string | undefined): string | undefined {
  if (value !== undefined && value.length < 32) throw new ConfigError(name, 'must be at least 32 characters long');
  return value;
}

function parseSecretList(name: string, value: string | undefined): string[] {
  const secrets = (value ?? '')
    .split(',')
    .map((secret) => secret.trim())
    .filter(Boolean);
  secrets.forEach((secret, i) => {
    if (secret.length < 32) throw new ConfigError(name, `secret ${i + 1} must be at least 32 characters long`);
  });
  return secrets;
}

const EXTERNAL_SERVERS = ['TEMPORAL_ADDRESS', 'MONGODB_URI', 'REDIS_URL'] as const;

function parseMode(env: Env): Mode {
  const value = optional(env, 'APPLYFREE_MODE');
  if (value === undefined)
    return EXTERNAL_SERVERS.some((name) => optional(env, name) !== undefined) ? 'production' : 'development';
  if (value !== 'production' && value !== 'development')
    throw new ConfigError('APPLYFREE_MODE', `expected production or development, got "${value}"`);
  return value;
}

function parseVerificationSourcesVariable(env: Env, mode: Mode): VerificationSourceSetting[] {
  try {
    return parseVerificationSources(optional(env, VERIFICATION_SOURCES_VARIABLE), {
      development: mode === 'development',
    });
  } catch (error) {
    if (error instanceof VerificationSourcesError)
      throw new ConfigError(
        VERIFICATION_SOURCES_VARIABLE,
        error.message.replace(`${VERIFICATION_SOURCES_VARIABLE}: `, ''),
      );
    throw error;
  }
}

function parseWebhookUrl(mode: Mode, value: string | undefined): string | undefined {
  const url = parseUrl('NOTICE_WEBHOOK_URL', value, ['http', 'https']);
  const problem = url === undefined ? undefined : outboundUrlProblem(url, { development: mode === 'development' });
  if (problem) throw new ConfigError('NOTICE_WEBHOOK_URL', problem);
  return url;
}

function parseList(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);
}

function parseClaimName(name: string, value: string | undefined): string | undefined {
  if (value !== undefined && !/^[A-Za-z0-9_:./-]{1,200}$/.test(value))
    throw new ConfigError(name, `expected a claim name (letters, digits, _ : . / -), got "${value}"`);
  return value;
}

const SESSION_MINUTE = 60_000;
const SESSION_HOUR = 60 * SESSION_MINUTE;
const SESSION_DAY = 24 * SESSION_HOUR;

/** Session limits: APPLYFREE_SESSION_IDLE_MINUTES (30) and _ABSOLUTE_HOURS (12); APPLYFREE_TOKEN_IDLE_DAYS (30) and _ABSOLUTE_DAYS (90). */
function parseSessionLimits(env: Env): SessionLimitSettings {
  const limits: SessionLimitSettings = {
    console: {
      idleMs:
        parsePositive('APPLYFREE_SESSION_IDLE_MINUTES', optional(env, 'APPLYFREE_SESSION_IDLE_MINUTES'), 30, 1_440) *
        SESSION_MINUTE,
      absoluteMs:
        parsePositive('APPLYFREE_SESSION_ABSOLUTE_HOURS', optional(env, 'APPLYFREE_SESSION_ABSOLUTE_HOURS'), 12, 168) *
        SESSION_HOUR,
    },
    machine: {
      idleMs:
        parsePositive('APPLYFREE_TOKEN_IDLE_DAYS', optional(env, 'APPLYFREE_TOKEN_IDLE_DAYS'), 30, 366) * SESSION_DAY,
      absoluteMs:
        parsePositive('APPLYFREE_TOKEN_ABSOLUTE_DAYS', optional(env, 'APPLYFREE_TOKEN_ABSOLUTE_DAYS'), 90, 366) *
        SESSION_DAY,
    },
  };
  if (limits.console.idleMs > limits.console.absoluteMs)
    throw new ConfigError('APPLYFREE_SESSION_IDLE_MINUTES', 'is longer than APPLYFREE_SESSION_ABSOLUTE_HOURS');
  if (limits.machine.idleMs > limits.machine.absoluteMs)
    throw new ConfigError('APPLYFREE_TOKEN_IDLE_DAYS', 'is longer than APPLYFREE_TOKEN_ABSOLUTE_DAYS');
  return limits;
}

/** The identity provider, when APPLYFREE_OIDC_ISSUER is set: then the client ID and the redirect URL are required. */
function parseOidc(mode: Mode, env: Env): OidcSettings | undefined {
  const issuer = optional(env, 'APPLYFREE_OIDC_ISSUER');
  const others = Object.keys(env).filter(
    (name) => name.startsWith('APPLYFREE_OIDC_') && name !== 'APPLYFREE_OIDC_ISSUER' && optional(env, name),
  );
  if (issuer === undefined) {
    if (others.length > 0) throw new ConfigError(others[0], 'is set but APPLYFREE_OIDC_ISSUER is not');
    return undefined;
  }
  const development = mode === 'development';
  const url = (name: string, value: string | undefined): string => {
    if (value === undefined) throw new ConfigError(name, 'required when APPLYFREE_OIDC_ISSUER is set');
    const problem = outboundUrlProblem(value, { development });
    if (problem) throw new ConfigError(name, problem);
    return value;
  };
  const clientId = optional(env, 'APPLYFREE_OIDC_CLIENT_ID');
  if (!clientId) throw new ConfigError('APPLYFREE_OIDC_CLIENT_ID', 'required when APPLYFREE_OIDC_ISSUER is set');
  const scopes = parseList(optional(env, 'APPLYFREE_OIDC_SCOPES') ?? 'openid profile');
  if (!scopes.includes('openid'))
    throw new ConfigError('APPLYFREE_OIDC_SCOPES', `must include openid, got "${scopes.join(' ')}"`);
  const rolesClaim = parseClaimName('APPLYFREE_OIDC_ROLES_CLAIM', optional(env, 'APPLYFREE_OIDC_ROLES_CLAIM'));
  const departmentClaim = parseClaimName(
    'APPLYFREE_OIDC_DEPARTMENT_CLAIM',
    optional(env, 'APPLYFREE_OIDC_DEPARTMENT_CLAIM'),
  );
  if (rolesClaim && !departmentClaim)
    throw new ConfigError(
      'APPLYFREE_OIDC_DEPARTMENT_CLAIM',
      'required with APPLYFREE_OIDC_ROLES_CLAIM: staff created from claims need a department',
    );
  const acrValues = optional(env, 'APPLYFREE_OIDC_ACR_VALUES');
  return {
    issuer: url('APPLYFREE_OIDC_ISSUER', issuer).replace(/\/$/, ''),
    clientId,
    ...(optional(env, 'APPLYFREE_OIDC_CLIENT_SECRET')
      ? { clientSecret: optional(env, 'APPLYFREE_OIDC_CLIENT_SECRET') }
      : {}),
    redirectUrl: url('APPLYFREE_OIDC_REDIRECT_URL', optional(env, 'APPLYFREE_OIDC_REDIRECT_URL')),
    scopes,
    ...(rolesClaim ? { rolesClaim } : {}),
    ...(departmentClaim ? { departmentClaim } : {}),
    nameClaim: parseClaimName('APPLYFREE_OIDC_NAME_CLAIM', optional(env, 'APPLYFREE_OIDC_NAME_CLAIM')) ?? 'name',
    requiredAmr: parseList(optional(env, 'APPLYFREE_OIDC_REQUIRED_AMR')),
    ...(acrValues ? { acrValues } : {}),
  };
}

/** The variables of TemporalAccess (TEMPORAL_TLS, TEMPORAL_API_KEY and TEMPORAL_TLS_SERVER_NAME are the Temporal CLI's names too). */
const TEMPORAL_TLS_VARIABLES = [
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_CA',
  'TEMPORAL_TLS_CERT',
  'TEMPORAL_TLS_KEY',
  'TEMPORAL_TLS_SERVER_NAME',
  'TEMPORAL_API_KEY',
] as const;
const TEMPORAL_TLS_FILES = ['TEMPORAL_TLS_CA', 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY'] as const;
/** The Temporal CLI's and SDKs' environment configuration names for the files, and the variable applyfree reads instead. */
const TEMPORAL_CLI_FILE_VARIABLES: Record<string, (typeof TEMPORAL_TLS_FILES)[number]> = {
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: 'TEMPORAL_TLS_CA',
  TEMPORAL_TLS_SERVER_CA_CERT_DATA: 'TEMPORAL_TLS_CA',
  TEMPORAL_TLS_CLIENT_CERT_PATH: 'TEMPORAL_TLS_CERT',
  TEMPORAL_TLS_CLIENT_CERT_DATA: 'TEMPORAL_TLS_CERT',
  TEMPORAL_TLS_CLIENT_KEY_PATH: 'TEMPORAL_TLS_KEY',
  TEMPORAL_TLS_CLIENT_KEY_DATA: 'TEMPORAL_TLS_KEY',
};

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a folder on the path is a file',
};

/** A file named by a variable, read now: a missing or unreadable one is a ConfigError naming the variable. */
function readNamedFile(name: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    throw new ConfigError(name, `cannot read "${path}" (${READ_ERRORS[code] ?? code})`);
  }
}

function pemCertificate(name: string, path: string, pem: Buffer): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw new ConfigError(name, `"${path}" holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
}

/**
 * TEMPORAL_TLS=on (TLS, the system's roots), TEMPORAL_TLS_CA, TEMPORAL_TLS_CERT with TEMPORAL_TLS_KEY,
 * TEMPORAL_TLS_SERVER_NAME and TEMPORAL_API_KEY; any of them turns TLS on. They describe the way to
 * TEMPORAL_ADDRESS, so they are refused without it: the embedded dev server speaks plain gRPC on loopback.
 */
function parseTemporalAccess(env: Env, address: string | undefined): TemporalAccess | undefined {
  // A certificate meant for Temporal under the CLI's name would otherwise be left out without a word.
  for (const [theirs, ours] of Object.entries(TEMPORAL_CLI_FILE_VARIABLES))
    if (optional(env, theirs) !== undefined && optional(env, ours) === undefined)
      throw new ConfigError(theirs, `is the Temporal CLI's name, not read here: set ${ours} to the PEM file's path`);
  const on = parseSwitch('TEMPORAL_TLS', optional(env, 'TEMPORAL_TLS'), false);
  const set = TEMPORAL_TLS_VARIABLES.filter((name) => name !== 'TEMPORAL_TLS' && optional(env, name) !== undefined);
  if (optional(env, 'TEMPORAL_TLS') !== undefined && !on && set.length > 0)
    throw new ConfigError(
      set[0],
      set[0] === 'TEMPORAL_API_KEY'
        ? 'is sent over TLS only, but TEMPORAL_TLS is off'
        : 'is set but TEMPORAL_TLS is off: unset one of them',
    );
  if (!on && set.length === 0) return undefined;
  if (address === undefined)
    throw new ConfigError(
      on ? 'TEMPORAL_TLS' : set[0],
      'needs TEMPORAL_ADDRESS: TLS is for an external Temporal server; the embedded dev server speaks plain gRPC on loopback',
    );

  const tls: TemporalAccess['tls'] = {};
  const caPath = optional(env, 'TEMPORAL_TLS_CA');
  if (caPath !== undefined) {
    tls.serverRootCACertificate = readNamedFile('TEMPORAL_TLS_CA', caPath);
    pemCertificate('TEMPORAL_TLS_CA', caPath, tls.serverRootCACertificate);
  }
  const certPath = optional(env, 'TEMPORAL_TLS_CERT');
  const keyPath = optional(env, 'TEMPORAL_TLS_KEY');
  if (certPath !== undefined && keyPath === undefined)
    throw new ConfigError('TEMPORAL_TLS_KEY', "required with TEMPORAL_TLS_CERT: the client certificate's private key");
  if (keyPath !== undefined && certPath === undefined)
    throw new ConfigError('TEMPORAL_TLS_CERT', 'required with TEMPORAL_TLS_KEY: the client certificate (PEM)');
  if (certPath !== undefined && keyPath !== undefined) {
    const crt = readNamedFile('TEMPORAL_TLS_CERT', certPath);
    const key = readNamedFile('TEMPORAL_TLS_KEY', keyPath);
    const certificate = pemCertificate('TEMPORAL_TLS_CERT', certPath, crt);
    let privateKey;
    try {
      privateKey = createPrivateKey(key);
    } catch {
      throw new ConfigError('TEMPORAL_TLS_KEY', `"${keyPath}" holds no unencrypted PEM private key`);
    }
    if (!certificate.checkPrivateKey(privateKey))
      throw new ConfigError('TEMPORAL_TLS_KEY', `"${keyPath}" is not the key of the certificate in TEMPORAL_TLS_CERT`);
    tls.clientCertPair = { crt, key };
  }
  const serverName = optional(env, 'TEMPORAL_TLS_SERVER_NAME');
  if (serverName !== undefined) {
    if (!HOST_NAME.test(serverName.toLowerCase()))
      throw new ConfigError('TEMPORAL_TLS_SERVER_NAME', `expected a host name, got "${serverName}"`);
    tls.serverNameOverride = serverName;
  }
  const apiKey = optional(env, 'TEMPORAL_API_KEY');
  // The key goes into a header: printable characters only, and never into a message.
  if (apiKey !== undefined && !/^[\x21-\x7e]+$/.test(apiKey))
    throw new ConfigError('TEMPORAL_API_KEY', 'expected printable characters without spaces');
  return { tls, ...(apiKey !== undefined ? { apiKey } : {}) };
}

/** Hides the password in a connection URL so it can be printed or logged. */
export function redactUrl(value: string): string {
  return value.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

/** Parses the environment (process.env by default) into a validated Config. */
export function loadConfig(env: Env = process.env): Config {
  const level = optional(env, 'LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError('LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  }
  const cacheDir = resolve(
    optional(env, 'APPLYFREE_CACHE_DIR') ??
      join(optional(env, 'XDG_CACHE_HOME') ?? join(homedir(), '.cache'), 'applyfree'),
  );
  const mode = parseMode(env);
  const oidc = parseOidc(mode, env);
  const temporalAddress = parseHostPort('TEMPORAL_ADDRESS', optional(env, 'TEMPORAL_ADDRESS'));
  const temporalAccess = parseTemporalAccess(env, temporalAddress);
  const stateDir = resolve(
    optional(env, 'APPLYFREE_STATE_DIR') ??
      join(optional(env, 'XDG_DATA_HOME') ?? join(homedir(), '.local', 'share'), 'applyfree', 'dev'),
  );
  return {
    mode,
    temporalAddress,
    temporalNamespace: optional(env, 'TEMPORAL_NAMESPACE') ?? 'default',
    ...(temporalAccess ? { temporalAccess } : {}),
    mongodbUri: parseUrl('MONGODB_URI', optional(env, 'MONGODB_URI'), ['mongodb', 'mongodb+srv']),
    redisUrl: parseUrl('REDIS_URL', optional(env, 'REDIS_URL'), ['redis', 'rediss']),
    apiHost: optional(env, 'API_HOST') ?? '127.0.0.1',
    apiPort: parsePort('API_PORT', optional(env, 'API_PORT'), 3000),
    cacheDir,
    stateDir,
    sealKeyDir: resolve(optional(env, 'APPLYFREE_SEAL_KEY_DIR') ?? join(stateDir, 'seals')),
    noticeWebhookUrl: parseWebhookUrl(mode, optional(env, 'NOTICE_WEBHOOK_URL')),
    subjectKeySecret: parseSecret('APPLYFREE_SUBJECT_KEY_SECRET', optional(env, 'APPLYFREE_SUBJECT_KEY_SECRET')),
    previousSubjectKeySecrets: parseSecretList(
      'APPLYFREE_SUBJECT_KEY_SECRETS_PREVIOUS',
      optional(env, 'APPLYFREE_SUBJECT_KEY_SECRETS_PREVIOUS'),
    ),
    apiUrl:
      parseUrl('APPLYFREE_API_URL', optional(env, 'APPLYFREE_API_URL'), ['http', 'https']) ??
      `http://${optional(env, 'API_HOST') ?? '127.0.0.1'}:${parsePort('API_PORT', optional(env, 'API_PORT'), 3000)}`,
    token: optional(env, 'APPLYFREE_TOKEN'),
    taskQueue: parseName('APPLYFREE_TASK_QUEUE', optional(env, 'APPLYFREE_TASK_QUEUE'), 'applyfree'),
    queuePrefix: parseName('APPLYFREE_QUEUE_PREFIX', optional(env, 'APPLYFREE_QUEUE_PREFIX'), 'applyfree'),
    verificationSources: parseVerificationSourcesVariable(env, mode),
    departmentRateLimit: parsePositive(
      'APPLYFREE_DEPARTMENT_RATE_LIMIT',
      optional(env, 'APPLYFREE_DEPARTMENT_RATE_LIMIT'),
      600,
      1_000_000,
    ),
    userRateLimit: parsePositive(
      'APPLYFREE_USER_RATE_LIMIT',
      optional(env, 'APPLYFREE_USER_RATE_LIMIT'),
      600,
      1_000_000,
    ),
    anonymousRateLimit: parsePositive(
      'APPLYFREE_ANONYMOUS_RATE_LIMIT',
      optional(env, 'APPLYFREE_ANONYMOUS_RATE_LIMIT'),
      300,
      1_000_000,
    ),
    allowedHosts: [
      optional(env, 'API_HOST') ?? '127.0.0.1',
      ...parseHostNames('APPLYFREE_ALLOWED_HOSTS', optional(env, 'APPLYFREE_ALLOWED_HOSTS')),
    ],
    https: parseSwitch('APPLYFREE_HTTPS', optional(env, 'APPLYFREE_HTTPS'), mode === 'production'),
    trustProxy: parseSwitch('APPLYFREE_TRUST_PROXY', optional(env, 'APPLYFREE_TRUST_PROXY'), false),
    sessions: parseSessionLimits(env),
    ...(oidc ? { oidc } : {}),
    payingBureau: parsePayingBureau(env),
    demo: {
      enabled: parseSwitch('APPLYFREE_DEMO', optional(env, 'APPLYFREE_DEMO'), mode === 'development'),
      residents: parseCount('APPLYFREE_DEMO_RESIDENTS', optional(env, 'APPLYFREE_DEMO_RESIDENTS'), 10_000, 10_000_000),
      enterprises: parseCount(
        'APPLYFREE_DEMO_ENTERPRISES',
        optional(env, 'APPLYFREE_DEMO_ENTERPRISES'),
        1_000,
        1_000_000,
      ),
      eventsPerSecond: parseCount(
        'APPLYFREE_DEMO_EVENTS_PER_SECOND',
        optional(env, 'APPLYFREE_DEMO_EVENTS_PER_SECOND'),
        20,
        10_000,
      ),
    },
    ci: isCi(optional(env, 'CI')),
    logLevel: level as Config['logLevel'],
  };
}

/** The effective key ring of a process that handles subjects; `development` when it is the published development key. */
export interface ServerKeys extends SubjectKeyRing {
  subjectKeySecret: string;
  previousSubjectKeySecrets: readonly string[];
  development: boolean;
}

/** The settings of a process that handles subjects (npm start, npm run worker, the seed): Config and its keys. */
export interface ServerConfig extends Config {
  keys: ServerKeys;
}

/**
 * The one place the effective pseudonym secret is decided. Production refuses to run without
 * APPLYFREE_SUBJECT_KEY_SECRET, or with the published development value; development uses the
 * development key when none is set (`development: true`, for the caller to announce).
 */
export function serverKeys(config: Config): ServerKeys {
  const name = 'APPLYFREE_SUBJECT_KEY_SECRET';
  const previous = config.previousSubjectKeySecrets;
  if (config.mode === 'production') {
    if (!config.subjectKeySecret)
      throw new ConfigError(
        name,
        'required in production (APPLYFREE_MODE=production, or TEMPORAL_ADDRESS, MONGODB_URI or REDIS_URL set): ' +
          'set a random secret of at least 32 characters, or APPLYFREE_MODE=development on a development stack',
      );
    if (config.subjectKeySecret === DEVELOPMENT_SUBJECT_KEY_SECRET)
      throw new ConfigError(name, 'is the published development key, refused in production: set a random secret');
  }
  const subjectKeySecret = config.subjectKeySecret ?? DEVELOPMENT_SUBJECT_KEY_SECRET;
  return {
    subjectKeySecret,
    previousSubjectKeySecrets: previous.filter((secret) => secret !== subjectKeySecret),
    development: subjectKeySecret === DEVELOPMENT_SUBJECT_KEY_SECRET,
  };
}

/** loadConfig plus the keys (serverKeys): throws ConfigError naming the variable at fault. */
export function loadServerConfig(env: Env = process.env): ServerConfig {
  const config = loadConfig(env);
  return { ...config, keys: serverKeys(config) };
}

/**
 * The environment a child process gets: ours plus the given overrides, with the TLS files of
 * Temporal (TEMPORAL_TLS_CA, _CERT, _KEY) made absolute, so a child started in another folder
 * reads the same files.
 */
export function childEnv(overrides: Env = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...overrides };
  for (const name of TEMPORAL_TLS_FILES) {
    const path = optional(env, name);
    if (path !== undefined && !isAbsolute(path)) env[name] = resolve(path);
  }
  return env;
}
