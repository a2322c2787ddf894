/**
 * An SMTP server for tests, in this process (nodemailer's smtp-server) on loopback: STARTTLS with
 * a self-signed certificate made here with openssl (the CLI trusts it via NODE_EXTRA_CA_CERTS),
 * AUTH PLAIN/LOGIN, and faults on request: a 421 on DATA for the first N messages, a 550 for
 * chosen recipients, a 550 on DATA for every message.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { tempDir } from './cli.js';

export interface Received {
  readonly from: string;
  readonly to: readonly string[];
  readonly user: string | undefined;
  readonly raw: string;
}

export interface SmtpFaults {
  /** Answer DATA with 421 for this many messages first. */
  tempFailData?: number;
  /** Recipients refused with 550 at RCPT TO. */
  refuse?: readonly string[];
  /** Answer every DATA with 550. */
  permFailData?: boolean;
}

export interface TestSmtp {
  readonly port: number;
  readonly caFile: string;
  readonly received: Received[];
  readonly faults: SmtpFaults;
  close(): Promise<void>;
}

/** The test certificate is made with openssl (Node has no API to make one). */
export function opensslMissing(): string | undefined {
  return spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0 ? undefined : 'openssl is not installed (it makes the test certificate)';
}

export function makeCert(): { key: string; cert: string; caFile: string } {
  const dir = tempDir('runbook-cert-');
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
    { stdio: 'ignore' },
  );
  return { key: execFileSync('cat', [key], { encoding: 'utf8' }), cert: execFileSync('cat', [cert], { encoding: 'utf8' }), caFile: cert };
}

export async function startSmtp(auth: { user: string; password: string }, faults: SmtpFaults = {}): Promise<TestSmtp> {
  const { key, cert, caFile } = makeCert();
  const received: Received[] = [];
  let dataSeen = 0;
  const server = new SMTPServer({
    key,
    cert,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(a, _session, cb) {
      if (a.username === auth.user && a.password === auth.password) cb(null, { user: a.username });
      else cb(Object.assign(new Error('bad credentials'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, cb) {
      if (faults.refuse?.includes(address.address)) cb(Object.assign(new Error('no such user here'), { responseCode: 550 }));
      else cb();
    },
    onData(stream, session, cb) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (d: string) => (raw += d));
      stream.on('end', () => {
        dataSeen++;
        if (faults.permFailData) return cb(Object.assign(new Error('message refused by policy'), { responseCode: 550 }));
        if (dataSeen <= (faults.tempFailData ?? 0)) return cb(Object.assign(new Error('try again later'), { responseCode: 421 }));
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), user: session.user as string | undefined, raw });
        cb(null, 'Ok: queued');
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { port, caFile, received, faults, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A header of a raw message, unfolded. */
export function headerOf(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  return new RegExp(`^${name}: (.*)$`, 'im').exec(head)?.[1]?.trim();
}

/** A raw message with quoted-printable undone (soft line breaks, =XX), for matching its words. */
export function decoded(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
}
