/**
 * The stage of an SSH session (src/executors/ssh-bootstrap.ts) run here under bash, serving many
 * steps that end at once: each one's outputs come back with its end frame, every time. When a
 * step ends within microseconds, the stage stops its control reader just after forking it, before
 * the reader has dropped the stage's traps: the EXIT trap run there must not remove the session's
 * outputs file. On a loaded machine (as under the suite) the unguarded trap loses a few of them.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { expect, it } from 'vitest';
import { encodeFrame, encodeSession, LOADER, StdoutFrames, type Trailer } from '../src/executors/ssh-bootstrap.js';

const STEPS = 300;

it(`${STEPS} steps that end at once each bring back their outputs, and the outputs file goes with the session`, async () => {
  const name = `stage-outputs-${process.pid}`;
  const child = spawn('bash', ['-c', LOADER], { stdio: ['pipe', 'pipe', 'ignore'] });
  child.stdin.write(encodeSession(name));
  const trailers: Trailer[] = [];
  let frames: StdoutFrames | undefined;
  let next: (() => void) | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    frames?.push(chunk);
    if (frames?.trailer) {
      trailers.push(frames.trailer);
      frames = undefined;
      next?.();
    }
  });
  for (let i = 0; i < STEPS; i++) {
    const nonce = `n${i}x${process.pid}`;
    await new Promise<void>((resolve) => {
      next = resolve;
      frames = new StdoutFrames(
        nonce,
        () => {},
        () => {},
      );
      child.stdin.write(encodeFrame({ nonce, cwd: undefined, argv: ['bash', '-c', `echo k=${i} >> "$RUNBOOK_OUTPUT"`], env: {} }));
    });
  }
  child.stdin.end();
  await new Promise((resolve) => child.on('close', resolve));
  const lost = trailers.flatMap((t, i) => (t.kind === 'end' && t.outputs === `k=${i}\n` ? [] : [`step ${i}: ${JSON.stringify(t)}`]));
  expect(lost).toEqual([]);
  expect(trailers).toHaveLength(STEPS);
  expect(existsSync(`${process.env.TMPDIR ?? '/tmp'}/runbook-out.${name}`)).toBe(false);
}, 60_000);
