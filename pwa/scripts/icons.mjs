// Draws the PNG icons at build time from the same shapes as public/icons/*.svg (no image library needed):
// the manifest and iOS want PNGs at fixed sizes, and the repository keeps only the SVG.
import { writeFileSync, mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { join } from 'node:path';

const BLUE = [11, 92, 171];
const WHITE = [255, 255, 255];
const GAP_FROM = (-60 * Math.PI) / 180; // the loop's opening, upper right, as in the SVG arc
const GAP_TO = (-20 * Math.PI) / 180;

/** The icon's shapes in a 512-unit square; `maskable` fills the square and keeps to the 80 % safe zone. */
function shapes(maskable) {
  const ring = maskable ? { r: 120, w: 36, dot: 37, hole: 14 } : { r: 150, w: 44, dot: 46, hole: 18 };
  const end = (a) => [256 + ring.r * Math.cos(a), 256 + ring.r * Math.sin(a)];
  const corner = maskable ? 0 : 112;
  return [
    { color: BLUE, inside: (x, y) => inRoundedSquare(x, y, corner) },
    {
      color: WHITE,
      inside: (x, y) => {
        const d = Math.hypot(x - 256, y - 256);
        if (Math.abs(d - ring.r) > ring.w / 2) return false;
        const a = Math.atan2(y - 256, x - 256);
        return !(a > GAP_FROM && a < GAP_TO);
      },
    },
    ...[end(GAP_FROM), end(GAP_TO)].map(([cx, cy]) => ({
      color: WHITE,
      inside: (x, y) => Math.hypot(x - cx, y - cy) <= ring.w / 2,
    })),
    { color: WHITE, inside: (x, y) => Math.hypot(x - 256, y - 256) <= ring.dot },
    { color: BLUE, inside: (x, y) => Math.hypot(x - 256, y - 256) <= ring.hole },
  ];
}

function inRoundedSquare(x, y, r) {
  if (x < 0 || y < 0 || x > 512 || y > 512) return false;
  const cx = Math.min(Math.max(x, r), 512 - r);
  const cy = Math.min(Math.max(y, r), 512 - r);
  return Math.hypot(x - cx, y - cy) <= r;
}

/** RGBA pixels, 4×4 samples per pixel for smooth edges; outside the shapes stays transparent. */
function rasterize(size, maskable) {
  const list = shapes(maskable);
  const pixels = Buffer.alloc(size * size * 4);
  const n = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, covered = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = ((px + (sx + 0.5) / n) * 512) / size;
          const y = ((py + (sy + 0.5) / n) * 512) / size;
          let color = null;
          for (const shape of list) if (shape.inside(x, y)) color = shape.color;
          if (color) {
            r += color[0]; g += color[1]; b += color[2]; covered++;
          }
        }
      }
      const i = (py * size + px) * 4;
      if (covered) {
        pixels[i] = Math.round(r / covered);
        pixels[i + 1] = Math.round(g / covered);
        pixels[i + 2] = Math.round(b / covered);
      }
      pixels[i + 3] = Math.round((covered / (n * n)) * 255);
    }
  }
  return pixels;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function png(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  const rows = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Writes the PNG icons into `dir` and returns their file names. */
export function writeIcons(dir) {
  mkdirSync(dir, { recursive: true });
  const out = {
    'icon-192.png': [192, false],
    'icon-512.png': [512, false],
    'maskable-512.png': [512, true],
    'apple-touch-icon.png': [180, true], // iOS rounds the corners itself and wants no transparency
  };
  for (const [name, [size, maskable]] of Object.entries(out)) {
    writeFileSync(join(dir, name), png(size, rasterize(size, maskable)));
  }
  return Object.keys(out);
}
