/** The words the change notice and the change record share. Pure. */
import { formatDuration } from '../../model/duration.js';
import type { NotifyEvent } from '../../model/schema.js';

export const NOT_STATED = 'Not stated.';

/** `1h30m`, `48h`, `2h1m30s`: the one duration form (src/model/duration.ts). */
export const dur = formatDuration;

export function serialWords(serial: number, count: number | undefined): string {
  if (serial === 1) return 'one at a time';
  if (count !== undefined && serial >= count) return 'all at once';
  return `${serial} at a time`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** What happens on success, for a step in a list whose targets are numbered by `numberOf`. */
export function successWords(target: string, numberOf: (id: string) => string | undefined, inLoop: boolean): string {
  if (target === 'next') return 'continue with the next step';
  if (target === 'end') return inLoop ? 'this item is done' : 'the plan ends here';
  const n = numberOf(target);
  return n ? `continue to step ${n}` : `continue to step ${target}`;
}

export function failureWords(target: string, numberOf: (id: string) => string | undefined, escalate: string | undefined): string {
  switch (target) {
    case 'rollback':
      return 'go to the rollback plan';
    case 'abort':
      return 'stop without rolling back';
    case 'continue':
      return 'continue with the next step anyway';
    case 'ask':
      return 'the operator chooses: retry, skip, roll back or abort';
    case 'escalate':
      return escalate ? `stop and escalate: ${escalate.trim().replace(/\.$/, '')}` : 'stop and escalate';
    default: {
      const n = numberOf(target);
      return `go to step ${n ?? target}`;
    }
  }
}

export const sentence = (s: string): string => `${s.charAt(0).toUpperCase()}${s.slice(1)}${/[.!?]$/.test(s) ? '' : '.'}`;

export const EVENT_WORDS: Readonly<Record<NotifyEvent, string>> = {
  run_started: 'The run starts',
  run_finished: 'The run ends',
  run_interrupted: 'The run is interrupted',
  step_started: 'A step starts',
  step_succeeded: 'A step succeeds',
  step_failed: 'A step fails',
  manual_step: 'A manual step waits for the operator',
  rollback_started: 'The rollback starts',
  rollback_finished: 'The rollback completes',
  escalated: 'The rollback fails (escalation)',
  window_overrun: 'The point of no return passes',
};
