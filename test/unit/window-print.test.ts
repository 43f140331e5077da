/**
 * Where a notice printed at the service window sends its reader (services/window/print.ts): a
 * benefit workflow's notice to that grant's decision letter, anything else to the printed notice's
 * own check; and the digest printed on the letter changes with any word of the notice.
 */
import { describe, expect, it } from 'vitest';
import { letterKeyOf, noticeCheckUrl, noticeDigest } from '../../services/window/print.js';

describe('a printed notice', () => {
  it.each([
    [
      'a confirmed offer’s notice concerns the grant’s decision letter',
      'grant:senior-preferential-card:p_abc:once:notice:confirmed',
      'grant:senior-preferential-card:p_abc:once:letter',
    ],
    [
      'an undetermined case’s notice names the case, which has no letter of that key',
      'life-event:hr-1:notice:undetermined:senior-preferential-card',
      'life-event:hr-1:letter',
    ],
    ['a key that is not a workflow’s notice concerns no letter', 'something-else', undefined],
  ])('%s', (_, noticeKey, letterKey) => {
    expect(letterKeyOf(noticeKey)).toBe(letterKey);
  });

  it('is checked at a link that names only the print', () => {
    expect(noticeCheckUrl('https://services.city.example/', 'pr_abc')).toBe(
      'https://services.city.example/notices/prints/pr_abc/verification',
    );
  });

  it('carries a digest that any change to the notice changes', () => {
    const notice = {
      key: 'k:notice:made',
      title: { zh: '待您确认', en: 'Please confirm' },
      body: { zh: '请在期限内确认', en: 'Confirm in time' },
      deliveredAt: '2026-12-06T08:00:00.000Z',
    };
    const digest = noticeDigest(notice);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(noticeDigest({ ...notice })).toBe(digest);
    expect(noticeDigest({ ...notice, body: { ...notice.body, zh: '请在期限内确认。' } })).not.toBe(digest);
    expect(noticeDigest({ ...notice, deliveredAt: '2026-12-06T08:00:01.000Z' })).not.toBe(digest);
  });
});
