/**
 * The argument list of one `ssh` run: always an array (never a local shell), the operator's own
 * client and config underneath, the spec's host key fields, and `--` before the destination.
 * ssh takes the first value it gets for an option, so ours come first where they must hold
 * (BatchMode, host keys, the control socket) and defaults the runbook may change come after its
 * options.
 */
import type { Host, SshSettings } from '../model/types.js';

/** How to reach one host (its `path` in the runbook does not matter here). */
export type SshHost = Pick<Host, 'name' | 'address' | 'user' | 'port'>;
export type SshConfig = SshSettings;

/** How long an idle master stays up (a run closes its masters at its end; this bounds a killed run's). */
export const CONTROL_PERSIST_S = 60;

export function sshArgs(host: SshHost, ssh: SshConfig, controlDir: string, remoteCommand: string): string[] {
  const args = ['-T', '-o', 'BatchMode=yes'];
  if (ssh.config) args.push('-F', ssh.config);
  args.push('-o', `StrictHostKeyChecking=${ssh.hostKeyChecking === 'strict' ? 'yes' : 'accept-new'}`);
  if (ssh.knownHosts) args.push('-o', `UserKnownHostsFile=${ssh.knownHosts}`);
  args.push('-o', `ConnectTimeout=${Math.max(1, Math.ceil(ssh.connectTimeoutMs / 1000))}`);
  args.push('-o', 'ControlMaster=auto', '-o', `ControlPath=${controlDir}/%C`, '-o', `ControlPersist=${CONTROL_PERSIST_S}`);
  for (const [key, value] of Object.entries(ssh.options)) args.push('-o', `${key}=${value}`);
  // A host that vanishes (no RST) is noticed within a minute instead of never.
  args.push('-o', 'ServerAliveInterval=15', '-o', 'ServerAliveCountMax=3', '-o', 'LogLevel=ERROR');
  if (host.port !== undefined) args.push('-p', String(host.port));
  if (host.user !== undefined) args.push('-l', host.user);
  args.push('--', host.address ?? host.name, remoteCommand);
  return args;
}

/** `ssh -O exit` for a host's master: the run's end. */
export function exitMasterArgs(host: SshHost, ssh: SshConfig, controlDir: string): string[] {
  const args = ['-o', 'BatchMode=yes'];
  if (ssh.config) args.push('-F', ssh.config);
  args.push('-o', `ControlPath=${controlDir}/%C`, '-O', 'exit');
  if (host.port !== undefined) args.push('-p', String(host.port));
  if (host.user !== undefined) args.push('-l', host.user);
  args.push('--', host.address ?? host.name);
  return args;
}
