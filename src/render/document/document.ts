/**
 * A format-neutral document: sections of blocks holding plain text. The change notice and the
 * change record are built as one of these; ./doc-md.ts and ./doc-html.ts print it, escaping
 * every piece of text, so nothing a runbook or a step's output says can change the structure.
 */

/** A piece of text, or text shown as code (a command, a run id). */
export type Span = string | { readonly code: string };
/** Plain text (newlines kept), or spans. */
export type Rich = string | readonly Span[];

export type Block =
  | { readonly kind: 'text'; readonly text: Rich; readonly tone?: 'note' | 'alert' | undefined }
  | { readonly kind: 'fields'; readonly rows: readonly (readonly [string, Rich])[] }
  | { readonly kind: 'table'; readonly head: readonly string[]; readonly rows: readonly (readonly Rich[])[] }
  | { readonly kind: 'list'; readonly items: readonly Rich[] }
  | { readonly kind: 'code'; readonly text: string; readonly label?: string | undefined }
  | { readonly kind: 'steps'; readonly steps: readonly StepBlock[] }
  /** Sign-off lines: a row per role, with room for a name, a date and a signature. */
  | { readonly kind: 'signoff'; readonly roles: readonly string[] };

/** One numbered step of a plan: `2.1`, its title, tags (manual, est. 2m) and its body. */
export interface StepBlock {
  readonly number: string;
  readonly title: string;
  readonly tags: readonly string[];
  /** Tags that must stand out (MANUAL, FAILED). */
  readonly marks?: readonly string[] | undefined;
  readonly body: readonly Block[];
}

export interface Section {
  /** An anchor: lowercase letters, digits and dashes. */
  readonly id: string;
  readonly title: string;
  readonly blocks: readonly Block[];
}

export interface Doc {
  /** What the document is: "Change notification", "Change record". */
  readonly kind: string;
  readonly title: string;
  readonly sections: readonly Section[];
  /** Printed in every page's margin (HTML): what the document is, and where it came from. */
  readonly margins?: { readonly topLeft?: string | undefined; readonly topRight?: string | undefined; readonly bottomLeft?: string | undefined } | undefined;
}

export const text = (t: Rich, tone?: 'note' | 'alert'): Block => ({ kind: 'text', text: t, tone });
export const code = (t: string, label?: string): Block => ({ kind: 'code', text: t, label });
export const fields = (rows: readonly (readonly [string, Rich | undefined])[]): Block => ({
  kind: 'fields',
  rows: rows.filter((r): r is readonly [string, Rich] => r[1] !== undefined),
});

/** The plain text of rich text (for JSON and for tests). */
export function plain(r: Rich): string {
  return typeof r === 'string' ? r : r.map((s) => (typeof s === 'string' ? s : s.code)).join('');
}
