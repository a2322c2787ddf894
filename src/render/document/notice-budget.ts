/**
 * The change notice's time budget: expected duration (the sum of the estimates), worst case,
 * rollback reserve, and the point of no return (window end minus the reserve), against the
 * window. Loops count once per batch of `serial` items. Pure.
 */

import type { Runbook } from '../../model/types.js';
import { expectedDurationMs, rollbackReserveMs, soakDurationMs, worstCaseDurationMs } from '../../plan/budget.js';
import { type Block, fields, text } from './document.js';
import { clockRange, dayNote, utc, type WindowView, zoned } from './window-times.js';
import { dur } from './words.js';

export interface Budget {
  readonly expectedMs: number;
  /** Of the expected duration: the top-level monitor steps (a soak), which may outlast the window. */
  readonly soakMs: number;
  readonly worstMs: number;
  readonly reserveMs: number;
}

export function computeBudget(runbook: Runbook, vars: Readonly<Record<string, unknown>>): Budget {
  return {
    expectedMs: expectedDurationMs(runbook, vars),
    soakMs: soakDurationMs(runbook),
    worstMs: worstCaseDurationMs(runbook, vars),
    reserveMs: rollbackReserveMs(runbook),
  };
}

function pointOfNoReturn(view: WindowView | undefined, reserveMs: number): string {
  if (!view || view.error) return 'None: there is no window.';
  const t = view.times;
  const what = 'the window end minus the rollback reserve: no change step starts after it';
  if (t) {
    const p = t.end.minus(reserveMs);
    const inUtc = zoned(p) === zoned(utc(p)) ? '' : ` (${zoned(utc(p))}${dayNote(utc(t.start), utc(p))})`;
    return `${zoned(p)}${dayNote(t.start, p)}${inUtc}, ${what}.`;
  }
  if (view.timeOfDay && view.durationMs !== undefined && view.windowStartTime !== undefined) {
    const at = clockRange(view.windowStartTime, Math.max(0, view.durationMs - reserveMs));
    if (at) return `${at.end} ${view.zone} on a date TBD, ${what}.`;
  }
  return `The window end minus ${dur(reserveMs)} (the date is TBD): ${what}.`;
}

export function budgetBlocks(runbook: Runbook, budget: Budget, view: WindowView | undefined): Block[] {
  const b = budget;
  const work = b.expectedMs - b.soakMs;
  const split = b.soakMs > 0 ? ` (${dur(work)} of work, then ${dur(b.soakMs)} of monitoring)` : '';
  const reserveFrom = runbook.window?.rollbackReserveMs !== undefined ? 'set by window.rollback_reserve' : "the rollback plan's estimates";
  const out: Block[] = [
    fields([
      ['Expected duration', `${dur(b.expectedMs)}${split}: the sum of the estimates of the change plan and the checklist`],
      ['Worst case', `${dur(b.worstMs)}: every step at its time limit, with every retry`],
      ['Rollback reserve', `${dur(b.reserveMs)} (${reserveFrom})`],
      ['Window', view?.durationMs !== undefined ? dur(view.durationMs) : view ? 'TBD' : 'None'],
      ['Point of no return', pointOfNoReturn(view, b.reserveMs)],
    ]),
  ];
  const windowMs = view && !view.error ? view.durationMs : undefined;
  if (windowMs === undefined) return out;
  if (work + b.reserveMs <= windowMs) {
    out.push(text(`The expected work (${dur(work)}) and the rollback reserve (${dur(b.reserveMs)}) fit the window (${dur(windowMs)}) with ${dur(windowMs - work - b.reserveMs)} to spare.`));
  } else if (work <= windowMs) {
    out.push(text(`The expected work (${dur(work)}) fits the window (${dur(windowMs)}) but ends after the point of no return: a rollback near the end would overrun the window.`, 'alert'));
  } else {
    out.push(text(`The expected work (${dur(work)}) does not fit the window (${dur(windowMs)}): it overruns by ${dur(work - windowMs)}.`, 'alert'));
  }
  if (b.soakMs > 0) out.push(text(`The monitoring (${dur(b.soakMs)}) goes on after the window closes; a failure then still starts the rollback.`));
  if (b.worstMs - b.soakMs > windowMs) out.push(text(`At worst the work takes ${dur(b.worstMs - b.soakMs)}, longer than the window.`, 'note'));
  return out;
}
