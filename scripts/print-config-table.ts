// Prints README's configuration table from the settings list in src/config/env.ts.
import { configTableMarkdown } from '../src/config/env.ts';

process.stdout.write(`${configTableMarkdown()}\n`);
