/** The change notice's window section: a table in the window's zone and in UTC, or TBD. Pure. */
import type { Window } from '../../model/types.js';
import { type Block, fields, type Rich, text } from './document.js';
import { clockOf, dateOf, dayNote, utc, type WindowView, zoned } from './window-times.js';
import { dur } from './words.js';

const OVERRUN: Readonly<Record<Window['onOverrun'], string>> = {
  rollback: 'no further change step starts; the rollback plan runs.',
  continue: 'the change continues.',
  ask: 'the operator decides: continue or roll back.',
};

export function windowBlocks(window: Window | undefined, view: WindowView | undefined): Block[] {
  if (!window || !view) return [text('No maintenance window is set: the runbook may run at any time.')];
  if (view.error) return [text(`The window is not valid: ${view.error}.`, 'alert')];
  const head = ['', `Local (${view.zone})`, 'UTC'];
  let rows: Rich[][];
  const t = view.times;
  if (t) {
    const u = { start: utc(t.start), end: utc(t.end) };
    rows = [
      ['Date', dateOf(t.start), dateOf(u.start)],
      ['Start', zoned(t.start), zoned(u.start)],
      ['End', `${zoned(t.end)}${dayNote(t.start, t.end)}`, `${zoned(u.end)}${dayNote(u.start, u.end)}`],
    ];
  } else {
    rows = [
      ['Date', 'TBD', 'TBD'],
      ['Start', view.timeOfDay?.start ?? 'TBD', 'TBD'],
      ['End', view.timeOfDay?.end ?? 'TBD', 'TBD'],
    ];
  }
  const duration = view.durationMs !== undefined ? dur(view.durationMs) : 'TBD';
  return [
    ...(t ? [] : [text('The date is TBD: the UTC times follow once it is set.', 'note')]),
    { kind: 'table', head, rows: [...rows, ['Duration', duration, duration]] },
    fields([
      ['Enforced', window.enforce ? ['Yes: ', { code: 'runbook exec' }, ' refuses to start outside the window.'] : 'No: the runbook may run outside the window.'],
      ['After the point of no return', OVERRUN[window.onOverrun]],
    ]),
  ];
}

/** One line for the summary: "2009-12-04 20:00 to 21:30 MST (03:00 to 04:30 UTC)". */
export function windowLine(view: WindowView | undefined): string {
  if (!view) return 'None';
  if (view.error) return `Invalid: ${view.error}`;
  const t = view.times;
  const duration = view.durationMs !== undefined ? `, ${dur(view.durationMs)}` : '';
  if (!t) {
    const tod = view.timeOfDay ? `, ${view.timeOfDay.start} to ${view.timeOfDay.end} ${view.zone}` : '';
    return `TBD${tod}${duration}`;
  }
  const u = { start: utc(t.start), end: utc(t.end) };
  const local = `${t.start.toFormat('yyyy-MM-dd HH:mm')} to ${clockOf(t.start, t.end)} ${t.start.toFormat('ZZZZ')}`;
  if (t.start.offset === 0 && t.start.toFormat('ZZZZ') === 'UTC') return `${local}${duration}`;
  return `${local} (${u.start.toFormat('yyyy-MM-dd HH:mm')} to ${clockOf(u.start, u.end)} UTC)${duration}`;
}
