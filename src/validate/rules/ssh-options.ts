/**
 * `ssh.options` become `-o Name=value` words of the ssh command line. Host keys are governed by
 * the spec's own fields (host_key_checking, known_hosts), and the transport sets what it relies
 * on (batch mode, the master connection), so those names are refused here; a name or value that
 * could split or merge words (whitespace, control characters, `=` in a name) is refused too.
 */
import { hasSpaceOrControl } from '../../model/hosts.js';
import type { Rule } from '../context.js';

/** Lower-cased option name -> what to use instead. */
const REFUSED: Readonly<Record<string, string>> = {
  stricthostkeychecking: 'use ssh.host_key_checking (strict or accept-new)',
  userknownhostsfile: 'use ssh.known_hosts',
  globalknownhostsfile: 'use ssh.known_hosts',
  batchmode: 'runbook always runs ssh in batch mode: it never waits for a password prompt',
  controlmaster: 'runbook keeps its own master connection per host',
  controlpath: 'runbook keeps its own master connection per host',
  controlpersist: 'runbook keeps its own master connection per host',
  connecttimeout: 'use ssh.connect_timeout',
};

const NAME = /^[A-Za-z][A-Za-z0-9]*$/;

export const sshOptions: Rule = {
  name: 'ssh-options',
  check(ctx) {
    for (const [name, value] of Object.entries(ctx.runbook.ssh.options)) {
      const path = ['ssh', 'options', name];
      const instead = REFUSED[name.toLowerCase()];
      if (instead) ctx.error(path, `ssh.options cannot set ${name}: ${instead}`, { key: true });
      else if (!NAME.test(name)) ctx.error(path, `ssh option name ${JSON.stringify(name)} is not an ssh_config keyword (letters and digits only)`, { key: true });
      if (value === '') ctx.error(path, `ssh option ${name} has an empty value`);
      else if (hasSpaceOrControl(value)) ctx.error(path, `ssh option ${name}: the value cannot hold whitespace or control characters; put it in an ssh config file (ssh.config)`);
    }
  },
};
