/**
 * A request to the API under test as a person with a token, expected to succeed: its JSON answer,
 * or a failed expectation naming the route and the API's own answer (the end-to-end tests drive
 * the setup through the API this way before they open the browser).
 */
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';

/** `call` for the API `api()` answers with once it is built (tests build it in beforeAll). */
export function apiCaller(api: () => FastifyInstance) {
  return async function call<T = Record<string, unknown>>(
    method: 'GET' | 'POST',
    path: string,
    token?: string,
    payload?: object,
  ): Promise<T> {
    const response = await api().inject({
      method,
      url: path,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(payload ? { payload } : {}),
    });
    expect(response.statusCode, `${method} ${path}: ${response.body}`).toBeLessThan(300);
    return response.json<T>();
  };
}
