/**
 * One-click unsubscribe (RFC 8058). Every notification email links to
 * `/email/unsubscribe?token=…` and names it in `List-Unsubscribe`:
 * - POST (what mail clients send, body `List-Unsubscribe=One-Click`, and the page's button)
 *   turns that kind of email off and answers 200;
 * - GET shows a page with that button, so a link scanner that follows links changes nothing.
 * A bad or foreign token is 400; the token only ever switches one kind of email off.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Context } from '../graphql/context.js';
import { readUnsubscribeToken, unsubscribe } from './mail.js';

const page = (title: string, body: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>${title}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:520px;margin:48px auto;color:#1f2328">
<h2>${title}</h2>${body}</body></html>`;

const NAMES: Record<string, string> = {
  LOGIN_ALERTS: 'new sign-in alerts',
  ALERTS: 'price and portfolio alerts',
  WEEKLY_REPORTS: 'weekly risk reports',
  TAX_LOT_REVIEWS: 'tax-lot reviews',
  REBALANCING_REMINDERS: 'rebalancing reminders',
};

export async function alertRoutes(
  app: FastifyInstance,
  { services }: { services: Pick<Context['services'], 'config' | 'db'> },
): Promise<void> {
  // Mail clients post a form body; only this plugin's routes accept one.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_request, body, done) =>
    done(null, body),
  );

  const html = (reply: FastifyReply, status: number, content: string) =>
    reply.status(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(content);

  app.get<{ Querystring: { token?: string } }>('/email/unsubscribe', async (request, reply) => {
    const token = typeof request.query.token === 'string' ? request.query.token : '';
    const target = readUnsubscribeToken(services.config, token);
    if (!target) return html(reply, 400, page('Link not valid', '<p>This unsubscribe link is not valid.</p>'));
    return html(
      reply,
      200,
      page(
        'Unsubscribe',
        `<p>Stop receiving ${NAMES[target.category]} from foliograph?</p>
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
      ),
    );
  });

  app.post<{ Querystring: { token?: string } }>('/email/unsubscribe', async (request, reply) => {
    const token = typeof request.query.token === 'string' ? request.query.token : '';
    const target = readUnsubscribeToken(services.config, token);
    if (!target) return html(reply, 400, page('Link not valid', '<p>This unsubscribe link is not valid.</p>'));
    await unsubscribe(services.db, target.userId, target.category);
    request.log.info({ event: 'email.unsubscribed', userId: target.userId, category: target.category }, 'email category turned off');
    return html(
      reply,
      200,
      page('Unsubscribed', `<p>You will no longer receive ${NAMES[target.category]}. You can turn them on again in your settings.</p>`),
    );
  });
}
