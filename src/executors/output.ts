/**
 * Streaming helpers for step output, which is never held whole: a masker that replaces secret
 * values even when one is split across chunks, a line splitter with a cap on line length, and
 * a bounded tail kept for `${{ steps.ID.stdout }}` and `expect.stdout`.
 */
import { SECRET_MASK } from '../engine/scope.js';

/** Replaces every secret value with `***` in a stream of text chunks. */
export class Masker {
  private carry = '';
  private readonly secrets: readonly string[];
  private readonly hold: number;

  constructor(secrets: readonly string[]) {
    this.secrets = [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
    this.hold = Math.max(0, ...this.secrets.map((s) => s.length - 1));
  }

  /** Masks a whole string (journal fields, messages). */
  mask(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join(SECRET_MASK);
    return out;
  }

  /** Masks a chunk; keeps back a tail that could be the start of a secret. */
  push(chunk: string): string {
    if (this.secrets.length === 0) return chunk;
    const text = this.carry + chunk;
    let cut = Math.max(0, text.length - this.hold);
    for (const s of this.secrets) {
      for (let at = text.indexOf(s, Math.max(0, cut - s.length + 1)); at >= 0 && at < cut; at = text.indexOf(s, at + 1)) {
        if (at + s.length > cut) cut = at;
      }
    }
    this.carry = text.slice(cut);
    return this.mask(text.slice(0, cut));
  }

  end(): string {
    const rest = this.mask(this.carry);
    this.carry = '';
    return rest;
  }
}

/**
 * Splits a stream into blocks of whole lines: each push hands on the complete lines it finished,
 * as one string without the last newline (one call per chunk, not per line: a step printing
 * millions of lines costs millions of nothing). A line longer than `max` is handed on in pieces.
 */
export class LineSplitter {
  private partial = '';
  constructor(
    private readonly onLines: (lines: string) => void,
    private readonly max = 16_384,
  ) {}

  push(text: string): void {
    const last = text.lastIndexOf('\n');
    if (last >= 0) {
      this.onLines(this.partial + text.slice(0, last));
      this.partial = text.slice(last + 1);
    } else this.partial += text;
    while (this.partial.length > this.max) {
      this.onLines(this.partial.slice(0, this.max));
      this.partial = this.partial.slice(this.max);
    }
  }

  end(): void {
    if (this.partial) this.onLines(this.partial);
    this.partial = '';
  }
}

/** The last `max` characters of a stream (chunks kept as they came, joined only when read). */
export class Tail {
  private chunks: string[] = [];
  private size = 0;
  constructor(private readonly max = 65_536) {}
  push(chunk: string): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.chunks.length > 1 && this.size - this.chunks[0]!.length >= this.max) this.size -= this.chunks.shift()!.length;
  }
  get value(): string {
    return this.chunks.join('').slice(-this.max);
  }
}
