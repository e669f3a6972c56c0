// Builds the PWA into dist/: the app (Vite), the icons, then the service worker with the list of files to
// precache and a version derived from their contents, so that every change to the app is a new worker.
import { build } from 'vite';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeIcons } from './icons.mjs';
import { report } from './size.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

function hashOf(paths) {
  const digest = createHash('sha256');
  for (const path of paths.sort()) digest.update(path).update(readFileSync(path));
  return digest.digest('hex').slice(0, 12);
}

await build({ root, configFile: join(root, 'vite.config.js'), logLevel: 'warn' });
writeIcons(join(dist, 'icons'));
writeFileSync(
  join(dist, 'config.json'),
  JSON.stringify(
    {
      // Operators may edit this file after the build; a user's own choice in Settings comes first.
      tile_url: process.env.FIELDLOOP_TILE_URL || 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
      tile_attribution: process.env.FIELDLOOP_TILE_ATTRIBUTION || '© OpenStreetMap contributors',
      tile_crs: process.env.FIELDLOOP_TILE_CRS || 'wgs84',
    },
    null,
    2,
  ) + '\n',
);
// Deep links (/approvals/<id> from a notification) load the app before the worker is installed.
copyFileSync(join(dist, 'index.html'), join(dist, '404.html'));

const files = walk(dist)
  .map((path) => '/' + relative(dist, path).split('\\').join('/'))
  .filter((url) => !['/404.html', '/sw.js', '/size.json'].includes(url));
const workerSources = walk(join(root, 'src', 'sw')).concat(walk(join(root, 'src', 'lib')));
const version = hashOf(files.map((url) => join(dist, url)).concat(workerSources));

await build({
  root,
  configFile: false,
  logLevel: 'warn',
  define: {
    __PRECACHE__: JSON.stringify(files),
    __VERSION__: JSON.stringify(version),
  },
  build: {
    outDir: dist,
    emptyOutDir: false,
    target: 'es2020',
    copyPublicDir: false,
    lib: { entry: join(root, 'src', 'sw', 'sw.js'), formats: ['iife'], name: 'fieldloopWorker', fileName: () => 'sw.js' },
  },
});

console.log(`service worker ${version}: ${files.length} files precached`);
const sizes = report(dist);
if (!sizes.within_budget) {
  console.error(`over budget: ${sizes.all_kb} KB gzipped > ${sizes.budget_kb} KB`);
  process.exit(1);
}
