// The account area's devices page: every browser signed in to the account, with "this device";
// signing one out, or every one but this. Signing out another browser needs a recent sign-in;
// signing out the browser in hand does not (it lowers nothing), and then it is signed out here too.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { deviceName } from '../../libraries/device-names.ts';
import type { FormProblem } from '../../pages/form-problem.ts';
import type { Services } from '../../services.ts';
import { backTo, pageChange } from '../page-forms.ts';
import { requireAccountSession, requireRecentSignIn, type AccountSession } from './account-session.ts';
import { renderAccountPage } from './account-page.ts';

const NOTICES: Record<string, string> = {
  'signed-out': 'account.devices.notices.signedOut',
  'others-out': 'account.devices.notices.othersOut',
};

export default function devicesRoutes(router: Router, services: Services) {
  const render = async (ctx: Context, session: AccountSession, error: FormProblem | '' = '', status = 200) => {
    const devices = await services.ownDevices.list(session.account.id, session.sessionId);
    await renderAccountPage(ctx, services, session, 'account/devices', {
      title: 'account.devices.title', section: 'devices', notices: NOTICES, error,
      devices: devices.map((device) => ({ ...device, name: deviceName(device) })),
    }, status);
  };

  router.get('/devices', async (ctx) => {
    const session = await requireAccountSession(ctx, services);
    if (session) await render(ctx, session);
  });

  router.post('/devices/sign-out-others', async (ctx) => {
    const session = await requireRecentSignIn(ctx, services, '/account/devices');
    if (!session) return;
    await services.ownDevices.signOutOthers(session.account.id, session.sessionId);
    backTo(ctx, '/account/devices', 'others-out');
  });

  router.post('/devices/:id/sign-out', async (ctx) => {
    const id = ctx.params.id!;
    const current = await requireAccountSession(ctx, services);
    if (!current) return;
    const thisDevice = id === current.sessionId;
    const session = thisDevice ? current : await requireRecentSignIn(ctx, services, '/account/devices');
    if (!session) return;
    const done = await pageChange(ctx, () => undefined, () => services.ownDevices.signOutOne(session.account.id, id),
      (error, status) => render(ctx, session, error, status));
    // This browser's session is gone: the area's home sends it to sign in.
    if (done) backTo(ctx, thisDevice ? '/account' : '/account/devices', thisDevice ? undefined : 'signed-out');
  });
}
