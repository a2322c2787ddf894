/**
 * The maintenance window in real time (luxon): start and end as instants in the window's zone.
 * Pure apart from the machine's default zone, which the caller may pass in.
 */
import { DateTime, Duration, FixedOffsetZone, IANAZone, type Zone } from 'luxon';
import type { Window } from './types.js';

export interface WindowTimes {
  readonly start: DateTime;
  readonly end: DateTime;
  readonly durationMs: number;
  /** The zone's name as written (or the machine's). */
  readonly zoneName: string;
}

export type WindowResult = { readonly ok: true; readonly times: WindowTimes | undefined } | { readonly ok: false; readonly field: 'start' | 'end' | 'timezone' | 'duration'; readonly message: string };

/** `UTC+3`, `UTC-07:00`, `GMT+1` and IANA names (`America/Denver`, `MST`). */
export function toZone(name: string): Zone | undefined {
  const fixed = /^(?:UTC|GMT)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$/i.exec(name.trim());
  if (fixed) {
    const [, sign, h, m] = fixed;
    const minutes = Number(h) * 60 + Number(m ?? 0);
    if (minutes > 14 * 60) return undefined;
    return FixedOffsetZone.instance(sign === '-' ? -minutes : minutes);
  }
  if (/^(?:UTC|GMT|Z)$/i.test(name.trim())) return FixedOffsetZone.utcInstance;
  return IANAZone.isValidZone(name) ? IANAZone.create(name) : undefined;
}

/** Parse a local date-time in a zone; accepts `2009-12-04T20:00`, `2009-12-04 20:00`. */
export function parseLocal(text: string, zone: Zone): DateTime | undefined {
  const value = DateTime.fromISO(text.trim().replace(' ', 'T'), { zone });
  return value.isValid ? value : undefined;
}

/**
 * The window's start and end. `times` is undefined when the start is TBD.
 * `localZone` is the machine's zone (tests pin it).
 */
export function resolveWindow(window: Window, localZone?: string): WindowResult {
  const zoneName = window.timezone ?? localZone ?? DateTime.local().zoneName ?? 'UTC';
  const zone = toZone(zoneName);
  if (!zone) return { ok: false, field: 'timezone', message: `unknown time zone "${zoneName}": use an IANA name (America/Denver) or UTC+/-N` };
  if (window.durationMs === undefined && window.end === undefined) {
    return { ok: false, field: 'duration', message: 'the window needs a duration (1h30m) or an end' };
  }
  if (window.durationMs !== undefined && window.end !== undefined) {
    return { ok: false, field: 'end', message: 'give the window a duration or an end, not both' };
  }
  if (window.start === undefined) return { ok: true, times: undefined };
  const start = parseLocal(window.start, zone);
  if (!start) return { ok: false, field: 'start', message: `window start "${window.start}" is not a date and time (2009-12-04T20:00) or TBD` };
  let end: DateTime;
  if (window.end !== undefined) {
    const parsed = parseLocal(window.end, zone) ?? parseTimeOfDay(window.end, start);
    if (!parsed) return { ok: false, field: 'end', message: `window end "${window.end}" is not a date and time or a time of day` };
    end = parsed;
  } else {
    end = start.plus(Duration.fromMillis(window.durationMs ?? 0));
  }
  const durationMs = end.toMillis() - start.toMillis();
  if (durationMs <= 0) return { ok: false, field: 'end', message: 'the window ends before it starts' };
  return { ok: true, times: { start, end, durationMs, zoneName } };
}

/** `21:30` on the start's day (the next day if that is before the start). */
function parseTimeOfDay(text: string, start: DateTime): DateTime | undefined {
  const m = /^(\d{1,2}):?(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const end = start.set({ hour: Number(m[1]), minute: Number(m[2]), second: 0, millisecond: 0 });
  if (!end.isValid) return undefined;
  return end <= start ? end.plus({ days: 1 }) : end;
}

/** The window's duration, whether it was given as a duration or an end (undefined when unknowable). */
export function windowDurationMs(window: Window): number | undefined {
  if (window.durationMs !== undefined) return window.durationMs;
  const r = resolveWindow(window);
  return r.ok && r.times ? r.times.durationMs : undefined;
}
