/** `expect.stdout` is a regular expression that compiles. */
import type { Rule } from '../context.js';
import { placedSteps } from '../lists.js';

export const expectRegex: Rule = {
  name: 'expect-regex',
  check(ctx) {
    for (const { step } of placedSteps(ctx.runbook)) {
      const source = step.expect.stdout;
      if (source === undefined) continue;
      try {
        new RegExp(source);
      } catch (err) {
        const reason = err instanceof Error ? err.message.replace(/^Invalid regular expression: /, '') : String(err);
        ctx.error([...step.path, 'expect', 'stdout'], `expect.stdout is not a valid regular expression: ${reason}`);
      }
    }
  },
};
