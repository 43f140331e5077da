/**
 * Staff sign-in through the city's identity platform (OpenID Connect, authorization code with
 * PKCE): `begin` sends the browser to the provider with a fresh state, nonce and code challenge;
 * `finish` takes the code back once, exchanges it at the token endpoint with the verifier, and
 * verifies the ID token with jose against the issuer's published keys (signature, issuer, audience,
 * expiry, the nonce, and the authentication methods when two factors are required). The provider's
 * subject maps to a user ID: through its roles and department claims when configured (the
 * provider is the directory: the user is created or updated at each sign-in), else to a user
 * registered beforehand (`applyfree user add --oidc-subject`). Any failure is one SIGN_IN_REFUSED
 * for the person; the reason goes to the log, never to the browser.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { Refusal } from '../../domain/refusal.js';
import { ROLES, type Role } from '../../domain/roles.js';
import { outboundUrlProblem } from '../../domain/transport.js';
import { rememberSignIn, takeSignIn } from '../../store/sign-ins.js';
import { addUser, updateUser, USER_ID_PATTERN, type UserRecord } from '../../store/users.js';
import { linkIdentity, userOfIdentity } from '../../store/user-identities.js';
import type { OidcSettings } from '../../workers/config.js';
import type { OpenedSession, SessionService } from './sessions.js';

/** A sign-in through the provider that did not succeed: one code for the person, the reason for the log. */
export class SignInRefusal extends Refusal {
  declare readonly code: 'SIGN_IN_REFUSED' | 'SIGN_IN_NOT_CONFIGURED';
  constructor(
    code: 'SIGN_IN_REFUSED' | 'SIGN_IN_NOT_CONFIGURED',
    /** Why, for the log only. */
    readonly reason: string,
  ) {
    super(
      code,
      code === 'SIGN_IN_REFUSED'
        ? 'the sign-in through the city’s identity provider was refused: try again, or ask your administrator'
        : 'no identity provider is configured: sign in with a token',
      code === 'SIGN_IN_REFUSED'
        ? '统一身份认证登录未通过：请重试，或联系管理员'
        : '未配置统一身份认证：请使用令牌登录',
    );
  }
}

const refused = (reason: string) => new SignInRefusal('SIGN_IN_REFUSED', reason);

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}

export interface OidcDeps {
  store: Connection;
  settings: OidcSettings;
  sessions: Pick<SessionService, 'openConsoleSession'>;
  /** Development allows plain http to this machine (a local provider); production only https. */
  development: boolean;
  now?: () => Date;
}

const random = () => randomBytes(32).toString('base64url');
const challengeOf = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');
const STAFF_ROLES = ROLES.filter((role) => role !== 'citizen');

/** A user ID derived from the provider's subject, so two first sign-ins at once make one user. */
const derivedUserId = (issuer: string, subject: string) => {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const digest = createHash('sha256').update(`oidc ${issuer} ${subject}`).digest();
  return `u_${[...digest.subarray(0, 16)].map((byte) => alphabet[byte % 32]).join('')}`;
};

/** A claim's roles (a string, space- or comma-separated, or an array), staff roles only. */
function rolesOfClaim(value: unknown): Role[] {
  const names = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  return STAFF_ROLES.filter((role) => names.includes(role));
}

/** The OpenID Connect client of the API: the /auth/login and /auth/callback routes call it. */
export function createOidcClient(deps: OidcDeps) {
  const { settings } = deps;
  const now = deps.now ?? (() => new Date());
  let discovery: Promise<Discovery> | undefined;
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  const checkUrl = (name: string, url: unknown): string => {
    const problem = typeof url === 'string' ? outboundUrlProblem(url, { development: deps.development }) : 'missing';
    if (problem) throw refused(`the provider's ${name} ${String(url)}: ${problem}`);
    return url as string;
  };

  /** The provider's discovery document, read once (again after a failure). */
  function discover(): Promise<Discovery> {
    discovery ??= (async () => {
      const response = await fetch(`${settings.issuer}/.well-known/openid-configuration`, {
        redirect: 'error',
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) throw refused(`discovery answered ${response.status}`);
      const document = (await response.json()) as Partial<Discovery>;
      if (document.issuer !== settings.issuer)
        throw refused(`discovery names the issuer ${String(document.issuer)}, not ${settings.issuer}`);
      return {
        issuer: document.issuer,
        authorization_endpoint: checkUrl('authorization_endpoint', document.authorization_endpoint),
        token_endpoint: checkUrl('token_endpoint', document.token_endpoint),
        jwks_uri: checkUrl('jwks_uri', document.jwks_uri),
      };
    })().catch((error: unknown) => {
      discovery = undefined;
      throw error instanceof SignInRefusal ? error : refused(`discovery failed: ${String(error)}`);
    });
    return discovery;
  }

  /** The code exchanged for the ID token at the token endpoint, with the verifier (PKCE). */
  async function exchange(endpoint: string, code: string, verifier: string): Promise<string> {
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: settings.redirectUrl,
      code_verifier: verifier,
      client_id: settings.clientId,
    });
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (settings.clientSecret)
      headers.authorization = `Basic ${Buffer.from(
        `${encodeURIComponent(settings.clientId)}:${encodeURIComponent(settings.clientSecret)}`,
      ).toString('base64')}`;
    const response = await fetch(endpoint, {
      method: 'POST',
      headers,
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(10_000),
    }).catch((error: unknown) => {
      throw refused(`the token endpoint did not answer: ${String(error)}`);
    });
    const answer = (await response.json().catch(() => ({}))) as { id_token?: unknown; error?: unknown };
    if (!response.ok || typeof answer.id_token !== 'string')
      throw refused(`the token endpoint answered ${response.status} ${String(answer.error ?? 'without an id_token')}`);
    return answer.id_token;
  }

  /** The ID token's claims once its signature, issuer, audience, times and nonce hold. */
  async function verify(idToken: string, jwksUri: string, nonce: string): Promise<JWTPayload> {
    jwks ??= createRemoteJWKSet(new URL(jwksUri));
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(idToken, jwks, {
        issuer: settings.issuer,
        audience: settings.clientId,
        requiredClaims: ['sub', 'iat', 'exp'],
        clockTolerance: 60,
        currentDate: now(),
      }));
    } catch (error) {
      throw refused(`the ID token did not verify: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== settings.clientId)
      throw refused(`the ID token is for several audiences and azp is ${String(payload.azp)}`);
    if (payload.nonce !== nonce) throw refused('the ID token does not carry the nonce of this sign-in');
    if (settings.requiredAmr.length > 0) {
      const amr = Array.isArray(payload.amr) ? payload.amr : [];
      if (!settings.requiredAmr.some((method) => amr.includes(method)))
        throw refused(`the sign-in used ${JSON.stringify(amr)}, not one of ${settings.requiredAmr.join(', ')}`);
    }
    if (settings.acrValues && !settings.acrValues.split(/\s+/).includes(String(payload.acr)))
      throw refused(`the sign-in's acr ${String(payload.acr)} is not one of ${settings.acrValues}`);
    return payload;
  }

  /** The user the provider's subject is: created or updated from the claims, or registered beforehand. */
  async function userOf(claims: JWTPayload): Promise<UserRecord> {
    const subject = String(claims.sub);
    const claim = (name: string | undefined) => (name ? (claims as Record<string, unknown>)[name] : undefined);
    const nameClaim = claim(settings.nameClaim);
    const name = typeof nameClaim === 'string' && nameClaim.trim() ? nameClaim.trim() : subject;
    const known = await userOfIdentity(deps.store, settings.issuer, subject);
    if (!settings.rolesClaim) {
      if (!known) throw refused(`${subject} is not registered (applyfree user add --oidc-subject)`);
      return known;
    }
    const roles = rolesOfClaim(claim(settings.rolesClaim));
    const departmentClaim = claim(settings.departmentClaim);
    const department = typeof departmentClaim === 'string' ? departmentClaim.trim() : '';
    if (roles.length === 0) throw refused(`${subject}'s ${settings.rolesClaim} claim names no applyfree staff role`);
    if (!department) throw refused(`${subject} has no ${String(settings.departmentClaim)} claim`);
    if (known) {
      if (known.status !== 'active') return known;
      return updateUser(deps.store, known._id, { name, roles, department }, now());
    }
    const id = derivedUserId(settings.issuer, subject);
    if (!USER_ID_PATTERN.test(id)) throw refused('could not derive a user ID');
    const user = await addUser(deps.store, { name, roles, department }, { origin: 'oidc', id, now: now() }).catch(
      async (error: { code?: number }) => {
        // Two first sign-ins at once: the other made the same user.
        if (error.code !== 11000) throw error;
        return updateUser(deps.store, id, { name, roles, department }, now());
      },
    );
    await linkIdentity(deps.store, settings.issuer, subject, user._id, now());
    return user;
  }

  return {
    /**
     * Starts a sign-in: where to send the browser, and the state to bind to it (a cookie the
     * callback compares). `role` asks for one of a person's several roles.
     */
    async begin(options: { role?: Role } = {}): Promise<{ redirect: string; state: string }> {
      const provider = await discover();
      const state = random();
      const nonce = random();
      const verifier = random();
      await rememberSignIn(
        deps.store,
        state,
        { nonce, verifier, ...(options.role ? { role: options.role } : {}) },
        now(),
      );
      const url = new URL(provider.authorization_endpoint);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: settings.clientId,
        redirect_uri: settings.redirectUrl,
        scope: settings.scopes.join(' '),
        state,
        nonce,
        code_challenge: challengeOf(verifier),
        code_challenge_method: 'S256',
        ...(settings.acrValues ? { acr_values: settings.acrValues } : {}),
      }).toString();
      return { redirect: url.toString(), state };
    },

    /**
     * Finishes a sign-in: the browser's state must be the one it was sent with (the cookie) and
     * known here (once, within ten minutes); the code becomes a verified ID token, the token a
     * user, the user a console session. Throws SignInRefusal with the reason for the log.
     */
    async finish(input: {
      code?: string;
      state?: string;
      boundState?: string;
      error?: string;
    }): Promise<OpenedSession> {
      if (input.error) throw refused(`the provider answered ${input.error}`);
      if (!input.code || !input.state) throw refused('the callback has no code or state');
      if (!input.boundState || input.boundState !== input.state)
        throw refused('the state is not the one this browser was sent with');
      const pending = await takeSignIn(deps.store, input.state, now());
      if (!pending) throw refused('the state is unknown, used or expired');
      const provider = await discover();
      const idToken = await exchange(provider.token_endpoint, input.code, pending.verifier);
      const claims = await verify(idToken, provider.jwks_uri, pending.nonce);
      const user = await userOf(claims);
      if (user.status !== 'active') throw refused(`user ${user._id} is disabled`);
      const staff: Role[] = user.roles.filter((role) => role !== 'citizen');
      const role = pending.role ?? staff[0];
      if (!role || !staff.includes(role))
        throw refused(`user ${user._id} does not hold the role ${String(role)} (holds ${user.roles.join(', ')})`);
      const amr = Array.isArray(claims.amr) ? claims.amr.map(String) : undefined;
      return deps.sessions.openConsoleSession(user._id, role, 'oidc', amr);
    },
  };
}

export type OidcClient = ReturnType<typeof createOidcClient>;
