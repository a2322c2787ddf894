/**
 * The window as the documents show it: date, start, end and duration in the window's own zone
 * and in UTC, "TBD" while the start is TBD, and the point of no return (window end minus the
 * rollback reserve). Times come from src/model/window.ts (luxon). Pure.
 */
import { DateTime } from 'luxon';
import type { Window } from '../../model/types.js';
import { resolveWindow, type WindowTimes } from '../../model/window.js';

export interface WindowView {
  readonly zone: string;
  /** Undefined while the start is TBD. */
  readonly times: WindowTimes | undefined;
  readonly durationMs: number | undefined;
  /** While TBD: the planned local time of day of the start and end (`04:00`, `04:20`). */
  readonly timeOfDay?: { readonly start: string; readonly end: string } | undefined;
  /** `window.start_time` as written. */
  readonly windowStartTime?: string | undefined;
  /** Why the window cannot be resolved. */
  readonly error?: string | undefined;
}

export function windowView(window: Window, localZone?: string): WindowView {
  const zone = window.timezone ?? localZone ?? DateTime.local().zoneName ?? 'UTC';
  const r = resolveWindow(window, zone);
  if (!r.ok) return { zone, times: undefined, durationMs: window.durationMs, error: r.message };
  const durationMs = r.times?.durationMs ?? window.durationMs;
  const timeOfDay = !r.times && window.startTime && durationMs !== undefined ? clockRange(window.startTime, durationMs) : undefined;
  return { zone, times: r.times, durationMs, timeOfDay, windowStartTime: window.startTime };
}

/** `04:00` + 20m -> { start: 04:00, end: 04:20 }; past midnight the end says so. */
export function clockRange(startTime: string, durationMs: number): { start: string; end: string } | undefined {
  const m = /^(\d{1,2}):?(\d{2})$/.exec(startTime.trim());
  if (!m) return undefined;
  const start = DateTime.fromObject({ year: 2000, month: 1, day: 1, hour: Number(m[1]), minute: Number(m[2]) }, { zone: 'UTC' });
  if (!start.isValid) return undefined;
  return { start: start.toFormat('HH:mm'), end: clockOf(start, start.plus(durationMs)) };
}

/** `HH:mm`, with "(next day)" when it falls after `from`'s day. */
export function clockOf(from: DateTime, t: DateTime): string {
  return `${t.toFormat('HH:mm')}${dayNote(from, t)}`;
}

/** " (next day)", " (+2 days)" or "": how many days `t` is after `from`. */
export function dayNote(from: DateTime, t: DateTime): string {
  const days = Math.round(t.startOf('day').diff(from.startOf('day'), 'days').days);
  return days === 1 ? ' (next day)' : days > 1 ? ` (+${days} days)` : days < 0 ? ` (${days} days)` : '';
}

export const dateOf = (t: DateTime): string => t.toFormat('yyyy-MM-dd (ccc)');
export const zoned = (t: DateTime): string => t.toFormat('HH:mm ZZZZ');
export const utc = (t: DateTime): DateTime => t.setZone('UTC');
export const stamp = (t: DateTime): string => `${t.toFormat('yyyy-MM-dd HH:mm ZZZZ')}`;
