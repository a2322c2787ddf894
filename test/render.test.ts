/**
 * `runbook render FILE`: the change notification of each shipped runbook, through the real CLI,
 * with every section the seed documents have and the right numbers, branch words, times (in the
 * window's zone and in UTC) and contacts.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from './helpers/cli.js';

const SECTIONS = [
  'Summary',
  'Maintenance window',
  'Description and reason',
  'Impact',
  'Contacts',
  'Performed by',
  'Testing performed beforehand',
  'Change plan',
  'Rollback plan',
  'Expected time to recovery',
  'Return-to-service checklist',
  'Notifications',
  'Time budget',
];

async function render(id: string, ...args: string[]): Promise<{ md: string; sections: Map<string, string> }> {
  const r = await runCli(['render', join(REPO, 'runbooks', `${id}.yaml`), ...args], { env: { TZ: 'Asia/Tokyo' } });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const sections = new Map<string, string>();
  for (const part of r.stdout.split(/^## /m).slice(1)) sections.set(part.slice(0, part.indexOf('\n')), part.slice(part.indexOf('\n') + 1));
  return { md: r.stdout, sections };
}

/** The step headings of a section, in order: "2.1 Remove server from load balancer pool". */
const heads = (section: string | undefined) => [...(section ?? '').matchAll(/^\*\*(\d[\w.]*) (.+?)\*\*/gm)].map((m) => `${m[1]} ${m[2]}`);

describe('render: the email patching notice', () => {
  it('has every section, in order, with the window in MST and UTC', async () => {
    const { md, sections } = await render('email-patch');
    expect([...sections.keys()]).toEqual(SECTIONS);
    expect(md.startsWith('# Email system patching\n')).toBe(true);
    const w = sections.get('Maintenance window')!;
    expect(w).toContain('| Date | 2009-12-04 (Fri) | 2009-12-05 (Sat) |');
    expect(w).toContain('| Start | 20:00 MST | 03:00 UTC |');
    expect(w).toContain('| End | 21:30 MST | 04:30 UTC |');
    expect(w).toContain('| Duration | 1h30m | 1h30m |');
    expect(sections.get('Summary')).toContain('**Window:** 2009-12-04 20:00 to 21:30 MST (2009-12-05 03:00 to 04:30 UTC), 1h30m');
    expect(sections.get('Summary')).toContain('**Change / project number:** CHG-2009-1204');
  });

  it("numbers the change plan in the notice's order and the rollback plan from 1", async () => {
    const { sections } = await render('email-patch');
    expect(heads(sections.get('Change plan'))).toEqual([
      '1 Place email system into maintenance mode',
      '2 Backup current configuration',
      '3 Apply OS patches',
      '4 Reboot server',
      '5 Wait for the server to come back',
      '6 Apply email system patches',
      '7 Apply custom configuration to email system',
      '8 Test email system',
      '9 Take email system out of maintenance mode',
      '10 Close maintenance window',
    ]);
    expect(heads(sections.get('Rollback plan'))).toEqual(['1 Restore system from backup', '2 Test system', '3 Take email system out of maintenance mode', '4 Close maintenance window']);
    expect(sections.get('Change plan')).toContain('Wait until this check succeeds, checking every 15s, for at most 10m:');
  });

  it('states the impact, contacts, recovery time, notifications and time budget', async () => {
    const { sections } = await render('email-patch');
    expect(sections.get('Impact')).toContain('Kynetx email system will be unavailable during the maintenance window due to system patching and email system software updates.');
    expect(sections.get('Contacts')).toContain('| On-call system administrator | System Admin | 555-0100 x421 | sysadmin@example.com |');
    expect(sections.get('Expected time to recovery')).toContain('30m if a rollback is required.');
    expect(sections.get('Notifications')).toContain('| The rollback starts | ops, users, audit |');
    expect(sections.get('Notifications')).toContain('| ops | webhook (slack) to hooks.example.com |');
    const budget = sections.get('Time budget')!;
    expect(budget).toContain('**Expected duration:** 1h: the sum');
    expect(budget).toContain("**Rollback reserve:** 23m (the rollback plan's estimates)");
    expect(budget).toContain('**Point of no return:** 21:07 MST (04:07 UTC), the window end minus the rollback reserve');
    expect(budget).toContain('fit the window (1h30m) with 7m to spare');
  });
});

describe('render: the KNS rolling deployment notice', () => {
  it('shows the loop over the pool and its sub-steps numbered 2.1, 2.2...', async () => {
    const { sections } = await render('kns-rolling-deploy');
    const plan = sections.get('Change plan')!;
    expect(plan).toContain('For each of kns1, kns2, kns3, one at a time:');
    expect(heads(plan)).toEqual([
      '1 Send "deployment commencing" notification',
      '2 Deploy to each server in the pool',
      '2.1 Remove server from load balancer pool',
      '2.2 Backup current configuration',
      '2.3 Deploy new revision of KNS engine code',
      '2.3.U1 Remove the server from the load balancer pool, if not already excluded',
      '2.3.U2 Restore configuration backup taken in step 3',
      '2.3.U3 Test',
      '2.3.U4 Return server to load balancer pool',
      '2.4 Test',
      '2.5 Return server to load balancer pool',
      '2.6 Monitor server for anomalous behavior',
      '3 Send "deployment complete" notification',
      '4 Monitor platform for anomalies during 48 hour soak in period',
    ]);
  });

  it("says the seed's branches in plain words", async () => {
    const { sections } = await render('kns-rolling-deploy');
    const plan = sections.get('Change plan')!;
    const test = plan.slice(plan.indexOf('**2.4 Test**'), plan.indexOf('**2.5 '));
    expect(test).toContain('If successful, continue to step 2.5. If unsuccessful, go to the rollback plan.');
    const rbTest = plan.slice(plan.indexOf('**2.3.U3 Test**'), plan.indexOf('**2.3.U4 '));
    expect(rbTest).toContain('If successful, continue to step 2.3.U4. If unsuccessful, stop and escalate: Develop and communicate a recovery plan to interested parties');
    expect(plan).toContain('Monitor for 48h, checking every 5m; the first failed check fails the step:');
    expect(plan).toContain('Monitor for 2m, checking every 30s');
  });

  it('shows secrets as *** and other templates as written', async () => {
    const { md } = await render('kns-rolling-deploy');
    expect(md).toContain('-H "Authorization: Bearer ***"');
    expect(md).not.toMatch(/secrets\.|ALERTS_TOKEN/);
    expect(md).toContain('echo "disable server ${{ vars.lb_backend }}/${{ item }}"');
  });

  it('describes the rollback: when, the undos per server, the plan, the escalation', async () => {
    const { sections } = await render('kns-rolling-deploy');
    const rb = sections.get('Rollback plan')!;
    expect(rb).toContain('When: If deployment testing fails, or a severity one (1) anomaly is detected during the soak in period');
    expect(rb).toContain('step 2.3 (Deploy new revision of KNS engine code): undo steps 2.3.U1 to 2.3.U4, for each item done.');
    expect(heads(rb)).toEqual(['1 Monitor platform for anomalies during 48 hour soak in period', '2 Send "roll back complete" notification']);
    expect(rb).toContain('If the rollback fails: stop, notify, and escalate: Develop and communicate a recovery plan to interested parties');
  });

  it('budgets the work within the window and the soak after it', async () => {
    const { sections } = await render('kns-rolling-deploy');
    const budget = sections.get('Time budget')!;
    expect(budget).toContain('**Expected duration:** 48h32m (32m of work, then 48h of monitoring)');
    expect(budget).toContain('**Point of no return:** 14:40 MST (21:40 UTC)');
    expect(budget).toContain('The monitoring (48h) goes on after the window closes');
    expect(sections.get('Notifications')).toContain('| step 1: Send "deployment commencing" notification | interested-parties, audit |');
  });

  it('takes the pool from its group', async () => {
    const { sections } = await render('kns-rolling-deploy');
    expect(sections.get('Change plan')).toContain('For each of kns1, kns2, kns3, one at a time:');
  });

  it('takes a loop from --var', async () => {
    const { sections } = await render('conx-aws-production', '--var', 'web_nodes=a1,a2');
    expect(sections.get('Change plan')).toContain('For each of a1, a2 (as node)');
  });
});

describe('render: the network migration notice (date TBD)', () => {
  it('keeps the planned times and says TBD for the date and UTC', async () => {
    const { sections } = await render('network-migration');
    const w = sections.get('Maintenance window')!;
    expect(w).toContain('| Date | TBD | TBD |');
    expect(w).toContain('| Start | 04:00 | TBD |');
    expect(w).toContain('| End | 04:20 | TBD |');
    expect(sections.get('Summary')).toContain('**Window:** TBD, 04:00 to 04:20 America/Denver, 20m');
    expect(sections.get('Time budget')).toContain('**Point of no return:** 04:12 America/Denver on a date TBD');
  });

  it('marks the cable moves as manual and the settling as a wait', async () => {
    const { sections } = await render('network-migration');
    const plan = sections.get('Change plan')!;
    expect(plan).toContain('**1 Move network cable to the new switch port** **MANUAL**');
    expect(plan).toContain('Confirmation asked: Is the cable in the new port, with the link light on?');
    expect(plan).toContain('**2 Allow for the network to settle in** _(wait');
    expect(plan).toContain('Wait 2m.');
    expect(plan).toContain('For each of kns1, kns2, kns3, db1, lb1 (as server), all at once:');
    expect(sections.get('Rollback plan')).toContain('**1 Move network cable back to original network port** **MANUAL**');
  });
});

describe('render: the CO.NX AWS notification', () => {
  it('has the four contacts, the testing performed and the checklist', async () => {
    const { sections } = await render('conx-aws-production');
    const contacts = sections.get('Contacts')!;
    expect(contacts.split('\n').filter((l) => l.startsWith('| ') && l.includes('@example.com'))).toHaveLength(4);
    expect(contacts).toContain('| System administrator (name withheld) | System Admin | 555-0100 x421 | sysadmin@example.com | Mobile: 555-0100 |');
    expect(sections.get('Testing performed beforehand')).toContain('4\\. Tested staging environment for operations.');
    expect(sections.get('Summary')).toContain('**Submittal date:** Not stated.');
    expect(sections.get('Summary')).toContain('**Window:** TBD, 6h');
    expect(heads(sections.get('Return-to-service checklist'))).toEqual(['1 CO.NX support team tests for operational use']);
    expect(sections.get('Performed by')).toContain('- MSS support team engineer (name withheld)');
  });

  it('says what the gate before the Route 53 switch does on failure, and masks the database password', async () => {
    const { md, sections } = await render('conx-aws-production');
    const plan = sections.get('Change plan')!;
    expect(plan).toContain('If successful, continue with the next step. If unsuccessful, stop without rolling back.');
    expect(plan).toContain('--master-user-password ***');
    expect(md).not.toContain('RDS_MASTER_PASSWORD');
    expect(heads(sections.get('Rollback plan'))).toEqual(['1 Reconfigure AWS Route 53 back to the current production Elastic IP address', '2 Restart current production CO.NX AWS instance']);
  });
});

describe('render: usage', () => {
  it('refuses an invalid runbook with exit 2 and one line', async () => {
    const r = await runCli(['render', join(REPO, 'package.json')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
  });
});
