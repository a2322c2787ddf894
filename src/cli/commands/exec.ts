import { execCommand, type ExecOptions } from '../../app/exec.js';

export function main(file: string, opts: ExecOptions): Promise<number> {
  return execCommand(file, opts);
}
