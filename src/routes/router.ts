// Every router of Latchkey's own routes is made here, case-sensitive: @koa/router matches a
// route's path in any letter case but a prefixed router's middleware (CSRF, the console's gate,
// an API's scope check) only in the case written, so /ADMIN/… would reach routes that no
// middleware guarded. Paths are case-sensitive (RFC 3986); a path in another case is not found.
import Router from '@koa/router';

export const createRouter = (prefix?: string): Router => new Router({ ...(prefix ? { prefix } : {}), sensitive: true });
