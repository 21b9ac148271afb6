// The name a mail greets its recipient with. A name is typed by whoever registered the account;
// until the address is proved that may be a stranger, whose words must not reach the owner's
// inbox under Latchkey's name (a phishing vector), so mails to an unproved address greet nobody.
import type { AccountRow } from '../queries/accounts.ts';

export const greetingName = (account: Pick<AccountRow, 'name' | 'email_verified'>): string | null =>
  (account.email_verified ? account.name : null);
