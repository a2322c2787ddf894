/**
 * Settings that contradict each other or never take effect: reboots with idempotent, undo in
 * the rollback plan, a timeout shorter than the estimate, polls slower than their limit, env
 * names a shell cannot hold or that secrets use.
 */
import { formatDuration as fmt } from '../../model/duration.js';
import { SECRET_ENV_PREFIX } from '../../template/secret-env.js';
import type { Rule } from '../context.js';
import { placedSteps } from '../lists.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const stepFlags: Rule = {
  name: 'step-flags',
  check(ctx) {
    for (const { step, list } of placedSteps(ctx.runbook)) {
      const p = step.path;
      if (step.reboots && step.idempotent) {
        ctx.warn(
          [...p, 'reboots'],
          'reboots and idempotent together: on resume the step counts as done after a reboot, but runs again when the machine did not restart (the CLI was killed): make sure a second run is safe',
        );
      }
      if (step.undo && list.plan !== 'change' && list.plan !== 'checklist') {
        ctx.warn([...p, 'undo'], `undo in ${list.label} never runs: only steps of the change plan are undone`);
      }
      if (step.timeoutMs !== undefined && step.estimateMs !== undefined && step.timeoutMs < step.estimateMs) {
        const from = ctx.loaded.has([...p, 'timeout']) ? '' : ' (from defaults.timeout)';
        ctx.warn([...p, 'timeout'], `timeout ${fmt(step.timeoutMs)}${from} is shorter than the estimate ${fmt(step.estimateMs)}: the step would usually time out`);
      }
      for (const name of Object.keys(step.env)) {
        if (!ENV_NAME.test(name)) ctx.error([...p, 'env', name], `"${name}" is not an environment variable name: letters, digits and "_", not starting with a digit`, { key: true });
        else if (name.startsWith(SECRET_ENV_PREFIX))
          ctx.error([...p, 'env', name], `"${name}": names starting with ${SECRET_ENV_PREFIX} carry secrets to commands; choose another name`, { key: true });
      }
      if (step.kind === 'monitor' && step.monitor.everyMs > step.monitor.forMs) {
        ctx.warn([...p, 'monitor', 'every'], `the check runs every ${fmt(step.monitor.everyMs)} for only ${fmt(step.monitor.forMs)}: it runs once`);
      }
      if (step.kind === 'monitor' && step.monitor.everyMs === 0) ctx.error([...p, 'monitor', 'every'], 'monitor.every must be longer than 0s');
      if (step.kind === 'wait' && 'until' in step.wait) {
        if (step.wait.everyMs === 0) ctx.error([...p, 'wait', 'every'], 'wait.every must be longer than 0s');
        else if (step.wait.everyMs > step.wait.timeoutMs) ctx.warn([...p, 'wait', 'every'], `polls every ${fmt(step.wait.everyMs)} but gives up after ${fmt(step.wait.timeoutMs)}: it checks once`);
      }
    }
  },
};
