// Serves the files in public/ (stylesheet, browser scripts) under /static/, from a list read
// at start, and exactly the vendor browser builds the pages use (zxcvbn-ts, @simplewebauthn/browser)
// under /static/vendor/: nothing else can be asked for.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type Router from '@koa/router';

const publicDirectory = path.resolve(import.meta.dirname, '../../public');
const TYPES: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png' };
/**
 * zxcvbn-ts's own browser builds for public/password-strength.js: self-contained classic scripts
 * that set window.zxcvbnts (their ESM builds import bare specifiers, which need an inline import map),
 * with the advice in each language the pages speak.
 */
const zxcvbnBundles = new Map(['core', 'language-common', 'language-en', 'language-de', 'language-fr'].map((name) => [
  `${name}.js`,
  path.join(path.dirname(createRequire(import.meta.url).resolve(`@zxcvbn-ts/${name}`)), 'zxcvbn-ts.js'),
]));

/** @simplewebauthn/browser's self-contained build, which sets window.SimpleWebAuthnBrowser. */
const webauthnBundle = path.join(path.dirname(createRequire(import.meta.url).resolve('@simplewebauthn/browser')), '../dist/bundle/index.umd.min.js');

export default function staticRoutes(router: Router) {
  const files = new Map(fs.readdirSync(publicDirectory).filter((name) => TYPES[path.extname(name)]).map((name) => [name, path.join(publicDirectory, name)]));
  router.get('/static/:file', async (ctx) => {
    const file = files.get(ctx.params.file!);
    if (!file) return; // falls through to 404
    ctx.type = TYPES[path.extname(file)]!;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = fs.createReadStream(file);
  });
  router.get('/static/vendor/zxcvbn-ts/:file', async (ctx) => {
    const file = zxcvbnBundles.get(ctx.params.file!);
    if (!file) return;
    ctx.type = TYPES['.js']!;
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = fs.createReadStream(file);
  });
  router.get('/static/vendor/simplewebauthn-browser.js', async (ctx) => {
    ctx.type = TYPES['.js']!;
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = fs.createReadStream(webauthnBundle);
  });
}
