/**
 * Values are quoted for the shell that runs the command. A second shell that parses part of the
 * command again (`bash -c '...'`, `sh -c`, `su -c`, `sudo sh -c`, `eval`) parses the value
 * again, unquoted: a value then can change what runs. Warn at the template, and say what is safe.
 */
import { parseTemplate } from '../../template/parse.js';
import type { Rule } from '../context.js';
import { allFields } from '../fields.js';

/** The start of a nested shell's script argument: the opening quote is the last character. */
const NESTED = /(?:^|[\s;&|(`])(?:(?:ba|da|z|k|a)?sh|su|runuser)\b[^;&|\n'"]*?\s-[a-zA-Z]*c\s+(['"])|(?:^|[\s;&|(])eval\s+(['"])/g;

export const nestedShells: Rule = {
  name: 'nested-shells',
  check(ctx) {
    for (const field of allFields(ctx.runbook)) {
      if (field.cls !== 'command' || field.what === 'cwd' || !field.value.includes('${{')) continue;
      const refs = parseTemplate(field.value).segments.flatMap((seg) => ('ref' in seg ? [seg.ref] : []));
      const spans = nestedSpans(field.value);
      const text = (offset: number, length: number) => field.value.slice(offset, offset + length);
      refs.forEach((ref, k) => {
        const raw = text(ref.offset, ref.length);
        const nth = refs.slice(0, k).filter((r) => text(r.offset, r.length) === raw).length;
        const shell = spans.find((s) => ref.offset > s.from && ref.offset < s.to);
        if (shell)
          ctx.warn(
            field.path,
            `${field.what}: "${raw}" is inside ${shell.what}, which parses it again: a value could change what runs there; pass it as an argument ("$1") or an environment variable of the inner shell instead`,
            { text: raw, nth },
          );
      });
    }
  },
};

/** Where the script arguments of nested shells stand in `command` (from the opening quote to the closing one). */
function nestedSpans(command: string): Array<{ from: number; to: number; what: string }> {
  const spans: Array<{ from: number; to: number; what: string }> = [];
  for (const m of command.matchAll(NESTED)) {
    const quote = m[1] ?? m[2]!;
    const from = m.index + m[0].length - 1;
    const to = closingQuote(command, from, quote);
    spans.push({ from, to, what: `the script of \`${m[0].trim().replace(/\s+/g, ' ')}…\`` });
  }
  return spans;
}

/** The index of the quote that closes the one at `from` (the end of the text if none does). */
function closingQuote(text: string, from: number, quote: string): number {
  for (let i = from + 1; i < text.length; i++) {
    const c = text[i];
    if (quote === '"' && c === '\\') i++;
    else if (c === quote) return i;
  }
  return text.length;
}
