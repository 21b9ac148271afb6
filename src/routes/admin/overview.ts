// The overview at /admin: accounts, sign-ins per day, where sign-ups came from, the mail
// outbox's health and the signing keys, from one library call (console-overview.ts). Charts are
// SVG drawn here on the server (pages/svg-charts.ts), each with its numbers in a table beside it.
import type Router from '@koa/router';
import type { Translate } from '../../libraries/i18n/catalogue.ts';
import { currentLanguage } from '../../pages/page-language.ts';
import { barChart, columnChart } from '../../pages/svg-charts.ts';
import type { Services } from '../../services.ts';
import { renderConsolePage } from './console-page.ts';

/** Bars a sign-up chart draws; the rest are summed in one "others" bar (the table lists them all). */
const CHART_ROWS = 8;

/** The first rows as they are, the others summed into one under `othersLabel`. */
function topRows(rows: Array<{ label: string; value: number }>, othersLabel: string) {
  if (rows.length <= CHART_ROWS) return rows;
  const others = rows.slice(CHART_ROWS - 1).reduce((sum, row) => sum + row.value, 0);
  return [...rows.slice(0, CHART_ROWS - 1), { label: othersLabel, value: others }];
}

/** "40 seconds", "12 minutes", "3 hours", "2 days": how long something has waited. */
function ageInWords(t: Translate, seconds: number): string {
  if (seconds < 90) return t('console.overview.age.seconds', { count: seconds });
  if (seconds < 90 * 60) return t('console.overview.age.minutes', { count: Math.round(seconds / 60) });
  if (seconds < 36 * 60 * 60) return t('console.overview.age.hours', { count: Math.round(seconds / 3600) });
  return t('console.overview.age.days', { count: Math.round(seconds / 86_400) });
}

export default function overviewRoutes(router: Router, services: Services) {
  router.get('/', async (ctx) => {
    const overview = await services.consoleOverview();
    const language = currentLanguage();
    const shortDay = new Intl.DateTimeFormat(language, { day: 'numeric', month: 'short', timeZone: 'UTC' });
    const days = overview.signIns.days.map((day, index, all) => ({
      ...day, label: shortDay.format(day.day), onAxis: (all.length - 1 - index) % 7 === 0, // today, and every week back from it
    }));
    await renderConsolePage(ctx, services, 'admin/overview', {
      title: 'console.overview.title', section: 'overview', overview, days,
      formatNumber: new Intl.NumberFormat(language).format, ageInWords, topRows, columnChart, barChart,
    });
  });
}
