import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';

/**
 * Writes what the build emitted into `dist/sw.js` (copied from `public/sw.js`): the
 * files to precache (`index.html` and every hashed asset) and a version made of their
 * names, so a new build installs a new cache and drops the old one. In development
 * the worker keeps its empty list and caches the shell as it is fetched.
 */
export function precacheServiceWorker(): Plugin {
  let outDir = 'dist';
  let files: string[] = [];
  return {
    name: 'natter-precache-sw',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    generateBundle(_options, bundle) {
      files = Object.keys(bundle)
        .filter((name) => name.startsWith('assets/') && !name.endsWith('.map'))
        .map((name) => `/${name}`)
        .sort();
    },
    closeBundle() {
      const swPath = path.join(outDir, 'sw.js');
      const source = readFileSync(swPath, 'utf8');
      const version = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 12);
      const out = source
        .replace("const VERSION = 'dev';", `const VERSION = '${version}';`)
        .replace('const PRECACHE = [];', `const PRECACHE = ${JSON.stringify(files)};`);
      if (out === source || !out.includes(version)) throw new Error('public/sw.js lost its VERSION / PRECACHE markers');
      writeFileSync(swPath, out);
    },
  };
}
