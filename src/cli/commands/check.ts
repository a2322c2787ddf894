/** `runbook check FILE`: exit 0 when every host the runbook names is ready, else 5 (each problem named). */
import { checkCommand } from '../../app/preflight.js';
import { EXIT } from '../../errors.js';

export async function main(file: string): Promise<number> {
  for (const line of await checkCommand(file)) process.stdout.write(`${line}\n`);
  return EXIT.ok;
}
