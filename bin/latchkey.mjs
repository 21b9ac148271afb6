#!/usr/bin/env node
// The `latchkey` command: Node.js 24 runs the TypeScript sources as they are (type stripping,
// no build step). `latchkey serve` runs the server in this very process, so the signals sent to
// it (SIGTERM from a service manager, Ctrl-C) reach the server itself; anything else is the
// command line.
import module from 'node:module';

module.enableCompileCache(); // compiled code cached on disk: a command starts in a fraction of the time
if (process.argv[2] === 'serve') {
  if (process.argv.length > 3) {
    process.stderr.write('latchkey: serve takes no arguments; settings come from the environment (see latchkey --help)\n');
    process.exit(2);
  }
  await import('../src/main.ts');
} else {
  await import('../src/cli/main.ts');
}
