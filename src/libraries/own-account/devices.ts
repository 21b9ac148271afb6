// A person's own signed-in browsers ("devices"): each live session of theirs with the browser and
// system it names, where and when it signed in, when it was last active and the applications
// it signed in to; signing one of them out, or every one but the browser in hand.
import type { Queries } from '../../queries/index.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { describeDevice, type DeviceNames } from '../device-names.ts';
import { RequestError } from '../errors.ts';
import { isActiveNow } from '../session-activity.ts';
import { signOut } from '../sign-out.ts';
import { signedInApplicationsOf } from '../sign-out.ts';

export interface Device extends DeviceNames {
  /** The session's stored id (the digest of its cookie, never the cookie itself). */
  id: string;
  ip: string | null;
  userAgent: string | null;
  signedInAt: Date | null;
  lastActiveAt: Date | null;
  activeNow: boolean;
  /** The browser the list was asked for from. */
  thisDevice: boolean;
  /** Names of the registered applications it signed in to (Latchkey's own areas are not listed). */
  applications: string[];
}

const clientIdsOf = (payload: Record<string, unknown>) => signedInApplicationsOf(payload).map(([clientId]) => clientId);

export function createOwnDevices({ queries }: { queries: Queries }) {
  return {
    /** The account's live sessions: this browser's first, then the most recently active. */
    async list(accountId: string, thisSession: string): Promise<Device[]> {
      const sessions = await queries.oidcPayloads.listLivePayloadsOfAccount('Session', accountId);
      const clientIds = [...new Set(sessions.flatMap(({ payload }) => clientIdsOf(payload)))];
      const clients = await Promise.all(clientIds.map((clientId) => queries.clients.maybeFindClient(clientId)));
      const names = new Map(clients.filter((client) => client !== undefined).map((client) => [client.client_id, client.name]));
      const devices = sessions.map(({ id, payload, savedAt }): Device => {
        const { ip, user_agent: userAgent, browser, os } = describeDevice(payload.latchkey_device);
        return {
          id, browser, os, ip, userAgent,
          signedInAt: typeof payload.loginTs === 'number' ? new Date(payload.loginTs * 1000) : null,
          lastActiveAt: savedAt,
          activeNow: isActiveNow(savedAt),
          thisDevice: id === thisSession,
          applications: clientIdsOf(payload).flatMap((clientId) => names.get(clientId) ?? []).sort((a, b) => a.localeCompare(b)),
        };
      });
      const recency = (device: Device) => device.lastActiveAt?.getTime() ?? 0;
      return devices.sort((a, b) => Number(b.thisDevice) - Number(a.thisDevice) || recency(b) - recency(a));
    },

    /**
     * Signs out the session stored under `sessionId`, which must be one of the account's own
     * (another's, or one already gone, is device_not_found and changes nothing); returns the records ended.
     */
    signOutOne: (accountId: string, sessionId: string): Promise<number> => queries.transaction(async (q) => {
      const sessions = await q.oidcPayloads.listLivePayloadsOfAccount('Session', accountId);
      if (!sessions.some((session) => session.id === sessionId)) {
        throw new RequestError('device_not_found', 404, 'That browser is not signed in to your account (any more).', { messageKey: 'account.devices.notFound' });
      }
      const { ended } = await signOut(q, accountId, { session: sessionId });
      await recordAudit(q, { type: 'session.ended', subjectId: accountId, details: { which: 'one', records: ended } });
      return ended;
    }),

    /** Signs out every session of the account but `thisSession`, with what they and sessions gone before left (grants, tokens). */
    signOutOthers: (accountId: string, thisSession: string): Promise<number> => queries.transaction(async (q) => {
      const { ended } = await signOut(q, accountId, { everywhere: true, keepSession: thisSession });
      if (ended) await recordAudit(q, { type: 'session.ended', subjectId: accountId, details: { which: 'others', records: ended } });
      return ended;
    }),
  };
}

export type OwnDevices = ReturnType<typeof createOwnDevices>;
