/** Secrets are resolved before the first step; a missing one refuses the run (exit 5). */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { refused } from '../errors.js';
import type { Runbook } from '../model/types.js';

export function resolveSecrets(runbook: Runbook, baseDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, source] of Object.entries(runbook.secrets)) {
    if ('env' in source) {
      const value = process.env[source.env];
      if (value === undefined || value === '') missing.push(`${name} (environment variable ${source.env} is not set)`);
      else out[name] = value;
    } else {
      const path = isAbsolute(source.file) ? source.file : resolve(baseDir, source.file);
      try {
        out[name] = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
      } catch (err) {
        missing.push(`${name} (file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
      }
    }
  }
  if (missing.length > 0) throw refused(`missing secret${missing.length > 1 ? 's' : ''}: ${missing.join('; ')}`);
  return out;
}

/** Which secrets are unavailable, without reading them (plans warn). */
export function unavailableSecrets(runbook: Runbook, baseDir: string): string[] {
  try {
    resolveSecrets(runbook, baseDir);
    return [];
  } catch (err) {
    return [(err as Error).message];
  }
}
