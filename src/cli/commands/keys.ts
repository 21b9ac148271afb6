// latchkey keys list|rotate
import { table, UsageError, type Execute } from '../io.ts';
import { durationSeconds, parse } from '../parse.ts';

export const keysHelp = `latchkey keys list [--json]
    Published signing keys: signing (in use), next (published, signs from its activation), retiring
    (no longer signs; published until every token it signed has expired).
latchkey keys rotate [--activate-in DURATION] [--json]
    Adds a new RS256, ES256 and EdDSA key. They are published at once and sign after DURATION
    (default 5m: time for every process and relying party to see them; 0 signs at once).`;

const DEFAULT_ACTIVATION = '5m';

export function parseKeysCommand(args: string[]): Execute {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'list': {
      const { values } = parse(`keys ${sub}`, rest, {});
      return async ({ signingKeys }, io) => {
        await signingKeys.ensureSigningKeys(); // a database the server never started on gets its first keys now
        const keys = await signingKeys.listSigningKeys();
        if (values.json) return io.out(JSON.stringify({ keys }));
        table([['KID', 'ALG', 'STATUS', 'SIGNS FROM', 'PUBLISHED UNTIL'], ...keys.map((k) => [
          k.kid, k.alg, k.status, k.activatesAt.toISOString(), k.expiresAt?.toISOString() ?? '—',
        ])]).forEach(io.out);
      };
    }
    case 'rotate': {
      const { values } = parse(`keys ${sub}`, rest, { 'activate-in': { type: 'string' } });
      const activateIn = durationSeconds(values['activate-in'] ?? DEFAULT_ACTIVATION, '--activate-in');
      return async ({ signingKeys, keysChanged }, io) => {
        await signingKeys.ensureSigningKeys();
        const kids = await signingKeys.rotateSigningKeys({ activateInSeconds: activateIn });
        await keysChanged();
        const activatesAt = new Date(Date.now() + activateIn * 1000).toISOString();
        if (values.json) return io.out(JSON.stringify({ kids, activates_at: activatesAt }));
        io.out(`Published new signing keys ${kids.join(', ')}`);
        io.out(activateIn === 0 ? 'They sign from now on.' : `They sign from ${activatesAt}; the keys they replace stay published until their tokens expire.`);
      };
    }
    default:
      throw new UsageError(`unknown command "keys ${sub ?? ''}" (see latchkey keys --help)`);
  }
}
