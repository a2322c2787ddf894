/** What one step does, in words, by kind: the body of a step in the change notice. Pure. */
import type { Step } from '../../model/types.js';
import { loopItems } from '../../plan/loop-items.js';
import { whenWords } from '../../template/condition.js';
import { type Block, code, text } from './document.js';
import { maskSecretRefs } from './sanitize.js';
import { dur, plural, serialWords } from './words.js';

export const shown = (template: string): string => maskSecretRefs(template);

export function kindTag(step: Step): string {
  switch (step.kind) {
    case 'run':
      return 'command';
    case 'manual':
      return 'manual';
    case 'wait':
      return 'wait';
    case 'monitor':
      return 'monitor';
    case 'notify':
      return 'notification';
    case 'for_each':
      return 'loop';
  }
}

/** The words for a loop's items: "For each of kns1, kns2, kns3, one at a time:". */
export function loopWords(step: Extract<Step, { kind: 'for_each' }>, vars: Readonly<Record<string, unknown>>, groups: Readonly<Record<string, readonly string[]>> = {}): string {
  const items = loopItems(step.items, vars, groups);
  const as = step.as === 'item' ? '' : ` (as ${step.as})`;
  const what = items ? `For each of ${items.join(', ')}${as}` : `For each item of ${shown(String(step.items))}${as}`;
  const failures = step.maxFailures > 0 ? ` Up to ${plural(step.maxFailures, 'item')} may fail before the loop stops.` : '';
  return `${what}, ${serialWords(step.serial, items?.length)}:${failures}`;
}

export function kindBlocks(step: Step, vars: Readonly<Record<string, unknown>>, groups: Readonly<Record<string, readonly string[]>> = {}): Block[] {
  switch (step.kind) {
    case 'run':
      return [code(shown(step.run))];
    case 'manual':
      return [
        text('Manual step: the operator does this, then confirms.'),
        text(shown(step.instruction), 'note'),
        text(`Confirmation asked: ${shown(step.confirm ?? 'Done?')}${step.timeoutMs !== undefined ? ` Without an answer within ${dur(step.timeoutMs)}, the step fails.` : ''}`),
      ];
    case 'wait': {
      const w = step.wait;
      if ('sleepMs' in w) return [text(`Wait ${dur(w.sleepMs)}.`)];
      return [text(`Wait until this check succeeds, checking every ${dur(w.everyMs)}, for at most ${dur(w.timeoutMs)}:`), code(shown(w.until))];
    }
    case 'monitor': {
      const m = step.monitor;
      return [text(`Monitor for ${dur(m.forMs)}, checking every ${dur(m.everyMs)}; the first failed check fails the step:`), code(shown(m.run))];
    }
    case 'notify':
      return [text(`Send to ${step.to ? step.to.join(', ') : 'every channel'}:`), text(shown(step.message), 'note')];
    case 'for_each':
      return [text(loopWords(step, vars, groups))];
  }
}

/** Conditions, retries, success conditions, reboots: only what differs from a plain step. */
export function extraWords(step: Step): string[] {
  const out: string[] = [];
  if (step.when !== undefined) out.push(`Only if ${whenWords(step.when)}; otherwise it is skipped.`);
  if (step.retries > 0) {
    const backoff = step.retryBackoff > 1 ? `, the delay multiplied by ${step.retryBackoff} each time` : '';
    out.push(`If it fails, it is retried up to ${plural(step.retries, 'time')}, ${dur(step.retryDelayMs)} apart${backoff}.`);
  }
  const codes = step.expect.exitCodes;
  if (step.kind === 'run' && (codes.length !== 1 || codes[0] !== 0 || step.expect.stdout !== undefined)) {
    const exit = `exits with ${codes.join(' or ')}`;
    const out2 = step.expect.stdout !== undefined ? ` and its output matches /${step.expect.stdout}/` : '';
    out.push(`It succeeds when it ${exit}${out2}.`);
  }
  if (step.reboots) out.push('This step restarts the machine running the runbook.');
  return out;
}
