/**
 * Bearer authentication shared by every route group that names a person (/policies,
 * /sweeps, /cases): the token's person, a 401 when there is none, and a 403 naming the
 * roles allowed when the person's role may not use the group — both in English and Chinese.
 */
import type { FastifyRequest } from 'fastify';
import { Refusal } from '../domain/refusal.js';
import { ROLE_ZH, type Role, type User } from '../store/users.js';

/** The person a bearer token belongs to, or undefined (store/users.ts userOfToken). */
export type Authenticate = (token: string) => Promise<User | undefined>;

/** A refusal of the API layer (401, 403, 400…): status, stable code, both languages, the field at fault. */
export class ApiRefusal extends Refusal {}

/** The token of an `Authorization: Bearer <token>` header, if any. */
export function bearerToken(request: FastifyRequest): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
}

const article = (role: Role) => (role === 'officer' || role === 'inspector' ? 'an' : 'a');
const list = (roles: readonly Role[]) => roles.map((role) => `${article(role)} ${role}`).join(' or ');

/** The 403 for a role that may not do something: who may, and what this person is. */
export function forbiddenRole(actor: User, allowed: readonly Role[], what: string, whatZh: string): ApiRefusal {
  return new ApiRefusal(
    'FORBIDDEN_ROLE',
    `only ${list(allowed)} may ${what}; ${actor.name} is ${article(actor.role)} ${actor.role}`,
    `只有${allowed.map((role) => ROLE_ZH[role]).join('或')}可以${whatZh}；${actor.name}是${ROLE_ZH[actor.role]}`,
  );
}

/**
 * Resolves a request's person: 401 UNAUTHENTICATED without a known token; with `roles`,
 * 403 FORBIDDEN_ROLE for anyone else (`what` says what the group is for).
 */
export function actorResolver(
  authenticate: Authenticate,
  options: { roles?: readonly Role[]; what?: string; whatZh?: string } = {},
): (request: FastifyRequest) => Promise<User> {
  return async (request) => {
    const token = bearerToken(request);
    const actor = token ? await authenticate(token) : undefined;
    if (!actor) {
      throw new ApiRefusal(
        'UNAUTHENTICATED',
        token ? 'the bearer token is not known' : 'send Authorization: Bearer <token>',
        token ? '令牌无效' : '请提供身份令牌（Authorization: Bearer <令牌>）',
      );
    }
    if (options.roles && !options.roles.includes(actor.role)) {
      throw forbiddenRole(actor, options.roles, options.what ?? 'use this', options.whatZh ?? '使用此功能');
    }
    return actor;
  };
}
