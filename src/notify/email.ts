/**
 * One email over SMTP with nodemailer: starttls, tls or plain as the channel says, its own
 * timeouts (nodemailer's are minutes), and the server's answer classified: a 4xx or a network
 * error is worth retrying, a 5xx is not. Recipients refused while others were accepted are in the
 * outcome, for the journal and a loud warning.
 */
import type { EmailChannel } from '../model/types.js';
import type { Outcome } from './outcome.js';

export interface Mail {
  readonly messageId: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly attachments: readonly { readonly filename: string; readonly content: string; readonly contentType: string }[];
  /** A resend by hand refers to the first message. */
  readonly references?: string | undefined;
}

interface SmtpError extends Error {
  readonly code?: string;
  readonly responseCode?: number;
  readonly response?: string;
  readonly rejected?: readonly string[];
}

/** Errors of the connection itself (no answer from the server): worth another try. */
const NETWORK = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE']);

export async function sendEmail(c: EmailChannel, password: string | undefined, mail: Mail): Promise<Outcome> {
  const { smtp } = c;
  // Loaded here, not imported at the top: outside the bundle, a static import would load it at
  // every command's start.
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === 'tls',
    requireTLS: smtp.security === 'starttls',
    ignoreTLS: smtp.security === 'none',
    auth: smtp.user !== undefined ? { user: smtp.user, pass: password ?? '' } : undefined,
    connectionTimeout: c.timeoutMs,
    greetingTimeout: c.timeoutMs,
    socketTimeout: c.timeoutMs,
    // Never a log of the dialogue: it would hold the AUTH exchange.
    logger: false,
    debug: false,
  });
  try {
    const info = await transport.sendMail({
      from: c.from,
      to: [...c.to],
      cc: c.cc.length > 0 ? [...c.cc] : undefined,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
      references: mail.references,
      attachments: mail.attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
    });
    const errors = (info as { rejectedErrors?: SmtpError[] }).rejectedErrors ?? [];
    const rejected = ((info.rejected ?? []) as (string | { address: string })[]).map((r) => {
      const address = typeof r === 'string' ? r : r.address;
      const err = errors.find((e) => (e as { recipient?: string }).recipient === address);
      return { address, response: err?.response ?? 'refused' };
    });
    return {
      ok: true,
      response: info.response ?? '',
      accepted: ((info.accepted ?? []) as (string | { address: string })[]).map((a) => (typeof a === 'string' ? a : a.address)),
      rejected: rejected.length > 0 ? rejected : undefined,
    };
  } catch (err) {
    return classify(err as SmtpError);
  } finally {
    transport.close();
  }
}

function classify(err: SmtpError): Outcome {
  const code = err.responseCode;
  const reason = err.response ? `${err.response}${err.rejected?.length ? ` (${err.rejected.join(', ')})` : ''}` : `${err.code ?? 'error'}: ${err.message}`;
  if (code !== undefined) return { ok: false, reason, transient: code >= 400 && code < 500 };
  return { ok: false, reason, transient: NETWORK.has(err.code ?? '') };
}
