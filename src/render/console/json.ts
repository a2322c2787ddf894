/** One JSON object per engine event and per info line: for machines reading a run as it goes. */
import type { EngineEvent } from '../../engine/events.js';
import { consoleOut } from './out.js';
import { HeldLines, write } from './plain.js';
import type { Renderer } from './renderer.js';

export class JsonRenderer implements Renderer {
  private readonly held: HeldLines;

  constructor(private readonly out: NodeJS.WriteStream) {
    this.held = new HeldLines(out);
    // Output events a stuck reader missed are counted in an event of their own, not a bare line.
    consoleOut(out).noteAs = (lines, message) => `${JSON.stringify({ at: new Date().toISOString(), type: 'console_dropped', lines, message })}\n`;
  }

  handle(e: EngineEvent): void {
    const { ref, ...rest } = e as EngineEvent & { ref?: { key: string; step: { id: string; kind: string }; phase: string } };
    const flat = ref ? { ...rest, key: ref.key, step: ref.step.id, kind: ref.step.kind, phase: ref.phase } : rest;
    const line = `${JSON.stringify({ at: new Date().toISOString(), ...flat })}\n`;
    if (e.type === 'step_finished' && e.replayed) return this.held.hold(line);
    this.held.flush();
    write(this.out, line, e.type === 'step_output');
  }
  info(message: string): void {
    this.held.flush();
    write(this.out, `${JSON.stringify({ at: new Date().toISOString(), type: 'info', message })}\n`);
  }
  flush(): void {
    this.held.flush();
  }
  pause(): void {
    this.held.flush();
  }
  resume(): void {}
  close(): void {
    this.held.flush();
  }
}
