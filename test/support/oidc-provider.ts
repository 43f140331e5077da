/**
 * A real OpenID Connect provider on this machine, for tests of staff sign-in: node:http and jose,
 * no mock of applyfree's code. It publishes a discovery document and its signing key (JWKS), logs
 * in whichever test user it is told to at its authorize endpoint (the city platform's login page
 * and second factor, passed), checks PKCE and the client's secret at its token endpoint, and
 * signs the ID token. A test can make the next ID token wrong in one way: another audience, an
 * expiry in the past, a signature by a key it does not publish, or another nonce.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/** Who the provider logs in at its authorize endpoint. */
export interface ProviderUser {
  sub: string;
  name?: string;
  /** Claims beyond the standard ones: roles, department… */
  claims?: Record<string, unknown>;
  /** How they authenticated (amr), e.g. ['pwd', 'otp']. */
  amr?: string[];
  acr?: string;
}

/** One way to make the next ID token wrong. */
export interface Tamper {
  audience?: string;
  /** Seconds from now (negative: already expired). */
  expiresIn?: number;
  /** Signed by a key the JWKS does not hold. */
  foreignKey?: boolean;
  nonce?: string;
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Who the next authorize request logs in. */
  user: ProviderUser;
  /** Applied to the next ID token issued, then cleared. */
  tamper: Tamper | undefined;
  /** What the token endpoint saw: PKCE checked, the client authenticated. */
  exchanges: Array<{ pkce: boolean; clientAuthenticated: boolean }>;
  close(): Promise<void>;
}

interface Grant {
  user: ProviderUser;
  nonce: string;
  challenge: string;
  redirectUri: string;
}

async function formOf(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** Starts the provider on a free port of 127.0.0.1, for one client whose redirect URL is given. */
export async function startTestProvider(options: { redirectUri: string }): Promise<TestProvider> {
  const signing = await generateKeyPair('RS256', { extractable: true });
  const foreign = await generateKeyPair('RS256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(signing.publicKey)), kid: 'city-2026', alg: 'RS256', use: 'sig' };
  const grants = new Map<string, Grant>();

  const provider: TestProvider = {
    issuer: '',
    clientId: 'applyfree-console',
    clientSecret: randomBytes(16).toString('hex'),
    user: { sub: 'staff-0001', name: '王芳', amr: ['pwd', 'otp'] },
    tamper: undefined,
    exchanges: [],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  async function idToken(grant: Grant): Promise<string> {
    const tamper = provider.tamper ?? {};
    provider.tamper = undefined;
    const now = Math.floor(Date.now() / 1000);
    const key: CryptoKey = tamper.foreignKey ? foreign.privateKey : signing.privateKey;
    return new SignJWT({
      nonce: tamper.nonce ?? grant.nonce,
      ...(grant.user.name ? { name: grant.user.name } : {}),
      ...(grant.user.amr ? { amr: grant.user.amr } : {}),
      ...(grant.user.acr ? { acr: grant.user.acr } : {}),
      ...grant.user.claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'city-2026' })
      .setIssuer(provider.issuer)
      .setSubject(grant.user.sub)
      .setAudience(tamper.audience ?? provider.clientId)
      .setIssuedAt(tamper.expiresIn !== undefined && tamper.expiresIn < 0 ? now + tamper.expiresIn - 600 : now)
      .setExpirationTime(now + (tamper.expiresIn ?? 300))
      .sign(key);
  }

  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', provider.issuer);
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    void (async () => {
      if (url.pathname === '/.well-known/openid-configuration')
        return json(200, {
          issuer: provider.issuer,
          authorization_endpoint: `${provider.issuer}/authorize`,
          token_endpoint: `${provider.issuer}/token`,
          jwks_uri: `${provider.issuer}/jwks`,
          response_types_supported: ['code'],
          code_challenge_methods_supported: ['S256'],
          id_token_signing_alg_values_supported: ['RS256'],
        });
      if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
      if (url.pathname === '/authorize') {
        const q = url.searchParams;
        if (
          q.get('response_type') !== 'code' ||
          q.get('client_id') !== provider.clientId ||
          q.get('redirect_uri') !== options.redirectUri ||
          q.get('code_challenge_method') !== 'S256' ||
          !q.get('code_challenge') ||
          !q.get('nonce') ||
          !q.get('state')
        )
          return json(400, { error: 'invalid_request' });
        const code = randomBytes(16).toString('hex');
        grants.set(code, {
          user: structuredClone(provider.user),
          nonce: q.get('nonce')!,
          challenge: q.get('code_challenge')!,
          redirectUri: q.get('redirect_uri')!,
        });
        const back = new URL(options.redirectUri);
        back.searchParams.set('code', code);
        back.searchParams.set('state', q.get('state')!);
        response.writeHead(302, { location: back.toString() });
        return response.end();
      }
      if (url.pathname === '/token' && request.method === 'POST') {
        const form = await formOf(request);
        const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '')?.[1];
        const [id, secret] = basic
          ? Buffer.from(basic, 'base64').toString('utf8').split(':').map(decodeURIComponent)
          : [];
        const clientAuthenticated = id === provider.clientId && secret === provider.clientSecret;
        const grant = grants.get(form.get('code') ?? '');
        grants.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const pkce = !!grant && createHash('sha256').update(verifier).digest('base64url') === grant.challenge;
        provider.exchanges.push({ pkce, clientAuthenticated });
        if (!clientAuthenticated) return json(401, { error: 'invalid_client' });
        if (!grant || !pkce || form.get('redirect_uri') !== grant.redirectUri)
          return json(400, { error: 'invalid_grant' });
        return json(200, {
          access_token: randomBytes(16).toString('hex'),
          token_type: 'Bearer',
          id_token: await idToken(grant),
        });
      }
      json(404, { error: 'not_found' });
    })().catch((error: unknown) => json(500, { error: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the test provider has no port');
  provider.issuer = `http://127.0.0.1:${address.port}`;
  return provider;
}
