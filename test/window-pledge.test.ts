/**
 * A firm signs its pledge at the service window (告知承诺, 线下兜底) on the real stack: its
 * representative brings the business licence; window staff open a visit by the credit code (in the
 * body, never a URL), read out or print the written notice, and record the signed paper form with
 * its number and the representative's consent. The grant follows exactly once, as when a firm signs
 * in the app; the pledge names the window channel, the staff member and the form; signing again
 * grants nothing more; bad input names its field; another member of staff cannot sign in the visit.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TestSubject } from './support/city.js';
import { firmAwaitingSignature, openWindowCity, WINDOW, type WindowCity } from './support/window-city.js';

const stack = inject('stack');
let city: WindowCity;
let firm: TestSubject;
let pledgeKey: string;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of several shapes, checked field by field
type Json = any;

beforeAll(async () => {
  city = await openWindowCity(stack, 'windowpledge');
  ({ firm, pledgeKey } = await firmAwaitingSignature(city, 'api'));
}, 240_000);

afterAll(async () => {
  // The signed pledge waits 30 days for its inspection: end it rather than leave it on the shared server.
  await city?.running.client.workflow
    .getHandle(pledgeKey)
    .terminate('test over')
    .catch(() => undefined);
  await city?.close();
});

async function call(method: 'GET' | 'POST', url: string, token: string, body?: unknown) {
  const response = await city.api.inject({
    method,
    url,
    headers: {
      host: '127.0.0.1:8080',
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  return { status: response.statusCode, json: response.json<Json>() };
}

describe('a firm without the app signs its pledge at the window', () => {
  it('records the signed paper form: one grant, the window channel, the staff member and the form named', async () => {
    const { tokens, running } = city;
    // A credit code that is not one is refused naming it, and nothing is opened.
    const bad = await call('POST', '/window/visits', tokens.staff, {
      creditCode: '91371400X',
      window: WINDOW,
      reason: '签署告知承诺书',
    });
    expect(bad).toMatchObject({ status: 400, json: { field: 'creditCode' } });

    const opened = await call('POST', '/window/visits', tokens.staff, {
      creditCode: firm.id,
      window: WINDOW,
      reason: '企业代表签署创业补贴告知承诺书',
    });
    expect(opened.status).toBe(201);
    expect(JSON.stringify(opened.json)).not.toContain(firm.id);
    const visit = `/window/visits/${opened.json.visit.visitId}`;
    const pledge = `${visit}/pledges/${encodeURIComponent(pledgeKey)}`;

    // The firm's pledge is on the visit, awaiting its signature; the notice is what staff print.
    const seen = await call('GET', visit, tokens.staff);
    expect(seen.json.pledges.map((p: Json) => [p.key, p.status])).toEqual([[pledgeKey, 'awaiting-signature']]);
    const notice = await call('GET', `${pledge}/notice`, tokens.staff);
    expect(notice.status).toBe(200);
    expect(notice.json.notice.zh).toContain('承诺');
    const noticeHash: string = notice.json.noticeHash;

    const form = {
      noticeHash,
      paperFormRef: '承诺书 DZ-2026-000731',
      consent: { kind: 'signed-form', reference: '承诺书 DZ-2026-000731' },
    };
    // Bad input names its field; another member of staff cannot sign in this visit.
    expect(await call('POST', `${pledge}/sign`, tokens.staff, { ...form, paperFormRef: '' })).toMatchObject({
      status: 400,
      json: { field: 'paperFormRef' },
    });
    expect(await call('POST', `${pledge}/sign`, tokens.staff, { ...form, noticeHash: 'abc' })).toMatchObject({
      status: 400,
      json: { field: 'noticeHash' },
    });
    expect(await call('POST', `${pledge}/sign`, tokens.otherStaff, form)).toMatchObject({
      status: 403,
      json: { code: 'NOT_YOUR_VISIT' },
    });
    expect(await running.pipeline.models.Grant.countDocuments({ subjectKey: firm.subjectKey })).toBe(0);

    const signed = await call('POST', `${pledge}/sign`, tokens.staff, form);
    expect(signed.status).toBe(200);
    expect(signed.json).toMatchObject({
      pledgeId: pledgeKey,
      channel: 'window',
      grant: { key: pledgeKey },
      recorded: { kind: 'pledge-sign', window: WINDOW, staff: { name: '赵窗口' } },
    });
    const stored = await running.pipeline.models.Pledge.findById(pledgeKey).lean();
    expect(stored?.signature).toMatchObject({
      channel: 'window',
      noticeHash,
      staffId: city.staffId,
      staffName: '赵窗口',
      paperFormRef: '承诺书 DZ-2026-000731',
    });

    // Signed again (a double click, a retry): the first signature stands and nothing more is granted.
    const again = await call('POST', `${pledge}/sign`, tokens.staff, form);
    expect([200, 409]).toContain(again.status);
    expect(await running.pipeline.models.Grant.countDocuments({ subjectKey: firm.subjectKey })).toBe(1);
  });
});
