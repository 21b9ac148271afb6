// Every stored address in its one normalised form (lower case, ASCII domain), as
// libraries/email-address.ts now makes them. An address that is no plain addr-spec, or whose
// normal form another account already has, is left as it was: nothing typed can match it.
import type { Knex } from 'knex';
import { maybeNormaliseEmail } from '../src/libraries/email-address.ts';

export async function up(knex: Knex): Promise<void> {
  const rows = await knex('accounts').select('id', 'email') as Array<{ id: string; email: string }>;
  for (const row of rows) {
    const email = maybeNormaliseEmail(row.email);
    if (!email || email === row.email) continue;
    await knex.raw(
      `update accounts set email = :email where id = :id
         and not exists (select 1 from accounts other where lower(other.email) = :email and other.id <> :id)`,
      { email, id: row.id },
    );
  }
}

export async function down(): Promise<void> {
  // The addresses as typed are gone; their normal form serves every use.
}
