/** Reading a step log back from the database: in pages (never whole), with what was dropped said in a line. */
import type { PgConnection } from './pg-connect.js';
import type { StepLogRef } from './storage.js';

const PAGE = 32;

interface Chunk {
  off: string;
  data: Buffer;
}

/** The log from byte `from`; a gap (dropped past the cap, or never stored) is one line naming the full log. */
export async function* logChunks(db: PgConnection, runId: string, log: StepLogRef, from: number): AsyncGenerator<Buffer> {
  let at = from;
  for (;;) {
    const r = await db.query<Chunk>('SELECT off, data FROM runbook_log_chunks WHERE run_id = $1 AND seq = $2 AND key = $3 AND off + length(data) > $4 ORDER BY off LIMIT $5', [
      runId,
      log.seq,
      log.key,
      at,
      PAGE,
    ]);
    for (const row of r.rows) {
      const off = Number(row.off);
      if (off > at) yield Buffer.from(await gapLine(db, runId, log, off - at));
      const start = Math.max(0, at - off);
      yield start > 0 ? row.data.subarray(start) : row.data;
      at = off + row.data.length;
    }
    if (r.rows.length < PAGE) return;
  }
}

async function gapLine(db: PgConnection, runId: string, log: StepLogRef, bytes: number): Promise<string> {
  const r = await db.query<{ host: string; path: string }>('SELECT host, path FROM runbook_logs WHERE run_id = $1 AND seq = $2 AND key = $3', [runId, log.seq, log.key]);
  const where = r.rows[0] ? `${r.rows[0].host}:${r.rows[0].path}` : 'the executing machine';
  return `[runbook: ${bytes} bytes of this log are not in the database (its cap is RUNBOOK_LOG_CAP); the whole log is in ${where}]\n`;
}

/** The last `bytes` of the log, from the start of a whole line. */
export async function logTail(db: PgConnection, runId: string, log: StepLogRef, bytes: number): Promise<string> {
  const parts: Buffer[] = [];
  let have = 0;
  let before = Number.MAX_SAFE_INTEGER;
  while (have < bytes) {
    const r = await db.query<Chunk>('SELECT off, data FROM runbook_log_chunks WHERE run_id = $1 AND seq = $2 AND key = $3 AND off < $4 ORDER BY off DESC LIMIT $5', [
      runId,
      log.seq,
      log.key,
      before,
      PAGE,
    ]);
    for (const row of r.rows) {
      if (have >= bytes) break;
      parts.unshift(row.data);
      have += row.data.length;
      before = Number(row.off);
    }
    if (r.rows.length < PAGE) break;
  }
  let buf = Buffer.concat(parts);
  // Cut: something comes before what is shown (a cut inside a line or a character starts at the next line).
  const cut = buf.length > bytes || (parts.length > 0 && before > 0);
  if (buf.length > bytes) buf = buf.subarray(buf.length - bytes);
  const text = buf.toString('utf8');
  return cut ? text.slice(text.indexOf('\n') + 1) : text;
}
