// The overview: placeholder until the charts land.
import type Router from '@koa/router';
import type { Services } from '../../services.ts';
import { renderConsolePage } from './console-page.ts';

export default function overviewRoutes(router: Router, services: Services) {
  router.get('/', (ctx) => renderConsolePage(ctx, services, 'admin/overview', { title: 'console.overview.title', section: 'overview' }));
}
