// Statements that every sign-in or token repeats are prepared: Postgres parses, analyses and
// plans an unnamed statement at every use, which a profile under sign-in load showed to be
// about 40 % of Postgres's time. A named one is prepared once per connection (pg keeps the
// name) and then only bound and run. A name must always stand for the same text, so only
// statements whose text never varies (no list that grows with its values) are named.
// The embedded database ignores the name.

interface NamedQuery<Q> {
  options(options: { name: string }): Q;
}

export const prepared = <Q extends NamedQuery<Q>>(name: string, query: Q): Q => query.options({ name: `latchkey_${name}` });
