import { type ExecOptions, execCommand } from '../../app/exec.js';

export function main(file: string, opts: ExecOptions): Promise<number> {
  return execCommand(file, opts);
}
