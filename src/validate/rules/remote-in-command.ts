/**
 * `ssh host "cmd ${{ x }}"` quotes the value for the local shell, then ssh joins its words and
 * the host's shell parses them again: the value can change what runs there. The same goes for
 * the remote side of scp and rsync. `on:` runs the command on the host with nothing re-parsed.
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
      for (const m of field.value.matchAll(REMOTE)) {
        const from = m.index + m[0].length - (m[1] as string).length;
        const eol = field.value.indexOf('\n', from);
        const to = eol < 0 ? field.value.length : eol;
        if (!refs.some((r) => r.offset > from && r.offset < to)) continue;
        const word = m[1] as string;
        ctx.warn(field.path, `${field.what}: a template after \`${word}\`: values are parsed again on the host: use on: to run the command there`, {
          text: word,
          nth: occurrence(field.value, word, from),
        });
      }
    }
  },
};

/** Which occurrence (0-based) of `word` in `text` starts at `at`. */
function occurrence(text: string, word: string, at: number): number {
  let n = 0;
  for (let i = text.indexOf(word); i >= 0 && i < at; i = text.indexOf(word, i + 1)) n++;
  return n;
}
