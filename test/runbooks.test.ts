/**
 * The shipped runbooks (runbooks/*.yaml) are faithful translations of the seed change documents
 * (/work/shared/seeds, summarised in the comments of each file): they validate, plan without side
 * effects, quote every seed step they translate, use placeholder contacts only, and their failure
 * paths (rehearsed with `plan --fail`) are the seeds' branches and rollback plans.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from './helpers/cli.js';

const SHIPPED = ['email-patch', 'kns-rolling-deploy', 'network-migration', 'conx-aws-production'] as const;
const fileOf = (id: string) => join(REPO, 'runbooks', `${id}.yaml`);
const textOf = (id: string) => readFileSync(fileOf(id), 'utf8');
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();
/** The comments of a runbook as one line: the seed quotes may wrap. */
const commentsOf = (id: string) =>
  squash(
    textOf(id)
      .split('\n')
      .filter((l) => l.includes('#'))
      .map((l) => l.slice(l.indexOf('#') + 1))
      .join(' '),
  );

interface PlanJson {
  entries: Array<{ key: string; phase: string; manual: boolean; undoOf?: string; status?: string; host?: string; become?: boolean }>;
  outcome: { outcome: string; exitCode: number };
  notes: Array<{ text: string }>;
}

async function plan(id: string, ...args: string[]): Promise<PlanJson> {
  const r = await runCli(['plan', fileOf(id), '--format', 'json', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as PlanJson;
}

// The Kynetx notices, as the seed file has them: each "- " line of a change or roll back plan.
const KYNETX: Record<string, { start: string; lines: string[] }> = {
  'email-patch': { start: 'Start Time: 2000 MST', lines: [] },
  'kns-rolling-deploy': { start: 'Start Time: 1400 MST', lines: [] },
  'network-migration': { start: 'Start Time: 0400 MST', lines: [] },
};
const seed = readFileSync('/work/shared/seeds/kynetx-maintenance-notices.txt', 'utf8').split('\n');
for (const notice of Object.values(KYNETX)) {
  const at = seed.findIndex((l) => l.trim() === notice.start);
  for (let i = at + 1; i < seed.length && !/^Start Time:/.test(seed[i]!); i++) {
    if (seed[i]!.startsWith('- ')) notice.lines.push(squash(seed[i]!.slice(2)));
  }
}

describe('the shipped seed runbooks', () => {
  it('pass `runbook validate` (exit 0)', async () => {
    const r = await runCli(['validate', ...SHIPPED.map(fileOf)]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  });

  it.each(SHIPPED)('%s names its schema and only placeholder contacts, hosts and numbers', (id) => {
    const text = textOf(id);
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schemas/runbook.schema.json');
    const emails = text.match(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g) ?? [];
    expect(emails.length).toBeGreaterThan(0);
    for (const e of emails) expect(e).toMatch(/@example\.com$/);
    for (const phone of text.match(/\b\d{3}-\d{4}\b/g) ?? []) expect(phone).toMatch(/^555-01\d\d$/);
    for (const [, host] of text.matchAll(/https?:\/\/([^/\s"'$]+)/g)) expect(host).toMatch(/(^|\.)example\.com$/);
  });

  it.each(Object.keys(KYNETX))('%s quotes every step of its notice', (id) => {
    const { lines } = KYNETX[id]!;
    expect(lines.length).toBeGreaterThanOrEqual(8);
    const comments = commentsOf(id);
    const missing = lines.filter((l) => !comments.includes(l));
    expect(missing).toEqual([]);
  });

  it('conx-aws-production quotes every step, rollback procedure and checklist item of the notification', () => {
    const comments = commentsOf('conx-aws-production');
    const quoted = [
      '1. Use AWS AMI image of new Staging Ubuntu instances',
      '2. Configure new instances for use in production environment',
      'Create & Deploy AWS S3 storage',
      'Create and Deploy RSD database storage',
      '1. Export copy of production WordPress Database',
      '2. Import copy of production WordPress Database into the AWS RSD database storage area',
      '3. Create Master WordPress Database and two (2) Slave databases',
      'Create new Production AWS Load Balancer',
      '5. Test for operation',
      '6. Redirect AWS Route53 service to new AWS Load Balancer',
      '1. Reconfigure AWS Route 53 Service back to the current production Elastic IP address',
      '2. Restart current Production CO.NX AWS instance.',
      'MSS support Team will test for operational use before scheduling Route 53 Elastic IP address switch',
      'CO.NX support team will test for operational use.',
    ];
    expect(quoted.filter((q) => !comments.includes(q))).toEqual([]);
  });

  it.each(SHIPPED)('%s plans to success with nothing run', async (id) => {
    const p = await plan(id);
    expect(p.outcome).toMatchObject({ outcome: 'succeeded', exitCode: 0 });
    expect(p.entries.filter((e) => e.phase === 'rollback')).toEqual([]);
  });
});

describe('the remote seeds', () => {
  it.each(SHIPPED)('%s reaches its servers with on:, never with ssh in a command', (id) => {
    const text = textOf(id);
    expect(text).not.toMatch(/(^|[\s;&|(])(ssh|scp) /m);
    expect(text).toMatch(/^\s+on: /m);
  });

  it('web-restart takes its hosts and groups from an Ansible inventory', async () => {
    const v = await runCli(['validate', fileOf('web-restart')]);
    expect(v.stdout).toBe(`${fileOf('web-restart')}: valid\n`);
    const p = await plan('web-restart');
    expect(p.entries.filter((e) => e.key.endsWith('[web3]')).map((e) => [e.key, e.host, e.become ?? false])).toEqual([
      ['drain[web3]', 'lb1', true],
      ['restart[web3]', 'web3', true],
      ['health[web3]', 'web3', false],
      ['undrain[web3]', 'lb1', true],
    ]);
  });
});

describe("the seeds' failure paths, rehearsed", () => {
  it('KNS: a failed test on kns2 moves to the roll back plan: kns2, then kns1, never kns3', async () => {
    const p = await plan('kns-rolling-deploy', '--fail', 'test[kns2]');
    expect(p.outcome.outcome).toBe('rolled_back');
    const rollback = p.entries.filter((e) => e.phase === 'rollback').map((e) => e.key);
    expect(rollback).toEqual([
      'rb-drain[kns2]',
      'rb-restore[kns2]',
      'rb-test[kns2]',
      'rb-undrain[kns2]',
      'drain[kns2]:undo',
      'rb-drain[kns1]',
      'rb-restore[kns1]',
      'rb-test[kns1]',
      'rb-undrain[kns1]',
      'drain[kns1]:undo',
      'rollback-soak',
      'rollback-complete',
    ]);
    expect(p.entries.some((e) => e.key.includes('kns3'))).toBe(false);
    // "If not already excluded from the load balancer pool": kns2 still is (its test failed), kns1 is back in.
    const status = (key: string) => p.entries.find((e) => e.key === key && e.phase === 'rollback')?.status;
    expect(status('rb-drain[kns2]')).toBe('skipped');
    expect(status('rb-drain[kns1]')).toBe('succeeded');
  });

  it('CO.NX: a failure before the Route 53 switch undoes nothing of production; after it, both rollback procedures run', async () => {
    for (const step of ['launch', 'configure', 's3', 'rds', 'db-export', 'db-import', 'replica', 'load-balancer', 'smoke-test']) {
      const p = await plan('conx-aws-production', '--fail', step);
      expect(p.outcome.outcome, step).toBe('rolled_back');
      const rollback = p.entries.filter((e) => e.phase === 'rollback').map((e) => [e.key, e.status]);
      expect(rollback, step).toEqual([
        ['route53-back', 'skipped'],
        ['restart-current', 'skipped'],
      ]);
    }
    const p = await plan('conx-aws-production', '--fail', 'route53');
    expect(p.entries.filter((e) => e.phase === 'rollback').map((e) => [e.key, e.status])).toEqual([
      ['route53-back', 'succeeded'],
      ['restart-current', 'succeeded'],
    ]);
  });

  it('KNS: a severity-1 anomaly in the 48-hour soak rolls back every server, newest first', async () => {
    const p = await plan('kns-rolling-deploy', '--fail', 'soak');
    expect(p.outcome.outcome).toBe('rolled_back');
    const restored = p.entries.filter((e) => e.key.startsWith('rb-restore')).map((e) => e.key);
    expect(restored).toEqual(['rb-restore[kns3]', 'rb-restore[kns2]', 'rb-restore[kns1]']);
  });

  it('KNS: a failed test during the roll back escalates with the recovery-plan text', async () => {
    const p = await plan('kns-rolling-deploy', '--fail', 'test[kns2]', '--fail', 'rb-test[kns2]');
    expect(p.outcome).toMatchObject({ outcome: 'escalated', exitCode: 3 });
    expect(p.notes.map((n) => n.text).join('\n')).toContain('Develop and communicate a recovery plan to interested parties');
    expect(p.entries.some((e) => e.key === 'rb-undrain[kns2]')).toBe(false);
  });

  it('email: a failed test restores the system from backup, tests it and closes the window', async () => {
    const p = await plan('email-patch', '--fail', 'test');
    expect(p.outcome.outcome).toBe('rolled_back');
    expect(p.entries.filter((e) => e.phase === 'rollback').map((e) => e.key)).toEqual(['restore', 'rollback-test', 'rollback-maintenance-off', 'rollback-close-window']);
  });

  it('network: the cable moves are manual steps, in the plan and in the roll back', async () => {
    const p = await plan('network-migration', '--fail', 'host-internet[kns1]');
    expect(p.entries.filter((e) => e.manual).map((e) => e.key)).toEqual(['move-cable', 'move-cable-back']);
    expect(p.outcome.outcome).toBe('rolled_back');
  });

  it('CO.NX: a failed Route 53 switch points DNS back at the Elastic IP and restarts the old instance', async () => {
    const p = await plan('conx-aws-production', '--fail', 'route53');
    expect(p.entries.filter((e) => e.phase === 'rollback').map((e) => e.key)).toEqual(['route53-back', 'restart-current']);
  });
});
