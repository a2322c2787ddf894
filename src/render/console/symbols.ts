/**
 * The marks the console puts before its lines: Unicode, or plain ASCII where the terminal says
 * it is dumb (TERM=dumb: a serial console, an editor's shell buffer, a printer).
 */
export interface Symbols {
  readonly start: string;
  readonly ok: string;
  readonly skip: string;
  readonly fail: string;
  readonly retry: string;
  readonly branch: string;
  readonly loop: string;
  readonly decision: string;
  readonly rollback: string;
  readonly escalate: string;
  readonly warn: string;
  readonly stop: string;
  /** Before each line of a step's stdout. */
  readonly bar: string;
  /** Before each line of a step's stderr: it looks different from stdout. */
  readonly errBar: string;
  readonly ellipsis: string;
  readonly dash: string;
  /** Between a loop, its item and the step within it. */
  readonly into: string;
  readonly sep: string;
}

export const UNICODE: Symbols = {
  start: '▶',
  ok: '✓',
  skip: '↷',
  fail: '✗',
  retry: '↻',
  branch: '→',
  loop: '⟳',
  decision: '•',
  rollback: '↩',
  escalate: '‼',
  warn: '!',
  stop: '■',
  bar: '  │ ',
  errBar: '  ┃ ',
  ellipsis: '…',
  dash: '—',
  into: '›',
  sep: '; ',
};

export const ASCII: Symbols = {
  start: '>',
  ok: '+',
  skip: '~',
  fail: 'x',
  retry: '@',
  branch: '->',
  loop: '*',
  decision: '-',
  rollback: '<-',
  escalate: '!!',
  warn: '!',
  stop: '#',
  bar: '  | ',
  errBar: '  ! ',
  ellipsis: '...',
  dash: '--',
  into: '>',
  sep: '; ',
};

export function symbolsFor(env: NodeJS.ProcessEnv = process.env): Symbols {
  return env.TERM === 'dumb' ? ASCII : UNICODE;
}
