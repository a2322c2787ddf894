/** The stdout and stderr frames of an SSH session, fed in every possible split; the stage that writes them. */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { encodeFrame, encodeSession, LOADER, StderrFrames, StdoutFrames } from '../src/executors/ssh-bootstrap.js';
import { waitFor } from './helpers/cli.js';

const N = 'f00dfeed';
const session = `Welcome to the host!\n${N}:start:4242:boot-1:777\nline one\npartial ${N.slice(0, 5)} not a frame\nno newline${N}:end:3:10\nk=v\nx=y;z\n`;

function feed(text: string, sizes: number) {
  const out: string[] = [];
  const starts: unknown[] = [];
  const f = new StdoutFrames(
    N,
    (s) => starts.push(s),
    (c) => out.push(c.toString()),
  );
  const buf = Buffer.from(text);
  for (let i = 0; i < buf.length; i += sizes) f.push(buf.subarray(i, i + sizes));
  f.flush();
  return { out: out.join(''), starts, trailer: f.trailer };
}

describe('StdoutFrames', () => {
  it('drops what the login printed, passes the output on and reads the end frame, however the chunks fall', () => {
    for (const size of [1, 2, 3, 7, 13, 1000]) {
      const r = feed(session, size);
      expect(r.starts, `size ${size}`).toEqual([{ pgid: 4242, bootId: 'boot-1', startTime: 777 }]);
      expect(r.out, `size ${size}`).toBe(`line one\npartial ${N.slice(0, 5)} not a frame\nno newline`);
      expect(r.trailer, `size ${size}`).toEqual({ kind: 'end', code: 3, outputs: 'k=v\nx=y;z\n' });
    }
  });

  it('reports an error frame, and no end without its frame', () => {
    expect(feed(`${N}:error:no directory /x\n`, 4).trailer).toEqual({ kind: 'error', message: 'no directory /x' });
    const cut = feed(`${N}:start:1:b:2\nhalf`, 3);
    expect(cut.trailer).toBeUndefined();
    expect(cut.out).toBe('half');
  });
});

describe('StderrFrames', () => {
  it("keeps ssh's words before the step's start, passes the step's after, up to its end mark", () => {
    for (const size of [1, 2, 5, 1000]) {
      const out: string[] = [];
      const f = new StderrFrames(N, (c) => out.push(c.toString()));
      const buf = Buffer.from(`Warning: something\n${N}:start\nstep err ${N.slice(0, 4)}\nno newline${N}:end\nthe next step's`);
      for (let i = 0; i < buf.length; i += size) f.push(buf.subarray(i, i + size));
      f.flush();
      expect(f.said, `size ${size}`).toBe('Warning: something');
      expect(f.ended, `size ${size}`).toBe(true);
      expect(out.join(''), `size ${size}`).toBe(`step err ${N.slice(0, 4)}\nno newline`);
    }
  });
});

describe('the stage, in a local bash', () => {
  it('serves one step after another, skipping signal lines that came too late for their step', async () => {
    const child = spawn('bash', ['-c', LOADER], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    const ends: string[] = [];
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      for (const m of out.matchAll(/(N\d):end:(\d+):/g)) if (!ends.includes(`${m[1]}=${m[2]}`)) ends.push(`${m[1]}=${m[2]}`);
    });
    const step = (nonce: string, script: string) => encodeFrame({ nonce, cwd: undefined, argv: ['bash', '-c', script], env: {} });
    child.stdin.write(encodeSession(`frames-test-${process.pid}`));
    child.stdin.write(step('N1', 'exit 3'));
    await waitFor(() => ends.length === 1, 10_000);
    child.stdin.write(`TERM\nKILL\n${step('N2', 'echo second')}`);
    await waitFor(() => ends.length === 2, 10_000);
    child.stdin.end();
    await new Promise((resolve) => child.on('close', resolve));
    expect(ends).toEqual(['N1=3', 'N2=0']);
    expect(out).toContain('second\n');
  }, 30_000);
});
