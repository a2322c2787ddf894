/** Every file under a directory as one text: for "this secret is nowhere in the state" checks. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function allText(dir: string): string {
  let out = '';
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    out += statSync(p).isDirectory() ? allText(p) : readFileSync(p, 'utf8');
  }
  return out;
}
