// (being written) The account area's password page.
import type Router from '@koa/router';
import type { Services } from '../../services.ts';

export default function routes(_router: Router, _services: Services) {}
