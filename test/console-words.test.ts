/** The console's words for a remote step (events carry `host` when a step runs over SSH) and for the cause of a failed run. */
import { describe, expect, it } from 'vitest';
import type { EngineEvent, StepRef } from '../src/engine/events.js';
import type { Step } from '../src/model/types.js';
import { CauseWatch } from '../src/render/console/cause.js';
import { ASCII } from '../src/render/console/symbols.js';
import { describe as words } from '../src/render/console/words.js';

const step = (id: string, kind = 'shell') => ({ id, kind }) as unknown as Step;
const ref = (key: string, s: Step, extra: Partial<StepRef> = {}): StepRef => ({ key, step: s, phase: 'change', index: 2, total: 4, ...extra });
/** A step event as the SSH executor sends it: with the host. */
const onHost = <T extends EngineEvent>(e: T, host: string) => ({ ...e, host }) as T;

describe('console words', () => {
  it('puts [host] before a remote step, and nothing for a local one', () => {
    const started = { type: 'step_started', ref: ref('migrate', step('migrate')), attempt: 1, detail: 'psql -f m.sql', onFailure: '' } as const;
    expect(words(onHost(started, 'db1'))).toBe('▶ [2/4] [db1] migrate: psql -f m.sql');
    expect(words(started)).toBe('▶ [2/4] migrate: psql -f m.sql');
    expect(words(onHost(started, 'local'))).toBe('▶ [2/4] migrate: psql -f m.sql');
  });

  it('the last line names the first failed step (not its loop), its host and its last output line', () => {
    const loop = ref('rolling', step('rolling', 'for_each'));
    const health = ref('health[web2]', step('health'), { loop, item: { label: 'web2', index: 2, count: 3 }, index: 3, total: 3 });
    const watch = new CauseWatch();
    const events: EngineEvent[] = [
      onHost({ type: 'step_output', ref: health, stream: 'stderr', lines: 'checking\nHTTP 500\n\n' }, 'web2'),
      onHost({ type: 'step_finished', ref: health, status: 'failed', attempts: 1, durationMs: 5, exitCode: 1, reason: 'exit code 1', replayed: false }, 'web2'),
      { type: 'step_finished', ref: loop, status: 'failed', attempts: 1, durationMs: 9, reason: '1 of 3 items failed (max_failures 0)', replayed: false },
    ];
    for (const e of events) watch.see(e);
    const finished: EngineEvent = {
      type: 'run_finished',
      outcome: 'rolled_back',
      exitCode: 1,
      message: 'the change failed (rolling failed: 1 of 3 items failed (max_failures 0)); the rollback completed',
    };
    expect(words(finished, undefined, watch.cause)).toBe('✗ rolled back (exit 1): [web2] health[web2] failed (exit code 1; last output: HTTP 500); the rollback completed');
    expect(words(finished, ASCII, watch.cause)).toBe('x rolled back (exit 1): [web2] health[web2] failed (exit code 1; last output: HTTP 500); the rollback completed');
    expect(words({ type: 'step_started', ref: health, attempt: 1, detail: undefined, onFailure: '' }, ASCII)).toBe('> [2/4] rolling > web2 (2 of 3) > [3/3] health[web2]');
  });
});
