// Build the web UI into dist/web: type-check web/src (its own tsconfig, with DOM types the
// server build must not see), bundle it with esbuild, copy the static files. No CDN at run time.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const out = here('../dist/web/');

execFileSync(process.execPath, [here('../node_modules/typescript/bin/tsc'), '-p', here('tsconfig.json')], { stdio: 'inherit' });
rmSync(out, { recursive: true, force: true });
mkdirSync(`${out}assets`, { recursive: true });
await build({
  entryPoints: [here('src/main.ts')],
  bundle: true,
  format: 'esm',
  target: 'es2020',
  minify: true,
  sourcemap: false,
  outfile: `${out}assets/app.js`,
  logLevel: 'warning',
});
copyFileSync(here('index.html'), `${out}index.html`);
copyFileSync(here('style.css'), `${out}assets/app.css`);
