// What both providers of `npm run bench` are set up with: one confidential client, the
// redirect URI of its sign-ins, and the password of the benchmark's people.
export const BENCH_CLIENT = { id: 'bench-client', secret: 'bench-client-secret-that-is-long-enough-for-both' };
export const BENCH_REDIRECT_URI = 'http://localhost:9/cb';
export const BENCH_PASSWORD = 'correct horse battery staple';
