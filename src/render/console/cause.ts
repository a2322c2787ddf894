/**
 * What the run's last line names when it failed: the step that failed first (not the loop that
 * counted it), its host, its reason and its last line of output. Only the last line of each
 * running step is kept, never its output.
 */
import type { EngineEvent } from '../../engine/events.js';

export interface Cause {
  readonly key: string;
  readonly host?: string | undefined;
  readonly reason?: string | undefined;
  readonly lastLine?: string | undefined;
}

const MAX_LINE = 200;

/** The host a remote step runs on (step events carry `host` when it runs over SSH); undefined = local. */
export function hostOf(e: EngineEvent): string | undefined {
  const host = (e as { host?: unknown }).host;
  return typeof host === 'string' && host !== '' && host !== 'local' ? host : undefined;
}

export class CauseWatch {
  private readonly lastLines = new Map<string, string>();
  private found: Cause | undefined;

  see(e: EngineEvent): void {
    if (e.type === 'step_output') {
      const line = lastLine(e.lines);
      if (line) this.lastLines.set(e.ref.key, line);
    } else if (e.type === 'step_finished') {
      const line = this.lastLines.get(e.ref.key);
      this.lastLines.delete(e.ref.key);
      if (this.found || e.status !== 'failed' || e.ref.step.kind === 'for_each') return;
      this.found = { key: e.ref.key, host: hostOf(e), reason: e.reason, lastLine: line };
    }
  }

  get cause(): Cause | undefined {
    return this.found;
  }
}

function lastLine(lines: string): string | undefined {
  let end = lines.length;
  for (;;) {
    const start = lines.lastIndexOf('\n', end - 1) + 1;
    const line = lines.slice(start, end).trim();
    if (line) return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE - 1)}…` : line;
    if (start === 0) return undefined;
    end = start - 1;
  }
}
