/**
 * The resident and enterprise codes over HTTP (居民码/企业码): POST /me/codes, where the signed-in
 * holder asks for a code showing one certificate of their wallet or a yes/no claim, and POST
 * /codes/scan, where a registered verifier, signing its request, scans one for a matter
 * (services/codes/service.ts). The code travels in the body, never in a URL.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CODE_TOKEN_MAX } from '../domain/codes.js';
import type { CodeService, ShowRequest } from '../services/codes/service.js';
import { ApiRefusal, actorOf, verifierOf } from './auth.js';
import { issuersSchema, vouchedBySchema } from './certificate-routes.js';
import { answerErrors } from './errors.js';
import { bearerSecurity, errorSchema, textSchema } from './schemas.js';

export interface CodeApiDeps {
  codes: CodeService;
}

const text = textSchema;
const idText = { type: 'string', minLength: 1, maxLength: 100 } as const;
const kebab = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[a-z0-9-]+$' } as const;

const showSchema = {
  type: 'object',
  required: ['kind'],
  additionalProperties: false,
  description:
    'what the code shows: `{ kind: certificate, certificateId }` (one of my certificates) or `{ kind: claim, claim: holds-valid-certificate, certificateType }` (a yes/no answer, nothing else)',
  properties: {
    kind: { type: 'string', enum: ['certificate', 'claim'] },
    certificateId: idText,
    claim: kebab,
    certificateType: kebab,
  },
} as const;

const issuedSchema = {
  type: 'object',
  properties: {
    code: { type: 'string', description: 'the text of the QR code: AFC1.<code ID>.<MAC>, no identifier in it' },
    expiresAt: { type: 'string' },
    validitySeconds: { type: 'integer' },
    holderKind: { type: 'string', enum: ['person', 'enterprise'] },
    shows: {
      type: 'object',
      properties: {
        kind: { type: 'string', enum: ['certificate', 'claim'] },
        certificate: {
          type: 'object',
          properties: { id: { type: 'string' }, type: { type: 'string' }, title: text },
        },
        claim: {
          type: 'object',
          properties: { id: { type: 'string' }, certificateType: { type: 'string' }, statement: text },
        },
      },
    },
  },
} as const;

const scanResultSchema = {
  type: 'object',
  properties: {
    matter: { type: 'object', properties: { id: { type: 'string' }, title: text } },
    holderKind: { type: 'string', enum: ['person', 'enterprise'] },
    scannedAt: { type: 'string' },
    shows: { type: 'string', enum: ['certificate', 'claim'] },
    certificate: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        type: { type: 'string' },
        title: text,
        holder: {
          type: 'object',
          properties: {
            kind: { type: 'string' },
            displayName: { type: 'string', description: 'masked: its first character' },
          },
        },
        fields: {
          type: 'array',
          description: 'only the fields the matter may see; sensitive ones masked',
          items: {
            type: 'object',
            properties: {
              key: { type: 'string' },
              label: text,
              value: { anyOf: [{ type: 'string' }, { type: 'number' }] },
              masked: { type: 'boolean' },
            },
          },
        },
        issuers: issuersSchema,
        issuedOn: { type: 'string' },
        validUntil: { type: 'string' },
        status: {
          type: 'object',
          properties: {
            valid: { type: 'boolean' },
            failures: {
              type: 'array',
              items: {
                type: 'object',
                properties: { code: { type: 'string' }, message: text, sealId: { type: 'string' } },
              },
            },
            vouchedBy: vouchedBySchema,
          },
        },
      },
    },
    claim: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        certificateType: { type: 'string' },
        statement: text,
        answer: { type: 'boolean' },
      },
    },
  },
} as const;

/** The show request the body names, or BAD_REQUEST naming the field it lacks. */
function showOf(show: {
  kind: 'certificate' | 'claim';
  certificateId?: string;
  claim?: string;
  certificateType?: string;
}): ShowRequest {
  const missing = (field: string) =>
    new ApiRefusal(
      'BAD_REQUEST',
      `show.${field}: required for a ${show.kind}`,
      `请填写 show.${field}`,
      `show.${field}`,
    );
  if (show.kind === 'certificate') {
    if (!show.certificateId) throw missing('certificateId');
    return { kind: 'certificate', certificateId: show.certificateId };
  }
  if (!show.claim) throw missing('claim');
  if (!show.certificateType) throw missing('certificateType');
  return { kind: 'claim', claim: show.claim, certificateType: show.certificateType };
}

/** Registers POST /me/codes and POST /codes/scan in their own scope (their own error answers). */
export async function codeRoutes(app: FastifyInstance, deps: CodeApiDeps): Promise<void> {
  const { codes } = deps;
  app.setErrorHandler(answerErrors());

  app.post(
    '/me/codes',
    {
      schema: {
        tags: ['codes'],
        summary:
          'A new code (居民码/企业码) showing one of my certificates or a yes/no claim, valid about a minute and good for one scan (citizen; a firm’s staff for the firm) · 亮码',
        security: bearerSecurity,
        body: { type: 'object', required: ['show'], additionalProperties: false, properties: { show: showSchema } },
        response: { 200: issuedSchema, 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (request: FastifyRequest<{ Body: { show: Parameters<typeof showOf>[0] } }>) =>
      codes.issue(actorOf(request), showOf(request.body.show)),
  );

  app.post(
    '/codes/scan',
    {
      schema: {
        tags: ['codes'],
        summary:
          'Scan a code for a matter (a registered verifier’s signed request): only what the holder chose and the matter allows; refused REPLAYED, EXPIRED, TAMPERED, MATTER_NOT_ALLOWED, NOT_SHOWN · 扫码核验',
        security: [{ verifier: [] }],
        body: {
          type: 'object',
          required: ['code', 'matter'],
          additionalProperties: false,
          properties: {
            code: { type: 'string', minLength: 1, maxLength: CODE_TOKEN_MAX, description: 'the QR code’s text' },
            matter: { ...kebab, description: 'the matter checked (one the verifier is registered for)' },
          },
        },
        response: {
          200: scanResultSchema,
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
          409: errorSchema,
          422: errorSchema,
        },
      },
    },
    async (request: FastifyRequest<{ Body: { code: string; matter: string } }>) =>
      codes.scan(verifierOf(request), request.body),
  );
}
