/**
 * The window is well formed (start, duration or end, a real zone, end after start), the
 * rollback reserve is shorter than the window, and the estimated change plan fits: an error if
 * it overruns the window, a warning if it leaves less than the rollback reserve.
 */
import { formatDuration } from '../../model/duration.js';
import { resolveWindow } from '../../model/window.js';
import { expectedChangeMs, reserveMs } from '../budget.js';
import type { Rule } from '../context.js';

export const windowRule: Rule = {
  name: 'window',
  check(ctx) {
    const w = ctx.runbook.window;
    if (!w) return;
    const result = resolveWindow(w);
    if (!result.ok) {
      ctx.error(result.field === 'duration' ? ['window'] : ['window', result.field], result.message);
      return;
    }
    if (w.timezone === undefined) ctx.warn(['window'], 'the window has no timezone: its times are read in the zone of the machine that runs it (add timezone: America/Denver or UTC+1)');
    const windowMs = w.durationMs ?? result.times?.durationMs;
    if (windowMs === undefined) return;
    const sizeKey = w.durationMs !== undefined ? 'duration' : 'end';
    const fmt = formatDuration;
    const reserve = reserveMs(ctx.runbook);
    const reservePath = w.rollbackReserveMs !== undefined ? ['window', 'rollback_reserve'] : ['rollback'];
    const reserveWhat = w.rollbackReserveMs !== undefined ? 'rollback_reserve' : "the rollback plan's estimated duration (the default rollback reserve)";
    if (reserve >= windowMs) {
      ctx.error(reservePath, `${reserveWhat} is ${fmt(reserve)}: it must be shorter than the ${fmt(windowMs)} window, or no change step could ever start`);
    }
    const expected = expectedChangeMs(ctx.runbook);
    if (expected > windowMs) {
      ctx.error(['window', sizeKey], `the change plan is estimated at ${fmt(expected)} (sum of estimates), longer than the ${fmt(windowMs)} window`);
    } else if (reserve < windowMs && expected + reserve > windowMs) {
      ctx.warn(
        ['window', sizeKey],
        `the change plan (${fmt(expected)} estimated) plus the rollback reserve (${fmt(reserve)}) is longer than the ${fmt(windowMs)} window: a late failure leaves too little time to roll back`,
      );
    }
  },
};
