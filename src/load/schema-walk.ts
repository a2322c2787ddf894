/**
 * Just enough zod introspection to explain an issue: the schema at a path (choosing a union's
 * option by the value written), the keys an object allows, whether a schema is a duration.
 */
import * as z from 'zod';
import { STEP_KINDS, STEP_SCHEMAS, type StepKind } from '../model/schema.js';

type Def = { type: string; [k: string]: unknown };
const defOf = (s: z.core.$ZodType): Def => s._zod.def as unknown as Def;

/** Past optional, default, lazy, pipe (input side) and similar wrappers. */
export function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let s = schema;
  for (let i = 0; i < 50; i++) {
    const def = defOf(s);
    if (def.type === 'lazy') s = (def.getter as () => z.core.$ZodType)();
    else if (def.type === 'pipe') s = def.in as z.core.$ZodType;
    else if ('innerType' in def && def.type !== 'object') s = def.innerType as z.core.$ZodType;
    else return s;
  }
  return s;
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The kind keys a step has, in the order written. */
export const kindsOf = (value: Record<string, unknown>): StepKind[] => Object.keys(value).filter((k): k is StepKind => (STEP_KINDS as readonly string[]).includes(k));

export function unionOptions(schema: z.core.$ZodType): readonly z.core.$ZodType[] | undefined {
  const def = defOf(unwrap(schema));
  return def.type === 'union' ? (def.options as z.core.$ZodType[]) : undefined;
}

export const isStepUnion = (schema: z.core.$ZodType): boolean => unionOptions(schema)?.includes(STEP_SCHEMAS.run as unknown as z.core.$ZodType) ?? false;

/** The object keys a schema allows (empty when it is not an object). */
export function keysOf(schema: z.core.$ZodType | undefined): string[] {
  if (!schema) return [];
  const def = defOf(unwrap(schema));
  return def.type === 'object' ? Object.keys(def.shape as object) : [];
}

/** The option of a union that the value was meant for. */
export function chooseOption(schema: z.core.$ZodType, value: unknown): z.core.$ZodType | undefined {
  const options = unionOptions(schema);
  if (!options) return schema;
  if (isStepUnion(schema)) {
    const kind = isPlainObject(value) ? kindsOf(value)[0] : undefined;
    return kind ? (STEP_SCHEMAS[kind] as unknown as z.core.$ZodType) : undefined;
  }
  const scored = options.map((o) => ({ o, score: fit(o, value) }));
  scored.sort((a, b) => b.score - a.score);
  return scored[0] && scored[0].score > 0 ? scored[0].o : undefined;
}

/** How well a value fits an option: 0 when its type is wrong; objects by shared keys and literals. */
function fit(option: z.core.$ZodType, value: unknown): number {
  const def = defOf(unwrap(option));
  const kind = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  if (def.type === 'object') {
    if (kind !== 'object') return 0;
    const shape = def.shape as Record<string, z.core.$ZodType>;
    let score = 1;
    for (const [k, v] of Object.entries(value as object)) {
      const field = own(shape, k);
      if (!field) continue;
      score += 2;
      const fd = defOf(unwrap(field));
      if (fd.type === 'literal') score += (fd.values as unknown[]).includes(v) ? 10 : -10;
    }
    return Math.max(score, 1);
  }
  if (def.type === 'union') return Math.max(0, ...(def.options as z.core.$ZodType[]).map((o) => fit(o, value)));
  const types: Record<string, string[]> = { string: ['string'], number: ['number'], boolean: ['boolean'], array: ['array'], record: ['object'], literal: [kind], enum: ['string'], unknown: [kind] };
  return types[def.type]?.includes(kind) ? 1 : 0;
}

/** The schema at `path` below `schema`, following the value written; undefined if lost. */
export function schemaAt(schema: z.core.$ZodType, path: readonly PropertyKey[], value: unknown): z.core.$ZodType | undefined {
  let s: z.core.$ZodType | undefined = schema;
  let v = value;
  for (const segment of path) {
    if (!s) return undefined;
    s = chooseOption(unwrap(s), v);
    if (!s) return undefined;
    const def = defOf(unwrap(s));
    if (def.type === 'object') s = own(def.shape as Record<string, z.core.$ZodType>, String(segment));
    else if (def.type === 'array') s = def.element as z.core.$ZodType;
    else if (def.type === 'record') s = def.valueType as z.core.$ZodType;
    else return undefined;
    v = isPlainObject(v) || Array.isArray(v) ? own(v as Record<string, unknown>, String(segment)) : undefined;
  }
  return s;
}

/** `o[key]` only if `o` has it itself: a key written `valueOf` or `__proto__` is not a field. */
function own<T>(o: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

/** True for the runbook duration type (meta id "duration"). */
export function isDuration(schema: z.core.$ZodType | undefined): boolean {
  if (!schema) return false;
  for (let s: z.core.$ZodType = schema, i = 0; i < 10; i++) {
    if (z.globalRegistry.get(s)?.id === 'duration') return true;
    const next = unwrap(s);
    const def = defOf(s);
    const inner = next !== s ? next : 'innerType' in def ? (def.innerType as z.core.$ZodType) : undefined;
    if (!inner || inner === s) return false;
    s = inner;
  }
  return false;
}

/** The value at a path in plain data. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const segment of path) v = isPlainObject(v) || Array.isArray(v) ? own(v as Record<string, unknown>, String(segment)) : undefined;
  return v;
}
