/**
 * Channels named by notify steps (`to:`) and by notify.events exist; a webhook URL is http(s),
 * with no user or password in it; a notify step with no channel at all is a warning.
 */
import { didYouMean } from '../../load/suggest.js';
import { hasTemplate } from '../../template/parse.js';
import type { Rule } from '../context.js';
import { placedSteps } from '../lists.js';

export const notifyChannels: Rule = {
  name: 'notify-channels',
  check(ctx) {
    const names = Object.keys(ctx.runbook.channels);
    const unknown = (name: string) => `unknown channel "${name}"${didYouMean(name, names)}${names.length ? ` (channels: ${names.join(', ')})` : ': notify.channels is empty'}`;
    for (const { step } of placedSteps(ctx.runbook)) {
      if (step.kind !== 'notify') continue;
      if (names.length === 0 && !step.to) ctx.warn([...step.path, 'notify'], `notify step "${step.id}" has no channel to send to: add notify.channels`);
      (step.to ?? []).forEach((name, i) => {
        if (!names.includes(name)) ctx.error([...step.path, 'to', i], unknown(name));
      });
    }
    for (const [event, list] of Object.entries(ctx.runbook.events)) {
      (list ?? []).forEach((name, i) => {
        if (!names.includes(name)) ctx.error(['notify', 'events', event, i], unknown(name));
      });
    }
    for (const [name, channel] of Object.entries(ctx.runbook.channels)) {
      if (channel.type !== 'webhook') continue;
      const url = parsed(channel.url);
      if (url && (url.username !== '' || url.password !== '')) {
        ctx.error(['notify', 'channels', name, 'url'], `channel "${name}": a user or password in the url is never sent: put it in a header (headers: { Authorization: ... })`);
      }
      if (hasTemplate(channel.url)) continue;
      if (!url || !['http:', 'https:'].includes(url.protocol)) ctx.error(['notify', 'channels', name, 'url'], `channel "${name}": url must be an http:// or https:// URL`);
    }
  },
};

function parsed(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
