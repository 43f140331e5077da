/**
 * SM2-SM3 seals interoperate: a signature made by domain/sm2.ts verifies with the independent
 * sm-crypto package and with Node's own SM2 (OpenSSL, which signs with the empty user ID), and
 * theirs verify here, each with the user ID it was made with; where the OpenSSL 3 command line is
 * installed, it verifies ours with `distid:1234567812345678` (docs/CERTIFICATES.md's worked example). What Node does by itself is pinned
 * too, since the module's design rests on it: an SM2 key read from PEM signs with the EMPTY user
 * ID, not the GM/T 0009 default, and Node has no way to set another.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import smCrypto from 'sm-crypto';
import { describe, expect, it } from 'vitest';
import { generateSm2KeyPair, SM2_DEFAULT_USER_ID, sm2PublicKeyHex, sm2Sign, sm2Verify } from '../../domain/sm2.js';

const { sm2 } = smCrypto;
const message = Buffer.from('{"document":{"title":{"en":"Senior preferential card","zh":"老年人优待证"}}}', 'utf8');

/** The private scalar as sm-crypto takes it: hex of d, from the PKCS#8 PEM (d sits at bytes 36–67 of an SM2 PrivateKeyInfo). */
function privateKeyHex(pem: string): string {
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return der.subarray(36, 68).toString('hex');
}

/** The OpenSSL 3 command line, when installed: the worked example's tool. */
function opensslVersion(): string | undefined {
  try {
    return execFileSync('openssl', ['version'], { encoding: 'utf8' });
  } catch {
    return undefined;
  }
}
const openssl3 = /^OpenSSL 3\./.test(opensslVersion() ?? '');

describe('SM2-SM3 signatures', () => {
  const keys = generateSm2KeyPair();
  const publicHex = sm2PublicKeyHex(keys.publicKeyPem);

  it('verifies its own signature, and refuses a changed message or another key', () => {
    const signature = sm2Sign(keys.privateKeyPem, message);
    expect(signature[0]).toBe(0x30);
    expect(sm2Verify(keys.publicKeyPem, message, signature)).toBe(true);
    const changed = Buffer.from(message);
    changed[10] ^= 1;
    expect(sm2Verify(keys.publicKeyPem, changed, signature)).toBe(false);
    expect(sm2Verify(generateSm2KeyPair().publicKeyPem, message, signature)).toBe(false);
    expect(sm2Verify(keys.publicKeyPem, message, signature, 'another-user')).toBe(false);
  });

  it('is verified by sm-crypto with the GM/T 0009 default user ID', () => {
    const signature = sm2Sign(keys.privateKeyPem, message);
    const options = { hash: true, der: true, userId: SM2_DEFAULT_USER_ID };
    expect(sm2.doVerifySignature(message.toString('utf8'), signature.toString('hex'), publicHex, options)).toBe(true);
    expect(
      sm2.doVerifySignature(message.toString('utf8'), signature.toString('hex'), publicHex, { ...options, userId: '' }),
    ).toBe(false);
  });

  it('verifies what sm-crypto signs with the default user ID', () => {
    const theirs = sm2.doSignature(message.toString('utf8'), privateKeyHex(keys.privateKeyPem), {
      hash: true,
      der: true,
      publicKey: publicHex,
      userId: SM2_DEFAULT_USER_ID,
    });
    expect(sm2Verify(keys.publicKeyPem, message, Buffer.from(theirs, 'hex'))).toBe(true);
  });

  it('agrees with Node’s own SM2, which signs with the empty user ID and cannot be told another', () => {
    const native = sign('sm3', message, createPrivateKey(keys.privateKeyPem));
    // sm-crypto confirms what ID Node used: the empty one, not the default.
    expect(
      sm2.doVerifySignature(message.toString('utf8'), native.toString('hex'), publicHex, {
        hash: true,
        der: true,
        userId: '',
      }),
    ).toBe(true);
    expect(sm2Verify(keys.publicKeyPem, message, native, '')).toBe(true);
    expect(sm2Verify(keys.publicKeyPem, message, native)).toBe(false);
    const ours = sm2Sign(keys.privateKeyPem, message, '');
    expect(verify('sm3', message, createPublicKey(keys.publicKeyPem), ours)).toBe(true);
  });

  it('refuses a signature that is not strict DER, and a key on another curve', () => {
    const signature = sm2Sign(keys.privateKeyPem, message);
    expect(sm2Verify(keys.publicKeyPem, message, Buffer.concat([signature, Buffer.from([0])]))).toBe(false);
    expect(sm2Verify(keys.publicKeyPem, message, signature.subarray(0, 10))).toBe(false);
    expect(() => sm2PublicKeyHex('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----')).toThrow(/SM2/);
  });

  it.skipIf(!openssl3)(
    'is verified by the OpenSSL command line with distid 1234567812345678, and not without it',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'applyfree-sm2-'));
      try {
        const files = {
          key: join(dir, 'seal.pem'),
          message: join(dir, 'signed.json'),
          signature: join(dir, 'sig.der'),
        };
        writeFileSync(files.key, keys.publicKeyPem);
        writeFileSync(files.message, message);
        writeFileSync(files.signature, sm2Sign(keys.privateKeyPem, message));
        const pkeyutl = (...extra: string[]) => {
          try {
            return execFileSync(
              'openssl',
              ['pkeyutl', '-verify', '-pubin', '-inkey', files.key, '-rawin', '-in', files.message].concat([
                '-sigfile',
                files.signature,
                '-digest',
                'sm3',
                ...extra,
              ]),
              { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
            );
          } catch (error) {
            return String((error as { stdout?: string }).stdout ?? '');
          }
        };
        expect(pkeyutl('-pkeyopt', `distid:${SM2_DEFAULT_USER_ID}`)).toContain('Signature Verified Successfully');
        expect(pkeyutl()).not.toContain('Signature Verified Successfully');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
