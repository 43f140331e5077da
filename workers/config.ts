/**
 * The only reader of the process environment. Parses and validates once, fails fast
 * with the variable's name, and hands typed settings to everything else.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEVELOPMENT_SUBJECT_KEY_SECRET, type SubjectKeyRing } from '../domain/pseudonym.js';
import { outboundUrlProblem } from '../domain/transport.js';

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
  /** Requests per minute each department may make to POST /events (APPLYFREE_DEPARTMENT_RATE_LIMIT). */
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
  /** The API the CLI talks to (APPLYFREE_API_URL; default: this machine's API_HOST and API_PORT). */
  apiUrl: string;
  /** The CLI user's token for the policy API (APPLYFREE_TOKEN). */
  token?: string;
  /** True under CI: progress displays print plain lines instead of redrawing. */
  ci: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
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

function parseName(name: string, value: string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(value))
    throw new ConfigError(name, `expected letters, digits, '.', '_' or '-', got "${value}"`);
  return value;
}

/** A comma-separated list of host names (no ports, no addresses: those are always answered). */
function parseHostNames(name: string, value: string | undefined): string[] {
  const names = (value ?? '')
    .split(',')
    .map((host) => host.trim().toLowerCase())
    .filter(Boolean);
  for (const host of names)
    if (!/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/.test(host))
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
  return {
    mode,
    temporalAddress: parseHostPort('TEMPORAL_ADDRESS', optional(env, 'TEMPORAL_ADDRESS')),
    temporalNamespace: optional(env, 'TEMPORAL_NAMESPACE') ?? 'default',
    mongodbUri: parseUrl('MONGODB_URI', optional(env, 'MONGODB_URI'), ['mongodb', 'mongodb+srv']),
    redisUrl: parseUrl('REDIS_URL', optional(env, 'REDIS_URL'), ['redis', 'rediss']),
    apiHost: optional(env, 'API_HOST') ?? '127.0.0.1',
    apiPort: parsePort('API_PORT', optional(env, 'API_PORT'), 3000),
    cacheDir,
    stateDir: resolve(
      optional(env, 'APPLYFREE_STATE_DIR') ??
        join(optional(env, 'XDG_DATA_HOME') ?? join(homedir(), '.local', 'share'), 'applyfree', 'dev'),
    ),
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

/** The environment a provisioning child process gets: ours plus the given overrides. */
export function childEnv(overrides: Env = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...overrides };
}
