/**
 * Electronic certificates and seals over HTTP: the holder's wallet (/me/certificates, each
 * certificate downloadable as the signed `<id>.json` file the offline command verifies),
 * verification open to anyone (POST /certificates/verify, and GET /certificates/:id/verification,
 * the link the PDF's QR code carries), the public seal registry and revocation list, and the
 * staff's revocation and seal rotation. Who may is domain/permissions.ts; the work is
 * services/certificates/service.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CertificateService } from '../services/certificates/service.js';
import { actorOf } from './auth.js';
import { baseUrlOf, sendPdf } from './pdf-reply.js';
import { answerErrors } from './errors.js';
import { bearerSecurity, errorSchema, textSchema } from './schemas.js';

export interface CertificateApiDeps {
  certificates: CertificateService;
}

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 503: errorSchema } as const;
const text = textSchema;
/** The departments a certificate names as its issuers (also in a scanned code's certificate). */
export const issuersSchema = {
  type: 'array',
  items: { type: 'object', properties: { department: { type: 'string' }, name: text } },
} as const;
/** The departments whose seals vouch for a valid certificate (also in a scanned code's status). */
export const vouchedBySchema = {
  type: 'array',
  items: { type: 'object', properties: { department: { type: 'string' }, name: text, sealId: { type: 'string' } } },
} as const;
const signatureSchema = {
  type: 'object',
  properties: {
    sealId: { type: 'string' },
    department: { type: 'string' },
    algorithm: { type: 'string', description: 'SM2-SM3' },
    userId: { type: 'string', description: 'the SM2 user ID in Z: 1234567812345678 (GM/T 0009 default)' },
    signature: { type: 'string', description: 'base64 of the DER SM2 signature' },
    signedAt: { type: 'string' },
  },
} as const;
/** The signed certificate: the document (docs/CERTIFICATES.md) and its seals' signatures. */
const signedCertificateSchema = {
  type: 'object',
  properties: {
    document: {
      type: 'object',
      additionalProperties: true,
      description:
        'format applyfree-certificate/1: id, type, title, holder, fields, issuedOn, issuedAt, validUntil, basis, issuers',
    },
    signatures: { type: 'array', items: signatureSchema },
  },
} as const;
/** A verifier's answer (domain/certificates.ts VerificationResult). */
export const verificationResultSchema = {
  type: 'object',
  properties: {
    valid: { type: 'boolean' },
    certificateId: { type: 'string' },
    type: { type: 'string' },
    failures: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          code: {
            type: 'string',
            enum: [
              'MALFORMED',
              'UNKNOWN_FORMAT',
              'BAD_SIGNATURE',
              'UNKNOWN_SEAL',
              'SEAL_REVOKED',
              'SEAL_NOT_VALID_AT_SIGNING',
              'SEAL_DEPARTMENT_MISMATCH',
              'MISSING_SEAL',
              'CERTIFICATE_REVOKED',
              'EXPIRED',
            ],
          },
          message: text,
          sealId: { type: 'string' },
        },
      },
    },
    vouchedBy: vouchedBySchema,
    checkedAt: { type: 'string' },
  },
} as const;
const sealSchema = {
  type: 'object',
  properties: {
    sealId: { type: 'string' },
    department: { type: 'string' },
    departmentName: text,
    name: text,
    algorithm: { type: 'string' },
    userId: { type: 'string' },
    publicKey: { type: 'string', description: 'PEM SubjectPublicKeyInfo of the SM2 key' },
    validFrom: { type: 'string' },
    validTo: { type: 'string' },
    status: { type: 'string', enum: ['active', 'retired', 'revoked'] },
    revokedAt: { type: 'string' },
    revocationReason: { type: 'string' },
    rotatedFrom: { type: 'string' },
  },
} as const;
const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^c_[a-z2-7]{24}$', description: 'the certificate ID' } },
} as const;
const reasonBody = {
  type: 'object',
  required: ['reason'],
  properties: { reason: { type: 'string', minLength: 1, maxLength: 500 } },
  additionalProperties: false,
} as const;

/** Registers the certificate and seal routes in their own scope (their own error answers). */
export async function certificateRoutes(app: FastifyInstance, deps: CertificateApiDeps): Promise<void> {
  const { certificates } = deps;
  app.setErrorHandler(answerErrors());

  app.get(
    '/me/certificates',
    {
      schema: {
        tags: ['certificates'],
        summary:
          'My electronic certificates, newest first, each with its issuers and standing (citizen) · 我的电子证照',
        security: bearerSecurity,
        response: {
          200: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                id: { type: 'string' },
                type: { type: 'string' },
                title: text,
                about: {
                  type: 'object',
                  description: 'what a decision letter decided (its matter and decision, in its words)',
                  properties: { matter: { type: 'string' }, outcome: { type: 'string' } },
                },
                issuers: issuersSchema,
                issuedOn: { type: 'string' },
                validUntil: { type: 'string' },
                status: { type: 'string', enum: ['valid', 'revoked', 'expired', 'invalid'] },
                problems: { type: 'array', items: { type: 'string' } },
                revokedAt: { type: 'string' },
              },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => certificates.wallet(actorOf(request)),
  );

  app.get(
    '/me/certificates/:id',
    {
      schema: {
        tags: ['certificates'],
        summary:
          'One of my certificates as the signed file <id>.json (document and seals’ signatures), for any verifier and `applyfree certificate verify` (citizen) · 下载电子证照',
        params: idParams,
        security: bearerSecurity,
        response: { 200: signedCertificateSchema, ...errors },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
      const signed = await certificates.download(actorOf(request), request.params.id);
      return reply.header('content-disposition', `attachment; filename="${signed.document.id}.json"`).send(signed);
    },
  );

  app.get(
    '/me/certificates/:id/pdf',
    {
      schema: {
        tags: ['certificates'],
        summary:
          'One of my certificates as a PDF to keep, print or show: the seals drawn, and a QR code of its public verification link (citizen) · 电子证照版式文件',
        params: idParams,
        querystring: {
          type: 'object',
          properties: { lang: { type: 'string', enum: ['zh', 'en'], description: 'which language leads' } },
          additionalProperties: false,
        },
        security: bearerSecurity,
        produces: ['application/pdf'],
        response: { 200: { type: 'string', format: 'binary' }, ...errors },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Querystring: { lang?: 'zh' | 'en' } }>, reply) => {
      const pdf = await certificates.pdf(actorOf(request), request.params.id, baseUrlOf(request), request.query.lang);
      return sendPdf(reply, `${request.params.id}.pdf`, pdf);
    },
  );

  app.post(
    '/certificates/verify',
    {
      schema: {
        tags: ['certificates'],
        summary:
          'Verify a signed certificate (its seals, the registry, the revocation list, its validity): valid with the departments that vouch for it, or every reason it is not (anyone) · 验章验签',
        body: { type: 'object', additionalProperties: true },
        response: { 200: verificationResultSchema, ...errors },
      },
    },
    async (request) => certificates.verify(request.body),
  );

  app.get(
    '/certificates/:id/verification',
    {
      schema: {
        tags: ['certificates'],
        summary:
          'Verify a stored certificate by its ID (the PDF’s QR code links here): the result, its type, issuers, dates and the holder’s name masked (anyone) · 扫码核验证照',
        params: idParams,
        response: {
          200: {
            type: 'object',
            properties: {
              result: verificationResultSchema,
              certificate: {
                type: 'object',
                properties: {
                  id: { type: 'string' },
                  type: { type: 'string' },
                  title: text,
                  issuers: issuersSchema,
                  issuedOn: { type: 'string' },
                  validUntil: { type: 'string' },
                  holder: { type: 'string', description: 'the holder’s name masked: 张**' },
                },
              },
            },
          },
          ...errors,
        },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>) => certificates.verificationOf(request.params.id),
  );

  app.get(
    '/certificates/revocations',
    {
      schema: {
        tags: ['certificates'],
        summary:
          'The revocation list: every revoked certificate’s ID and time, sealed by the certificate registry’s seal (anyone) · 证照撤销列表',
        response: {
          200: {
            type: 'object',
            properties: {
              format: { type: 'string' },
              issuedAt: { type: 'string' },
              revocations: {
                type: 'array',
                items: { type: 'object', properties: { id: { type: 'string' }, revokedAt: { type: 'string' } } },
              },
              signature: signatureSchema,
            },
          },
          ...errors,
        },
      },
    },
    async () => certificates.revocations(),
  );

  app.get(
    '/seals',
    {
      schema: {
        tags: ['certificates'],
        summary:
          'The seal registry: every department’s seals with their SM2 public keys, validity and status (anyone) · 印章登记簿',
        response: {
          200: {
            type: 'object',
            properties: { format: { type: 'string' }, seals: { type: 'array', items: sealSchema } },
          },
          ...errors,
        },
      },
    },
    async () => certificates.registry(),
  );

  app.post(
    '/certificates/:id/revoke',
    {
      schema: {
        tags: ['certificates'],
        summary: 'Revoke a certificate, saying why; a second call keeps the first revocation (supervisor) · 撤销证照',
        params: idParams,
        body: reasonBody,
        security: bearerSecurity,
        response: {
          200: {
            type: 'object',
            properties: { id: { type: 'string' }, revokedAt: { type: 'string' }, reason: { type: 'string' } },
          },
          ...errors,
        },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Body: { reason: string } }>) =>
      certificates.revoke(actorOf(request), request.params.id, request.body.reason),
  );

  app.post(
    '/seals/:department/rotate',
    {
      schema: {
        tags: ['certificates'],
        summary:
          'Give a department a new seal; the old one is retired and still verifies what it signed while valid (reviewer) · 轮换印章',
        params: {
          type: 'object',
          required: ['department'],
          properties: { department: { type: 'string', pattern: '^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$', maxLength: 64 } },
        },
        security: bearerSecurity,
        response: {
          200: { type: 'object', properties: { active: sealSchema, retired: sealSchema } },
          ...errors,
        },
      },
    },
    async (request: FastifyRequest<{ Params: { department: string } }>) =>
      certificates.rotateSeal(actorOf(request), request.params.department),
  );

  app.post(
    '/seals/:id/revoke',
    {
      schema: {
        tags: ['certificates'],
        summary:
          'Revoke a seal, saying why: nothing it ever signed verifies any more (SEAL_REVOKED); its private key is destroyed, and the certificates in the store it signed are re-sealed by the department’s new seal (reviewer) · 吊销印章',
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,99}$', description: 'the seal ID' } },
        },
        body: reasonBody,
        security: bearerSecurity,
        response: {
          200: {
            ...sealSchema,
            properties: {
              ...sealSchema.properties,
              resealed: { type: 'integer', description: 'stored certificates re-sealed by the new seal' },
            },
          },
          ...errors,
        },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Body: { reason: string } }>) =>
      certificates.revokeSeal(actorOf(request), request.params.id, request.body.reason),
  );
}
