// Copies the data files the code reads at run time (every non-TypeScript file under src/, except
// test fixtures) beside the compiled modules in dist/, so the image never reads from src/.
import { cpSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const src = join(root, 'src');
const dist = join(root, process.argv[2] ?? 'dist');

for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
  const file = join(entry.parentPath, entry.name);
  const path = relative(src, file);
  if (path.split('/').includes('fixtures') || path.startsWith('generated/')) continue;
  cpSync(file, join(dist, path));
}
