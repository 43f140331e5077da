/**
 * The service window (线下兜底) on the real stack: a resident turning 60 who has no phone is offered
 * the senior card; window staff read her ID card and open a visit — her presence is in the unmask
 * log and in her own "who accessed my data" — see the offer, confirm it for her with her signed
 * form (exactly one grant, the confirmation notice, the decision letter), and the same answer
 * again grants nothing more; another member of staff cannot act in the visit; a closed or
 * expired visit is refused; bad input names its field; an objection is filed for her, recorded as
 * filed at the window; and the confirmation notice prints as a letter whose text is read back
 * (Chinese and English, the QR code's link the decision letter's check).
 */
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createWindowService } from '../services/window/service.js';
import { registerUnmaskModel } from '../store/unmask-log.js';
import { TEST_SECRET, type TestSubject } from './support/city.js';
import { pollUntil } from './support/poll.js';
import type { RunningPipeline } from './support/running-pipeline.js';
import { openWindowCity, WINDOW, type WindowCity } from './support/window-city.js';

const stack = inject('stack');
const HOST = '127.0.0.1:8080';

let city: WindowCity;
let running: RunningPipeline;
let api: FastifyInstance;
let senior: TestSubject;
let undecided: TestSubject;
let offerKey: string;
let caseId: string;
let tokens: WindowCity['tokens'];
let staffId = '';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of several shapes, checked field by field
type Json = any;

beforeAll(async () => {
  city = await openWindowCity(stack, 'window');
  ({ running, api, senior, undecided, offerKey, caseId, tokens, staffId } = city);
}, 240_000);

afterAll(async () => {
  await city?.close();
});

async function call(method: 'GET' | 'POST', url: string, token: string, body?: unknown) {
  const response = await api.inject({
    method,
    url,
    headers: {
      host: HOST,
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  const json: Json = response.headers['content-type']?.toString().startsWith('application/json')
    ? response.json()
    : undefined;
  return { status: response.statusCode, json, raw: response.rawPayload, text: response.body };
}

const openVisit = (token = tokens.staff, body: object = {}) =>
  call('POST', '/window/visits', token, {
    idNumber: senior.id,
    window: WINDOW,
    reason: '老人无智能手机，来窗口办理老年人优待证',
    ...body,
  });
const answerPath = (visitId: string) => `/window/visits/${visitId}/offers/${encodeURIComponent(offerKey)}/answer`;
const signedForm = { kind: 'signed-form', reference: '确认单 DZ-2026-000123' };

/** The text of a PDF's first page, as a reader's software extracts it. */
async function pdfText(pdf: Buffer): Promise<{ pages: number; text: string }> {
  const document = await getDocument({ data: new Uint8Array(pdf) }).promise;
  try {
    const page = await document.getPage(1);
    const content = await page.getTextContent();
    const text = content.items
      .map((item) => ('str' in item ? item.str + (item.hasEOL ? ' ' : '') : ''))
      .join('')
      .replace(/\s+/g, ' ');
    return { pages: document.numPages, text };
  } finally {
    await document.destroy();
  }
}

describe('a visit at the service window', () => {
  let visitId: string;

  it('refuses bad input, naming the field, and writes nothing', async () => {
    const before = await registerUnmaskModel(running.pipeline.store).countDocuments({ subjectKey: senior.subjectKey });
    for (const [body, field] of [
      [{ idNumber: undefined }, 'idNumber'],
      [{ idNumber: `${senior.id.slice(0, 17)}${senior.id.endsWith('0') ? '1' : '0'}` }, 'idNumber'],
      [{ window: ' ' }, 'window'],
      [{ reason: '' }, 'reason'],
    ] as const) {
      const answer = await openVisit(tokens.staff, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.json.field).toBe(field);
      expect(answer.json.messageZh).toBeTruthy();
      expect(answer.text).not.toContain(senior.id);
    }
    expect(await registerUnmaskModel(running.pipeline.store).countDocuments({ subjectKey: senior.subjectKey })).toBe(
      before,
    );
  });

  it('opens with the ID card: an opaque visit ID, the person masked, her presence logged and shown to her', async () => {
    const opened = await openVisit();
    expect(opened.status).toBe(201);
    visitId = opened.json.visit.visitId;
    expect(visitId).toMatch(/^wv_[a-z2-7]{26}$/);
    expect(opened.json.visit).toMatchObject({ window: WINDOW, staff: { id: staffId, name: '赵窗口' }, status: 'open' });
    expect(opened.json.person).toEqual({ maskedId: `**************${senior.id.slice(-4)}`, maskedName: '张**' });
    expect(opened.text).not.toContain(senior.id);
    expect(opened.text).not.toContain(senior.subjectKey);

    const logged = await registerUnmaskModel(running.pipeline.store)
      .find({ subjectKey: senior.subjectKey, kind: 'window-visit' })
      .lean();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ actorId: staffId, role: 'window', window: WINDOW });

    const access = await call('GET', '/me/access', tokens.senior);
    expect(access.status).toBe(200);
    expect(access.json).toContainEqual(
      expect.objectContaining({
        kind: 'window-visit',
        window: WINDOW,
        by: { name: '赵窗口', role: 'window' },
        reason: '老人无智能手机，来窗口办理老年人优待证',
      }),
    );
  });

  it('shows the person’s open offer, as her own page does', async () => {
    const seen = await call('GET', `/window/visits/${visitId}`, tokens.staff);
    expect(seen.status).toBe(200);
    expect(seen.json.offers).toEqual([
      expect.objectContaining({
        key: offerKey,
        status: 'open',
        policy: expect.objectContaining({ id: 'senior-preferential-card' }),
      }),
    ]);
    expect(seen.json.notices.map((n: Json) => n.template)).toContain('offer.made');
    expect(seen.json.benefits).toEqual([]);
    expect(seen.text).not.toContain(senior.id);
  });

  it('refuses another member of window staff, in reading and in acting', async () => {
    const read = await call('GET', `/window/visits/${visitId}`, tokens.otherStaff);
    expect(read.status).toBe(403);
    expect(read.json.code).toBe('NOT_YOUR_VISIT');
    const act = await call('POST', answerPath(visitId), tokens.otherStaff, { answer: 'confirm', consent: signedForm });
    expect(act.status).toBe(403);
    expect(act.json.code).toBe('NOT_YOUR_VISIT');
    expect((await running.pipeline.models.Offer.findById(offerKey).lean())?.status).toBe('open');
  });

  it('refuses an answer without the person’s consent, naming the field', async () => {
    const noAnswer = await call('POST', answerPath(visitId), tokens.staff, { consent: signedForm });
    expect([noAnswer.status, noAnswer.json.field]).toEqual([400, 'answer']);
    const noConsent = await call('POST', answerPath(visitId), tokens.staff, { answer: 'confirm' });
    expect([noConsent.status, noConsent.json.field]).toEqual([400, 'consent.kind']);
    const noReference = await call('POST', answerPath(visitId), tokens.staff, {
      answer: 'confirm',
      consent: { kind: 'signed-form', reference: ' ' },
    });
    expect([noReference.status, noReference.json.field]).toEqual([400, 'consent.reference']);
  });

  it('confirms the offer for her: one grant, the confirmation notice and the decision letter; again, nothing more', async () => {
    const confirmed = await call('POST', answerPath(visitId), tokens.staff, { answer: 'confirm', consent: signedForm });
    expect(confirmed.status).toBe(200);
    expect(confirmed.json).toMatchObject({
      offer: { key: offerKey, status: 'confirmed' },
      grant: { key: offerKey },
      recorded: {
        kind: 'offer-answer',
        answer: 'confirm',
        consent: signedForm,
        window: WINDOW,
        staff: { id: staffId },
      },
    });
    const again = await call('POST', answerPath(visitId), tokens.staff, { answer: 'confirm', consent: signedForm });
    expect(again.status).toBe(200);
    expect(again.json.offer.status).toBe('confirmed');
    const declined = await call('POST', answerPath(visitId), tokens.staff, { answer: 'decline', consent: signedForm });
    expect([declined.status, declined.json.code]).toEqual([409, 'OFFER_CLOSED']);

    const { Grant } = running.pipeline.models;
    expect(await Grant.countDocuments({ subjectKey: senior.subjectKey })).toBe(1);
    await pollUntil('the confirmation notice', async () =>
      (await call('GET', '/me/inbox', tokens.senior)).json.notices.some((n: Json) => n.template === 'offer.confirmed'),
    );
    const seen = await call('GET', `/window/visits/${visitId}`, tokens.staff);
    expect(seen.json.offers).toEqual([]);
    expect(seen.json.benefits).toEqual([expect.objectContaining({ key: offerKey, basis: 'offer-confirmed' })]);
    expect(seen.json.notices.filter((n: Json) => n.template === 'offer.confirmed')).toHaveLength(1);
    expect(seen.json.letters.map((l: Json) => l.type).sort()).toEqual(['decision-letter', 'senior-preferential-card']);
    expect(seen.json.acts).toEqual([
      expect.objectContaining({ kind: 'offer-answer', ref: offerKey, answer: 'confirm', consent: signedForm }),
    ]);
  });

  it('prints the confirmation notice as a letter in Chinese and English, its QR link the decision letter’s check', async () => {
    const seen = await call('GET', `/window/visits/${visitId}`, tokens.staff);
    const notice = seen.json.notices.find((n: Json) => n.template === 'offer.confirmed');
    const letter = seen.json.letters.find((l: Json) => l.type === 'decision-letter');
    const printed = await call(
      'GET',
      `/window/visits/${visitId}/notices/${encodeURIComponent(notice.key)}/pdf`,
      tokens.staff,
    );
    expect(printed.status).toBe(200);
    const { pages, text } = await pdfText(printed.raw);
    expect(pages).toBe(1);
    for (const expected of [
      '德州市政务服务中心',
      '书面通知',
      notice.title.zh,
      notice.title.en,
      '收件人',
      '张**',
      senior.id.slice(-4),
      WINDOW,
      '赵窗口',
      '扫码核验',
      '决定书',
      `http://${HOST}/certificates/${letter.id}/verification`,
    ])
      expect(text).toContain(expected);
    expect(text).not.toContain(senior.id);

    const card = seen.json.letters.find((l: Json) => l.type === 'decision-letter');
    const letterPdf = await call('GET', `/window/visits/${visitId}/certificates/${card.id}/pdf`, tokens.staff);
    expect(letterPdf.status).toBe(200);
    expect((await pdfText(letterPdf.raw)).text).toContain('决定书');
    const prints = (await call('GET', `/window/visits/${visitId}`, tokens.staff)).json.acts.filter(
      (a: Json) => a.kind === 'print',
    );
    expect(prints.map((p: Json) => p.ref)).toEqual([notice.key, card.id]);
  });

  it('files an objection for her, recorded as filed at the window by the member of staff', async () => {
    const filed = await call('POST', `/window/visits/${visitId}/objections`, tokens.staff, {
      caseId,
      policyId: 'senior-preferential-card',
      statement: '本人称优待证所列优待项目与告知不一致，请核实',
    });
    expect(filed.status).toBe(201);
    expect(filed.json).toMatchObject({ subjectKey: senior.subjectKey, filedBy: { id: staffId, role: 'window' } });
    expect(filed.json.steps[0].summary.zh).toContain(`赵窗口（窗口人员，${WINDOW}，代本人）`);
    const mine = await call('GET', '/objections', tokens.senior);
    expect(mine.json.objections.map((o: Json) => o.id)).toEqual([filed.json.id]);
    const raw = await call('POST', `/window/visits/${visitId}/objections`, tokens.staff, {
      subject: senior.id,
      policyId: 'senior-preferential-card',
      statement: '以身份证号代为提出异议',
    });
    expect([raw.status, raw.json.field]).toEqual([400, 'subject']);
    expect(raw.text).not.toContain(senior.id);
  });

  it('refuses a closed visit, and an expired one', async () => {
    const closed = await call('POST', `/window/visits/${visitId}/close`, tokens.staff);
    expect(closed.status).toBe(200);
    expect(closed.json.status).toBe('closed');
    const after = await call('GET', `/window/visits/${visitId}`, tokens.staff);
    expect([after.status, after.json.code]).toEqual([409, 'VISIT_CLOSED']);

    const second = (await openVisit()).json.visit.visitId;
    expect(second).not.toBe(visitId);
    city.setHoursAhead(3);
    try {
      const expired = await call('POST', answerPath(second), tokens.staff, { answer: 'confirm', consent: signedForm });
      expect([expired.status, expired.json.code]).toEqual([409, 'VISIT_CLOSED']);
      expect(expired.json.message).toContain('expired');
    } finally {
      city.setHoursAhead(0);
    }
    expect(await running.pipeline.models.Grant.countDocuments({ subjectKey: senior.subjectKey })).toBe(1);
  });

  it('prints a notice without a decision letter with the notice’s own check, which shows nothing personal', async () => {
    const opened = await call('POST', '/window/visits', tokens.staff, {
      idNumber: undecided.id,
      window: WINDOW,
      reason: '询问优待证为何未推送',
    });
    const visit = opened.json.visit.visitId;
    const seen = await call('GET', `/window/visits/${visit}`, tokens.staff);
    const notice = seen.json.notices.find((n: Json) => n.template === 'decision.undetermined');
    expect(notice).toBeDefined();
    const printed = await call(
      'GET',
      `/window/visits/${visit}/notices/${encodeURIComponent(notice.key)}/pdf`,
      tokens.staff,
    );
    expect(printed.status).toBe(200);
    const { text } = await pdfText(printed.raw);
    expect(text).toContain(notice.title.zh);
    expect(text).toContain('不显示个人信息');
    const link = /http:\/\/127\.0\.0\.1:8080(\/notices\/prints\/pr_[a-z2-7]{26}\/verification)/.exec(text);
    expect(link).not.toBeNull();
    const check = await api.inject({ method: 'GET', url: link![1] });
    expect(check.statusCode).toBe(200);
    expect(check.json()).toMatchObject({
      genuine: true,
      title: notice.title,
      template: 'decision.undetermined',
      window: WINDOW,
    });
    for (const personal of [undecided.id, undecided.subjectKey, undecided.id.slice(-4), notice.body.zh])
      expect(check.body).not.toContain(personal);
    const forged = await api.inject({
      method: 'GET',
      url: '/notices/prints/pr_aaaaaaaaaaaaaaaaaaaaaaaaaa/verification',
    });
    expect([forged.statusCode, forged.json().code]).toEqual([404, 'NOTICE_NOT_FOUND']);
    // Someone else's notice is not hers to print.
    const other = await call(
      'GET',
      `/window/visits/${visit}/notices/${encodeURIComponent(`${offerKey}:notice:confirmed`)}/pdf`,
      tokens.staff,
    );
    expect([other.status, other.json.code]).toEqual([404, 'NOTICE_NOT_FOUND']);
  });

  it('stops a member of staff looking people up by ID past the limit a minute', async () => {
    const at = new Date('2026-12-01T02:00:30Z');
    const limited = createWindowService({
      store: running.pipeline.store,
      subjectKeySecret: TEST_SECRET,
      citizen: {} as never,
      subjectSearchesPerMinute: 2,
      now: () => at,
    });
    const actor = { id: 'u_window_limit', name: '孙窗口', role: 'window' as const };
    const body = { idNumber: undecided.id, window: WINDOW, reason: '连续登记' };
    await limited.open(actor, body);
    await limited.open(actor, body);
    await expect(limited.open(actor, body)).rejects.toMatchObject({ code: 'RATE_LIMITED', field: 'idNumber' });
  });

  it('is refused to every other role, in both languages', async () => {
    for (const token of [tokens.senior, tokens.supervisor]) {
      const answer = await openVisit(token);
      expect(answer.status).toBe(403);
      expect(answer.json.code).toBe('FORBIDDEN_ROLE');
      expect(answer.json.messageZh).toContain('窗口人员');
    }
  });
});
