/** A step id cannot be a branch word (next, end, rollback, ...): targets would be ambiguous. */
import { RESERVED_TARGETS } from '../../model/schema.js';
import type { Rule } from '../context.js';
import { placedSteps } from '../lists.js';

const RESERVED: ReadonlySet<string> = new Set(RESERVED_TARGETS);

export const reservedIds: Rule = {
  name: 'reserved-ids',
  check(ctx) {
    for (const { step } of placedSteps(ctx.runbook)) {
      if (RESERVED.has(step.id)) {
        ctx.error([...step.path, 'id'], `"${step.id}" is a branch target word and cannot be a step id (reserved: ${RESERVED_TARGETS.join(', ')})`);
      }
    }
  },
};
