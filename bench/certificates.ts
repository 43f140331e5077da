/**
 * `npm run bench -- certificates [--certificates N]`: what sealing costs a grant, on an embedded
 * FerretDB. SM2-SM3 alone (domain/sm2.ts: one signature, one verification), then issueCertificate
 * as the grant activity calls it (build the document, seal it, check it against the registry as a
 * verifier would, store it under its business key), the same keys again (a retried activity: each
 * answers the stored certificate), and the wallet's verification of what was stored.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyCertificate } from '../domain/certificate-verify.js';
import { cityToday } from '../domain/calendar.js';
import { subjectKey } from '../domain/pseudonym.js';
import { generateSm2KeyPair, sm2Sign, sm2Verify } from '../domain/sm2.js';
import { issueCertificate } from '../services/certificates/issue.js';
import { createSealKeeper } from '../services/certificates/seal-keeper.js';
import { fileSealKeyStore } from '../services/certificates/seal-keys.js';
import { connectStore } from '../store/connection.js';
import { registerCertificateModel, signedCertificateOf } from '../store/certificates.js';
import { freshServers, SECRET } from './population.js';
import { fmt, progress, table, type Benchmark } from './support.js';

/** Times `n` runs of `step` (awaited one after another, as an activity issues them). */
async function timed(label: string, n: number, step: (i: number) => unknown): Promise<number> {
  const shown = progress(label, n);
  const started = performance.now();
  for (let i = 0; i < n; i += 1) {
    await step(i);
    shown.tick(i + 1);
  }
  shown.done();
  return (performance.now() - started) / 1000;
}

export const certificatesBenchmark: Benchmark = {
  summary: 'sealing certificates: SM2-SM3 sign and verify, issueCertificate into FerretDB, its retry, and verification',
  options: {
    certificates: { default: 2_000, help: 'senior cards issued, issued again under the same keys, and verified' },
  },
  async run({ certificates: n }) {
    const servers = await freshServers(['mongodb']);
    const keyDir = mkdtempSync(join(tmpdir(), 'applyfree-bench-seals-'));
    const store = await connectStore(servers.mongodbUri.replace(/\/[^/?]*(\?|$)/, '/bench_certificates$1'));
    try {
      const pair = generateSm2KeyPair();
      const message = Buffer.from('x'.repeat(1_200));
      const signature = sm2Sign(pair.privateKeyPem, message);
      const sign = await timed('SM2 sign', n, () => sm2Sign(pair.privateKeyPem, message));
      const verify = await timed('SM2 verify', n, () => {
        if (!sm2Verify(pair.publicKeyPem, message, signature)) throw new Error('a good signature failed');
      });

      const seals = createSealKeeper({ store, keys: fileSealKeyStore(join(keyDir, 'seals')) });
      await seals.ensureSeal('health-commission');
      const today = cityToday();
      const request = (i: number) => ({
        key: `bench:grant-${i}:certificate:senior-preferential-card`,
        type: 'senior-preferential-card',
        holder: { subjectKey: subjectKey('person', `bench-${i}`, SECRET) },
        fields: { birthDate: '1966-03-14', entitlements: '公共交通、景区、就医等社会优待（凭证享受）' },
        issuedOn: today,
        basis: { kind: 'grant' as const, ref: `bench:grant-${i}` },
      });
      let created = 0;
      const issue = await timed('issueCertificate', n, async (i) => {
        if ((await issueCertificate({ store, seals }, request(i))).created) created += 1;
      });
      let repeated = 0;
      const again = await timed('issueCertificate again', n, async (i) => {
        if (!(await issueCertificate({ store, seals }, request(i))).created) repeated += 1;
      });
      const stored = (await registerCertificateModel(store).find({}).lean()).map(signedCertificateOf);
      const registry = await seals.registry();
      let valid = 0;
      const check = await timed('verifyCertificate', stored.length, (i) => {
        if (verifyCertificate(stored[i], registry, new Set(), today).valid) valid += 1;
      });
      if (created !== n || repeated !== n || stored.length !== n || valid !== n)
        throw new Error(
          `counts disagree: created ${created}, repeated ${repeated}, stored ${stored.length}, valid ${valid}`,
        );

      const row = (step: string, seconds: number): string[] => [
        step,
        fmt(n),
        fmt(seconds, 2),
        fmt(n / seconds),
        fmt((1000 * seconds) / n, 2),
      ];
      console.log(
        table(
          ['step', 'count', 'seconds', 'per second', 'ms each'],
          [
            row('SM2-SM3 sign (1.2 kB)', sign),
            row('SM2-SM3 verify (1.2 kB)', verify),
            row('issueCertificate (seal, check, store)', issue),
            row('issueCertificate again (retry: answers the stored one)', again),
            row('verifyCertificate (the wallet, a verifier)', check),
          ],
        ),
      );
    } finally {
      await store.close();
      await servers.stop();
      rmSync(keyDir, { recursive: true, force: true });
    }
  },
};
