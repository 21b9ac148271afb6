// The development outbox at /dev/mail: with SMTP_URL unset outside production, lists the mails
// Latchkey would have sent, links clickable, to a browser on this machine only. Elsewhere it does not exist.
import type Router from '@koa/router';
import { RequestError } from '../libraries/errors.ts';
import type { Services } from '../services.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const LINK = /https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)]/g;

export interface TextPart {
  text: string;
  /** Set when the text is a link; the view escapes both. */
  href?: string;
}

/** A text body as lines of plain and link parts, so the view can build anchors without raw HTML. */
export function linesWithLinks(text: string): TextPart[][] {
  return text.split(/\r?\n/).map((line) => {
    const parts: TextPart[] = [];
    let at = 0;
    for (const match of line.matchAll(LINK)) {
      if (match.index > at) parts.push({ text: line.slice(at, match.index) });
      parts.push({ text: match[0], href: match[0] });
      at = match.index + match[0].length;
    }
    if (at < line.length) parts.push({ text: line.slice(at) });
    return parts;
  });
}

export default function devMailRoutes(router: Router, services: Services) {
  router.get('/dev/mail', async (ctx) => {
    if (!services.mail.developmentOutbox) return; // falls through to 404
    if (!LOOPBACK.has(ctx.ip)) throw new RequestError('forbidden', 403, 'The development outbox is only shown to a browser on the machine Latchkey runs on.');
    const mails = await services.mail.listRecentMails();
    ctx.type = 'html';
    ctx.body = await services.renderPage('dev/mail', {
      title: 'Development outbox',
      mails: mails.map((mail) => ({ ...mail, lines: mail.text === undefined ? undefined : linesWithLinks(mail.text) })),
    });
  });
}
