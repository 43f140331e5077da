/**
 * A throw-away certificate authority for tests of TLS to Temporal, made with the `openssl` command:
 * a CA, a server certificate for 127.0.0.1 and localhost (or the names given), and a client
 * certificate for mTLS, each key ECDSA P-256 (PKCS#8 PEM, what both grpc-js and rustls read).
 * Nothing here is kept in the repository: the files live in a temporary folder the caller removes.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsFiles {
  dir: string;
  /** The CA's certificate: TEMPORAL_TLS_CA, and what the server checks clients against. */
  ca: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  /** The client certificate pair: TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY. */
  clientCert: string;
  clientKey: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** A leaf certificate signed by the CA, with its key: `<name>.pem` and `<name>.key`. */
function leaf(dir: string, name: string, subject: string, extensions: string[]): { cert: string; key: string } {
  const ext = join(dir, `${name}.ext`);
  writeFileSync(
    ext,
    `${['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', ...extensions].join('\n')}\n`,
  );
  openssl(dir, ['req', '-new', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-set_serial',
    `0x${randomBytes(8).toString('hex')}`,
    '-days',
    '2',
    '-sha256',
    '-extfile',
    ext,
    '-out',
    `${name}.pem`,
  ]);
  return { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
}

/** A server certificate from the CA in `dir` for the given subject alternative names (`IP:…`, `DNS:…`). */
export function serverCertificate(dir: string, name: string, names: string[]): { cert: string; key: string } {
  return leaf(dir, name, '/CN=temporal frontend', ['extendedKeyUsage=serverAuth', `subjectAltName=${names.join(',')}`]);
}

/** Makes the CA and the certificates in a new temporary folder. `serverNames`: the server certificate's SANs. */
export function makeTlsFiles(serverNames = ['IP:127.0.0.1', 'DNS:localhost']): TlsFiles {
  const dir = mkdtempSync(join(tmpdir(), 'applyfree-tls-'));
  openssl(dir, [
    'req',
    '-x509',
    '-new',
    ...EC_KEY,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-sha256',
    '-subj',
    '/CN=applyfree test CA',
  ]);
  const server = serverCertificate(dir, 'server', serverNames);
  const client = leaf(dir, 'client', '/CN=applyfree worker', ['extendedKeyUsage=clientAuth']);
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca.key'),
    serverCert: server.cert,
    serverKey: server.key,
    clientCert: client.cert,
    clientKey: client.key,
  };
}
