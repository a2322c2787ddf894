/** The change record's words: outcomes, branches, times against the window. Pure. */
import { DateTime } from 'luxon';
import { toZone } from '../../model/window.js';
import type { ReportState } from './report-model.js';
import { dur } from './words.js';

export function outcomeWords(state: ReportState, runId: string): string {
  switch (state) {
    case 'succeeded':
      return 'Succeeded';
    case 'rolled_back':
      return 'Failed; rolled back';
    case 'escalated':
      return 'Rollback failed: escalated';
    case 'aborted':
      return 'Aborted';
    case 'interrupted':
      return `Interrupted: resumable with \`runbook resume ${runId}\``;
    case 'running':
      return 'Running';
  }
}

export function branchWords(to: string): string {
  switch (to) {
    case 'rollback':
      return 'went to the rollback plan';
    case 'abort':
      return 'stopped the run without rolling back';
    case 'escalate':
      return 'escalated';
    case 'end':
      return 'ended the plan';
    default:
      return `went to step ${to}`;
  }
}

/** "2009-12-03 14:01:05 MST (21:01:05 UTC)"; just UTC without a zone. */
export function when(iso: string | undefined, zone: string | undefined): string {
  if (!iso) return '';
  const t = DateTime.fromISO(iso, { zone: 'UTC' });
  if (!t.isValid) return iso;
  const z = zone ? toZone(zone) : undefined;
  if (!z || z.name === 'UTC') return `${t.toFormat('yyyy-MM-dd HH:mm:ss')} UTC`;
  const local = t.setZone(z);
  return `${local.toFormat('yyyy-MM-dd HH:mm:ss ZZZZ')} (${t.toFormat('HH:mm:ss')} UTC)`;
}

/** The time of day, "14:01:05 MST", for times on the run's own day (the summary has the date). */
export function clock(iso: string, zone: string | undefined): string {
  const t = DateTime.fromISO(iso, { zone: 'UTC' });
  if (!t.isValid) return iso;
  const z = zone ? toZone(zone) : undefined;
  return (z ? t.setZone(z) : t).toFormat('HH:mm:ss ZZZZ');
}

/**
 * A time against the window: "30s after the window opened" (a start), "10m before the window
 * closed" (an end); outside the window, against the edge it is outside of.
 */
export function against(iso: string | undefined, window: { readonly start?: string | undefined; readonly end?: string | undefined } | undefined, edge: 'start' | 'end'): string | undefined {
  const t = iso ? Date.parse(iso) : Number.NaN;
  const start = window?.start ? Date.parse(window.start) : Number.NaN;
  const end = window?.end ? Date.parse(window.end) : Number.NaN;
  if (Number.isNaN(t) || Number.isNaN(start) || Number.isNaN(end)) return undefined;
  const [from, what] = t < start || (edge === 'start' && t <= end) ? [start, 'the window opened'] : [end, 'the window closed'];
  const d = t - from;
  if (Math.abs(d) < 1000) return `as ${what}`;
  return `${dur(Math.abs(d))} ${d > 0 ? 'after' : 'before'} ${what}`;
}

export function durationBetween(from: string | undefined, to: string | undefined): string | undefined {
  if (!from || !to) return undefined;
  const d = Date.parse(to) - Date.parse(from);
  return Number.isNaN(d) || d < 0 ? undefined : dur(d);
}
