/**
 * Semantic validation: the loader's problems plus every rule in ./rules, sorted by position.
 * Each rule is small and collects problems; none stops at the first.
 */
import type { Loaded } from '../load/load.js';
import { capProblems, type Problem, sortProblems } from '../load/problem.js';
import { contextFor, type Rule } from './context.js';
import { backwardJumps } from './rules/backward-jumps.js';
import { branchTargets } from './rules/branch-targets.js';
import { conditions } from './rules/conditions.js';
import { emailChannels } from './rules/email-channels.js';
import { expectRegex } from './rules/expect-regex.js';
import { failurePaths } from './rules/failure-paths.js';
import { forEach } from './rules/for-each.js';
import { hosts } from './rules/hosts.js';
import { nestedShells } from './rules/nested-shells.js';
import { notifyChannels } from './rules/notify-channels.js';
import { reachability } from './rules/reachability.js';
import { remoteInCommand } from './rules/remote-in-command.js';
import { reservedIds } from './rules/reserved-ids.js';
import { secretHeredoc } from './rules/secret-heredoc.js';
import { secretUsage } from './rules/secret-usage.js';
import { sshOptions } from './rules/ssh-options.js';
import { stepFlags } from './rules/step-flags.js';
import { stepHosts } from './rules/step-hosts.js';
import { templates } from './rules/templates.js';
import { uniqueIds } from './rules/unique-ids.js';
import { unused } from './rules/unused.js';
import { windowRule } from './rules/window.js';

export const RULES: readonly Rule[] = [
  uniqueIds,
  reservedIds,
  branchTargets,
  reachability,
  failurePaths,
  backwardJumps,
  templates,
  conditions,
  secretUsage,
  secretHeredoc,
  forEach,
  expectRegex,
  nestedShells,
  notifyChannels,
  emailChannels,
  windowRule,
  stepFlags,
  hosts,
  sshOptions,
  stepHosts,
  remoteInCommand,
  unused,
];

export function validate(loaded: Loaded): Problem[] {
  const runbook = loaded.runbook ?? loaded.recovered;
  if (!runbook) return capProblems(sortProblems(loaded.problems));
  const problems: Problem[] = [...loaded.problems];
  for (const rule of RULES) rule.check(contextFor(rule, runbook, loaded, problems));
  return capProblems(sortProblems(problems));
}
