/**
 * The citizen's own records over HTTP (/me, 本人事项): inbox, decisions, benefits, offers to
 * confirm or decline, pledges with inspection outcomes, and who accessed their data. Only a
 * citizen's token is admitted, and every answer is that token's subject's, never another's.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CitizenService, OfferAnswer } from '../services/citizen/service.js';
import { GRANT_BASES, PLEDGE_STATUSES } from '../store/benefits.js';
import { actorOf } from './auth.js';
import { answerErrors } from './errors.js';
import { bearerSecurity, errorSchema, textSchema } from './schemas.js';

/** What the citizen routes need: the citizen service (api/auth.ts admits only citizens, domain/permissions.ts me.*). */
export interface CitizenApiDeps {
  citizen: CitizenService;
}

const errors = { 401: errorSchema, 403: errorSchema, 404: errorSchema } as const;
const security = bearerSecurity;
const text = textSchema;
const open = { type: 'object', additionalProperties: true } as const;
const policy = {
  type: 'object',
  properties: { id: { type: 'string' }, version: { type: 'integer' }, title: text },
} as const;
const labelled = {
  type: 'array',
  items: { type: 'object', properties: { fact: { type: 'string' }, label: text } },
} as const;
const keyParams = {
  type: 'object',
  required: ['key'],
  properties: { key: { type: 'string', minLength: 1, maxLength: 300, description: 'the record’s key, URL-encoded' } },
} as const;
const offerSchema = {
  type: 'object',
  properties: {
    key: { type: 'string', description: 'the offer workflow’s ID' },
    caseId: { type: 'string' },
    policy,
    period: { type: 'string' },
    amount: { type: 'number' },
    status: { type: 'string', enum: ['open', 'confirmed', 'declined', 'expired'] },
    offeredAt: { type: 'string' },
    expiresAt: { type: 'string' },
    answeredAt: { type: 'string' },
  },
} as const;
const list = (items: object) => ({ type: 'array', items }) as const;

/** Registers /me in its own scope (its own error answers). */
export async function citizenRoutes(app: FastifyInstance, deps: CitizenApiDeps): Promise<void> {
  const { citizen } = deps;

  app.setErrorHandler(answerErrors());

  const read = (path: string, summary: string, response: object, run: (request: FastifyRequest) => Promise<unknown>) =>
    app.get(path, { schema: { tags: ['citizen'], summary, security, response: { 200: response, ...errors } } }, run);

  read(
    '/me',
    'Who I am: name, role and my resident ID masked (citizen) · 我的信息',
    {
      type: 'object',
      properties: {
        name: { type: 'string' },
        role: { type: 'string' },
        subject: {
          type: 'object',
          properties: {
            kind: { type: 'string' },
            subjectKey: { type: 'string' },
            maskedId: { type: 'string', description: '3714**********123X' },
          },
        },
      },
    },
    async (request) => citizen.me(actorOf(request)),
  );

  read(
    '/me/inbox',
    'My notices, newest first, with the unread count (citizen) · 我的消息',
    {
      type: 'object',
      properties: {
        unread: { type: 'integer' },
        notices: list({
          type: 'object',
          properties: {
            key: { type: 'string' },
            template: { type: 'string' },
            title: text,
            body: text,
            deliveredAt: { type: 'string' },
            readAt: { type: 'string' },
          },
        }),
      },
    },
    async (request) => citizen.inbox(actorOf(request)),
  );

  app.post(
    '/me/inbox/:key/read',
    {
      schema: {
        tags: ['citizen'],
        summary: 'Mark one of my notices read; a second call keeps the first time (citizen) · 标记已读',
        params: keyParams,
        security,
        response: {
          200: { type: 'object', properties: { key: { type: 'string' }, readAt: { type: 'string' } } },
          ...errors,
        },
      },
    },
    async (request: FastifyRequest<{ Params: { key: string } }>) =>
      citizen.markRead(actorOf(request), request.params.key),
  );

  read(
    '/me/decisions',
    'What was decided for me under each policy, with each condition’s value (sensitive values masked) (citizen) · 我的认定结果',
    list({
      type: 'object',
      properties: {
        key: { type: 'string' },
        caseId: { type: 'string' },
        policy,
        outcome: { type: 'string' },
        amount: { type: 'number' },
        period: { type: 'string' },
        asOf: { type: 'string' },
        decidedAt: { type: 'string' },
        missingFacts: { type: 'array', items: { type: 'string' } },
        conditions: { type: 'array', items: open },
        suppliedFacts: {
          type: 'array',
          description:
            'facts a member of staff recorded on review (人工审核补充), each with the document it came from and who recorded it',
          items: {
            type: 'object',
            properties: {
              fact: { type: 'string' },
              label: text,
              provenance: {
                type: 'object',
                properties: { kind: { type: 'string' }, kindText: text, reference: { type: 'string' } },
              },
              by: { type: 'object', properties: { name: { type: 'string' } } },
              at: { type: 'string' },
            },
          },
        },
        decidedOnReview: {
          type: 'object',
          description: 'a decision staff made outright on review, and why',
          properties: { by: { type: 'object', properties: { name: { type: 'string' } } }, reason: { type: 'string' } },
        },
      },
    }),
    async (request) => citizen.decisions(actorOf(request)),
  );

  read(
    '/me/benefits',
    'Benefits granted to me, and any revoked with the reason (citizen) · 我享受的待遇',
    list({
      type: 'object',
      properties: {
        key: { type: 'string' },
        caseId: { type: 'string' },
        policy,
        period: { type: 'string' },
        benefitKind: { type: 'string' },
        amount: { type: 'number' },
        basis: { type: 'string', enum: [...GRANT_BASES] },
        status: { type: 'string', enum: ['granted', 'revoked'] },
        grantedAt: { type: 'string' },
        revokedAt: { type: 'string' },
        revokeReason: { type: 'string' },
      },
    }),
    async (request) => citizen.benefits(actorOf(request)),
  );

  read(
    '/me/payments',
    'My payments (period, amount in fen, date paid, any part withheld), recoveries, my recurring benefits with any stop and its reason, and my ledger per benefit (citizen) · 我的发放记录',
    {
      type: 'object',
      properties: {
        payments: list({
          type: 'object',
          properties: {
            policy,
            period: { type: 'string' },
            kind: { type: 'string', enum: ['payment', 'recovery'] },
            amountFen: { type: 'integer', description: 'fen (分) transferred; negative for a recovery' },
            amount: { type: 'number', description: 'yuan, for reading' },
            grossFen: { type: 'integer', description: 'the period’s whole amount, when part was withheld' },
            withheldFen: { type: 'integer', description: 'withheld against what I owed back' },
            status: {
              type: 'string',
              enum: ['paid', 'returned', 'recovery-due', 'recovery-settled'],
              description:
                'returned: the bank did not pay it (paid again once the account is corrected); a recovery is settled once nothing is owed back on its benefit',
            },
            repayment: { type: 'boolean', description: 'pays again a period the bank returned' },
            basis: {
              type: 'object',
              description: 'why this amount: the payroll re-check’s as-of day and each condition’s result',
              properties: {
                asOf: { type: 'string', format: 'date' },
                conditions: list({
                  type: 'object',
                  properties: {
                    name: { type: 'string' },
                    fact: { type: 'string' },
                    result: { anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['unknown'] }] },
                  },
                }),
              },
            },
            paidAt: { type: 'string' },
            reason: text,
          },
        }),
        entitlements: list({
          type: 'object',
          properties: {
            policy,
            status: { type: 'string', enum: ['active', 'suspended', 'ended'] },
            firstPeriod: { type: 'string' },
            endedFrom: { type: 'string' },
            reason: text,
          },
        }),
        balances: list({
          type: 'object',
          description: 'my ledger of each benefit: what reached me, what I owe back, what I keep',
          properties: {
            policy,
            paidFen: { type: 'integer' },
            owedFen: { type: 'integer' },
            netFen: { type: 'integer' },
          },
        }),
      },
    },
    async (request) => citizen.payments(actorOf(request)),
  );

  read(
    '/me/offers',
    'Offers awaiting my confirmation, soonest expiry first (citizen) · 待我确认的事项',
    list(offerSchema),
    async (request) => citizen.offers(actorOf(request)),
  );

  for (const answer of ['confirm', 'decline'] as const satisfies readonly OfferAnswer[]) {
    app.post(
      `/me/offers/:key/${answer}`,
      {
        schema: {
          tags: ['citizen'],
          summary:
            answer === 'confirm'
              ? 'Confirm an offer (一键确认): its workflow grants it once and answers with the grant; confirming again changes nothing (citizen) · 确认领取'
              : 'Decline an offer: its workflow records and notifies the decline, then answers (citizen) · 放弃领取',
          params: keyParams,
          security,
          response: {
            200: {
              type: 'object',
              properties: {
                offer: offerSchema,
                grant: {
                  type: 'object',
                  properties: { key: { type: 'string' }, amount: { type: 'number' }, grantedAt: { type: 'string' } },
                },
              },
            },
            409: errorSchema,
            ...errors,
          },
        },
      },
      async (request: FastifyRequest<{ Params: { key: string } }>) =>
        citizen.answerOffer(actorOf(request), request.params.key, answer),
    );
  }

  read(
    '/me/pledges',
    'My pledges (告知承诺) with their inspection outcome and any recovery (citizen) · 我的承诺与核查结果',
    list({
      type: 'object',
      properties: {
        key: { type: 'string' },
        caseId: { type: 'string' },
        policy,
        pledgedFacts: labelled,
        inspectOn: { type: 'string' },
        status: { type: 'string', enum: [...PLEDGE_STATUSES] },
        pledgedAt: { type: 'string' },
        signBy: { type: 'string', description: 'the last moment a signature is taken' },
        signature: {
          type: 'object',
          properties: { signedAt: { type: 'string' }, channel: { type: 'string', enum: ['app', 'window'] } },
        },
        findings: list({
          type: 'object',
          properties: { finding: { type: 'string' }, notes: { type: 'string' }, at: { type: 'string' } },
        }),
        inspectedAt: { type: 'string' },
        discrepancies: labelled,
        recovery: {
          type: 'object',
          properties: { amount: { type: 'number' }, status: { type: 'string' }, reason: { type: 'string' } },
        },
      },
    }),
    async (request) => citizen.pledges(actorOf(request)),
  );

  read(
    '/me/pledges/:key/notice',
    'The written notice of my pledge (告知承诺书: obligations, pledged facts, the inspection to come, the consequence of a false pledge) in Chinese and English, with the sha256 hash I sign (citizen) · 告知承诺书',
    {
      type: 'object',
      properties: {
        key: { type: 'string' },
        policy,
        status: { type: 'string' },
        notice: { type: 'object', properties: { zh: { type: 'string' }, en: { type: 'string' } } },
        noticeHash: { type: 'string' },
        signBy: { type: 'string' },
      },
    },
    async (request) => citizen.pledgeNotice(actorOf(request), (request.params as { key: string }).key),
  );

  app.post(
    '/me/pledges/:key/sign',
    {
      schema: {
        tags: ['citizen'],
        summary:
          'Sign my pledge (一键签署): the notice’s hash as I read it; the pledge workflow records the signature (app, time) and grants, then answers; a hash of another text is NOTICE_CHANGED, a second signature ALREADY_SIGNED, after the period PLEDGE_EXPIRED (citizen) · 签署承诺',
        params: keyParams,
        body: {
          type: 'object',
          required: ['noticeHash'],
          properties: { noticeHash: { type: 'string', minLength: 64, maxLength: 64 } },
          additionalProperties: false,
        },
        security,
        response: {
          200: {
            type: 'object',
            properties: {
              pledgeId: { type: 'string' },
              status: { type: 'string' },
              signedAt: { type: 'string' },
              channel: { type: 'string' },
              grant: {
                type: 'object',
                properties: { key: { type: 'string' }, amount: { type: 'number' }, grantedAt: { type: 'string' } },
              },
            },
          },
          400: errorSchema,
          409: errorSchema,
          ...errors,
        },
      },
    },
    async (request: FastifyRequest<{ Params: { key: string }; Body: { noticeHash: string } }>) =>
      citizen.signPledge(actorOf(request), request.params.key, request.body.noticeHash),
  );

  read(
    '/me/credit-records',
    'My credit records (信用记录): each false pledge, why it was recorded and until when it bars pledge mode (citizen) · 我的信用记录',
    list({
      type: 'object',
      properties: {
        key: { type: 'string' },
        kind: { type: 'string', enum: ['false-pledge'] },
        policy: { type: 'object', properties: { id: { type: 'string' }, title: text } },
        recordedAt: { type: 'string' },
        reason: { type: 'string' },
        barsPledgeModeUntil: { type: 'string', description: 'YYYY-MM-DD: pledge mode is not offered until then' },
      },
    }),
    async (request) => citizen.creditRecords(actorOf(request)),
  );

  const person = { type: 'object', properties: { name: { type: 'string' }, role: { type: 'string' } } } as const;
  read(
    '/me/access',
    'Who used my data, newest first (the most recent 200): pulls for my cases and sweeps (kind data-pull), population sweeps and impact simulations that read everyone of my kind (screening), staff reads of my cases (case-read), reveals of my identifier (unmask), my visits to a service window (window-visit: the window, the staff member, the reason), corrections of my records (correction) and scans of my codes (code-scan: the verifier, the matter, what it saw) and verifications of claims about me for other departments (verification: who asked, for which matter, which claim, the answer) (citizen) · 我的数据被谁使用',
    list({
      type: 'object',
      required: ['kind', 'at'],
      properties: {
        kind: {
          type: 'string',
          enum: [
            'data-pull',
            'screening',
            'case-read',
            'unmask',
            'explanation',
            'subject-search',
            'window-visit',
            'correction',
            'code-scan',
            'verification',
          ],
        },
        at: { type: 'string' },
        department: text,
        departments: { type: 'array', items: text },
        source: { type: 'string' },
        fields: labelled,
        purposes: { type: 'array', items: { type: 'string' } },
        policy,
        outcome: { type: 'string', enum: ['answered', 'not-found', 'failed'] },
        programme: { type: 'string', enum: ['sweep', 'simulation'] },
        asOf: { type: 'string', description: 'the date a population was read as of' },
        caseId: { type: 'string' },
        by: person,
        reason: { type: 'string' },
        window: { type: 'string', description: 'the service window where the citizen was served (window-visit)' },
        verifier: { type: 'object', properties: { name: text, kind: { type: 'string' } } },
        matter: { type: 'object', properties: { id: { type: 'string' }, title: text } },
        claim: { type: 'object', properties: { id: { type: 'string' }, statement: text } },
        certifiedBy: text,
        answer: { type: 'string', enum: ['yes', 'no', 'cannot-tell', 'pending'] },
        reused: { type: 'boolean' },
        shown: {
          type: 'object',
          properties: {
            kind: { type: 'string', enum: ['certificate', 'claim'] },
            certificateType: { type: 'string' },
            certificateTitle: text,
            certificateId: { type: 'string' },
            answer: { type: 'boolean' },
          },
        },
      },
    }),
    async (request) => citizen.access(actorOf(request)),
  );
}
