/** One JSON object per engine event and per info line: for machines reading a run as it goes. */
import type { EngineEvent } from '../../engine/events.js';
import { write } from './plain.js';
import type { Renderer } from './renderer.js';

export class JsonRenderer implements Renderer {
  constructor(private readonly out: NodeJS.WriteStream) {}

  handle(e: EngineEvent): void {
    const { ref, ...rest } = e as EngineEvent & { ref?: { key: string; step: { id: string; kind: string }; phase: string } };
    const flat = ref ? { ...rest, key: ref.key, step: ref.step.id, kind: ref.step.kind, phase: ref.phase } : rest;
    write(this.out, `${JSON.stringify({ at: new Date().toISOString(), ...flat })}\n`);
  }
  info(message: string): void {
    write(this.out, `${JSON.stringify({ at: new Date().toISOString(), type: 'info', message })}\n`);
  }
  pause(): void {}
  resume(): void {}
  close(): void {}
}
