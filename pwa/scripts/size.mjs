// Measures what the app ships, gzipped, against the 150 KB budget for JavaScript and CSS (map tiles and the
// offline knowledge bundle are data, not code, and are excluded). Two figures:
//   first load - what index.html loads before anything is tapped (entry script, preloads, stylesheets);
//   all code   - every JS and CSS file in dist, the lazily loaded map and the service worker included.
// The budget is enforced on "all code", the stricter of the two. Writes dist/size.json.
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, resolve, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BUDGET_KB = 150;

const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const kb = (bytes) => Math.round((bytes / 1024) * 10) / 10;

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** The URLs index.html makes the browser load at once: module scripts, modulepreloads and stylesheets. */
function firstLoadUrls(html) {
  const urls = new Set();
  for (const m of html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)) urls.add(m[1]);
  for (const m of html.matchAll(/<link[^>]*>/g)) {
    const tag = m[0];
    const rel = /\brel="([^"]+)"/.exec(tag)?.[1];
    const href = /\bhref="([^"]+)"/.exec(tag)?.[1];
    if (href && (rel === 'stylesheet' || rel === 'modulepreload')) urls.add(href);
  }
  return [...urls].filter((u) => u.startsWith('/'));
}

export function report(dist) {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const first = firstLoadUrls(html).map((url) => {
    const buf = readFileSync(join(dist, url));
    return { file: url, bytes: buf.length, gzip: gz(buf) };
  });
  const all = walk(dist)
    .filter((p) => /\.(js|css|mjs)$/.test(p))
    .map((p) => {
      const buf = readFileSync(p);
      return { file: '/' + relative(dist, p).split('\\').join('/'), bytes: buf.length, gzip: gz(buf) };
    })
    .sort((a, b) => b.gzip - a.gzip);
  const sum = (list) => list.reduce((n, f) => n + f.gzip, 0);
  const out = {
    budget_kb: BUDGET_KB,
    first_load_kb: kb(sum(first)),
    all_kb: kb(sum(all)),
    within_budget: sum(all) <= BUDGET_KB * 1024,
    first_load: first,
    all,
  };
  writeFileSync(join(dist, 'size.json'), JSON.stringify(out, null, 2) + '\n');
  console.log('JS + CSS, gzipped:');
  for (const f of all) console.log(`  ${String(kb(f.gzip)).padStart(6)} KB  ${f.file}`);
  console.log(`first load: ${out.first_load_kb} KB; all code: ${out.all_kb} KB; budget ${BUDGET_KB} KB`);
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dist = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
  const out = report(dist);
  process.exit(out.within_budget ? 0 : 1);
}
