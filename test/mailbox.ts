/**
 * A real SMTP server for tests (smtp-server on 127.0.0.1, random port) that keeps what it
 * receives. Point the app at `mailbox.url` (SMTP_URL) and read the messages back.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** Envelope recipients. */
  to: string[];
  subject: string;
  /** The whole message with quoted-printable decoded (headers, text and HTML parts). */
  body: string;
  /** Every http(s) link in the message, in order, without duplicates. */
  links: string[];
}

export interface Mailbox {
  url: string;
  messages: ReceivedMail[];
  /** Deliveries refused so far (see MailboxOptions.refuseFirst). */
  readonly refused: number;
  /** The first message (already received or arriving within the timeout) that matches. */
  waitFor(predicate: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

/** Undoes quoted-printable: soft line breaks and =XX escapes (nodemailer's default for text). */
function decodeQuotedPrintable(raw: string): string {
  const joined = raw.replace(/=\r?\n/g, '');
  return Buffer.from(
    joined.replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  ).toString('utf8');
}

function parse(to: string[], raw: string): ReceivedMail {
  const body = decodeQuotedPrintable(raw);
  const subject = /^Subject: (.*)$/m.exec(raw)?.[1]?.trim() ?? '';
  const links = [...new Set([...body.matchAll(/https?:\/\/[^\s"<>]+/g)].map((m) => m[0].replace(/&amp;/g, '&')))];
  return { to, subject, body, links };
}

export interface MailboxOptions {
  /** Refuse this many deliveries first with a temporary error (451), as a busy server would. */
  refuseFirst?: number;
}

export async function startMailbox(options: MailboxOptions = {}): Promise<Mailbox> {
  const messages: ReceivedMail[] = [];
  let refusalsLeft = options.refuseFirst ?? 0;
  const listeners = new Set<() => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (refusalsLeft > 0) {
          refusalsLeft--;
          return callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
        }
        messages.push(
          parse(
            session.envelope.rcptTo.map((r) => r.address),
            Buffer.concat(chunks).toString('latin1'),
          ),
        );
        for (const listener of listeners) listener();
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    get refused() {
      return (options.refuseFirst ?? 0) - refusalsLeft;
    },
    waitFor(predicate, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(predicate);
          if (!found) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no matching email within ${timeoutMs} ms (received: ${messages.map((m) => m.subject).join('; ') || 'none'})`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
