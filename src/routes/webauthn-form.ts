// What public/webauthn.js posts: the challenge id and the browser's response as JSON text.
/** The parsed response, or undefined for anything unreadable or oversized (verification then fails). */
export function webauthnResponse(value: unknown): unknown {
  if (typeof value !== 'string' || value.length > 64 * 1024) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
