/** Mutations of a parsed runbook for property tests: delete, retype, rename or duplicate a node. */
import fc from 'fast-check';

export type Mutation =
  | { readonly op: 'delete'; readonly at: number }
  | { readonly op: 'retype'; readonly at: number; readonly value: unknown }
  | { readonly op: 'rename'; readonly at: number; readonly name: string }
  | { readonly op: 'duplicate'; readonly at: number };

const NASTY = fc.constantFrom<unknown>(
  '', 'TBD', '${{', '${{ vars.nope }}', '${{ item }}', '${{ secrets.X }}', '${{ steps.a.outputs.b }}', -1, 0, 1e308, 3.5, null, [], {},
  'end', 'rollback', 'escalate', 'next', 'abort', '2009-13-45T99:99', 'UTC+99', 'Mars/Olympus', '(', '0s', '1h', 'PT', true, 'x'.repeat(300),
);

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('retype' as const), at: fc.nat(), value: fc.oneof(NASTY, fc.jsonValue({ maxDepth: 2 })) }),
  fc.record({ op: fc.constant('rename' as const), at: fc.nat(), name: fc.oneof(fc.constantFrom('tiemout', 'run', 'manual', 'steps', 'id', 'for_each', 'undo', 'to'), fc.string({ maxLength: 8 })) }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }),
);

type Container = Record<string, unknown> | unknown[];
const isContainer = (v: unknown): v is Container => typeof v === 'object' && v !== null;

/** Every (container, key) pair in the document, depth first. */
function slots(root: unknown): Array<[Container, string | number]> {
  const out: Array<[Container, string | number]> = [];
  const visit = (v: unknown) => {
    if (!isContainer(v)) return;
    const keys: Array<string | number> = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
    for (const k of keys) {
      out.push([v, k]);
      visit((v as Record<string | number, unknown>)[k]);
    }
  };
  visit(root);
  return out;
}

export function applyMutation(doc: unknown, m: Mutation): unknown {
  const all = slots(doc);
  const slot = all[m.at % Math.max(1, all.length)];
  if (!slot) return doc;
  const [parent, key] = slot;
  const rec = parent as Record<string | number, unknown>;
  switch (m.op) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete rec[key];
      break;
    case 'retype':
      rec[key] = m.value;
      break;
    case 'rename':
      if (!Array.isArray(parent) && m.name !== '') {
        rec[m.name] = rec[key];
        if (m.name !== key) delete rec[key];
      }
      break;
    case 'duplicate':
      if (Array.isArray(parent)) parent.push(structuredClone(parent[key as number]));
      break;
  }
  return doc;
}
