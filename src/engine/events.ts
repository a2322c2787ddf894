/**
 * What the engine reports as it walks a runbook. Renderers (console, plain, JSON lines, plan)
 * and the notifier consume these; the engine itself prints nothing.
 */
import type { Step } from '../model/types.js';
import type { Phase, RunOutcome, StepStatus } from '../state/records.js';

export interface StepRef {
  readonly key: string;
  readonly step: Step;
  readonly phase: Phase;
  /**
   * 1-based position in its list, for "step 3/9": among the top-level steps of the phase, the
   * steps of a loop's body, or the whole rollback (its undos, then its steps, one count).
   */
  readonly index: number;
  readonly total: number;
  /** For a step of a loop's body: the item it runs for ("web2", 2 of 3). */
  readonly item?: ItemPlace | undefined;
  /** For undo commands: the key of the step being undone. */
  readonly undoOf?: string | undefined;
  /** For a step of a loop's body: the loop. A failure that ends the item is the loop's to decide. */
  readonly loop?: StepRef | undefined;
}

export interface ItemPlace {
  readonly label: string;
  /** 1-based position among the loop's items. */
  readonly index: number;
  readonly count: number;
}

export type EngineEvent =
  | { readonly type: 'run_started'; readonly runId: string; readonly resumed: boolean }
  | {
      readonly type: 'step_started';
      readonly ref: StepRef;
      readonly attempt: number;
      /** Resolved command (secrets masked) or instruction. */
      readonly detail: string | undefined;
      /** In words: what happens if this step fails (plans; empty in real runs). */
      readonly onFailure: string;
      /** Its `when:` in words, when a dry run could not decide it ("runs if ..."), or why it is skipped. */
      readonly condition?: string | undefined;
      /** The host it runs on (absent: this machine). */
      readonly host?: string | undefined;
    }
  /** One or more whole lines of a step's output (masked), joined by newlines. */
  | { readonly type: 'step_output'; readonly ref: StepRef; readonly stream: 'stdout' | 'stderr'; readonly lines: string; readonly host?: string | undefined }
  | {
      readonly type: 'step_finished';
      readonly ref: StepRef;
      readonly status: StepStatus;
      readonly attempts: number;
      readonly durationMs: number;
      readonly exitCode?: number | undefined;
      readonly reason?: string | undefined;
      /** True when the result came from the journal (resume). */
      readonly replayed: boolean;
      readonly host?: string | undefined;
    }
  | { readonly type: 'step_retry'; readonly ref: StepRef; readonly attempt: number; readonly delayMs: number; readonly reason: string }
  | { readonly type: 'branch'; readonly ref: StepRef; readonly to: string }
  | { readonly type: 'loop_items'; readonly ref: StepRef; readonly items: readonly string[] }
  | { readonly type: 'decision'; readonly key: string; readonly decision: string; readonly by: string; readonly note?: string | undefined }
  | { readonly type: 'rollback_started'; readonly reason: string }
  | { readonly type: 'escalated'; readonly reason: string; readonly escalate: string | undefined }
  | { readonly type: 'warning'; readonly message: string }
  /** The point of no return passed while this step runs (it goes on; on_overrun applies when it ends). */
  | { readonly type: 'window_warning'; readonly ref: StepRef; readonly message: string }
  | { readonly type: 'run_interrupted'; readonly signal: string }
  | { readonly type: 'run_finished'; readonly outcome: RunOutcome; readonly exitCode: number; readonly message: string };

export type EventSink = (event: EngineEvent) => void;
