import { type ResumeOptions, rollbackCommand } from '../../app/resume.js';

export function main(run: string, opts: ResumeOptions): Promise<number> {
  return rollbackCommand(run, opts);
}
