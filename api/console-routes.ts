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
import { actorOf } from './auth.js';

const consoleDir = fileURLToPath(new URL('../console/', import.meta.url));

/** How the console is served. */
export interface ConsoleOptions {
  /** An inline source map in the bundle: development only (it ships the sources, and makes app.js three times larger). */
  sourceMap?: boolean;
}

/** Bundles console/src/main.ts into one ES module (no files written). */
export async function bundleConsole(options: ConsoleOptions = {}): Promise<string> {
  const result = await build({
    entryPoints: [`${consoleDir}src/main.ts`],
    bundle: true,
    format: 'esm',
    target: 'es2020',
    write: false,
    sourcemap: options.sourceMap ? 'inline' : false,
    logLevel: 'silent',
    charset: 'utf8',
  });
  return result.outputFiles[0].text;
}

/**
 * Registers /console, its script and style, and GET /console/session; bundles once, here. The page
 * loads only its own script and style (no inline script), as the Content Security Policy requires (api/edge.ts).
 */
export async function consoleRoutes(app: FastifyInstance, options: ConsoleOptions = {}): Promise<void> {
  const script = await bundleConsole(options);
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

  /**
   * Who the session names and until when, for the console's header (console.session: any live
   * session, the console's cookie or a bearer token; 401 in both languages otherwise).
   */
  app.get(
    '/console/session',
    { schema: { tags: ['console'], summary: 'The person the session names, and until when · 当前登录人' } },
    async (request: FastifyRequest) => {
      const { id, name, role, department } = actorOf(request);
      return {
        id,
        name,
        role,
        ...(department ? { department } : {}),
        ...(request.session
          ? {
              expiresAt: request.session.expiresAt.toISOString(),
              idleExpiresAt: request.session.idleExpiresAt.toISOString(),
            }
          : {}),
      };
    },
  );
}
