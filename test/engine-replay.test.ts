/**
 * The engine's resume contract, in process: cut a run's journal after every record, replay it,
 * and check that no finished step runs again, nothing is lost, and the outcome is the same.
 * (The CLI-level kill tests are in resume.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Engine } from '../src/engine/engine.js';
import type { ExecRequest, ExecResult, Operator, StepExecutor } from '../src/engine/ports.js';
import { Replay } from '../src/engine/replay.js';
import type { StepValues, Values } from '../src/engine/scope.js';
import { normalizeRunbook } from '../src/model/normalize.js';
import { RunbookSchema } from '../src/model/schema.js';
import type { Runbook } from '../src/model/types.js';
import { VirtualClock } from '../src/plan/virtual-clock.js';
import type { JournalRecord } from '../src/state/records.js';

function runbookOf(yaml: string): Runbook {
  return normalizeRunbook(RunbookSchema.parse(parse(`version: 1\nid: t\ntitle: T\n${yaml}`)));
}

/** Executes nothing: records what ran, fails the keys it is told to. */
class ScriptedExecutor implements StepExecutor {
  readonly ran: string[] = [];
  constructor(private readonly failing: ReadonlySet<string>) {}
  async execute(req: ExecRequest): Promise<ExecResult> {
    this.ran.push(req.ref.key);
    if (req.action.kind === 'shell' && req.action.command.includes('RUNBOOK_OUTPUT')) return { status: 'succeeded', outputs: { v: '42' } };
    return this.failing.has(req.ref.key) ? { status: 'failed', exitCode: 1, reason: 'scripted' } : { status: 'succeeded', exitCode: 0 };
  }
}

const operator: Operator = {
  user: 'test',
  chooseOnFailure: async () => 'rollback',
  chooseInFlight: async () => 'rerun',
  chooseOnOverrun: async () => 'rollback',
};

async function run(runbook: Runbook, failing: Set<string>, records: JournalRecord[], replay?: Replay) {
  const executor = new ScriptedExecutor(failing);
  const values: Values & { steps: Map<string, StepValues> } = {
    vars: runbook.vars,
    secrets: {},
    steps: new Map(),
    run: { id: 'r', started: '' },
    window: {},
    env: {},
    dry: false,
  };
  const engine = new Engine({
    runbook,
    values,
    executor,
    operator,
    clock: new VirtualClock(0),
    emit: () => {},
    journal: { append: async (r) => void records.push(r) },
    signal: new AbortController().signal,
    replay,
  });
  const result = await engine.run();
  return { result, ran: executor.ran };
}

const ROLLING = runbookOf(`
vars: { hosts: [a, b, c] }
steps:
  - { id: backup, run: "echo v=1 >> $RUNBOOK_OUTPUT", undo: restore-backup, idempotent: true }
  - id: rolling
    for_each: \${{ vars.hosts }}
    steps:
      - { id: deploy, run: "deploy \${{ item }}", undo: "undeploy \${{ item }}", idempotent: true }
      - { id: test, run: "test \${{ item }}", on_failure: rollback, idempotent: true }
  - { id: use, run: "echo \${{ steps.backup.outputs.v }}", idempotent: true }
rollback:
  steps:
    - { id: notify-rb, run: "echo rolled back", idempotent: true }
`);

describe('engine replay', () => {
  for (const [name, failing, exit] of [
    ['success', new Set<string>(), 0],
    ['a failure mid-loop', new Set(['test[b]']), 1],
    ['a failing rollback', new Set(['test[c]', 'notify-rb']), 3],
  ] as const) {
    it(`resumes from every cut of the journal: ${name}`, async () => {
      const full: JournalRecord[] = [];
      const reference = await run(ROLLING, failing, full);
      expect(reference.result.exitCode).toBe(exit);
      for (let cut = 1; cut < full.length; cut++) {
        const prefix = full.slice(0, cut);
        const records = [...prefix];
        const resumed = await run(ROLLING, failing, records, new Replay(prefix));
        const finishedBefore = prefix.filter((r) => r.type === 'step_finished').map((r) => (r as { key: string }).key);
        // No finished step runs again.
        for (const key of resumed.ran) expect(finishedBefore, `cut ${cut}: ${key} ran again`).not.toContain(key);
        // Nothing is lost: before + after = the uninterrupted run, in order.
        const done = records.filter((r) => r.type === 'step_finished').map((r) => (r as { key: string }).key);
        const expected = full.filter((r) => r.type === 'step_finished').map((r) => (r as { key: string }).key);
        expect(done, `cut ${cut}`).toEqual(expected);
        expect(resumed.result.exitCode, `cut ${cut}`).toBe(exit);
      }
    });
  }

  it('undoes completed steps newest first, loop items included', async () => {
    const records: JournalRecord[] = [];
    const { ran } = await run(ROLLING, new Set(['test[b]']), records);
    expect(ran.filter((k) => k.endsWith(':undo'))).toEqual(['deploy[b]:undo', 'deploy[a]:undo', 'backup:undo']);
  });
});
