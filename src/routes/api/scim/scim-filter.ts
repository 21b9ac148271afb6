// A SCIM filter (parsed by scimmy) as conditions on the accounts table: the attributes a
// directory filters people by (RFC 7644 §3.4.2.2), compared case-insensitively except the
// case-exact externalId and id. Anything else is an invalidFilter, never a full scan in memory.
import SCIMMY from 'scimmy';
import type { DirectoryCondition } from '../../../queries/accounts.ts';
import { UUID } from '../../../libraries/uuid.ts';

const FIELDS: Record<string, DirectoryCondition['field']> = {
  id: 'id', username: 'email', 'emails.value': 'email', emails: 'email', externalid: 'external_id', displayname: 'name',
  'name.formatted': 'name', 'name.givenname': 'given_name', 'name.familyname': 'family_name', active: 'active',
  'meta.created': 'created_at', 'meta.lastmodified': 'updated_at',
};
const OPS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'pr', 'gt', 'ge', 'lt', 'le']);

const invalid = (detail: string) => new SCIMMY.Types.Error(400, 'invalidFilter', detail);

/** Flattens scimmy's nested expression ({ name: { givenName: [op, value] } }) into dotted paths. */
function comparisons(expression: Record<string, unknown>, prefix = ''): Array<[string, unknown[]]> {
  return Object.entries(expression).flatMap(([key, value]) => (Array.isArray(value)
    ? [[`${prefix}${key}`, value] as [string, unknown[]]]
    : comparisons(value as Record<string, unknown>, `${prefix}${key}.`)));
}

export function directoryConditions(filter: string | undefined): DirectoryCondition[][] {
  if (filter === undefined) return [];
  if (!filter.trim()) throw invalid('The filter is empty.');
  let parsed: Array<Record<string, unknown>>;
  try {
    parsed = new SCIMMY.Types.Filter(filter) as unknown as Array<Record<string, unknown>>;
  } catch (error) {
    throw error instanceof SCIMMY.Types.Error ? error : invalid((error as Error).message);
  }
  return parsed.map((expression) => comparisons(expression).map(([path, comparison]) => {
    const negate = comparison[0] === 'not';
    const [op, value] = (negate ? comparison.slice(1) : comparison) as [string, unknown];
    const field = FIELDS[path.toLowerCase()];
    if (!field) throw invalid(`Filtering by ${path} is not supported here.`);
    if (!OPS.has(op)) throw invalid(`Unknown operator ${op}.`);
    if (op === 'np') return { field, op: 'pr', negate: !negate } satisfies DirectoryCondition;
    if (op === 'pr') return { field, op, negate } satisfies DirectoryCondition;
    if (field === 'active') {
      if (typeof value !== 'boolean' || (op !== 'eq' && op !== 'ne')) throw invalid('active compares with eq or ne to true or false.');
      return { field, op, value, negate };
    }
    if (field === 'created_at' || field === 'updated_at') {
      const time = new Date(String(value));
      if (Number.isNaN(time.getTime())) throw invalid(`${path} compares with a time.`);
      return { field, op: op as DirectoryCondition['op'], value: time, negate };
    }
    if (typeof value !== 'string') throw invalid(`${path} ${op} needs a string value.`);
    if (field === 'id' && (!UUID.test(value) || !['eq', 'ne'].includes(op))) {
      // No account has an id that is not a UUID: an eq matches nothing, a ne everything.
      return op === 'ne' ? { field: 'id', op: 'pr', negate } : { field: 'id', op: 'pr', negate: !negate };
    }
    return { field, op: op as DirectoryCondition['op'], value, negate };
  }));
}
