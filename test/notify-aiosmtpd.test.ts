/**
 * End to end against a separate real SMTP server process (Debian's aiosmtpd, writing a
 * maildir): the delivered message as a mail reader gets it, and, after a kill -9 at every point
 * around a send and a resume, every notice delivered at least once, a second copy only where the
 * kill fell between the server's acceptance and the journal's record of it, with the same
 * Message-ID.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, tempDir, waitFor } from './helpers/cli.js';
import { journalOf, writeRunbook } from './helpers/runbooks.js';
import { describeWith } from './helpers/servers.js';
import { headerOf } from './helpers/smtp.js';

const PYTHON = '/usr/bin/python3';
const SECRET = 'S3cret-token-for-webhook-and-mail';

function aiosmtpdMissing(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing`;
  return spawnSync(PYTHON, ['-c', 'import aiosmtpd'], { stdio: 'ignore' }).status === 0 ? undefined : 'python3-aiosmtpd is not installed';
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The messages in a maildir, as raw text. */
function mailbox(dir: string): string[] {
  const out: string[] = [];
  for (const sub of ['new', 'cur']) {
    const d = join(dir, sub);
    if (existsSync(d)) for (const f of readdirSync(d).sort()) out.push(readFileSync(join(d, f), 'utf8'));
  }
  return out;
}

describeWith(aiosmtpdMissing(), 'email end to end (aiosmtpd process, maildir)', () => {
  let server: ChildProcess;
  let port: number;
  let root: string;
  beforeAll(async () => {
    root = tempDir('runbook-aiosmtpd-');
    port = await freePort();
    server = spawn(PYTHON, ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', join(root, 'mail')], { stdio: 'ignore' });
    // Ready when it accepts connections.
    await waitFor(() => existsSync(join(root, 'mail')), 15_000);
    const { connect } = await import('node:net');
    const deadline = Date.now() + 15_000;
    for (;;) {
      const ok = await new Promise<boolean>((resolve) => {
        const c = connect(port, '127.0.0.1', () => (c.end(), resolve(true)));
        c.on('error', () => resolve(false));
      });
      if (ok) break;
      if (Date.now() > deadline) throw new Error('aiosmtpd did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(() => {
    server.kill('SIGTERM');
  });

  /** One maildir for all cases: each tells its messages apart by its run id. */
  const book = (dir: string) =>
    writeRunbook(
      dir,
      `
change: CHG-9
secrets:
  TOKEN: { env: T_TOKEN }
notify:
  channels:
    mail:
      type: email
      to: [board@example.com]
      from: runbook@example.com
      smtp: { host: 127.0.0.1, port: ${port}, security: none }
  events:
    run_started: [mail]
    run_finished: [mail]
steps:
  - { id: one, run: 'echo "token is \${{ secrets.TOKEN }}"', idempotent: true }
`,
    );

  const messagesOf = (runId: string) => mailbox(join(root, 'mail')).filter((m) => m.includes(runId));

  it('delivers subject, both bodies and the attachment, with no secret anywhere in the raw message', async () => {
    const dir = tempDir();
    const state = join(dir, 's');
    const r = await runCli(['exec', book(dir), '--state-dir', state], { cwd: dir, env: { T_TOKEN: SECRET }, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const runId = String(journalOf(state)[0]!.runId);
    await waitFor(() => messagesOf(runId).length === 2, 15_000);
    const [started, finished] = messagesOf(runId).sort((a, b) => (a.includes('run started') ? -1 : b.includes('run started') ? 1 : 0));
    expect(headerOf(started!, 'Subject')).toBe('[CHG-9] Test runbook: run started');
    expect(headerOf(finished!, 'Subject')).toBe('[CHG-9] Test runbook: run finished');
    expect(started).toMatch(/Content-Type: text\/plain/i);
    expect(started).toMatch(/Content-Type: text\/html/i);
    expect(started).toMatch(/filename="?change-notice\.html/);
    expect(finished).toMatch(/filename="?change-record\.html/);
    for (const m of [started!, finished!]) {
      expect(m).not.toContain(SECRET);
      expect(Buffer.from(m).toString()).not.toContain(Buffer.from(SECRET).toString('base64').slice(0, 16));
    }
  });

  const POINTS = ['notify-before-queued', 'notify-after-queued', 'notify-after-accepted', 'notify-after-sent'] as const;
  const cases = POINTS.flatMap((p) => [1, 2].map((k) => [p, k] as const));

  it.each(cases)('a kill -9 at %s (notice %i) and a resume: each notice at least once, a second copy only after acceptance, same Message-ID', async (point, k) => {
    const dir = tempDir();
    const state = join(dir, 's');
    const file = book(dir);
    const killed = await runCli(['exec', file, '--state-dir', state], { cwd: dir, env: { T_TOKEN: SECRET, RUNBOOK_FAILPOINT: `${point}:${k}` }, timeoutMs: 60_000 });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const runId = String(journalOf(state)[0]!.runId);
    // What the server had, and what the journal said was sent, when the CLI died.
    const deliveredBefore = new Set(messagesOf(runId).map((m) => headerOf(m, 'Message-ID')));
    const sentBefore = new Set(journalOf(state).flatMap((x) => (x.type === 'notify_sent' ? [String(x.messageId)] : [])));
    const resumed = await runCli(['resume', runId, '--state-dir', state], { cwd: dir, env: { T_TOKEN: SECRET }, timeoutMs: 60_000 });
    if (sentBefore.size === 2) expect(resumed.stderr).toMatch(/already finished .*nothing to resume/);
    else expect(resumed.code, resumed.stderr).toBe(0);
    const sent = journalOf(state).filter((x) => x.type === 'notify_sent');
    expect(sent.map((s) => s.event).sort()).toEqual(['run_finished', 'run_started']);
    await waitFor(() => messagesOf(runId).length >= 2, 15_000);
    const ids = messagesOf(runId).map((m) => headerOf(m, 'Message-ID')!);
    expect([...new Set(ids)].sort()).toEqual(sent.map((s) => String(s.messageId)).sort());
    for (const id of new Set(ids)) {
      const copies = ids.filter((x) => x === id).length;
      expect(copies).toBeLessThanOrEqual(2);
      // A second copy only where the server had accepted it and the journal did not say so yet.
      if (copies === 2) expect(deliveredBefore.has(id) && !sentBefore.has(id), `${point}:${k} ${id}`).toBe(true);
    }
    // The case the resend exists for: killed right after the server took it.
    if (point === 'notify-after-accepted') expect(ids.length).toBeGreaterThan(2);
    if (point === 'notify-before-queued' || point === 'notify-after-queued') expect(deliveredBefore.size).toBeLessThan(2);
  });
});
