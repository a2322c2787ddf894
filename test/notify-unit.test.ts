/** The notifier's pure parts: loopback hosts, Message-IDs, what records call for, retries. */
import { describe, expect, it } from 'vitest';
import { loadRunbookText } from '../src/load/load.js';
import { messageIdOf } from '../src/notify/ledger.js';
import { NoticeDeriver } from '../src/notify/notices.js';
import { type Outcome, withRetries } from '../src/notify/outcome.js';
import { checkWebhookUrl } from '../src/notify/webhook.js';
import type { JournalRecord } from '../src/state/records.js';
import { isLoopback } from '../src/validate/rules/email-channels.js';

describe('isLoopback', () => {
  it('is localhost, 127.0.0.0/8 and ::1 only', () => {
    for (const h of ['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '::1', '[::1]']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['mail.example.com', '10.0.0.1', '128.0.0.1', 'localhost.example.com', '::2', '127.0.0.1.nip.io']) expect(isLoopback(h), h).toBe(false);
  });
});

describe('checkWebhookUrl', () => {
  it('sends to the host the runbook spells out, names it, and refuses a value that moves the request or a password', () => {
    const T = 'https://hooks.example.com:8443/x/${{ secrets.T }}';
    expect(checkWebhookUrl(T, 'https://hooks.example.com:8443/x/a/b?c#d')).toEqual({ host: 'hooks.example.com:8443' });
    // The same template filled in, but the template spells its host before a reference that holds "/".
    const U = 'https://tok-${{ secrets.T }}@hooks.example.com/x';
    expect(checkWebhookUrl(U, 'https://tok-4711/zz@hooks.example.com/x')).toEqual({ reason: expect.stringMatching(/^the url no longer goes to hooks\.example\.com once/) });
    expect(checkWebhookUrl(U, 'https://tok-pw@hooks.example.com/x')).toEqual({ reason: expect.stringMatching(/user or password/) });
    // A host (or the whole url) that is a reference is meant to be filled in: named as the webhook.
    expect(checkWebhookUrl('${{ secrets.URL }}', 'https://hooks.slack.com/services/T0/B0/xyz')).toEqual({ host: 'the webhook' });
    expect(checkWebhookUrl('https://${{ vars.host }}/x', 'https://elsewhere.example/x')).toEqual({ host: 'the webhook' });
    expect(checkWebhookUrl('${{ secrets.URL }}', 'not a url')).toEqual({ reason: 'the url is not a valid URL once filled in' });
  });
});

describe('messageIdOf', () => {
  it('is the same for the same notification and differs by event, what it is about, and channel', () => {
    const id = messageIdOf('t-20261202-040000-abcd', 'step_failed', 'step_finished deploy[web2]#1', 'board');
    expect(id).toBe(messageIdOf('t-20261202-040000-abcd', 'step_failed', 'step_finished deploy[web2]#1', 'board'));
    expect(id).toMatch(/^<[A-Za-z0-9._-]+@runbook\.invalid>$/);
    const others = [
      messageIdOf('t-20261202-040000-abcd', 'step_failed', 'step_finished deploy-web2-#1', 'board'),
      messageIdOf('t-20261202-040000-abcd', 'step_failed', 'step_finished deploy[web2]#2', 'board'),
      messageIdOf('t-20261202-040000-abcd', 'step_failed', 'step_finished deploy[web2]#1', 'ops'),
      messageIdOf('t-20261202-040000-abcd', 'step_succeeded', 'step_finished deploy[web2]#1', 'board'),
    ];
    expect(new Set([id, ...others]).size).toBe(5);
  });
});

describe('NoticeDeriver', () => {
  const runbook = loadRunbookText('version: 1\nid: t\ntitle: T\nsteps:\n  - { id: a, run: "true" }\n  - { id: m, manual: Check the lights }\n', 't.yaml').runbook!;
  const at = '2026-01-01T00:00:00Z';
  it('names each notice by the record it comes from, the same on a second reading', () => {
    const records: JournalRecord[] = [
      { type: 'step_started', at, seq: 1, key: 'a', visit: 1, stepId: 'a', kind: 'run', phase: 'change', attempt: 1 },
      { type: 'step_started', at, seq: 2, key: 'a', visit: 1, stepId: 'a', kind: 'run', phase: 'change', attempt: 2 },
      { type: 'step_finished', at, seq: 2, key: 'a', visit: 1, status: 'failed', attempts: 2, durationMs: 1, reason: 'exit 3' },
      { type: 'step_started', at, seq: 3, key: 'm', visit: 1, stepId: 'm', kind: 'manual', phase: 'change', attempt: 1 },
      { type: 'run_interrupted', at, signal: 'SIGINT' },
      { type: 'run_finished', at, outcome: 'succeeded', exitCode: 0, message: 'done' },
      { type: 'rollback_started', at, reason: 'by hand', by: 'me' },
      { type: 'run_finished', at, outcome: 'rolled_back', exitCode: 1, message: 'rolled back' },
    ];
    const read = () => {
      const d = new NoticeDeriver(runbook);
      return records.flatMap((r) => d.of(r)).map((n) => `${n.event} ${n.about}`);
    };
    const first = read();
    expect(first).toEqual([
      'step_started step_started a#1',
      'step_failed step_finished a#1',
      'manual_step step_started m#1',
      'run_interrupted run_interrupted#1',
      'run_finished run_finished#1',
      'rollback_started rollback_started#2',
      'rollback_finished run_finished#2',
      'run_finished run_finished#2',
    ]);
    expect(read()).toEqual(first);
    expect(new NoticeDeriver(runbook).of(records[3]!)[0]!.text).toBe('manual step m: Check the lights');
  });
});

describe('withRetries', () => {
  const policy = { attempts: 4, baseMs: 10, budgetMs: 10_000 };
  const sleeps: number[] = [];
  const sleep = async (ms: number) => void sleeps.push(ms);
  const sequence = (outs: Outcome[]) => {
    let i = 0;
    return async () => outs[Math.min(i++, outs.length - 1)]!;
  };
  it('retries transient failures with a doubling delay, up to the attempts', async () => {
    sleeps.length = 0;
    const r = await withRetries(sequence([{ ok: false, reason: '421', transient: true }]), policy, sleep);
    expect(r).toMatchObject({ ok: false, attempts: 4 });
    expect(sleeps).toEqual([10, 20, 40]);
  });
  it('stops at success and never retries a permanent failure', async () => {
    sleeps.length = 0;
    expect(
      await withRetries(
        sequence([
          { ok: false, reason: '421', transient: true },
          { ok: true, response: '250' },
        ]),
        policy,
        sleep,
      ),
    ).toMatchObject({ ok: true, attempts: 2 });
    expect(await withRetries(sequence([{ ok: false, reason: '550', transient: false }]), policy, sleep)).toMatchObject({ ok: false, attempts: 1 });
    expect(sleeps).toEqual([10]);
  });
  it('starts no attempt past its budget', async () => {
    const r = await withRetries(sequence([{ ok: false, reason: 'down', transient: true }]), { attempts: 10, baseMs: 10_000, budgetMs: 5_000 }, sleep);
    expect(r.attempts).toBe(1);
  });
});
