/**
 * Every string a template may appear in, with its path and what it is: a command (values are
 * shell-quoted, secrets allowed), env (secrets allowed), channel config (secrets allowed: a
 * webhook's token), a path (cwd: not quoted, and shown in logs and ps: no secrets), text (shown
 * to people: no secrets), or document text (the change notice).
 */
import type { Path, Runbook, Step } from '../model/types.js';
import { type Placed, placedSteps } from './lists.js';

export type FieldClass = 'command' | 'env' | 'config' | 'path' | 'text' | 'document' | 'items';

export interface Field {
  readonly path: Path;
  readonly value: string;
  readonly cls: FieldClass;
  /** `run`, `notify message`, `env.TOKEN`: for messages. */
  readonly what: string;
  /** The step it belongs to, if any (with its list: the loop variables in scope). */
  readonly placed?: Placed;
}

export const SECRET_CLASSES: ReadonlySet<FieldClass> = new Set(['command', 'env', 'config']);

export function stepFields(placed: Placed): Field[] {
  const s: Step = placed.step;
  const p = s.path;
  const out: Field[] = [];
  // A field's path is only built when the field is there (most are not).
  const add = (path: Path, value: string, cls: FieldClass, what: string) => {
    out.push({ path, value, cls, what, placed });
  };
  if (s.name !== undefined) add([...p, 'name'], s.name, 'text', 'name');
  if (s.description !== undefined) add([...p, 'description'], s.description, 'text', 'description');
  if (s.cwd !== undefined) add([...p, 'cwd'], s.cwd, 'path', 'cwd');
  if (s.verify !== undefined) add([...p, 'verify'], s.verify, 'command', 'verify');
  if (s.expect.stdout !== undefined) add([...p, 'expect', 'stdout'], s.expect.stdout, 'text', 'expect.stdout');
  for (const [k, v] of Object.entries(s.env)) add([...p, 'env', k], v, 'env', `env.${k}`);
  // A loop's on: and undo are per item: its own loop variable is in scope there.
  const perItem = s.kind === 'for_each' ? { ...placed, list: { ...placed.list, loopVars: [...placed.list.loopVars, s.as] } } : placed;
  if (s.undo?.kind === 'command') out.push({ path: s.undo.path, value: s.undo.run, cls: 'command', what: 'undo', placed: perItem });
  if (s.on !== undefined) out.push({ path: [...p, 'on'], value: s.on, cls: 'text', what: 'on', placed: perItem });
  switch (s.kind) {
    case 'run':
      add([...p, 'run'], s.run, 'command', 'run');
      break;
    case 'manual':
      add([...p, 'manual'], s.instruction, 'text', 'manual instruction');
      if (s.confirm !== undefined) add([...p, 'confirm'], s.confirm, 'text', 'confirm question');
      break;
    case 'wait':
      if ('until' in s.wait) add([...p, 'wait', 'until'], s.wait.until, 'command', 'wait.until');
      break;
    case 'monitor':
      add([...p, 'monitor', 'run'], s.monitor.run, 'command', 'monitor.run');
      break;
    case 'notify':
      add([...p, 'notify'], s.message, 'text', 'notify message');
      break;
    case 'for_each':
      if (typeof s.items === 'string') add([...p, 'for_each'], s.items, 'items', 'for_each');
      break;
  }
  return out;
}

/** The runbook's own texts (rendered in the change notice) and channel settings. */
export function runbookFields(runbook: Runbook): Field[] {
  const out: Field[] = [];
  const doc = (key: string, value: string | undefined) => {
    if (value !== undefined) out.push({ path: [key], value, cls: 'document', what: key });
  };
  doc('title', runbook.title);
  doc('description', runbook.description);
  doc('impact', runbook.impact);
  doc('affected', runbook.affected);
  doc('testing', runbook.testing);
  if (runbook.rollback.escalate !== undefined) out.push({ path: ['rollback', 'escalate'], value: runbook.rollback.escalate, cls: 'document', what: 'rollback.escalate' });
  for (const [name, c] of Object.entries(runbook.channels)) {
    const base = ['notify', 'channels', name];
    if (c.type === 'file') out.push({ path: [...base, 'path'], value: c.path, cls: 'config', what: `channel ${name} path` });
    else if (c.type === 'webhook') {
      out.push({ path: [...base, 'url'], value: c.url, cls: 'config', what: `channel ${name} url` });
      for (const [h, v] of Object.entries(c.headers)) out.push({ path: [...base, 'headers', h], value: v, cls: 'config', what: `channel ${name} header ${h}` });
    }
  }
  return out;
}

const fieldsOf = new WeakMap<Runbook, readonly Field[]>();

/** Built once per runbook (several rules read them). */
export function allFields(runbook: Runbook): readonly Field[] {
  let fields = fieldsOf.get(runbook);
  if (!fields) {
    const out = runbookFields(runbook);
    for (const placed of placedSteps(runbook)) for (const f of stepFields(placed)) out.push(f);
    fieldsOf.set(runbook, (fields = out));
  }
  return fields;
}
