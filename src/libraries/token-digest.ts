// How a token or cookie value is stored: its SHA-256 digest, so that reading the database does
// not yield a usable token. The provider's adapter and what writes the provider's records
// directly (initial access tokens made by the CLI) share it.
import crypto from 'node:crypto';

export const tokenDigest = (value: string) => crypto.createHash('sha256').update(value).digest('base64url');
