/** A `reboots` step that ran on a remote host counts done when that host's boot id changed (not this machine's). */
import { expect, it } from 'vitest';
import { Replay } from '../src/engine/replay.js';
import type { JournalRecord } from '../src/state/records.js';

const at = '2026-12-02T00:00:00.000Z';
const records: JournalRecord[] = [
  { type: 'run_started', at, runId: 'r-1', runbookId: 'r', title: 'T', file: '/x.yaml', hash: 'h', host: 'web1', bootId: 'here-1', user: 'u', pid: 1, vars: {} },
  { type: 'step_started', at, seq: 1, key: 'reboot', visit: 1, stepId: 'reboot', kind: 'run', phase: 'change', attempt: 1, host: 'web1' },
  { type: 'step_process', at, seq: 1, key: 'reboot', host: 'web1', remote: true, bootId: 'web1-1', pgid: 42 },
];

it("compares a remote step's boot id with its host's, never with this machine's", () => {
  // This machine happens to be called web1 too, and restarted: that says nothing about the host.
  const replay = new Replay(records, false, { host: 'web1', bootId: 'here-2' });
  expect(replay.remoteHostsOf([1])).toEqual(['web1']);
  expect(replay.restartedSince(1)).toBe(false);
  replay.setHostBoot('web1', 'web1-1');
  expect(replay.restartedSince(1)).toBe(false);
  replay.setHostBoot('web1', 'web1-2');
  expect(replay.restartedSince(1)).toBe(true);
});
