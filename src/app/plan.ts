/** `runbook plan` and `exec --dry-run`: load, resolve vars, build the plan, print it. No side effects. */
import { dirname } from 'node:path';
import { invalid } from '../errors.js';
import { resolveVars } from '../load/vars.js';
import { buildPlan, type Plan } from '../plan/plan.js';
import { renderPlanText } from '../render/plan-text.js';
import { loadChecked } from './load-checked.js';
import { unavailableSecrets } from './secrets.js';

export interface PlanOptions {
  readonly var?: string[];
  readonly varsFile?: string;
  readonly at?: string;
  readonly fail?: string[];
  readonly format?: string;
}

export async function planCommand(file: string, opts: PlanOptions): Promise<number> {
  const { runbook, problems } = loadChecked(file);
  const vars = resolveVars(runbook, { var: opts.var ?? [], varsFile: opts.varsFile });
  const warnings = [...problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`), ...unavailableSecrets(runbook, dirname(file)).map((m) => `${m} (exec would refuse)`)];
  let plan: Plan;
  try {
    plan = await buildPlan({ runbook, vars, fail: opts.fail ?? [], at: opts.at, warnings });
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('--at')) throw invalid(err.message);
    throw err;
  }
  process.stdout.write(opts.format === 'json' ? `${JSON.stringify(plan, null, 2)}\n` : renderPlanText(plan));
  return 0;
}
