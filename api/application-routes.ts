/**
 * Proof-free applications over HTTP (/applications, 依申请 免提交; services/applications): the
 * matters one may apply for, the pre-filled form of one (免填写: each field with its value and
 * source, each proof with how it will be obtained), the submission (201 once, 200 for the same
 * submission again), an upload of a proof the application asks for, and the reads. Citizens and
 * firms act for themselves; window staff for the person present (their visit's ID in the query or
 * body). Who may is domain/permissions.ts (application.apply, application.read).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApplicationService, SubmitBody, UploadBody } from '../services/applications/service.js';
import { actorOf } from './auth.js';
import { answerErrors } from './errors.js';
import { bearerSecurity, errorSchema } from './schemas.js';

export interface ApplicationApiDeps {
  applications: ApplicationService;
}

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema } as const;
const open = { type: 'object', additionalProperties: true } as const;
const tags = ['applications'];
const security = bearerSecurity;
const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 40, description: 'the application’s ID (ap_…)' } },
} as const;
const visitQuery = {
  type: 'object',
  properties: {
    visitId: { type: 'string', maxLength: 100, description: 'window staff: the visit of the person present' },
  },
  additionalProperties: false,
} as const;

/** Registers /applications in its own scope. */
export async function applicationRoutes(app: FastifyInstance, deps: ApplicationApiDeps): Promise<void> {
  const { applications } = deps;
  app.setErrorHandler(answerErrors());

  app.get(
    '/applications/matters',
    {
      schema: {
        tags,
        summary: 'The matters on the list in force one may apply for · 可申请的清单事项',
        security,
        response: { 200: { type: 'array', items: open }, ...errors },
      },
    },
    async (request) => applications.matters(actorOf(request)),
  );

  app.get(
    '/applications/form/:matter',
    {
      schema: {
        tags,
        summary:
          'The pre-filled form of a matter for the signed-in applicant (or, for window staff, the person present): each field’s value and source (the catalog fact and its department), read with an access record naming the matter, and how each proof will be obtained · 免填写：预填申请表',
        security,
        params: {
          type: 'object',
          required: ['matter'],
          properties: { matter: { type: 'string', minLength: 1, maxLength: 100 } },
        },
        querystring: visitQuery,
        response: { 200: open, ...errors },
      },
    },
    async (request: FastifyRequest<{ Params: { matter: string }; Querystring: { visitId?: string } }>) =>
      applications.form(actorOf(request), request.params.matter, request.query),
  );

  app.post(
    '/applications',
    {
      schema: {
        tags,
        summary:
          'Apply for a matter: the typed fields, the pledges signed and the certificates presented; the agency obtains every proof itself (201; the same submission again answers 200 with the same application) · 依申请 免提交',
        security,
        body: {
          type: 'object',
          required: ['matter'],
          properties: {
            matter: { type: 'string', maxLength: 100 },
            fields: { type: 'object', additionalProperties: true, description: 'typed values by field ID' },
            pledges: { type: 'array', items: { type: 'string', maxLength: 100 }, maxItems: 20 },
            certificates: { type: 'array', items: { type: 'string', maxLength: 100 }, maxItems: 20 },
            submissionKey: { type: 'string', maxLength: 100, description: 'the form’s key: the same key submits once' },
            visitId: { type: 'string', maxLength: 100 },
          },
          additionalProperties: false,
        },
        response: { 200: open, 201: open, ...errors },
      },
    },
    async (request: FastifyRequest<{ Body: SubmitBody }>, reply) => {
      const { application, created } = await applications.submit(actorOf(request), request.body);
      return reply.code(created ? 201 : 200).send(application);
    },
  );

  app.get(
    '/applications',
    {
      schema: {
        tags,
        summary:
          'Applications: a citizen’s or firm’s own, the handling department’s for its staff, every one for supervisors · 申请列表',
        security,
        response: { 200: open, ...errors },
      },
    },
    async (request) => applications.list(actorOf(request)),
  );

  app.get(
    '/applications/:id',
    {
      schema: {
        tags,
        summary:
          'One application: its fields with their sources, each proof and how it was obtained, status, decision · 申请详情',
        security,
        params: idParams,
        response: { 200: open, ...errors },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>) =>
      applications.get(actorOf(request), request.params.id),
  );

  app.post(
    '/applications/:id/uploads',
    {
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        tags,
        summary:
          'Upload a proof the application asks for (only one whose replacement failed: the last resort, counted as an upload) · 补传材料',
        security,
        params: idParams,
        body: {
          type: 'object',
          required: ['proof', 'fileName', 'contentBase64'],
          properties: {
            proof: { type: 'string', maxLength: 100 },
            fileName: { type: 'string', maxLength: 200 },
            contentBase64: { type: 'string', maxLength: 7_100_000 },
            visitId: { type: 'string', maxLength: 100 },
          },
          additionalProperties: false,
        },
        response: { 200: open, ...errors },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Body: UploadBody }>) =>
      applications.upload(actorOf(request), request.params.id, request.body),
  );
}
