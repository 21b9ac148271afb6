// Ids of accounts, roles, resources and tokens are UUIDs: one pattern for the doors and libraries that
// check a value looks like one before it reaches a query (where Postgres would refuse it).
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
