#!/usr/bin/env node
// Authors the next migration from a change to prisma/schema.prisma, offline:
//   npm run db:migration:new -- <name> [--from <old-schema.prisma>]
// The "before" datamodel is, unless --from names one, prisma/schema.prisma as it stood in the
// last commit that touched prisma/migrations (schema and migration are committed together).
// The engine diffs the two datamodels into SQL, written to prisma/migrations/<ts>_<name>/.
// Review the SQL, add what Prisma cannot express (extensions, partial indexes), commit both.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffDatamodels } from './lib/schema-engine.mjs';

const args = process.argv.slice(2);
const fromIndex = args.indexOf('--from');
const fromFile = fromIndex >= 0 ? args.splice(fromIndex, 2)[1] : undefined;
const name = args[0];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: npm run db:migration:new -- <snake_case_name> [--from <old schema.prisma>]');
  process.exit(1);
}

function previousDatamodel() {
  if (fromFile) return readFileSync(fromFile, 'utf8');
  const rev = execFileSync('git', ['log', '-1', '--format=%H', '--', 'prisma/migrations'], { encoding: 'utf8' }).trim();
  if (!rev) return null; // no migration yet: diff from an empty database
  return execFileSync('git', ['show', `${rev}:prisma/schema.prisma`], { encoding: 'utf8' });
}

const current = readFileSync('prisma/schema.prisma', 'utf8');
const sql = await diffDatamodels(previousDatamodel(), current, process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
if (!sql.trim() || /^-- This is an empty migration/.test(sql.trim())) {
  console.log('schema.prisma has no changes since the last migration; nothing written');
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const dir = join('prisma', 'migrations', `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'migration.sql'), sql);
console.log(`wrote ${join(dir, 'migration.sql')}; review it, then commit it with schema.prisma`);
