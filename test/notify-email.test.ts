/**
 * Email channels against a real SMTP server in this process (smtp-server on loopback): STARTTLS
 * with a self-signed certificate, AUTH with the password from a secret, a 421 on DATA (retried),
 * a 550 for one recipient (reported loudly, the others got it), a 550 on DATA (not retried), and
 * `runbook notify` re-sending a notice as a new message that refers to the first.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { collect, runCli, startCli, tempDir, waitFor } from './helpers/cli.js';
import { allText } from './helpers/files.js';
import { journalOf, writeRunbook } from './helpers/runbooks.js';
import { describeWith } from './helpers/servers.js';
import { decoded, headerOf, opensslMissing, startSmtp, type TestSmtp } from './helpers/smtp.js';

const PASSWORD = 'hunter2-smtp-Secret';

function book(port: number, extra = '', channel = '') {
  return `
change: CHG-4711
secrets:
  SMTP_PASSWORD: { env: T_SMTP_PASSWORD }
notify:
  channels:
    board:
      type: email
      to: [board@example.com, refused@example.com]
      cc: [ops@example.com]
      from: runbook@example.com
      smtp: { host: localhost, port: ${port}, security: starttls, user: runbook, password: SMTP_PASSWORD }
      timeout: 10s
${channel}
  events:
    run_started: [board]
    step_failed: [board]
    run_finished: [board]
${extra}
`;
}

describeWith(opensslMissing(), 'email notifications (smtp-server, STARTTLS, AUTH)', () => {
  let smtp: TestSmtp;
  let dir: string;
  let env: Record<string, string>;
  beforeEach(async () => {
    smtp = await startSmtp({ user: 'runbook', password: PASSWORD }, { refuse: ['refused@example.com'] });
    dir = tempDir();
    env = { T_SMTP_PASSWORD: PASSWORD, NODE_EXTRA_CA_CERTS: smtp.caFile, RUNBOOK_NOTIFY_RETRY_MS: '50' };
  });
  afterEach(() => smtp.close());

  it('sends run_started, step_failed and run_finished: subject, both bodies, attachments, journaled, the refused recipient loud, no password anywhere', async () => {
    const file = writeRunbook(
      dir,
      book(
        smtp.port,
        `
window: { start: "2020-01-01T00:00", duration: 1h, timezone: UTC }
steps:
  - { id: one, run: 'true' }
  - { id: breaks, run: 'echo "disk full" >&2; exit 3', on_failure: abort }
`,
      ),
    );
    const state = join(dir, 's');
    const r = await runCli(['exec', file, '--state-dir', state, '--ignore-window'], { cwd: dir, env, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(4); // aborted: the notifications change nothing
    expect(smtp.received).toHaveLength(3);
    // Sent side by side: found by subject, not by arrival.
    const bySubject = (word: string) => decoded(smtp.received.find((m) => headerOf(m.raw, 'Subject')?.includes(word))?.raw ?? '');
    const [started, failed, finished] = [bySubject('run started'), bySubject('step failed'), bySubject('run finished')];
    for (const m of smtp.received) {
      expect(m.user).toBe('runbook');
      expect(m.to).toEqual(['board@example.com', 'ops@example.com']);
      expect(m.raw).not.toContain(PASSWORD);
    }
    expect(headerOf(started, 'Subject')).toBe('[CHG-4711] Test runbook: run started');
    expect(headerOf(failed, 'Subject')).toBe('[CHG-4711] Test runbook: step failed (breaks)');
    expect(failed).toMatch(/Failing step: breaks/);
    expect(failed).toMatch(/text\/html/);
    expect(failed).toMatch(/Progress: 1 of 2 steps done/);
    expect(failed).toMatch(/Window: ended .* ago/);
    expect(started).toMatch(/filename="?change-notice\.html/);
    expect(finished).toMatch(/filename="?change-record\.html/);
    const ids = smtp.received.map((m) => headerOf(m.raw, 'Message-ID'));
    expect(new Set(ids).size).toBe(3);

    const journal = journalOf(state);
    const queued = journal.filter((x) => x.type === 'notify_queued');
    const sent = journal.filter((x) => x.type === 'notify_sent');
    expect(queued.map((q) => q.event)).toEqual(['run_started', 'step_failed', 'run_finished']);
    expect(sent).toHaveLength(3);
    expect(sent.map((s) => s.messageId).sort()).toEqual(ids.sort());
    expect(String(sent[0]!.response)).toMatch(/^250/);
    expect(sent[0]!.rejected).toEqual([expect.objectContaining({ address: 'refused@example.com' })]);
    expect(r.stderr + r.stdout).toMatch(/REFUSED refused@example\.com/);
    expect(allText(state)).not.toContain(PASSWORD);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);

    const report = await runCli(['report', String(journal[0]!.runId), '--state-dir', state], { cwd: dir });
    expect(report.stdout).toMatch(/Notifications/);
    expect(report.stdout).toMatch(/refused@example\.com/);

    // By hand: the record to the board again, a new message that refers to the first.
    const again = await runCli(['notify', String(journal[0]!.runId), '--event', 'run_finished', '--state-dir', state], { cwd: dir, env, timeoutMs: 30_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(smtp.received).toHaveLength(4);
    const resent = smtp.received[3]!.raw;
    expect(headerOf(resent, 'References')).toBe(headerOf(finished, 'Message-ID'));
    expect(headerOf(resent, 'Message-ID')).not.toBe(headerOf(finished, 'Message-ID'));
    expect(journalOf(state).filter((x) => x.type === 'notify_sent')).toHaveLength(4);
    const never = await runCli(['notify', String(journal[0]!.runId), '--event', 'escalated', '--state-dir', state], { cwd: dir, env });
    expect(never.code).toBe(2);
    expect(never.stderr).toMatch(/has no escalated notice to send again/);
    const unknown = await runCli(['notify', String(journal[0]!.runId), '--event', 'run_done', '--state-dir', state], { cwd: dir, env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--event run_done: not an event/);
  });

  it('an interruption says how to resume', async () => {
    const file = writeRunbook(dir, book(smtp.port, `steps:\n  - { id: waits, run: 'touch started; sleep 30' }\n`).replace('run_started: [board]', 'run_interrupted: [board]'));
    const state = join(dir, 's');
    const child = startCli(['exec', file, '--state-dir', state], { cwd: dir, env });
    await waitFor(() => existsSync(join(dir, 'started')), 20_000);
    child.kill('SIGINT');
    const r = await collect(child, { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(130);
    expect(smtp.received).toHaveLength(1);
    const runId = String(journalOf(state)[0]!.runId);
    expect(headerOf(smtp.received[0]!.raw, 'Subject')).toBe('[CHG-4711] Test runbook: run interrupted');
    expect(decoded(smtp.received[0]!.raw)).toMatch(/Current step: waits/);
    expect(decoded(smtp.received[0]!.raw)).toContain(`Resume with: runbook resume ${runId} --state-dir ${state}`);
  });

  it('retries a 421 on DATA and is sent on the next attempt', async () => {
    smtp.faults.tempFailData = 1;
    const file = writeRunbook(dir, book(smtp.port, `steps:\n  - { id: one, run: 'true' }\n`));
    const state = join(dir, 's');
    const r = await runCli(['exec', file, '--state-dir', state], { cwd: dir, env, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(smtp.received).toHaveLength(2);
    const sent = journalOf(state).filter((x) => x.type === 'notify_sent');
    expect(sent.map((s) => s.attempts)).toContain(2);
  });

  it('does not retry a 550 on DATA: journaled as failed, the change goes on and exits 0', async () => {
    smtp.faults.permFailData = true;
    const file = writeRunbook(dir, book(smtp.port, `steps:\n  - { id: one, run: 'true' }\n`));
    const state = join(dir, 's');
    const r = await runCli(['exec', file, '--state-dir', state], { cwd: dir, env, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const failed = journalOf(state).filter((x) => x.type === 'notify_failed');
    expect(failed).toHaveLength(2);
    expect(failed.every((f) => f.attempts === 1 && f.permanent === true)).toBe(true);
    expect(String(failed[0]!.reason)).toMatch(/550/);
    expect(r.stderr + r.stdout).toMatch(/notification to board \(run_started\) failed/);
  });

  it('a wrong password is a failed notification, not a failed change; the password is never printed', async () => {
    const file = writeRunbook(dir, book(smtp.port, `steps:\n  - { id: one, run: 'true' }\n`));
    const state = join(dir, 's');
    const wrong = 'wrong-Password-xyz';
    const r = await runCli(['exec', file, '--state-dir', state], { cwd: dir, env: { ...env, T_SMTP_PASSWORD: wrong }, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(smtp.received).toHaveLength(0);
    expect(journalOf(state).filter((x) => x.type === 'notify_failed')).toHaveLength(2);
    expect(r.stdout + r.stderr).not.toContain(wrong);
    expect(allText(state)).not.toContain(wrong);
  });
});
