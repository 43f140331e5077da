/**
 * The test city's residents and firms are drawn at random, yet two test files (each with its own
 * database, all on one Temporal namespace) must never draw the same one: a benefit workflow ID
 * is started once per subject, policy and period, so a shared resident would arrive "already
 * handled". Two stores drawing many residents born the same day get distinct IDs.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectStore } from '../store/connection.js';
import { addEnterprise, addResident } from './support/city.js';

const stack = inject('stack');
let stores: Connection[] = [];

beforeAll(async () => {
  stores = await Promise.all(
    [1, 2].map(() =>
      connectStore(stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_city_${randomUUID().slice(0, 8)}$1`)),
    ),
  );
});
afterAll(async () => {
  for (const store of stores) await store.dropDatabase().then(() => store.close());
});

describe('test city fixtures', () => {
  it('never gives two stores the same resident, even when 80 are born on one day', async () => {
    // 80 draws from the 300 sequences of one birth date would collide almost surely by chance.
    // A day of its own each run, so claims kept on a persistent server never run out.
    const day = `2011-${String(1 + randomInt(12)).padStart(2, '0')}-${String(1 + randomInt(28)).padStart(2, '0')}`;
    const drawn = await Promise.all(
      stores.map(async (store) => {
        const ids: string[] = [];
        for (let i = 0; i < 40; i++) ids.push((await addResident(store, day, { 'person.localHukou': true })).id);
        return ids;
      }),
    );
    const all = drawn.flat();
    expect(all).toHaveLength(80);
    expect(new Set(all).size).toBe(80);
    expect(all.every((id) => id.slice(6, 14) === day.replaceAll('-', ''))).toBe(true);
  });

  it('never gives two stores the same firm', async () => {
    const codes = await Promise.all(
      stores.map(async (store) => (await addEnterprise(store, { 'enterprise.status': 'active' })).id),
    );
    expect(new Set(codes).size).toBe(2);
  });
});
