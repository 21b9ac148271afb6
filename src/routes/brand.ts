// The deployment's brand files: its logo and stylesheets, as configured at start (see
// brand-assets.ts). An SVG logo is served sandboxed: opened on its own it runs nothing.
import fs from 'node:fs';
import type Router from '@koa/router';
import type { Brand } from '../config/env.ts';
import type { BrandAssets } from '../pages/brand-assets.ts';

const CACHE = 'public, max-age=86400'; // the URLs carry a version: a change is a new URL

export default function brandRoutes(router: Router, brand: Brand, assets: BrandAssets) {
  const logo = brand.logo && 'file' in brand.logo ? brand.logo : undefined;
  if (logo) {
    router.get('/brand/logo', (ctx) => {
      ctx.type = logo.type;
      ctx.set('Cache-Control', CACHE);
      ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
      ctx.body = fs.createReadStream(logo.file);
    });
  }
  const { coloursCss } = assets;
  if (coloursCss) {
    router.get('/brand/colours.css', (ctx) => {
      ctx.type = 'text/css; charset=utf-8';
      ctx.set('Cache-Control', CACHE);
      ctx.body = coloursCss;
    });
  }
  const themeCss = brand.themeCss;
  if (themeCss) {
    router.get('/brand/theme.css', (ctx) => {
      ctx.type = 'text/css; charset=utf-8';
      ctx.set('Cache-Control', CACHE);
      ctx.body = fs.createReadStream(themeCss);
    });
  }
}
