/**
 * The service window over HTTP (/window, 线下兜底): window staff open a visit for the person present
 * (the ID card's number in the body, never a URL), read what the person has, answer an offer with
 * their consent, file an objection and print notices and letters for them, and close the visit; and
 * the public check a printed notice's QR code opens (/notices/prints/:printId/verification). Who may
 * is domain/permissions.ts (window.serve, window.act at-the-window); the work is services/window.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FileObjectionBody } from '../services/objections/service.js';
import type { AnswerOfferBody, SignPledgeBody, WindowService } from '../services/window/service.js';
import type { OpenVisitBody } from '../services/window/visits.js';
import { actorOf } from './auth.js';
import { answerErrors } from './errors.js';
import { baseUrlOf, sendPdf } from './pdf-reply.js';
import { bearerSecurity, errorSchema, textSchema } from './schemas.js';

export interface WindowApiDeps {
  window: WindowService;
}

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema } as const;
const security = bearerSecurity;
const open = { type: 'object', additionalProperties: true } as const;
const list = { type: 'array', items: open } as const;
const param = (description: string) => ({ type: 'string', minLength: 1, maxLength: 300, description }) as const;
const visitParams = {
  type: 'object',
  required: ['visitId'],
  properties: { visitId: param('the visit’s opaque ID (wv_…)') },
} as const;
const staff = { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } } as const;
const visitSchema = {
  type: 'object',
  properties: {
    visitId: { type: 'string' },
    window: { type: 'string' },
    reason: { type: 'string' },
    staff,
    openedAt: { type: 'string' },
    expiresAt: { type: 'string' },
    closedAt: { type: 'string' },
    status: { type: 'string', enum: ['open', 'closed', 'expired'] },
  },
} as const;
const personSchema = {
  type: 'object',
  description: 'the person present, masked: the ID’s last four characters and the name’s first',
  properties: { maskedId: { type: 'string' }, maskedName: { type: 'string' } },
} as const;
const langQuery = {
  type: 'object',
  properties: { lang: { type: 'string', enum: ['zh', 'en'], description: 'which language leads' } },
  additionalProperties: false,
} as const;
const pdfResponse = { 200: { type: 'string', format: 'binary' }, ...errors } as const;

type VisitRequest<P = object, B = unknown> = FastifyRequest<{ Params: { visitId: string } & P; Body: B }>;
type PdfRequest<P> = FastifyRequest<{ Params: { visitId: string } & P; Querystring: { lang?: 'zh' | 'en' } }>;

/** Registers /window and the printed notices' check in their own scope. */
export async function windowRoutes(app: FastifyInstance, deps: WindowApiDeps): Promise<void> {
  const { window } = deps;
  app.setErrorHandler(answerErrors());

  app.post(
    '/window/visits',
    {
      schema: {
        tags: ['window'],
        summary:
          'Open a visit for the person present at the service window: their ID card’s number (body, never a URL), the window and the reason; their presence is logged like an unmask and shown to them (window staff) · 窗口登记到场群众',
        body: {
          type: 'object',
          properties: {
            idNumber: { type: 'string', description: 'the resident ID card read at the window (18 characters)' },
            creditCode: {
              type: 'string',
              description:
                'instead, for a firm: the unified social credit code on its business licence (18 characters)',
            },
            window: { type: 'string', description: 'e.g. 德州市政务服务中心 3号窗口' },
            reason: { type: 'string', description: 'why the person came: shown to them under who accessed my data' },
          },
        },
        security,
        response: { 201: { type: 'object', properties: { visit: visitSchema, person: personSchema } }, ...errors },
      },
    },
    async (request: FastifyRequest<{ Body: OpenVisitBody }>, reply) =>
      reply.code(201).send(await window.open(actorOf(request), request.body ?? {})),
  );

  app.get(
    '/window/visits/:visitId',
    {
      schema: {
        tags: ['window'],
        summary:
          'Everything the person present has: offers, pledges, benefits and payments, notices, letters and certificates, open tasks, and what was done in the visit (window staff, own open visit) · 到场群众的事项',
        params: visitParams,
        security,
        response: {
          200: {
            type: 'object',
            properties: {
              visit: visitSchema,
              person: personSchema,
              offers: list,
              pledges: list,
              benefits: list,
              payments: open,
              notices: list,
              letters: list,
              tasks: list,
              acts: list,
            },
          },
          ...errors,
        },
      },
    },
    async (request: VisitRequest) => window.view(actorOf(request), request.params.visitId),
  );

  app.post(
    '/window/visits/:visitId/close',
    {
      schema: {
        tags: ['window'],
        summary: 'Close the visit: nothing more is done in it (window staff, own visit) · 结束接待',
        params: visitParams,
        security,
        response: { 200: visitSchema, ...errors },
      },
    },
    async (request: VisitRequest) => window.close(actorOf(request), request.params.visitId),
  );

  const pledgeParams = {
    type: 'object',
    required: ['visitId', 'pledgeKey'],
    properties: { visitId: visitParams.properties.visitId, pledgeKey: param('the pledge’s key, URL-encoded') },
  } as const;

  app.get(
    '/window/visits/:visitId/pledges/:pledgeKey/notice',
    {
      schema: {
        tags: ['window'],
        summary:
          'The written notice of one of the person’s pledges (告知承诺书), to read out or print before they sign, with the hash their signature names (window staff, own open visit) · 告知书',
        params: pledgeParams,
        security,
        response: { 200: open, ...errors },
      },
    },
    async (request: VisitRequest<{ pledgeKey: string }>) =>
      window.pledgeNotice(actorOf(request), request.params.visitId, request.params.pledgeKey),
  );

  app.post(
    '/window/visits/:visitId/pledges/:pledgeKey/sign',
    {
      schema: {
        tags: ['window'],
        summary:
          'Record the person’s signature of a pledge’s written notice on the paper form, with the form’s number and their consent: the grant follows once, as when they sign in the app (window staff, own open visit) · 代录纸质承诺书签署',
        params: pledgeParams,
        body: {
          type: 'object',
          properties: {
            noticeHash: { type: 'string', description: 'the hash of the written notice signed' },
            paperFormRef: { type: 'string', description: 'the signed paper form’s number' },
            consent: {
              type: 'object',
              properties: {
                kind: { type: 'string', description: 'signed-form or verbal-witnessed' },
                reference: { type: 'string', description: 'the form’s number, or the witness and what was said' },
              },
            },
          },
        },
        security,
        response: { 200: open, ...errors },
      },
    },
    async (request: VisitRequest<{ pledgeKey: string }, SignPledgeBody>) =>
      window.signPledge(actorOf(request), request.params.visitId, request.params.pledgeKey, request.body ?? {}),
  );

  app.post(
    '/window/visits/:visitId/offers/:offerId/answer',
    {
      schema: {
        tags: ['window'],
        summary:
          'Confirm or decline an offer for the person present, with their consent (a signed form or words before a witness): the citizen’s own answer, granted once however often it is sent (window staff, own open visit) · 代为确认或放弃',
        params: {
          type: 'object',
          required: ['visitId', 'offerId'],
          properties: { visitId: visitParams.properties.visitId, offerId: param('the offer’s key, URL-encoded') },
        },
        body: {
          type: 'object',
          properties: {
            answer: { type: 'string', description: 'confirm or decline' },
            consent: {
              type: 'object',
              properties: {
                kind: { type: 'string', description: 'signed-form or verbal-witnessed' },
                reference: { type: 'string', description: 'the form’s number, or the witness and what was said' },
              },
            },
          },
        },
        security,
        response: { 200: open, ...errors },
      },
    },
    async (request: VisitRequest<{ offerId: string }, AnswerOfferBody>) =>
      window.answerOffer(actorOf(request), request.params.visitId, request.params.offerId, request.body ?? {}),
  );

  app.post(
    '/window/visits/:visitId/objections',
    {
      schema: {
        tags: ['window'],
        summary:
          'File an objection for the person present about their decision (caseId, policyId, statement; kind data with fact and claimedValue), recorded as filed at this window by this member of staff (window staff, own open visit) · 代为提出异议',
        params: visitParams,
        body: { type: 'object', additionalProperties: true },
        security,
        response: { 201: open, ...errors },
      },
    },
    async (request: VisitRequest<object, FileObjectionBody>, reply) =>
      reply.code(201).send(await window.fileObjection(actorOf(request), request.params.visitId, request.body ?? {})),
  );

  app.get(
    '/window/visits/:visitId/notices/:noticeId/pdf',
    {
      schema: {
        tags: ['window'],
        summary:
          'Print one of the person’s notices as a letter (PDF, Chinese with English), its QR code opening the decision letter’s verification or the notice’s own check (window staff, own open visit) · 打印书面通知',
        params: {
          type: 'object',
          required: ['visitId', 'noticeId'],
          properties: { visitId: visitParams.properties.visitId, noticeId: param('the notice’s key, URL-encoded') },
        },
        querystring: langQuery,
        security,
        produces: ['application/pdf'],
        response: pdfResponse,
      },
    },
    async (request: PdfRequest<{ noticeId: string }>, reply) => {
      const printed = await window.noticePdf(
        actorOf(request),
        request.params.visitId,
        request.params.noticeId,
        baseUrlOf(request),
        request.query.lang,
      );
      return sendPdf(reply, printed.filename, printed.pdf);
    },
  );

  app.get(
    '/window/visits/:visitId/certificates/:certificateId/pdf',
    {
      schema: {
        tags: ['window'],
        summary:
          'Print one of the person’s certificates or decision letters (PDF with the seals and the QR code of its verification page) (window staff, own open visit) · 打印决定书或证照',
        params: {
          type: 'object',
          required: ['visitId', 'certificateId'],
          properties: { visitId: visitParams.properties.visitId, certificateId: param('the certificate’s ID') },
        },
        querystring: langQuery,
        security,
        produces: ['application/pdf'],
        response: pdfResponse,
      },
    },
    async (request: PdfRequest<{ certificateId: string }>, reply) => {
      const printed = await window.certificatePdf(
        actorOf(request),
        request.params.visitId,
        request.params.certificateId,
        baseUrlOf(request),
        request.query.lang,
      );
      return sendPdf(reply, printed.filename, printed.pdf);
    },
  );

  app.get(
    '/notices/prints/:printId/verification',
    {
      schema: {
        tags: ['window'],
        summary:
          'Whether a notice printed at a service window is genuine: its title, date, window and content digest, nothing personal (anyone; the printed notice’s QR code) · 书面通知核验',
        params: { type: 'object', required: ['printId'], properties: { printId: param('the print’s ID (pr_…)') } },
        response: {
          200: {
            type: 'object',
            properties: {
              genuine: { type: 'boolean' },
              printId: { type: 'string' },
              title: textSchema,
              template: { type: 'string' },
              sentOn: { type: 'string' },
              printedAt: { type: 'string' },
              window: { type: 'string' },
              digest: { type: 'string' },
            },
          },
          404: errorSchema,
        },
      },
    },
    async (request: FastifyRequest<{ Params: { printId: string } }>) => window.noticeCheck(request.params.printId),
  );
}
