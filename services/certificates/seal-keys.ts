/**
 * Where the seals' private keys live and how they sign: the `SealKeyStore` interface, and its
 * implementation on files. On the embedded stack each key is a PKCS#8 PEM file of mode 0600 in a
 * directory of mode 0700 (`<stateDir>/seals`, or APPLYFREE_SEAL_KEY_DIR); a key file that others
 * may read is refused, like ssh refuses one. In production the same interface is implemented over
 * a hardware security module (PKCS#11 `C_GenerateKeyPair` with the SM2 mechanisms, `C_Sign` with
 * CKM_SM2_SM3 and the default user ID), so the private key never leaves it: docs/CERTIFICATES.md.
 * A retired or revoked seal's key is destroyed: it never signs again.
 */
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateSm2KeyPair, sm2Sign, SM2_DEFAULT_USER_ID } from '../../domain/sm2.js';

/** Holds seals' private keys and signs with them; a PKCS#11/HSM-backed store replaces the file one. */
export interface SealKeyStore {
  /** Creates the key pair of a new seal and keeps its private key; answers the public key (PEM SubjectPublicKeyInfo). */
  create(sealId: string): Promise<{ publicKeyPem: string }>;
  /** Signs with the seal's private key: the DER SM2 signature over SM3 with `userId` in Z. */
  sign(sealId: string, message: Uint8Array, userId: string): Promise<Buffer>;
  /** Destroys a seal's private key (retired, revoked, or never registered); no error when there is none. */
  destroy(sealId: string): Promise<void>;
  /** The user ID this store signs with (the GM/T 0009 default). */
  readonly userId: string;
}

/** A seal key that cannot be used: missing, or readable by others. */
export class SealKeyError extends Error {
  constructor(
    readonly code: 'SEAL_KEY_MISSING' | 'SEAL_KEY_EXPOSED',
    message: string,
  ) {
    super(message);
    this.name = 'SealKeyError';
  }
}

const SEAL_ID = /^[a-z0-9][a-z0-9-]{0,99}$/;

/** The key file's path; the seal ID is checked, so it never leaves the directory. */
function keyPath(dir: string, sealId: string): string {
  if (!SEAL_ID.test(sealId)) throw new RangeError(`not a seal ID: "${sealId}"`);
  return join(dir, `${sealId}.pem`);
}

/** Private keys as PEM files of mode 0600 under `dir` (created with mode 0700). */
export function fileSealKeyStore(dir: string): SealKeyStore {
  const ready = async () => {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
  };
  return {
    userId: SM2_DEFAULT_USER_ID,
    async create(sealId) {
      await ready();
      const { privateKeyPem, publicKeyPem } = generateSm2KeyPair();
      // wx: a seal ID is new, so an existing file is never overwritten.
      await writeFile(keyPath(dir, sealId), privateKeyPem, { mode: 0o600, flag: 'wx' });
      return { publicKeyPem };
    },
    async sign(sealId, message, userId) {
      const path = keyPath(dir, sealId);
      let mode: number;
      try {
        mode = (await stat(path)).mode;
      } catch {
        throw new SealKeyError('SEAL_KEY_MISSING', `the private key of seal ${sealId} is not in ${dir}`);
      }
      if (mode & 0o077)
        throw new SealKeyError(
          'SEAL_KEY_EXPOSED',
          `the private key of seal ${sealId} (${path}) may be read by others (mode ${(mode & 0o777).toString(8)}): chmod 600 it`,
        );
      return sm2Sign(await readFile(path, 'utf8'), message, userId);
    },
    async destroy(sealId) {
      await rm(keyPath(dir, sealId), { force: true });
    },
  };
}
