/**
 * The disk under the state fills while a notification is out: recording its answer fails, and
 * that stops the run as interrupted in one line, as any other record would (the running step is
 * stopped, not waited out); a resume, once there is space, sends the unanswered notification
 * again under the same Message-ID.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, waitFor } from './helpers/cli.js';
import { writeRunbook } from './helpers/runbooks.js';

const isRoot = process.getuid?.() === 0;
const mounted: string[] = [];
afterAll(() => {
  for (const dir of mounted) spawnSync('umount', [dir]);
});

describe('a full disk while a notification is out', () => {
  it.skipIf(!isRoot)(
    'stops the run as interrupted in one line; resume resends it with the same Message-ID (needs root to mount a tmpfs)',
    async () => {
      const dir = tempDir();
      const disk = join(dir, 'small');
      mkdirSync(disk);
      const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', disk], { encoding: 'utf8' });
      if (m.status !== 0) throw new Error(`cannot mount a tmpfs: ${m.stderr.trim()}`);
      mounted.push(disk);
      const ids: string[] = [];
      // Answers only once the step has filled the disk: the notify_sent record, which lists the
      // 300 recipients accepted (more than a page), is the first record to find it full.
      const server = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        logger: false,
        onData(stream, _session, cb) {
          let raw = '';
          stream.setEncoding('utf8');
          stream.on('data', (d: string) => (raw += d));
          stream.on('end', () => {
            ids.push(/^Message-ID: (.*)$/im.exec(raw)?.[1]?.trim() ?? '');
            void waitFor(() => existsSync(join(dir, 'filled')), 20_000).then(() => cb());
          });
        },
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      try {
        const port = (server.server.address() as AddressInfo).port;
        const to = Array.from({ length: 300 }, (_, i) => `recipient-${i}@example.com`).join(', ');
        const state = join(disk, 'state');
        const file = writeRunbook(
          dir,
          `
notify:
  channels:
    mail:
      type: email
      to: [${to}]
      from: runbook@example.com
      smtp: { host: 127.0.0.1, port: ${port}, security: none }
      attach: none
  events: { run_started: [mail] }
steps:
  - { id: fill, run: 'head -c 2000000 /dev/zero > ${disk}/fill 2>/dev/null || true; touch ${dir}/filled; sleep 60' }
  - { id: after, run: echo after }
`,
        );
        const started = Date.now();
        const r = await runCli(['exec', file, '--state-dir', state], { cwd: dir, timeoutMs: 50_000 });
        expect(r.code, r.stderr).toBe(130);
        expect(Date.now() - started).toBeLessThan(40_000); // the step was stopped, not waited out
        expect(`${r.stdout}${r.stderr}`).toMatch(/runbook: the state in \S+: the disk under it is full \(ENOSPC/);
        expect(r.stderr).not.toMatch(/\n\s+at /);
        rmSync(join(disk, 'fill'));
        const resumed = await runCli(['resume', '--state-dir', state, '--skip-in-flight'], { cwd: dir, timeoutMs: 30_000 });
        expect(resumed.code, resumed.stderr).toBe(0);
        expect(ids).toHaveLength(2);
        expect(ids[1]).toBe(ids[0]);
      } finally {
        await new Promise<void>((r) => server.close(() => r()));
      }
    },
    120_000,
  );
});
