// The development outbox at /dev/mail: with SMTP_URL unset outside production, lists the mails
// Latchkey would have sent, links clickable, to a browser on this machine only. Elsewhere it does not exist.
import type Router from '@koa/router';
import { RequestError } from '../libraries/errors.ts';
import type { Config } from '../config/env.ts';
import type { Services } from '../services.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * The Host names a development-only page answers to: the issuer's, and the loopback names on
 * the configured port. A page on a rebinding domain reaches a loopback IP too, but sends its own
 * name as Host, so checking the IP alone would let it read the page.
 */
export function developmentHosts(config: Pick<Config, 'issuer' | 'port'>): Set<string> {
  return new Set([new URL(config.issuer).host, ...['localhost', '127.0.0.1', '[::1]'].map((name) => `${name}:${config.port}`)]);
}
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
  const hosts = developmentHosts(services.config);
  router.get('/dev/mail', async (ctx) => {
    if (!services.mail.developmentOutbox) return; // falls through to 404
    if (!LOOPBACK.has(ctx.ip) || !hosts.has(ctx.get('host').toLowerCase())) {
      throw new RequestError('forbidden', 403, 'The development outbox is only shown to a browser on the machine Latchkey runs on, at its own address.');
    }
    const mails = await services.mail.listRecentMails();
    ctx.type = 'html';
    ctx.body = await services.renderPage('dev/mail', {
      title: 'devMail.title',
      mails: mails.map((mail) => ({ ...mail, lines: mail.text === undefined ? undefined : linesWithLinks(mail.text) })),
    });
  });
}
