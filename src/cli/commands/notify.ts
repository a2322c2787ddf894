/** `runbook notify RUN --event NAME`: send an event's notice of a run again, by hand. */
import { type NotifyOptions, notifyCommand } from '../../app/notify.js';

export function main(run: string, opts: NotifyOptions): Promise<number> {
  return notifyCommand(run, opts, (line) => process.stderr.write(`${line}\n`));
}
