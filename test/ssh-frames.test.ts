/** The stdout and stderr frames of an SSH session, fed in every possible split. */
import { describe, expect, it } from 'vitest';
import { StderrFrames, StdoutFrames } from '../src/executors/ssh-bootstrap.js';

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
