// Reads that several steps of one request repeat (the account behind it, a token looked up as
// each kind of token in turn) are made once per request. Nothing is kept between requests, so
// what must be exact (tokens, sessions) still is; a write through the same request forgets the
// read it changes.
import { AsyncLocalStorage } from 'node:async_hooks';

const memos = new AsyncLocalStorage<Map<string, Promise<unknown>>>();

/** Runs `work` (a request) with a memo of its own. */
export const withRequestMemo = <T>(work: () => T): T => memos.run(new Map(), work);

/** Whether this runs for a request (not for a background worker). */
export const insideRequest = (): boolean => memos.getStore() !== undefined;

/** `load()`, or what it gave earlier in this request. */
export function memoized<T>(key: string, load: () => Promise<T>): Promise<T> {
  const memo = memos.getStore();
  if (!memo) return load();
  let value = memo.get(key) as Promise<T> | undefined;
  if (!value) {
    value = load();
    memo.set(key, value);
    value.catch(() => memo.delete(key));
  }
  return value;
}

/** Records what a read of `key` would give, found by a wider read of this request (unless already read). */
export function prime<T>(key: string, value: T): void {
  const memo = memos.getStore();
  if (memo && !memo.has(key)) memo.set(key, Promise.resolve(value));
}

/** Whether this request read (or primed) `key`. */
export const remembered = (key: string): boolean => memos.getStore()?.has(key) ?? false;

export function forget(key: string): void {
  memos.getStore()?.delete(key);
}

/** Forgets every read whose key starts with `prefix` (a write that may change any of them). */
export function forgetStartingWith(prefix: string): void {
  const memo = memos.getStore();
  for (const key of memo?.keys() ?? []) if (key.startsWith(prefix)) memo!.delete(key);
}
