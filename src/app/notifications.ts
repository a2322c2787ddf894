/**
 * The notifier of a run, wired to the state: the journal it records deliveries in, the secrets
 * it fills into channel settings, and the documents an email attaches (the change notice, the
 * executed record). Shared by sessions (exec, resume, rollback) and `runbook notify`.
 */
import type { JournalPort } from '../engine/ports.js';
import { renderEnv, type Values } from '../engine/scope.js';
import type { Runbook } from '../model/types.js';
import { Notifier } from '../notify/notifier.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../notify/outcome.js';
import { renderNoticeHtml } from '../render/document/notice-html.js';
import type { JournalRecord } from '../state/records.js';
import type { RunRef, Storage } from '../state/storage.js';
import { reportRun } from './inspect.js';
import { resumeHint } from './store.js';

export interface NotifierSetup {
  readonly runbook: Runbook;
  readonly store: Storage;
  readonly run: RunRef;
  readonly records: readonly JournalRecord[];
  readonly journal: JournalPort;
  readonly values: Values;
  readonly mask: (text: string) => string;
  readonly warn: (message: string) => void;
  readonly windowEnd?: number | undefined;
  readonly onJournalError?: ((err: unknown) => void) | undefined;
}

export function createNotifier(s: NotifierSetup): Notifier {
  return new Notifier({
    runbook: s.runbook,
    runId: s.run.runId,
    records: s.records,
    journal: s.journal,
    secrets: s.values.secrets ?? {},
    fill: (template, what) => {
      try {
        return renderEnv({ [what]: template }, s.values, {})[what] ?? '';
      } catch (err) {
        throw new Error((err as Error).message.replace(/^env\./, ''));
      }
    },
    mask: s.mask,
    warn: s.warn,
    windowEnd: s.windowEnd,
    resumeHint: resumeHint(s.store, s.run.runId),
    attachments: {
      notice: async () => renderNoticeHtml(s.runbook, { vars: s.values.vars }),
      record: () => reportRun(s.store, s.run.runId, 'html'),
    },
    retry: retryPolicy(),
    onJournalError: s.onJournalError,
  });
}

/** RUNBOOK_NOTIFY_RETRY_MS: the first backoff (default 1s), for tests that exercise retries. */
function retryPolicy(): RetryPolicy {
  const base = Number(process.env.RUNBOOK_NOTIFY_RETRY_MS);
  return Number.isFinite(base) && base >= 0 && process.env.RUNBOOK_NOTIFY_RETRY_MS ? { ...DEFAULT_RETRY, baseMs: base } : DEFAULT_RETRY;
}
