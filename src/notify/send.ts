/**
 * One queued notification to its channel, with retries: the words (./words.ts) for an email,
 * the JSON payload for a webhook or a file. Secrets are filled in here, at the last moment, and
 * go nowhere else.
 */
import { appendFileSync } from 'node:fs';
import type { Channel, EmailChannel, Runbook } from '../model/types.js';
import type { NotifyQueuedRecord } from '../state/records.js';
import { type Mail, sendEmail } from './email.js';
import type { Notice } from './notices.js';
import { type Outcome, type RetryPolicy, withRetries } from './outcome.js';
import type { Progress } from './progress.js';
import { checkWebhookUrl, postWebhook } from './webhook.js';
import { htmlBody, linesOf, subjectOf, textBody } from './words.js';

/** The documents an email attaches with `attach: auto`, as HTML. */
export interface Attachments {
  /** The change notice (run_started). */
  readonly notice?: (() => Promise<string>) | undefined;
  /** The executed record (run_finished). */
  readonly record?: (() => Promise<string>) | undefined;
}

export interface SendContext {
  readonly runbook: Runbook;
  readonly runId: string;
  readonly progress: Progress;
  readonly secrets: Readonly<Record<string, string>>;
  readonly fill: (template: string, what: string) => string;
  readonly attachments?: Attachments | undefined;
  readonly retry: RetryPolicy;
  /** Secrets to `***`: whatever a mail says has been masked already; this is the belt to those braces. */
  readonly mask: (text: string) => string;
}

type Sent = Outcome & { readonly attempts: number };

export async function sendToChannel(channel: Channel, q: NotifyQueuedRecord, ctx: SendContext): Promise<Sent> {
  const notice = q as Notice;
  if (channel.type === 'email') return sendMail(channel, q, notice, ctx);
  const payload = {
    id: q.messageId,
    runbook: ctx.runbook.id,
    title: ctx.runbook.title,
    change: ctx.runbook.change,
    run: ctx.runId,
    event: q.event,
    step: q.step,
    text: q.text,
    at: new Date().toISOString(),
  };
  if (channel.type === 'file') {
    try {
      appendFileSync(channel.path, `${JSON.stringify(payload)}\n`, { mode: 0o600 });
      return { ok: true, response: `appended to ${channel.path}`, attempts: 1 };
    } catch (err) {
      return { ok: false, reason: `${channel.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, transient: false, attempts: 1 };
    }
  }
  let url: string;
  const headers: Record<string, string> = {};
  try {
    url = ctx.fill(channel.url, 'url');
    for (const [name, value] of Object.entries(channel.headers)) headers[name] = ctx.fill(value, `headers.${name}`);
  } catch (err) {
    return { ok: false, reason: (err as Error).message, transient: false, attempts: 0 };
  }
  const checked = checkWebhookUrl(channel.url, url);
  if ('reason' in checked) return { ok: false, reason: checked.reason, transient: false, attempts: 0 };
  headers['x-runbook-message-id'] = q.messageId;
  const body = channel.format === 'slack' ? { text: `*${ctx.runbook.title}*: ${q.text}` } : payload;
  return withRetries(() => postWebhook(url, checked.host, headers, body, channel.timeoutMs), ctx.retry);
}

async function sendMail(channel: EmailChannel, q: NotifyQueuedRecord, notice: Notice, ctx: SendContext): Promise<Sent> {
  const subject = subjectOf(ctx.runbook, notice);
  const lines = linesOf(ctx.runId, notice, ctx.progress);
  const attachments: Mail['attachments'][number][] = [];
  if (channel.attach === 'auto') {
    const doc = q.event === 'run_started' ? ctx.attachments?.notice : q.event === 'run_finished' ? ctx.attachments?.record : undefined;
    const name = q.event === 'run_started' ? 'change-notice.html' : 'change-record.html';
    if (doc) {
      try {
        attachments.push({ filename: name, content: await doc(), contentType: 'text/html; charset=utf-8' });
      } catch (err) {
        lines.push(['Attachment', `${name} could not be made: ${(err as Error).message}`]);
      }
    }
  }
  const { mask } = ctx;
  const mail: Mail = {
    messageId: q.messageId,
    subject: mask(subject),
    text: mask(textBody(lines)),
    html: mask(htmlBody(subject, lines)),
    attachments: attachments.map((a) => ({ ...a, content: mask(a.content) })),
    references: q.references,
  };
  const password = channel.smtp.password === undefined ? undefined : ctx.secrets[channel.smtp.password];
  return withRetries(() => sendEmail(channel, password, mail), ctx.retry);
}
