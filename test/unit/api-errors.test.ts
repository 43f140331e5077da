/**
 * The one place a refusal becomes an HTTP status (api/errors.ts): each kind of refusal answers
 * with its status and both languages; Fastify's own refusals answer with a code of ours; anything
 * unexpected is a 500 that says nothing about the inside.
 */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { answerErrors, STATUS_OF_KIND } from '../../api/errors.js';
import { findIdentifiers, makeCreditCode, makeResidentId } from '../../domain/identity.js';
import { REFUSAL_CODES, Refusal, type RefusalCode } from '../../domain/refusal.js';

class TestRefusal extends Refusal {}

function appThrowing(error: () => Error) {
  const app = Fastify({ logger: false, bodyLimit: 64 });
  app.setErrorHandler(answerErrors());
  app.post('/echo', async (request) => request.body);
  app.get('/fail', async () => {
    throw error();
  });
  return app;
}

describe('answering refusals over HTTP', () => {
  it.each(Object.keys(REFUSAL_CODES) as RefusalCode[])('%s answers with the status of its kind', async (code) => {
    const app = appThrowing(() => new TestRefusal(code, 'refused', '拒绝', 'field'));
    const answer = await app.inject({ method: 'GET', url: '/fail' });
    expect(answer.statusCode).toBe(STATUS_OF_KIND[REFUSAL_CODES[code]]);
    expect(answer.json()).toEqual({ code, message: 'refused', messageZh: '拒绝', field: 'field' });
  });

  it('names a refusal by its class', () => {
    expect(new TestRefusal('NOT_FOUND', 'x', 'x').name).toBe('TestRefusal');
  });

  it("answers Fastify's own refusals with a code of ours in both languages", async () => {
    const app = appThrowing(() => new Error('unused'));
    const tooLarge = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ text: 'x'.repeat(100) }),
    });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json()).toMatchObject({ code: 'BODY_TOO_LARGE', messageZh: '请求内容过大' });
    const broken = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"a":',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ code: 'BAD_REQUEST' });
    expect(broken.json().messageZh).toBeTruthy();
    const wrongType = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/xml' },
      payload: '<a/>',
    });
    expect(wrongType.statusCode).toBe(415);
    expect(wrongType.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('answers an unexpected failure with 500 INTERNAL and no detail from the inside', async () => {
    const app = appThrowing(() => new Error('E11000 duplicate key error collection: applyfree.subjects'));
    const answer = await app.inject({ method: 'GET', url: '/fail' });
    expect(answer.statusCode).toBe(500);
    expect(answer.json()).toEqual({ code: 'INTERNAL', message: 'internal error', messageZh: '服务内部错误' });
  });

  it('never hands back an identifier a refusal echoes from what was sent, in any text of the answer (abuse 12)', async () => {
    // A made-up sweep ID that happens to be a valid credit code, as the fuzz run once sent one.
    const code = makeCreditCode('371428', 2803414);
    const person = makeResidentId('371402', '1950-03-01', 12, 'female');
    const app = appThrowing(
      () =>
        new TestRefusal('NOT_FOUND', `no sweep ${code}`, `没有该筛查任务：${code}`, `subject ${person}`, [
          { path: 'subject', message: `${person} is not registered` },
        ]),
    );
    const answer = await app.inject({ method: 'GET', url: '/fail' });
    expect(answer.statusCode).toBe(404);
    expect(findIdentifiers(answer.body)).toEqual([]);
    expect(answer.json()).toMatchObject({
      code: 'NOT_FOUND',
      message: 'no sweep [redacted]',
      messageZh: '没有该筛查任务：[redacted]',
      issues: [{ path: 'subject', message: '[redacted] is not registered' }],
    });
  });
});
