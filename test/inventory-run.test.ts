/** A run keeps the hosts its inventory gave at the start: report and rollback work when the file is gone. */
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';

describe('a run of a runbook with an inventory', () => {
  it('reports and rolls back after the inventory file is removed', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'inv.yaml'), 'all:\n  children:\n    web:\n      hosts:\n        h1: { ansible_host: 127.0.0.9 }\n');
    writeFileSync(join(dir, 'rb.yaml'), 'version: 1\nid: invr\ntitle: t\ninventory: inv.yaml\nsteps:\n  - { id: a, run: "echo hi", undo: "echo undone" }\n');
    const exec = await runCli(['exec', 'rb.yaml', '--yes'], { cwd: dir });
    expect(exec.code, exec.stderr).toBe(0);
    rmSync(join(dir, 'inv.yaml'));
    const run = readdirSync(join(dir, '.runbook', 'runs'))[0]!;
    const report = await runCli(['report', run, '--format', 'json'], { cwd: dir });
    expect(report.code, report.stderr).toBe(0);
    expect(JSON.parse(report.stdout)).toMatchObject({ runId: run });
    const rollback = await runCli(['rollback', run], { cwd: dir });
    expect(rollback.stderr).not.toContain('cannot be read');
    expect(rollback.code, `${rollback.stdout}\n${rollback.stderr}`).toBe(1);
    expect(rollback.stdout).toContain('undone');
  });
});
