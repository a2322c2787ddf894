/**
 * Email channels: the classic port mistakes (tls on 587, starttls on 465) are warnings; plain
 * SMTP (`security: none`) to a host other than loopback is refused unless `allow_insecure: true`
 * says it is meant; `password` names a declared secret.
 */
import { didYouMean } from '../../load/suggest.js';
import type { Rule } from '../context.js';

/** localhost, 127.0.0.0/8 and ::1: the only hosts where plain SMTP stays on this machine. */
export function isLoopback(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export const emailChannels: Rule = {
  name: 'email-channels',
  check(ctx) {
    const secrets = Object.keys(ctx.runbook.secrets);
    for (const [name, c] of Object.entries(ctx.runbook.channels)) {
      if (c.type !== 'email') continue;
      const at = (...keys: string[]) => ['notify', 'channels', name, 'smtp', ...keys];
      const { smtp } = c;
      if (smtp.security === 'tls' && smtp.port === 587) ctx.warn(at('security'), `channel "${name}": port 587 expects starttls (tls is for port 465)`);
      if (smtp.security === 'starttls' && smtp.port === 465) ctx.warn(at('security'), `channel "${name}": port 465 expects tls (starttls is for port 587)`);
      if (smtp.security === 'none' && !isLoopback(smtp.host) && !smtp.allowInsecure) {
        ctx.error(at('security'), `channel "${name}": security none sends the mail (and any password) in clear to ${smtp.host}: use starttls or tls, or set allow_insecure: true`);
      }
      if (smtp.password !== undefined && !secrets.includes(smtp.password)) {
        ctx.error(at('password'), `channel "${name}": password "${smtp.password}" is not a declared secret${didYouMean(smtp.password, secrets)} (password names an entry in secrets:)`);
      }
      if (smtp.password !== undefined && smtp.user === undefined) ctx.warn(at('password'), `channel "${name}": a password without a user is never used`);
    }
  },
};
