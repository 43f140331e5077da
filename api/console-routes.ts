/**
 * The web console (console/): its TypeScript is bundled once with esbuild when the API
 * starts and served from memory at /console, with GET /console/session telling the page
 * whose token it holds. A bundle that does not build stops the API from starting, like
 * any other broken source file.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../services/policies/lifecycle.js';

/** What the console's routes need from the API: the same token lookup as /policies. */
export interface ConsoleDeps {
  /** The person a bearer token belongs to (the same lookup as /policies). */
  authenticate: (token: string) => Promise<Actor | undefined>;
}

const consoleDir = fileURLToPath(new URL('../console/', import.meta.url));

/** Bundles console/src/main.ts into one ES module (no files written). */
export async function bundleConsole(): Promise<string> {
  const result = await build({
    entryPoints: [`${consoleDir}src/main.ts`],
    bundle: true,
    format: 'esm',
    target: 'es2020',
    write: false,
    sourcemap: 'inline',
    logLevel: 'silent',
    charset: 'utf8',
  });
  return result.outputFiles[0].text;
}

/** Registers /console, its script and style, and GET /console/session; bundles once, here. */
export async function consoleRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const script = await bundleConsole();
  const page = readFileSync(`${consoleDir}index.html`, 'utf8');
  const style = readFileSync(`${consoleDir}style.css`, 'utf8');
  const html = { schema: { hide: true } } as const;

  app.get('/console', html, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page),
  );
  app.get('/console/', html, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page),
  );
  app.get('/console/app.js', html, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(script),
  );
  app.get('/console/style.css', html, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(style),
  );

  /** Who the bearer token names, for the console's header; 401 in both languages otherwise. */
  app.get(
    '/console/session',
    { schema: { tags: ['console'], summary: 'The person a bearer token names · 当前登录人' } },
    async (request: FastifyRequest, reply) => {
      const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
      const actor = token ? await deps.authenticate(token) : undefined;
      if (!actor) {
        return reply.code(401).send({
          code: 'UNAUTHENTICATED',
          message: token ? 'the bearer token is not known' : 'send Authorization: Bearer <token>',
          messageZh: token ? '令牌无效' : '请提供身份令牌（Authorization: Bearer <令牌>）',
        });
      }
      return { name: actor.name, role: actor.role };
    },
  );
}
