import { type ResumeOptions, resumeCommand } from '../../app/resume.js';

export function main(run: string | undefined, opts: ResumeOptions): Promise<number> {
  return resumeCommand(run, opts);
}
