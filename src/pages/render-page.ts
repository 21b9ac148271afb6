// Renders an EJS page from views/ inside the one layout. Templates escape by default;
// only the layout's body slot and provider-made forms are inserted unescaped.
import path from 'node:path';
import ejs from 'ejs';

export const viewsDirectory = path.resolve(import.meta.dirname, '../../views');

export interface PageLocals {
  title: string;
  [name: string]: unknown;
}

export type RenderPage = (view: string, locals: PageLocals) => Promise<string>;

/** Templates are compiled once per process and rendered from the cache (a changed template shows after a restart). */
export function createPageRenderer(): RenderPage {
  const render = (file: string, locals: object) =>
    ejs.renderFile(path.join(viewsDirectory, file), locals, { cache: true, async: false, root: viewsDirectory });
  return async (view, locals) => render('layout.ejs', { ...locals, body: await render(`${view}.ejs`, locals) });
}
