/**
 * SM2 signatures over SM3 (GB/T 32918.2, GM/T 0003.2) with the signer's user identifier in the
 * Z value, as GM/T 0009 requires and e-seal verifiers (GB/T 38540, GM/T 0031) expect.
 *
 * Why not simply `crypto.sign('sm3', …)`: measured on Node 20 with OpenSSL 3.0, a key made by
 * `generateKeyPairSync('ec', { namedCurve: 'SM2' })` signs plain ECDSA on the SM2 curve (no Z at
 * all), and the same key read back from PEM signs SM2 with an EMPTY user ID; Node offers no way to
 * set the ID (OpenSSL's `distid` is not exposed). Other implementations (GmSSL, BouncyCastle,
 * sm-crypto, e-seal verifiers) use the GM/T 0009 default `1234567812345678` unless agreed
 * otherwise. So the signature is computed here from Node's OpenSSL primitives: SM3 hashes, and
 * the secret scalar multiplication [k]G by OpenSSL's SM2 curve (createECDH('SM2')); the few
 * modular steps of SM2 around them are BigInt. Verification works on public data only and is
 * BigInt point arithmetic. test/unit/sm2.test.ts proves it against Node's own SM2 (with the empty
 * ID) and the independent sm-crypto package, both ways. Signatures are DER SEQUENCE { r, s }.
 */
import { createECDH, createHash, generateKeyPairSync, randomBytes } from 'node:crypto';

/** The user identifier GM/T 0009 prescribes when none is agreed; every seal of applyfree signs with it. */
export const SM2_DEFAULT_USER_ID = '1234567812345678';

/** The SM2 recommended curve (sm2p256v1, GB/T 32918.5). */
const P = 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn;
const A = 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn;
const B = 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n;
const N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;
const GX = 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n;
const GY = 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n;

/** SubjectPublicKeyInfo of an SM2 key up to its point: id-ecPublicKey, curve 1.2.156.10197.1.301, a 66-byte BIT STRING. */
const SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex');

type Point = { x: bigint; y: bigint } | null;

const mod = (value: bigint, m: bigint) => {
  const r = value % m;
  return r < 0n ? r + m : r;
};

/** Modular inverse by Fermat (m prime). */
function inverse(value: bigint, m: bigint): bigint {
  let result = 1n;
  let base = mod(value, m);
  let exponent = m - 2n;
  while (exponent > 0n) {
    if (exponent & 1n) result = (result * base) % m;
    base = (base * base) % m;
    exponent >>= 1n;
  }
  return result;
}

const toBigInt = (bytes: Uint8Array) => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
const to32 = (value: bigint) => Buffer.from(value.toString(16).padStart(64, '0'), 'hex');

function add(p: Point, q: Point): Point {
  if (!p) return q;
  if (!q) return p;
  if (p.x === q.x) {
    if (mod(p.y + q.y, P) === 0n) return null;
    const slope = mod((3n * p.x * p.x + A) * inverse(2n * p.y, P), P);
    const x = mod(slope * slope - 2n * p.x, P);
    return { x, y: mod(slope * (p.x - x) - p.y, P) };
  }
  const slope = mod((q.y - p.y) * inverse(q.x - p.x, P), P);
  const x = mod(slope * slope - p.x - q.x, P);
  return { x, y: mod(slope * (p.x - x) - p.y, P) };
}

/** A point in Jacobian coordinates (x = X/Z², y = Y/Z³); Z = 0 is the point at infinity. */
type Jacobian = { X: bigint; Y: bigint; Z: bigint };

/** 2P, with a = -3 (dbl-2001-b). */
function double(p: Jacobian): Jacobian {
  if (p.Z === 0n || p.Y === 0n) return { X: 1n, Y: 1n, Z: 0n };
  const delta = (p.Z * p.Z) % P;
  const gamma = (p.Y * p.Y) % P;
  const beta = (p.X * gamma) % P;
  const alpha = mod(3n * (p.X - delta) * (p.X + delta), P);
  const X = mod(alpha * alpha - 8n * beta, P);
  const Z = mod((p.Y + p.Z) * (p.Y + p.Z) - gamma - delta, P);
  const Y = mod(alpha * (4n * beta - X) - 8n * gamma * gamma, P);
  return { X, Y, Z };
}

/** P + Q for Q affine (madd-2007-bl). */
function addAffine(p: Jacobian, q: { x: bigint; y: bigint }): Jacobian {
  if (p.Z === 0n) return { X: q.x, Y: q.y, Z: 1n };
  const zz = (p.Z * p.Z) % P;
  const h = mod(q.x * zz - p.X, P);
  const r = mod(2n * (q.y * p.Z * zz - p.Y), P);
  if (h === 0n) return r === 0n ? double(p) : { X: 1n, Y: 1n, Z: 0n };
  const hh = (h * h) % P;
  const i = 4n * hh;
  const j = (h * i) % P;
  const v = (p.X * i) % P;
  const X = mod(r * r - j - 2n * v, P);
  const Y = mod(r * (v - X) - 2n * p.Y * j, P);
  const Z = mod((p.Z + h) * (p.Z + h) - zz - hh, P);
  return { X, Y, Z };
}

function affine(p: Jacobian): Point {
  if (p.Z === 0n) return null;
  const zi = inverse(p.Z, P);
  const zi2 = (zi * zi) % P;
  return { x: (p.X * zi2) % P, y: (p.Y * zi2 * zi) % P };
}

/** [a]G + [b]Q by a joint double-and-add (public scalars only: verification). */
function twoMultiples(a: bigint, b: bigint, q: { x: bigint; y: bigint }): Point {
  const g = { x: GX, y: GY };
  const both = add(g, q);
  let result: Jacobian = { X: 1n, Y: 1n, Z: 0n };
  for (let bit = 255; bit >= 0; bit--) {
    result = double(result);
    const i = (a >> BigInt(bit)) & 1n;
    const j = (b >> BigInt(bit)) & 1n;
    if (i && j) result = both ? addAffine(result, both) : result;
    else if (i) result = addAffine(result, g);
    else if (j) result = addAffine(result, q);
  }
  return affine(result);
}

const onCurve = (x: bigint, y: bigint) => x < P && y < P && mod(y * y - (x * x * x + A * x + B), P) === 0n;

/** An SM2 public key as the uncompressed point `04‖x‖y` (65 bytes): from a PEM SubjectPublicKeyInfo. */
export function sm2PublicPoint(publicKeyPem: string): Buffer {
  const der = pemBody(publicKeyPem, 'PUBLIC KEY');
  if (der.length !== SPKI_PREFIX.length + 65 || !der.subarray(0, SPKI_PREFIX.length).equals(SPKI_PREFIX))
    throw new Sm2KeyError('not an SM2 public key (SubjectPublicKeyInfo on curve 1.2.156.10197.1.301)');
  const point = der.subarray(SPKI_PREFIX.length);
  if (point[0] !== 4 || !onCurve(toBigInt(point.subarray(1, 33)), toBigInt(point.subarray(33))))
    throw new Sm2KeyError('the SM2 public key is not an uncompressed point on the curve');
  return Buffer.from(point);
}

/** The public key as outside tools (sm-crypto, GmSSL) take it: hex of `04‖x‖y`. */
export const sm2PublicKeyHex = (publicKeyPem: string): string => sm2PublicPoint(publicKeyPem).toString('hex');

/** A key that is not an SM2 key of the expected form. */
export class Sm2KeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Sm2KeyError';
  }
}

/** A new SM2 key pair as PEM: PKCS#8 private key, SubjectPublicKeyInfo public key. */
export function generateSm2KeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'SM2' });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
}

/**
 * The DER inside a PEM block. Keys are read here, not by createPrivateKey: Node 20 aborts the
 * process when asked to export an SM2 key it read from PEM (an assertion on the key type).
 */
function pemBody(pem: string, label: string): Buffer {
  const match = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(pem);
  if (!match) throw new Sm2KeyError(`not a PEM ${label}`);
  return Buffer.from(match[1].replace(/\s+/g, ''), 'base64');
}

/** One DER element at `at`: its tag, and where its content starts and ends. */
function derElement(der: Buffer, at: number): { tag: number; start: number; end: number } {
  const tag = der[at];
  let length = der[at + 1];
  let start = at + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + der[start + i];
    start += octets;
  }
  if (tag === undefined || start + length > der.length) throw new Sm2KeyError('truncated DER');
  return { tag, start, end: start + length };
}

/** id-ecPublicKey with the SM2 curve, as a PKCS#8 AlgorithmIdentifier. */
const PKCS8_ALGORITHM = Buffer.from('301306072a8648ce3d020106082a811ccf5501822d', 'hex');

/**
 * The private scalar d of a PKCS#8 SM2 private key (PEM), and its public point (computed by
 * OpenSSL's SM2 curve from d): PrivateKeyInfo { 0, algorithm, OCTET STRING ECPrivateKey { 1, OCTET STRING d, … } }.
 */
function privateParts(privateKeyPem: string): { d: bigint; point: Buffer } {
  const der = pemBody(privateKeyPem, 'PRIVATE KEY');
  const outer = derElement(der, 0);
  const version = derElement(der, outer.start);
  const algorithm = derElement(der, version.end);
  const wrapped = derElement(der, algorithm.end);
  if (outer.tag !== 0x30 || !der.subarray(version.end, algorithm.end).equals(PKCS8_ALGORITHM) || wrapped.tag !== 0x04)
    throw new Sm2KeyError('not an SM2 private key (PKCS#8 on curve 1.2.156.10197.1.301)');
  const inner = derElement(der, wrapped.start);
  const innerVersion = derElement(der, inner.start);
  const scalar = derElement(der, innerVersion.end);
  if (inner.tag !== 0x30 || scalar.tag !== 0x04) throw new Sm2KeyError('not an SM2 private key (SEC 1 ECPrivateKey)');
  const d = toBigInt(der.subarray(scalar.start, scalar.end));
  if (d < 1n || d >= N - 1n) throw new Sm2KeyError('the SM2 private key is out of range');
  const curve = createECDH('SM2');
  curve.setPrivateKey(to32(d));
  return { d, point: curve.getPublicKey() };
}

/** Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA): the signer's identity hashed into every signature. */
export function sm2Z(publicPoint: Buffer, userId: string = SM2_DEFAULT_USER_ID): Buffer {
  const id = Buffer.from(userId, 'utf8');
  if (id.length * 8 > 0xffff) throw new RangeError('the SM2 user ID is longer than 8191 bytes');
  const entl = Buffer.from([(id.length * 8) >> 8, (id.length * 8) & 0xff]);
  return createHash('sm3')
    .update(Buffer.concat([entl, id, to32(A), to32(B), to32(GX), to32(GY), publicPoint.subarray(1)]))
    .digest();
}

const digestOf = (publicPoint: Buffer, message: Uint8Array, userId: string) =>
  toBigInt(createHash('sm3').update(sm2Z(publicPoint, userId)).update(message).digest());

/** A uniformly random scalar in [1, n-1] (rejection sampling). */
function randomScalar(): bigint {
  for (;;) {
    const k = toBigInt(randomBytes(32));
    if (k >= 1n && k < N) return k;
  }
}

/** DER SEQUENCE { INTEGER r, INTEGER s }. */
function derSignature(r: bigint, s: bigint): Buffer {
  const integer = (value: bigint) => {
    let bytes = to32(value);
    while (bytes.length > 1 && bytes[0] === 0 && !(bytes[1] & 0x80)) bytes = bytes.subarray(1);
    if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
  };
  const body = Buffer.concat([integer(r), integer(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/** r and s of a DER signature, or undefined when it is not strict DER of two positive integers. */
function readDerSignature(der: Uint8Array): { r: bigint; s: bigint } | undefined {
  const bytes = Buffer.from(der);
  if (bytes.length < 8 || bytes[0] !== 0x30 || bytes[1] !== bytes.length - 2) return undefined;
  const values: bigint[] = [];
  let at = 2;
  for (let i = 0; i < 2; i++) {
    if (bytes[at] !== 0x02) return undefined;
    const length = bytes[at + 1];
    const value = bytes.subarray(at + 2, at + 2 + length);
    if (length < 1 || length > 33 || value.length !== length || value[0] & 0x80) return undefined;
    if (length > 1 && value[0] === 0 && !(value[1] & 0x80)) return undefined;
    values.push(toBigInt(value));
    at += 2 + length;
  }
  return at === bytes.length ? { r: values[0], s: values[1] } : undefined;
}

/**
 * Signs `message` with an SM2 private key (PKCS#8 PEM) over SM3 with the user ID in Z: the DER
 * signature. [k]G is OpenSSL's (createECDH on the SM2 curve); k is fresh from the CSPRNG.
 */
export function sm2Sign(privateKeyPem: string, message: Uint8Array, userId: string = SM2_DEFAULT_USER_ID): Buffer {
  const { d, point } = privateParts(privateKeyPem);
  const e = digestOf(point, message, userId);
  const curve = createECDH('SM2');
  for (;;) {
    const k = randomScalar();
    curve.setPrivateKey(to32(k));
    const x1 = toBigInt(curve.getPublicKey().subarray(1, 33));
    const r = mod(e + x1, N);
    if (r === 0n || r + k === N) continue;
    const s = mod(inverse(1n + d, N) * mod(k - r * d, N), N);
    if (s !== 0n) return derSignature(r, s);
  }
}

/** Whether `signature` (DER) is an SM2-SM3 signature of `message` by the key, with the user ID in Z. */
export function sm2Verify(
  publicKeyPem: string,
  message: Uint8Array,
  signature: Uint8Array,
  userId: string = SM2_DEFAULT_USER_ID,
): boolean {
  let point: Buffer;
  try {
    point = sm2PublicPoint(publicKeyPem);
  } catch {
    return false;
  }
  const parsed = readDerSignature(signature);
  if (!parsed) return false;
  const { r, s } = parsed;
  if (r < 1n || r >= N || s < 1n || s >= N) return false;
  const t = mod(r + s, N);
  if (t === 0n) return false;
  const sum = twoMultiples(s, t, { x: toBigInt(point.subarray(1, 33)), y: toBigInt(point.subarray(33)) });
  if (!sum) return false;
  return mod(digestOf(point, message, userId) + sum.x, N) === r;
}
