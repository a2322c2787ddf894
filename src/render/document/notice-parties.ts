/** The change notice's people: contacts, who performs the change, and who is notified of what. Pure. */

import { allSteps } from '../../model/normalize.js';
import { NOTIFY_EVENTS } from '../../model/schema.js';
import type { Channel, Runbook, Step } from '../../model/types.js';
import { type Block, text } from './document.js';
import { type Numbers, stepRef } from './notice-numbers.js';
import type { Show } from './notice-values.js';
import { maskSecretRefs } from './sanitize.js';
import { EVENT_WORDS, NOT_STATED } from './words.js';

export function contactBlocks(runbook: Runbook): Block[] {
  const c = runbook.contacts;
  if (c.length === 0) return [text(NOT_STATED)];
  const notes = c.some((x) => x.notes);
  const head = ['Name', 'Role', 'Phone', 'Email', ...(notes ? ['Notes'] : [])];
  const rows = c.map((x) => [x.name, x.role ?? '', x.phone ?? '', x.email ?? '', ...(notes ? [x.notes ?? ''] : [])]);
  return [{ kind: 'table', head, rows }];
}

export function performedByBlocks(runbook: Runbook): Block[] {
  return runbook.performedBy.length ? [{ kind: 'list', items: runbook.performedBy.map(maskSecretRefs) }] : [text(NOT_STATED)];
}

/** Where a channel sends: a webhook's host only (its path and headers may hold a token), or a file. */
function destination(c: Channel): string {
  if (c.type === 'file') return `file ${c.path}`;
  if (c.type === 'email') return `email to ${[...c.to, ...c.cc].map(maskSecretRefs).join(', ')}`;
  let host = 'an invalid URL';
  try {
    host = new URL(maskSecretRefs(c.url)).host;
  } catch {
    /* shown as invalid */
  }
  return `webhook (${c.format}) to ${host}`;
}

export function notificationBlocks(runbook: Runbook, numbers: Numbers, show: Show): Block[] {
  const out: Block[] = [text(`Customer notification: ${runbook.customerNotification?.trim() ?? NOT_STATED}`)];
  const channels = Object.entries(runbook.channels);
  if (channels.length === 0) {
    out.push(text('No notification channels are set: nobody is notified by the runbook.'));
    return out;
  }
  out.push({ kind: 'table', head: ['Channel', 'Sends to'], rows: channels.map(([name, c]) => [name, destination(c)]) });
  const events = NOTIFY_EVENTS.filter((e) => (runbook.events[e] ?? []).length > 0);
  if (events.length) {
    out.push(text('Automatic notifications:'));
    out.push({ kind: 'table', head: ['When', 'Sent to'], rows: events.map((e) => [EVENT_WORDS[e], (runbook.events[e] ?? []).join(', ')]) });
  }
  const notifySteps = [...allSteps(runbook)].filter((s): s is Extract<Step, { kind: 'notify' }> => s.kind === 'notify');
  if (notifySteps.length) {
    out.push(text('Notification steps:'));
    out.push({
      kind: 'table',
      head: ['Step', 'Sent to', 'Message'],
      rows: notifySteps.map((s) => [`${stepRef(numbers.get(s))}: ${show.text(s.name ?? s.id)}`, s.to ? s.to.join(', ') : 'every channel', show.text(s.message)]),
    });
  }
  return out;
}
