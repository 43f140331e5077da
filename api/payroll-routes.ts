/**
 * The payroll routes (/payroll, 按月发放): officers start the payroll of a recurring policy for a
 * period (its batch comes up for preview); staff who work with policies read batches; a reviewer
 * other than whoever started it releases a batch (four eyes, domain/permissions.ts). An officer
 * exports a released batch to the bank (a pain.001 file and a CSV summary, downloaded here) and
 * imports the bank's answer (pain.002 XML or a CSV return file, sent as the body); staff read the
 * returns worklist. Answers hold figures, end-to-end IDs and user IDs: no subject key, no resident ID.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Refusal } from '../domain/refusal.js';
import type { BankFileKind } from '../store/bank-files.js';
import type { BatchView, PayrollService } from '../services/payroll/service.js';
import { bearerSecurity, errorSchema } from './schemas.js';
import { answerErrors } from './errors.js';
import { actorOf } from './auth.js';
import { allows } from '../domain/permissions.js';

export interface PayrollApiDeps {
  payroll: PayrollService;
}

const integer = { type: 'integer' } as const;
const batchSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'payroll:<policyId>:<period>' },
    status: { type: 'string', enum: ['running', 'preview', 'released'] },
    policy: { type: 'object', properties: { id: { type: 'string' }, version: integer, hash: { type: 'string' } } },
    period: { type: 'string', description: 'YYYY-MM (monthly) or YYYY (yearly)' },
    asOf: { type: 'string', format: 'date', description: 'entitlements are re-checked as of this day' },
    totalFen: { ...integer, description: 'the sum of the batch’s payment lines, in fen (分)' },
    counts: {
      type: 'object',
      properties: {
        lines: integer,
        new: { ...integer, description: 'paid this period, not the one before' },
        amountChanged: { ...integer, description: 'paid both periods, a different amount' },
        ended: { ...integer, description: 'entitlements this payroll ended' },
        suspended: { ...integer, description: 'entitlements this payroll suspended' },
        removed: { ...integer, description: 'lines taken out before release (a death or move-out accepted)' },
        netted: { ...integer, description: 'lines part of which is withheld against what the subject owes back' },
      },
    },
    withheldFen: { ...integer, description: 'fen withheld from the lines against what their subjects owe back' },
    processed: { ...integer, description: 'while running: entitlements re-checked so far' },
    startedBy: { type: 'string', description: 'who started it, by name ("schedule" for the payroll schedule)' },
    startedById: { type: 'string' },
    releasedBy: { type: 'string', description: 'the reviewer who released it, by name' },
    startedAt: { type: 'string', format: 'date-time' },
    previewedAt: { type: 'string', format: 'date-time' },
    releasedById: { type: 'string' },
    releasedAt: { type: 'string', format: 'date-time' },
  },
} as const;
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema } as const;
const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', description: 'the batch ID (payroll:<policyId>:<period>), URL-encoded' } },
} as const;
const security = bearerSecurity;

/** Who started and released a batch, by name, only to staff who may see staff names (`staff.names`); user IDs always. */
const shownTo = (request: FastifyRequest) => (batch: BatchView) => {
  if (allows(actorOf(request).role, 'staff.names')) return batch;
  const { startedBy, releasedBy, ...rest } = batch;
  void startedBy;
  void releasedBy;
  return rest;
};

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

/** The largest bank answer accepted (a pain.002 of 200,000 lines is about 100 MB; banks split bigger ones). */
export const RETURN_FILE_LIMIT = 128 * 1024 * 1024;
const RETURN_TYPES = ['application/xml', 'text/xml', 'text/csv', 'text/plain'];

const exportSchema = {
  type: 'object',
  properties: {
    batchId: { type: 'string' },
    messageId: { type: 'string', description: 'GrpHdr/MsgId of the pain.001 file' },
    count: { ...integer, description: 'transfers in the file (GrpHdr/NbOfTxs)' },
    totalFen: { ...integer, description: 'their sum in fen (GrpHdr/CtrlSum in yuan)' },
    withheld: { ...integer, description: 'lines put on the returns worklist instead: no usable account' },
    files: {
      type: 'object',
      properties: {
        pain001: { type: 'string', description: 'download path of the pain.001.001.09 XML file' },
        summary: { type: 'string', description: 'download path of the CSV summary for the finance bureau' },
      },
    },
  },
} as const;

const returnsAnswerSchema = {
  type: 'object',
  properties: {
    batchId: { type: 'string' },
    accepted: { ...integer, description: 'lines the bank paid (or is paying)' },
    rejected: { ...integer, description: 'lines the bank rejected: each is on the returns worklist' },
    pending: { ...integer, description: 'lines the bank has not decided yet' },
    unanswered: { ...integer, description: 'lines of the file the answer does not mention' },
    unknown: { ...integer, description: 'answers for end-to-end IDs the file did not carry: not applied' },
    mismatches: { ...integer, description: 'answers with another amount than was sent: not applied' },
    details: {
      type: 'object',
      properties: {
        unknown: { type: 'array', items: { type: 'string' } },
        mismatches: {
          type: 'array',
          items: {
            type: 'object',
            properties: { endToEndId: { type: 'string' }, sentFen: integer, reportedFen: integer },
          },
        },
      },
    },
  },
} as const;

const returnSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'the line’s end-to-end ID in the bank files' },
    batchId: { type: 'string' },
    policy: { type: 'object', properties: { id: { type: 'string' }, version: integer } },
    period: { type: 'string' },
    amountFen: integer,
    reasonCode: {
      type: 'string',
      description: 'ISO 20022 status reason (AC04…), or NO-ACCOUNT when withheld at export',
    },
    reason: { type: 'object', properties: { zh: { type: 'string' }, en: { type: 'string' } } },
    fixable: { type: 'boolean', description: 'correcting the account fixes it: the next payroll repays it' },
    status: { type: 'string', enum: ['open', 'repaid', 'closed'] },
    repaidIn: { type: 'string', description: 'the batch holding the repayment' },
    subject: {
      type: 'object',
      properties: { masked: { type: 'string', description: 'the last four characters of the identifier' } },
    },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

/** Streams a stored bank file with its type, size and file name. */
async function sendFile(payroll: PayrollService, request: IdRequest, reply: FastifyReply, file: BankFileKind) {
  const download = await payroll.bankFile(request.params.id, file);
  return reply
    .header('content-type', download.contentType)
    .header('content-length', String(download.bytes))
    .header('content-disposition', `attachment; filename="${download.filename}"`)
    .header('x-content-sha256', download.sha256)
    .send(Readable.from(download.text));
}

export async function payrollRoutes(app: FastifyInstance, deps: PayrollApiDeps): Promise<void> {
  const { payroll } = deps;
  app.setErrorHandler(answerErrors());

  app.post(
    '/payroll/batches',
    {
      schema: {
        tags: ['payroll'],
        summary:
          'Start the payroll of a recurring policy for a period (officer): its batch comes up for preview; the same period again answers with the one started · 发起按月发放',
        body: {
          type: 'object',
          required: ['policyId', 'period'],
          properties: {
            policyId: { type: 'string', minLength: 1, maxLength: 100 },
            period: { type: 'string', pattern: '^\\d{4}(-\\d{2})?$', description: 'YYYY-MM or YYYY' },
          },
          additionalProperties: false,
        },
        security,
        response: {
          202: { type: 'object', properties: { id: { type: 'string' }, created: { type: 'boolean' } } },
          ...errors,
        },
      },
    },
    async (request: FastifyRequest<{ Body: { policyId: string; period: string } }>, reply) =>
      reply.code(202).send(await payroll.start(actorOf(request), request.body)),
  );

  app.get(
    '/payroll/batches',
    {
      schema: {
        tags: ['payroll'],
        summary: 'Payment batches, newest period first, with their figures · 发放批次列表',
        querystring: {
          type: 'object',
          properties: {
            policyId: { type: 'string', maxLength: 100 },
            limit: { type: 'integer', minimum: 1, maximum: 500, description: 'the newest this many (default 100)' },
          },
          additionalProperties: false,
        },
        security,
        response: { 200: { type: 'array', items: batchSchema }, 400: errorSchema, 401: errorSchema, 403: errorSchema },
      },
    },
    async (request: FastifyRequest<{ Querystring: { policyId?: string; limit?: number } }>) =>
      (await payroll.batches(request.query)).map(shownTo(request)),
  );

  app.get(
    '/payroll/batches/:id',
    {
      schema: {
        tags: ['payroll'],
        summary: 'One payment batch: counts, total in fen and the changes against the period before · 发放批次',
        params: idParams,
        security,
        response: { 200: batchSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (request: IdRequest) => shownTo(request)(await payroll.batch(request.params.id)),
  );

  app.get(
    '/payroll/batches/:id/lines',
    {
      schema: {
        tags: ['payroll'],
        summary:
          'A page of a batch’s lines, each explained: subject masked, amount (withheld, repaid), the change against the period before, and the re-check’s conditions (no values) · 发放明细',
        params: idParams,
        querystring: {
          type: 'object',
          properties: {
            offset: { type: 'integer', minimum: 0 },
            limit: { type: 'integer', minimum: 1, maximum: 200, description: 'default 50' },
          },
          additionalProperties: false,
        },
        security,
        response: {
          200: {
            type: 'object',
            properties: {
              offset: integer,
              total: { ...integer, description: 'payment lines in the batch' },
              lines: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'string', description: 'the line’s end-to-end ID' },
                    subject: { type: 'object', properties: { masked: { type: 'string' } } },
                    period: { type: 'string' },
                    status: { type: 'string' },
                    amountFen: integer,
                    grossFen: integer,
                    withheldFen: integer,
                    previousFen: { ...integer, description: 'paid the period before' },
                    change: { type: 'string', enum: ['new', 'amount-changed', 'same', 'repayment'] },
                    basis: {
                      type: 'object',
                      properties: {
                        asOf: { type: 'string' },
                        conditions: {
                          type: 'array',
                          items: {
                            type: 'object',
                            properties: {
                              name: { type: 'string' },
                              fact: { type: 'string' },
                              result: { anyOf: [{ type: 'boolean' }, { type: 'string' }] },
                            },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Querystring: { offset?: number; limit?: number } }>) =>
      payroll.lines(request.params.id, request.query),
  );

  app.post(
    '/payroll/batches/:id/release',
    {
      schema: {
        tags: ['payroll'],
        summary:
          'Release a batch in preview (a reviewer other than whoever started it: FOUR_EYES); lines of subjects whose death or move-out was accepted are taken out first · 放款',
        params: idParams,
        security,
        response: { 200: batchSchema, ...errors },
      },
    },
    async (request: IdRequest) => shownTo(request)(await payroll.release(actorOf(request), request.params.id)),
  );

  app.post(
    '/payroll/batches/:id/export',
    {
      schema: {
        tags: ['payroll'],
        summary:
          'Export a released batch to the bank (officer), once: a pain.001.001.09 file and a CSV summary; lines without a usable account go onto the returns worklist; a total its lines do not add up to is refused (INVALID_PAYMENT_BATCH naming the field) · 导出代发文件',
        params: idParams,
        security,
        response: { 200: exportSchema, ...errors, 422: errorSchema, 503: errorSchema },
      },
    },
    async (request: IdRequest) => payroll.exportBatch(actorOf(request), request.params.id),
  );

  for (const [file, name, what] of [
    ['pain001', 'pain001.xml', 'the pain.001.001.09 credit transfer file (application/xml) as it was exported'],
    ['summary', 'summary.csv', 'the CSV summary for the finance bureau (text/csv, UTF-8 with BOM), accounts masked'],
  ] as const)
    app.get(
      `/payroll/batches/:id/files/${name}`,
      {
        schema: {
          tags: ['payroll'],
          summary: `Download ${what}; 404 before the export · 下载${file === 'pain001' ? '代发文件' : '汇总表'}`,
          params: idParams,
          security,
          response: {
            200: {
              description: `${name}, with Content-Disposition: attachment and its SHA-256 in X-Content-SHA256`,
              content: { [file === 'pain001' ? 'application/xml' : 'text/csv']: { schema: { type: 'string' } } },
            },
            401: errorSchema,
            403: errorSchema,
            404: errorSchema,
          },
        },
      },
      async (request: IdRequest, reply) => sendFile(payroll, request, reply, file),
    );

  app.register(async (scope) => {
    scope.addContentTypeParser(RETURN_TYPES, { parseAs: 'string', bodyLimit: RETURN_FILE_LIMIT }, (_, body, done) =>
      done(null, body),
    );
    scope.post(
      '/payroll/batches/:id/returns',
      {
        bodyLimit: RETURN_FILE_LIMIT,
        schema: {
          tags: ['payroll'],
          summary:
            'Import the bank’s answer to an exported batch (officer): the body is the pain.002.001.10 status report (application/xml) or the CSV return file (text/csv); rejected lines go onto the returns worklist; the same file twice changes nothing · 导入银行回盘',
          params: idParams,
          security,
          response: { 200: returnsAnswerSchema, ...errors },
        },
      },
      async (request: FastifyRequest<{ Params: { id: string }; Body: unknown }>) => {
        if (typeof request.body !== 'string')
          throw new Refusal(
            'BAD_REQUEST',
            'body: send the bank’s file as application/xml (pain.002) or text/csv (return file)',
            'body：请以 application/xml（pain.002）或 text/csv（回盘文件）提交银行文件',
            'body',
          );
        return payroll.importReturns(actorOf(request), request.params.id, request.body);
      },
    );
  });

  app.get(
    '/payroll/returns',
    {
      schema: {
        tags: ['payroll'],
        summary:
          'The returns worklist: lines the bank did not pay (rejected, or withheld for want of a usable account), newest first, at most 500; subjects masked · 退回清单',
        querystring: {
          type: 'object',
          properties: {
            policyId: { type: 'string', maxLength: 100 },
            status: { type: 'string', enum: ['open', 'repaid', 'closed'] },
          },
          additionalProperties: false,
        },
        security,
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: returnSchema } } },
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
        },
      },
    },
    async (request: FastifyRequest<{ Querystring: { policyId?: string; status?: string } }>) => ({
      items: await payroll.returns(request.query),
    }),
  );

  app.post(
    '/payroll/returns/:id/close',
    {
      schema: {
        tags: ['payroll'],
        summary:
          'Close an open entry of the returns worklist (officer, with a reason): it will not be repaid; a repaid one is WRONG_STATUS · 退回记录办结',
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', maxLength: 40, description: 'the line’s end-to-end ID' } },
        },
        body: {
          type: 'object',
          required: ['reason'],
          properties: { reason: { type: 'string', maxLength: 500 } },
          additionalProperties: false,
        },
        security,
        response: { 200: returnSchema, ...errors },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Body: { reason: string } }>) =>
      payroll.closeReturn(actorOf(request), request.params.id, request.body),
  );
}
