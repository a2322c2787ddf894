/**
 * Resume's question to a host: is the process group of a step that was in flight still running
 * there (same boot, a live member)? And stopping it. Against a real sshd; the group is made by
 * hand (setsid), as a program on the host that died with the CLI would leave it.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { findOrphans, settleOrphans } from '../src/app/orphans.js';
import { SshHosts } from '../src/executors/ssh-master.js';
import type { JournalRecord } from '../src/state/records.js';
import { summarize } from '../src/state/summary.js';
import { waitFor } from './helpers/cli.js';
import { describeWith } from './helpers/servers.js';
import { type Sshd, sshdMissing, startSshd, uniqueTag } from './helpers/sshd.js';

let sshd: Sshd;
let hosts: SshHosts;

function records(pgid: number, bootId: string): JournalRecord[] {
  const at = new Date().toISOString();
  return [
    { type: 'run_started', at, runId: 'r-1', runbookId: 'r', title: 'T', file: '/x.yaml', hash: 'h', host: 'here', user: 'u', pid: 1, vars: {} },
    { type: 'step_started', at, seq: 1, key: 'long', visit: 1, stepId: 'long', kind: 'run', phase: 'change', attempt: 1, host: 'web1' },
    { type: 'step_process', at, seq: 1, key: 'long', host: 'web1', remote: true, bootId, pgid },
  ];
}

describeWith(sshdMissing, 'a step left running on a host, found and stopped by resume', () => {
  beforeAll(async () => {
    sshd = await startSshd(1);
    hosts = new SshHosts({ web1: { name: 'web1' } }, { config: sshd.config, knownHosts: sshd.knownHosts, hostKeyChecking: 'strict', connectTimeoutMs: 10_000, options: {} });
  }, 60_000);
  afterAll(async () => {
    await hosts?.close();
    await sshd?.stop();
  });

  it('is found while its group lives, not in another boot, and --kill-orphans stops it', async () => {
    const pidFile = `/tmp/rb-orphan-${process.pid}`;
    const tag = uniqueTag();
    const started = await hosts.run('web1', ['bash', '-c', `setsid bash -c 'echo $$ > ${pidFile}; exec sleep 7${tag}' </dev/null >/dev/null 2>&1 & sleep 1`], false);
    expect(started.exit.code, started.exit.error).toBe(0);
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', 10_000);
    const pgid = Number(readFileSync(pidFile, 'utf8'));
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

    const recs = records(pgid, bootId);
    const summary = summarize(recs);
    expect((await findOrphans(recs, summary, hosts)).map((o) => o.p.pgid)).toEqual([pgid]);
    expect(await findOrphans(records(pgid, 'another-boot'), summary, hosts)).toEqual([]);
    await expect(settleOrphans(recs, summary, { interactive: false, remote: hosts }, () => {})).rejects.toThrow(/still running .* on web1/);

    const said: string[] = [];
    await settleOrphans(recs, summary, { interactive: false, killOrphans: true, remote: hosts }, (l) => said.push(l));
    expect(said.join('\n')).toMatch(/stopping it/);
    await waitFor(() => !existsSync(`/proc/${pgid}`) || readFileSync(`/proc/${pgid}/stat`, 'utf8').includes(') Z'), 10_000);
    expect(await findOrphans(recs, summary, hosts)).toEqual([]);
    rmSync(pidFile, { force: true });
  }, 60_000);
});
