/**
 * The runbook's `hosts:` and `groups:`: names, addresses and users that can only reach ssh as
 * what they are (never as an option), `local` reserved, and groups made of declared hosts.
 * The inventory's hosts are checked as it is read (src/load/inventory.ts), in its own file.
 */
import { didYouMean } from '../../load/suggest.js';
import { groupNameProblem, hostNameProblem, hostWordProblem } from '../../model/hosts.js';
import type { Rule } from '../context.js';

export const hosts: Rule = {
  name: 'hosts',
  check(ctx) {
    const { runbook, loaded } = ctx;
    // Only the runbook's own hosts: the inventory's were checked where they are written.
    for (const [name, host] of Object.entries(runbook.hosts)) {
      if (host.path[0] !== 'hosts') continue;
      const bad = hostNameProblem(name);
      if (bad) ctx.error(['hosts', name], bad, { key: true });
      for (const field of ['address', 'user'] as const) {
        const value = host[field];
        if (value === undefined || !loaded.has(['hosts', name, field])) continue;
        const problem = hostWordProblem(value, field);
        if (problem) ctx.error(['hosts', name, field], problem);
      }
    }
    for (const [group, members] of Object.entries(runbook.groups)) {
      // Written in the runbook (inventory groups were checked with the inventory).
      if (!loaded.has(['groups', group])) continue;
      const bad = groupNameProblem(group);
      if (bad) ctx.error(['groups', group], bad, { key: true });
      if (members.length === 0) ctx.warn(['groups', group], `group "${group}" has no hosts: a loop over it runs nothing`);
      members.forEach((member, i) => {
        if (!Object.hasOwn(runbook.hosts, member)) {
          ctx.error(['groups', group, i], `group "${group}": "${member}" is not a declared host (hosts: or the inventory)${didYouMean(member, Object.keys(runbook.hosts))}`);
        }
      });
    }
  },
};
