/** A step log file (0600), made at the first output: a silent step has none. */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { DIR_MODE, FILE_MODE } from './durable.js';
import type { LogSink } from './storage.js';

export class FileLog implements LogSink {
  private fd: number | undefined;
  constructor(
    private readonly path: string,
    /** Make its directory first (a database state's local copy has none made for it). */
    private readonly mkdir: boolean,
  ) {}

  write(text: string): void {
    if (!text) return;
    if (this.fd === undefined && this.mkdir) mkdirSync(dirname(this.path), { recursive: true, mode: DIR_MODE });
    this.fd ??= openSync(this.path, 'a', FILE_MODE);
    writeSync(this.fd, text);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
