// Renders an EJS page from views/ inside the one layout. Templates escape by default;
// only the layout's body slot and provider-made forms are inserted unescaped.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ejs from 'ejs';

export const viewsDirectory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../views');

export interface PageLocals {
  title: string;
  [name: string]: unknown;
}

export type RenderPage = (view: string, locals: PageLocals) => Promise<string>;

export function createPageRenderer({ cache }: { cache: boolean }): RenderPage {
  const render = (file: string, locals: object) =>
    ejs.renderFile(path.join(viewsDirectory, file), locals, { cache, async: false, root: viewsDirectory });
  return async (view, locals) => render('layout.ejs', { ...locals, body: await render(`${view}.ejs`, locals) });
}
