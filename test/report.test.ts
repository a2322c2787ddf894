/**
 * The executed change record, as pure functions over (runbook, journal records, log tails):
 * a succeeded, a rolled-back, an escalated and an interrupted run of the KNS deployment, a
 * confirmed manual step, and hostile output that must stay text.
 */
import { describe, expect, it } from 'vitest';
import { buildReport } from '../src/render/document/report-model.js';
import { renderReport } from '../src/render/document/report-render.js';
import { HTML_ATTRS, HTML_TAGS, htmlTags, splitFences, withoutCodeSpans } from './fixtures/render/documents.js';
import { JournalBuilder, RUN_ID, shipped } from './fixtures/render/journal.js';

const KNS = shipped('kns-rolling-deploy');
const HOUR = 3_600_000;

/** Deploys kns1, then fails the test of kns2 (three attempts) and starts the rollback. */
function failingOnKns2(): JournalBuilder {
  const j = new JournalBuilder();
  j.step('announce', { kind: 'notify' });
  const loop = j.begin('rolling');
  j.server('kns1');
  j.step('drain[kns2]');
  j.step('backup[kns2]');
  j.step('deploy[kns2]');
  j.step('test[kns2]', { status: 'failed', attempts: 3, exitCode: 22, reason: 'exit code 22', log: 'curl: (22) The requested URL returned error: 500\n' });
  j.add({ type: 'branch', at: j.at(0), key: 'test[kns2]', to: 'rollback' });
  j.end('rolling', loop, 'failed', '1 of 3 items failed (max_failures 0)');
  j.add({ type: 'branch', at: j.at(0), key: 'rolling', to: 'rollback' });
  j.add({ type: 'rollback_started', at: j.at(0), reason: 'rolling failed: 1 of 3 items failed (max_failures 0)' });
  j.step('rb-drain[kns2]', { phase: 'rollback' });
  j.step('rb-restore[kns2]', { phase: 'rollback' });
  return j;
}

function rolledBack(): JournalBuilder {
  const j = failingOnKns2();
  j.step('rb-test[kns2]', { phase: 'rollback' });
  j.add({ type: 'branch', at: j.at(0), key: 'rb-test[kns2]', to: 'rb-undrain' });
  j.step('rb-undrain[kns2]', { phase: 'rollback' });
  j.step('drain[kns2]:undo', { phase: 'rollback', undoOf: 'drain[kns2]' });
  for (const id of ['rb-drain', 'rb-restore', 'rb-test', 'rb-undrain']) j.step(`${id}[kns1]`, { phase: 'rollback' });
  j.step('drain[kns1]:undo', { phase: 'rollback', undoOf: 'drain[kns1]' });
  j.step('rollback-soak', { phase: 'rollback', kind: 'monitor', ms: 48 * HOUR });
  j.step('rollback-complete', { phase: 'rollback', kind: 'notify' });
  j.finish('rolled_back', 1, 'the change failed (rolling failed: 1 of 3 items failed (max_failures 0)); the rollback completed');
  return j;
}

describe('report: a succeeded run', () => {
  const j = new JournalBuilder();
  j.step('announce', { kind: 'notify' });
  const loop = j.begin('rolling');
  for (const s of ['kns1', 'kns2', 'kns3']) j.server(s);
  j.end('rolling', loop, 'succeeded');
  j.step('complete', { kind: 'notify' });
  j.step('soak', { kind: 'monitor', ms: 48 * HOUR });
  j.finish('succeeded', 0, 'the change completed');
  const report = buildReport(KNS, j.records, j.logs);
  const md = renderReport(report, 'md');

  it('says who ran it, from where, and when against the window', () => {
    expect(report.outcome).toMatchObject({ state: 'succeeded', words: 'Succeeded', exitCode: 0 });
    expect(md).toContain('- **Outcome:** Succeeded\n');
    expect(md).toContain('- **Run by:** alice on ops1.example.com (pid 4242)');
    expect(md).toContain('- **Started:** 2009-12-03 14:00:30 MST (21:00:30 UTC), 30s after the window opened');
    expect(md).toMatch(/- \*\*Finished:\*\* 2009-12-05 \d\d:\d\d:\d\d MST \(\d\d:\d\d:\d\d UTC\), 47h\d+m\d+s after the window closed/);
    expect(md).toContain('- **Window:** 2009-12-03 14:00:00 MST (21:00:00 UTC) to 2009-12-03 15:00:00 MST (22:00:00 UTC)');
    expect(md).toContain('## Rollback\n\nNo rollback.');
  });

  it('lists every step execution with its outcome, attempts, exit code and duration', () => {
    expect(report.steps).toHaveLength(1 + 1 + 3 * 6 + 2);
    expect(md).toContain('| 6 | `test[kns1]` Test | change | succeeded | 1 | 0 | 1m1s |');
    expect(md).toContain('| 22 | `soak` Monitor platform for anomalies during 48 hour soak in period | change | succeeded | 1 |   | 48h1s |');
  });

  it('shows the branch taken and the tail of each log', () => {
    const test = md.slice(md.indexOf('**6. test\\[kns1\\]: Test**'), md.indexOf('**7. '));
    expect(test).toContain('then went to step undrain.');
    expect(splitFences(test).fences).toEqual(['OK\nv2009.12.03']);
  });
});

describe('report: a rolled-back run', () => {
  const report = buildReport(KNS, rolledBack().records, rolledBack().logs);
  const md = renderReport(report, 'md');

  it('says the change failed and was rolled back, and why', () => {
    expect(report.outcome.words).toBe('Failed; rolled back');
    expect(md).toContain('- **Outcome:** Failed; rolled back');
    expect(md).toContain('- **Exit code:** 1');
    expect(md).toContain('- **Reason:** rolling failed: 1 of 3 items failed (max\\_failures 0)');
    expect(md).toContain('- **Started by:** the runbook (a failed step)');
  });

  it('records the failed step, its attempts and output, and the undos that ran', () => {
    expect(md).toContain('| 12 | `test[kns2]` Test | change | failed | 3 | 22 | 1m3s |');
    const failed = md.slice(md.indexOf('**12. test\\[kns2\\]: Test**'), md.indexOf('**13. '));
    expect(failed).toContain('**FAILED**');
    expect(failed).toContain('failed: exit code 22');
    expect(failed).toContain('; 3 attempts; exit code 22; then went to the rollback plan.');
    expect(splitFences(failed).fences).toEqual(['curl: (22) The requested URL returned error: 500']);
    const rollback = report.steps.filter((s) => s.phase === 'rollback').map((s) => s.key);
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
    expect(md).toContain('`drain[kns2]:undo` Undo of drain\\[kns2\\] | rollback | succeeded');
  });

  it('is the same record in JSON', () => {
    const json = JSON.parse(renderReport(report, 'json')) as typeof report;
    expect(json.outcome.state).toBe('rolled_back');
    expect(json.rollback?.reason).toBe('rolling failed: 1 of 3 items failed (max_failures 0)');
    expect(json.steps.find((s) => s.key === 'test[kns2]')).toMatchObject({ status: 'failed', attempts: 3, exitCode: 22, branch: 'rollback' });
  });
});

describe('report: an escalated run', () => {
  const j = failingOnKns2();
  j.step('rb-test[kns2]', { phase: 'rollback', status: 'failed', exitCode: 7, reason: 'exit code 7', log: 'curl: (7) Failed to connect to kns2 port 8080\n' });
  j.add({ type: 'branch', at: j.at(0), key: 'rb-test[kns2]', to: 'escalate' });
  j.finish('escalated', 3, 'the rollback failed (rb-test[kns2] failed: exit code 7): manual recovery needed.');
  const report = buildReport(KNS, j.records, j.logs);
  const md = renderReport(report, 'md');

  it('says the rollback failed and what to do next', () => {
    expect(report.outcome).toMatchObject({ state: 'escalated', words: 'Rollback failed: escalated', exitCode: 3 });
    expect(md).toContain('- **Outcome:** Rollback failed: escalated');
    expect(md).toContain('> **Important:** Manual recovery needed. Develop and communicate a recovery plan to interested parties (see contacts).');
    const rbTest = md.slice(md.indexOf('. rb-test\\[kns2\\]: Test**'));
    expect(rbTest).toContain('then escalated.');
    expect(report.steps.some((s) => s.key === 'rb-undrain[kns2]')).toBe(false);
  });

  it('escapes nothing away in HTML and uses only its own tags', () => {
    const html = renderReport(report, 'html');
    expect(html).toContain('<dt>Outcome</dt><dd>Rollback failed: escalated</dd>');
    expect(html).toContain('<pre><code>curl: (7) Failed to connect to kns2 port 8080</code></pre>');
    expect(htmlTags(html).filter((t) => !HTML_TAGS.has(t.name))).toEqual([]);
  });
});

describe('report: an interrupted, resumed run with operator decisions', () => {
  const j = new JournalBuilder();
  j.step('announce', { kind: 'notify' });
  const loop = j.begin('rolling');
  j.server('kns1');
  j.step('drain[kns2]');
  j.inFlight('backup[kns2]');
  j.add({ type: 'run_interrupted', at: j.at(5000), signal: 'SIGHUP', seq: 9 });
  j.add({ type: 'run_resumed', at: j.at(60_000), by: 'bob', host: 'ops2.example.com', pid: 777, fileChanged: true });
  j.add({ type: 'decision', at: j.at(1000), key: 'backup[kns2]', visit: 1, decision: 'rerun', by: 'bob', note: 'checked the tarball' });
  j.step('backup[kns2]');
  j.inFlight('deploy[kns2]');
  j.add({ type: 'run_interrupted', at: j.at(1000), signal: 'SIGINT' });
  void loop;
  const report = buildReport(KNS, j.records, j.logs);
  const md = renderReport(report, 'md');

  it('is resumable, in words and with the command', () => {
    expect(report.outcome.words).toBe(`Interrupted: resumable with \`runbook resume ${RUN_ID}\``);
    expect(md).toContain(`- **Outcome:** Interrupted: resumable with \`runbook resume ${RUN_ID}\``);
    expect(renderReport(report, 'html')).toContain(`<dd>Interrupted: resumable with <code>runbook resume ${RUN_ID}</code></dd>`);
    expect(buildReport(KNS, j.records, j.logs, { running: true }).outcome.words).toBe('Running');
  });

  it('shows the interruptions, the resume, the decision and the step in flight', () => {
    expect(md).toContain('| Interrupted (SIGHUP) |');
    expect(md).toContain('| Resumed by bob on ops2.example.com (pid 777); the runbook file had changed: the run kept its own copy |');
    const backup = report.steps.filter((s) => s.key === 'backup[kns2]');
    expect(backup).toHaveLength(1);
    expect(backup[0]).toMatchObject({ status: 'succeeded', decisions: [{ by: 'bob', decision: 'rerun', note: 'checked the tarball' }] });
    expect(md).toMatch(/- rerun by bob, 2009-12-03 \d\d:\d\d:\d\d MST \(\d\d:\d\d:\d\d UTC\): checked the tarball/);
    expect(md).toContain('| `deploy[kns2]` Deploy new revision of KNS engine code | change | in flight (not finished) |');
    expect(md).toContain('**IN FLIGHT**');
  });
});

describe('report: a manual step confirmed by the operator', () => {
  it('records who confirmed it, when, and their note', () => {
    const net = shipped('network-migration');
    const j = new JournalBuilder('network-migration-20091210-110000-0001', 'network-migration', 'KNS network migration');
    j.step('move-cable', { kind: 'manual', ms: 150_000 });
    j.add({ type: 'decision', at: j.at(0), key: 'move-cable', visit: 1, decision: 'confirmed', by: 'carol', note: 'link light green on sw2 Gi0/1' });
    j.finish('aborted', 4, 'aborted without rollback: settle failed');
    const md = renderReport(buildReport(net, j.records, j.logs), 'md');
    expect(md).toContain('- **Outcome:** Aborted');
    expect(md).toContain('**1. move-cable: Move network cable to the new switch port** **MANUAL**');
    expect(md).toMatch(/- confirmed by carol, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d MST \(\d\d:\d\d:\d\d UTC\): link light green on sw2 Gi0\/1/);
  });
});

describe('report: hostile output stays text', () => {
  const j = new JournalBuilder();
  const hostile = 'ok\n```\n</code></pre><script>alert(1)</script>\n| a | b |\n[x](https://evil.example.com)\n\u001b[31mred\u001b[0m\u0007';
  j.step('announce', { kind: 'notify' });
  j.step('drain[kns1]', { status: 'failed', reason: 'exit code 1 <b>x</b> | y', log: hostile });
  j.add({ type: 'decision', at: j.at(0), key: 'drain[kns1]', visit: 1, decision: 'abort', by: '<script>eve</script>', note: '[x](https://evil.example.com) *bold*' });
  j.finish('aborted', 4, 'aborted without rollback: <img src=x>');
  const report = buildReport(KNS, j.records, j.logs);

  it('in Markdown: the output in a fence it cannot close, no tag or link outside it', () => {
    const { prose, fences } = splitFences(renderReport(report, 'md'));
    expect(fences).toEqual(['ok\n```\n</code></pre><script>alert(1)</script>\n| a | b |\n[x](https://evil.example.com)\nred']);
    const text = withoutCodeSpans(prose);
    expect(text.match(/<\/?[a-z!][^>]*>/gi)?.filter((t) => t !== '<br>') ?? []).toEqual([]);
    expect(text).not.toMatch(/(?<!\\)[[\]]/);
    expect(text).not.toMatch(/https?:\/\//);
    expect(prose).toContain('\\*bold\\*');
  });

  it('in HTML: only its own tags, the output escaped, terminal escapes gone', () => {
    const html = renderReport(report, 'html');
    const tags = htmlTags(html);
    expect(tags.filter((t) => !HTML_TAGS.has(t.name)).map((t) => t.name)).toEqual([]);
    expect(tags.flatMap((t) => t.attrs).filter((a) => !HTML_ATTRS.has(a))).toEqual([]);
    expect(html).toContain('&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  });
});

describe('report: steps on hosts', () => {
  const j = new JournalBuilder();
  j.step('announce', { kind: 'notify', detail: 'KNS deployment commencing' });
  const loop = j.begin('rolling');
  j.step('drain[kns1]', { host: 'lb1', detail: 'echo "disable server kns/kns1" | socat stdio /run/haproxy/admin.sock', log: 'done\n' });
  j.step('test[kns1]', { host: 'kns1', status: 'failed', exitCode: 22, reason: 'exit code 22', log: 'checking\ncurl: (22) The requested URL returned error: 500\n' });
  j.end('rolling', loop, 'failed', '1 of 3 items failed (max_failures 0)');
  j.finish('aborted', 4, 'the change failed');
  const md = renderReport(buildReport(KNS, j.records, j.logs), 'md');

  it('names the host of each step, in the table and the details', () => {
    expect(md).toContain('| \\# | Step | Host | Phase | Outcome | Attempts | Exit | Duration |');
    expect(md).toMatch(/\| 1 \| `announce` [^|]*\| local \|/);
    expect(md).toMatch(/\| 3 \| `drain\[kns1\]` [^|]*\| lb1 \|/);
    expect(md).toContain('**3. \\[lb1\\] drain\\[kns1\\]: Remove server from load balancer pool**');
  });

  it('names the first failure with its host and its last output line', () => {
    expect(md).toContain('- **First failure:** test\\[kns1\\] on kns1: exit code 22; its last output: curl: (22) The requested URL returned error: 500');
  });

  it('shows what ran, as the journal has it', () => {
    expect(md).toContain('Command, as run (secrets masked):\n\n```text\necho "disable server kns/kns1" | socat stdio /run/haproxy/admin.sock\n```');
    expect(md).toContain('Message:\n\n```text\nKNS deployment commencing\n```');
  });
});
