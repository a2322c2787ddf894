/**
 * Whether exec may start now: inside the window, before the point of no return (window end
 * minus the rollback reserve). Outside it, exec refuses (exit 5) and says when the window opens
 * or that it closed, unless --ignore-window; --wait-for-window waits for the start.
 */
import { DateTime } from 'luxon';
import { invalid, refused } from '../errors.js';
import { formatDuration } from '../model/duration.js';
import type { Runbook } from '../model/types.js';
import { resolveWindow } from '../model/window.js';
import { rollbackReserveMs } from '../plan/budget.js';

export interface Gate {
  /** Epoch ms: no change step starts after this. */
  readonly pointOfNoReturn?: number | undefined;
  readonly end?: number | undefined;
  readonly start?: number | undefined;
  /** With --wait-for-window: how long until the window opens. */
  readonly waitMs?: number | undefined;
  /** With --ignore-window on an enforced window: what it would have refused, in words (journaled). */
  readonly ignored?: string | undefined;
}

const show = (t: DateTime) => `${t.toFormat('yyyy-MM-dd HH:mm ZZZZ')} (${t.toUTC().toFormat("HH:mm 'UTC'")})`;

export function windowGate(runbook: Runbook, now: number, opts: { ignoreWindow?: boolean; waitForWindow?: boolean }): Gate {
  const w = runbook.window;
  if (!w) return {};
  const r = resolveWindow(w);
  if (!r.ok) throw invalid(`window: ${r.message}`);
  const ignored = w.enforce && opts.ignoreWindow;
  if (!r.times) {
    if (ignored) return { ignored: 'the window start is TBD' };
    if (w.enforce) throw refused('the window start is TBD: schedule the window in the runbook, or pass --ignore-window');
    return {};
  }
  const { start, end } = r.times;
  const pnr = end.toMillis() - rollbackReserveMs(runbook);
  if (!w.enforce) return { end: end.toMillis(), start: start.toMillis() };
  const refusal = (() => {
    if (now < start.toMillis()) {
      const wait = start.toMillis() - now;
      if (opts.waitForWindow && !ignored) return undefined;
      return { why: `outside the maintenance window: it opens ${show(start)}, in ${formatDuration(wait)}`, advice: 'pass --wait-for-window to wait, or --ignore-window' };
    }
    if (now >= end.toMillis()) return { why: `outside the maintenance window: it closed ${show(end)}`, advice: 'pass --ignore-window to run anyway' };
    if (now >= pnr) {
      const at = show(DateTime.fromMillis(pnr, { zone: start.zone }));
      return { why: `the point of no return (${at}) has passed: too little of the window is left for a rollback`, advice: 'pass --ignore-window to run anyway' };
    }
    return undefined;
  })();
  if (ignored) return { end: end.toMillis(), start: start.toMillis(), ignored: refusal?.why ?? 'inside the window; its point of no return was not enforced' };
  if (refusal) throw refused(`${refusal.why}; ${refusal.advice}`);
  const waitMs = now < start.toMillis() ? start.toMillis() - now : undefined;
  return { pointOfNoReturn: pnr, end: end.toMillis(), start: start.toMillis(), waitMs };
}
