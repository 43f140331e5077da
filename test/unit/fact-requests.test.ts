/**
 * Working days in the city and the indicator 数据共享有效需求满足率 counted from fact requests'
 * times (domain/calendar.ts, domain/fact-requests.ts): what a supervisor reads on the metrics page.
 */
import { describe, expect, it } from 'vitest';
import { isWorkingDay, workingDaysAfter } from '../../domain/calendar.js';
import {
  answerDueAt,
  checkFiling,
  demandSatisfaction,
  factRequestId,
  FACT_REQUEST_ID_PATTERN,
  filingKey,
  type FactRequestFiling,
  type RequestTimes,
} from '../../domain/fact-requests.js';

/** An instant written in city time. */
const city = (text: string) => new Date(`${text}+08:00`);

describe('working days (Asia/Shanghai)', () => {
  it('counts Monday to Friday and not the weekend', () => {
    expect(['2026-12-04', '2026-12-05', '2026-12-06', '2026-12-07'].map(isWorkingDay)).toEqual([
      true,
      false,
      false,
      true,
    ]);
  });

  it('makes a request filed on Friday at 18:00 due on Monday at 18:00', () => {
    expect(answerDueAt(city('2026-12-04T18:00:00'))).toEqual(city('2026-12-07T18:00:00'));
  });

  it('makes a request filed on a Saturday due at the end of Monday', () => {
    expect(workingDaysAfter(city('2026-12-05T10:00:00'), 1)).toEqual(city('2026-12-08T00:00:00'));
  });

  it('makes a request filed on Tuesday at 09:30 due on Wednesday at 09:30', () => {
    expect(answerDueAt(city('2026-12-08T09:30:00'))).toEqual(city('2026-12-09T09:30:00'));
  });
});

const department = { department: 'civil-affairs', departmentName: { zh: '市民政局', en: 'Civil Affairs' } };
function request(filedAt: string, answer?: { at: string; status: 'answered' | 'refused' }): RequestTimes {
  const filed = city(filedAt);
  return {
    ...department,
    status: answer?.status ?? 'open',
    filedAt: filed,
    dueAt: answerDueAt(filed),
    ...(answer ? { answeredAt: city(answer.at) } : {}),
  };
}

describe('数据共享有效需求满足率', () => {
  const now = city('2026-12-20T12:00:00');

  it('counts a Friday-evening request answered on Monday morning as answered within one working day', () => {
    const figure = demandSatisfaction(
      [request('2026-12-04T18:00:00', { at: '2026-12-07T09:00:00', status: 'answered' })],
      now,
    );
    expect(figure.total).toMatchObject({ due: 1, satisfied: 1, late: 0, rate: 1 });
    expect(figure.rows).toMatchObject([{ month: '2026-12', department: 'civil-affairs', due: 1, satisfied: 1 }]);
    expect(figure.target.rate).toBe(0.99);
  });

  it('moves the rate to one half with one answered in time and one late, and counts refusals and silence as unmet', () => {
    const inTime = request('2026-12-08T09:00:00', { at: '2026-12-08T16:00:00', status: 'answered' });
    const late = request('2026-12-08T09:00:00', { at: '2026-12-10T09:00:00', status: 'answered' });
    expect(demandSatisfaction([inTime, late], now).total).toMatchObject({ due: 2, satisfied: 1, late: 1, rate: 0.5 });
    const refused = request('2026-12-08T09:00:00', { at: '2026-12-08T10:00:00', status: 'refused' });
    const silent = request('2026-12-08T09:00:00');
    expect(demandSatisfaction([inTime, late, refused, silent], now).total).toMatchObject({
      due: 4,
      satisfied: 1,
      refused: 1,
      unanswered: 1,
      rate: 0.25,
    });
  });

  it('does not count a request still within its working day, nor one withdrawn before it was due', () => {
    const open = request('2026-12-18T17:00:00');
    const withdrawn = {
      ...request('2026-12-08T09:00:00'),
      status: 'withdrawn' as const,
      withdrawnAt: city('2026-12-08T11:00:00'),
    };
    const figure = demandSatisfaction([open, withdrawn], now);
    expect(figure.total).toMatchObject({ due: 0, rate: null });
    expect(figure.rows).toEqual([]);
  });

  it('groups by department and the month filed', () => {
    const other = {
      ...request('2026-11-30T09:00:00', { at: '2026-11-30T10:00:00', status: 'answered' }),
      department: 'tax',
    };
    const rows = demandSatisfaction(
      [other, request('2026-12-08T09:00:00', { at: '2026-12-09T10:00:00', status: 'answered' })],
      now,
    ).rows;
    expect(rows.map((row) => [row.month, row.department, row.rate])).toEqual([
      ['2026-11', 'tax', 1],
      ['2026-12', 'civil-affairs', 0],
    ]);
  });
});

describe('a filing', () => {
  const filing: FactRequestFiling = {
    fact: { description: '  残疾等级评定日期 ', key: 'person.disabilityAssessedOn', type: 'date' },
    why: 'the allowance starts the month after the assessment',
    policy: { id: 'disability-allowance', version: 2 },
    legalBasis: '《残疾人保障法》',
    department: 'disabled-persons-federation',
  };

  it('is trimmed and keyed the same way twice on one day, so it files once', () => {
    const checked = checkFiling(filing);
    expect(checked.fact.description).toBe('残疾等级评定日期');
    const at = city('2026-12-08T09:00:00');
    const later = city('2026-12-08T17:00:00');
    expect(filingKey('u_1', checked, at)).toBe(filingKey('u_1', checked, later));
    expect(filingKey('u_1', checked, at)).not.toBe(filingKey('u_2', checked, at));
    expect(factRequestId(filingKey('u_1', checked, at))).toMatch(FACT_REQUEST_ID_PATTERN);
  });

  it.each([
    [{ fact: { description: ' ' } }, 'fact.description'],
    [{ fact: { description: 'x', key: 'disabilityAssessedOn' } }, 'fact.key'],
    [{ why: '' }, 'why'],
    [{ policy: { id: 'Not An ID' } }, 'policy.id'],
    [{ policy: { id: 'p', version: 0 } }, 'policy.version'],
    [{ legalBasis: '' }, 'legalBasis'],
    [{ department: undefined }, 'department'],
    [{ requestKey: 'short' }, 'requestKey'],
  ] as const)('refuses %j naming %s', (change, field) => {
    expect(() => checkFiling({ ...filing, ...change } as FactRequestFiling)).toThrow(
      expect.objectContaining({ code: 'BAD_VALUE', field }),
    );
  });
});
