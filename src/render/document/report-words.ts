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

/** "3m after the window opened", "10m before the window closed". */
export function against(iso: string | undefined, edge: string | undefined, opened: boolean): string | undefined {
  if (!iso || !edge) return undefined;
  const d = Date.parse(iso) - Date.parse(edge);
  if (Number.isNaN(d)) return undefined;
  const what = opened ? 'the window opened' : 'the window closed';
  if (Math.abs(d) < 1000) return `as ${what}`;
  return `${dur(Math.abs(d))} ${d > 0 ? 'after' : 'before'} ${what}`;
}

export function durationBetween(from: string | undefined, to: string | undefined): string | undefined {
  if (!from || !to) return undefined;
  const d = Date.parse(to) - Date.parse(from);
  return Number.isNaN(d) || d < 0 ? undefined : dur(d);
}
