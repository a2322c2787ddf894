/**
 * `ssh host "cmd ${{ x }}"` quotes the value for the local shell, then ssh joins its words and
 * the host's shell parses them again: the value can change what runs there. The same goes for
 * the remote side of scp and rsync (a HOST:path word). `on:` runs the command on the host with nothing re-parsed.
 */
import { parseTemplate } from '../../template/parse.js';
import type { Rule } from '../context.js';
import { allFields } from '../fields.js';

/** `ssh`, `scp` or `rsync` as a command word; what follows on its line is what it sends. */
const REMOTE = /(?:^|[\s;&|(`])((?:ssh|scp|rsync)(?=\s))/g;

export const remoteInCommand: Rule = {
  name: 'remote-in-command',
  check(ctx) {
    for (const field of allFields(ctx.runbook)) {
      if (field.cls !== 'command' || !field.value.includes('${{')) continue;
      const refs = parseTemplate(field.value).segments.flatMap((seg) => ('ref' in seg ? [seg.ref] : []));
      // The command with each template as one word of the same length, to find words by spaces.
      let flat = field.value;
      for (const r of refs) flat = flat.slice(0, r.offset) + 'x'.repeat(r.length) + flat.slice(r.offset + r.length);
      for (const m of flat.matchAll(REMOTE)) {
        const word = m[1] as string;
        const from = m.index + m[0].length - word.length;
        const eol = flat.indexOf('\n', from);
        const to = eol < 0 ? flat.length : eol;
        const after = refs.filter((r) => r.offset > from && r.offset < to);
        // ssh hands the rest of its line to the host's shell; scp and rsync only their HOST:path
        // words (a template in a local path is quoted once, as it should be).
        const risky = word === 'ssh' ? after : after.filter((r) => wordAround(flat, r.offset).includes(':'));
        if (risky.length === 0) continue;
        ctx.warn(field.path, `${field.what}: a template after \`${word}\`: values are parsed again on the host: use on: to run the command there`, {
          text: word,
          nth: occurrence(field.value, word, from),
        });
      }
    }
  },
};

/** The whitespace-separated word of `text` around `at`. */
function wordAround(text: string, at: number): string {
  const start = text.slice(0, at).search(/\S*$/);
  const end = text.slice(at).search(/\s|$/);
  return text.slice(start, at + end);
}

/** Which occurrence (0-based) of `word` in `text` starts at `at`. */
function occurrence(text: string, word: string, at: number): number {
  let n = 0;
  for (let i = text.indexOf(word); i >= 0 && i < at; i = text.indexOf(word, i + 1)) n++;
  return n;
}
