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

/** Splits text into lines; a line longer than `max` characters is emitted in pieces. */
export class LineSplitter {
  private partial = '';
  constructor(
    private readonly onLine: (line: string) => void,
    private readonly max = 16_384,
  ) {}

  push(text: string): void {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      this.onLine(this.partial + text.slice(start, nl));
      this.partial = '';
      start = nl + 1;
    }
    this.partial += text.slice(start);
    while (this.partial.length > this.max) {
      this.onLine(this.partial.slice(0, this.max));
      this.partial = this.partial.slice(this.max);
    }
  }

  end(): void {
    if (this.partial) this.onLine(this.partial);
    this.partial = '';
  }
}

/** The last `max` characters of a stream. */
export class Tail {
  private text = '';
  constructor(private readonly max = 65_536) {}
  push(chunk: string): void {
    this.text = (this.text + chunk).slice(-this.max);
  }
  get value(): string {
    return this.text;
  }
}
