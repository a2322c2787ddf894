/**
 * A step the Step schema (./schema.ts) certainly accepts as it is: a run, manual or notify step
 * written with plain fields. The loader checks such steps here rather than through zod, which
 * for a 10,000-step runbook is most of the schema check's time. Anything else (other kinds,
 * expect, a list of undo steps, a value of the wrong type) answers false and goes through zod,
 * which explains the problem. Stricter than the schema is fine; laxer never is:
 * test/model-simple-step.test.ts compares the two.
 */
import { parseDuration } from './duration.js';
import { STEP_ID_PATTERN } from './schema.js';

type Check = (v: unknown) => boolean;

const text: Check = (v) => typeof v === 'string';
const nonEmpty: Check = (v) => typeof v === 'string' && v.length > 0;
const bool: Check = (v) => typeof v === 'boolean';
const intIn = (min: number, max: number): Check => (v) => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;
const duration: Check = (v) => (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v) && v >= 0)) && parseDuration(v) !== undefined;

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/** `env`: names to strings, numbers or booleans. */
const env: Check = (v) => {
  if (!isPlain(v) || Object.hasOwn(v, '__proto__')) return false;
  for (const k of Object.keys(v)) {
    const x = v[k];
    if (!(typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x)))) return false;
  }
  return true;
};

/** The fields checked here, each with its test (the kind keys included). */
const FIELDS: Readonly<Record<string, Check>> = {
  id: (v) => typeof v === 'string' && STEP_ID_PATTERN.test(v),
  name: text,
  description: text,
  timeout: duration,
  retries: intIn(0, 100),
  retry_delay: duration,
  retry_backoff: (v) => typeof v === 'number' && Number.isFinite(v) && v >= 1 && v <= 10,
  estimate: duration,
  env,
  cwd: text,
  shell: nonEmpty,
  idempotent: bool,
  reboots: bool,
  verify: nonEmpty,
  undo: nonEmpty,
  on_success: text,
  on_failure: text,
  max_visits: intIn(1, 1000),
  run: nonEmpty,
  manual: nonEmpty,
  confirm: text,
  notify: nonEmpty,
};

/** True only when `Step` accepts `value` unchanged: see above. */
export function isSimpleStep(value: unknown): boolean {
  if (!isPlain(value) || typeof value.id !== 'string') return false;
  let kinds = 0;
  for (const key of Object.keys(value)) {
    const check = Object.hasOwn(FIELDS, key) ? FIELDS[key] : undefined;
    if (!check || !check(value[key])) return false;
    if (key === 'run' || key === 'manual' || key === 'notify') kinds++;
  }
  return kinds === 1 && (!Object.hasOwn(value, 'confirm') || Object.hasOwn(value, 'manual'));
}
