import { type PlanOptions, planCommand } from '../../app/plan.js';

export function main(file: string, opts: PlanOptions): Promise<number> {
  return planCommand(file, opts);
}
