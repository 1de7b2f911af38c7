/**
 * Table ownership (docs/architecture.md): each table belongs to one domain, and a domain's code
 * touches only its own tables, through Prisma's model delegates or SQL; other domains' data comes
 * through their doors. The documented exceptions are analytics' read model, and the reads a
 * domain may make of a lower domain's table in its own statements (the "reads" table: the ledger
 * reads `portfolios`), which never write it. The owners and the reads are taken from the
 * architecture document itself, so the document and the code cannot drift apart. (A Prisma
 * relation include is not seen here; those are GraphQL relations, documented there.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/platform/paths.js';

/** Code that may read other domains' tables: the read model, and the demo seed (an entry point). */
const ALLOWED = new Set(['src/analytics/read-model.ts', 'src/seed.ts']);

/** Table → owning domain, from the "| tables | owner |" table of docs/architecture.md. */
function documentedOwners(): Map<string, string> {
  const text = readFileSync(join(PROJECT_ROOT, 'docs', 'architecture.md'), 'utf8');
  const section = text.slice(text.indexOf('## Table ownership'));
  const owners = new Map<string, string>();
  for (const line of section.split('\n')) {
    const row = /^\| (`[a-z_]+`(?:, `[a-z_]+`)*) \| ([a-z]+) \|$/.exec(line);
    if (!row) continue;
    for (const table of row[1]!.matchAll(/`([a-z_]+)`/g)) owners.set(table[1]!, row[2]!);
  }
  return owners;
}

/** Domain → the other domains' tables it may read (never write), from the "| domain | reads | why |" table. */
function documentedReads(): Map<string, Set<string>> {
  const text = readFileSync(join(PROJECT_ROOT, 'docs', 'architecture.md'), 'utf8');
  const section = text.slice(text.indexOf('## Table ownership'));
  const reads = new Map<string, Set<string>>();
  for (const line of section.split('\n')) {
    const row = /^\| ([a-z]+) \| (`[a-z_]+`(?:, `[a-z_]+`)*) \| .+ \|$/.exec(line);
    if (!row) continue;
    reads.set(row[1]!, new Set([...row[2]!.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!)));
  }
  return reads;
}

/** Prisma model delegate name (db.portfolioShare) → table (portfolio_shares). */
function prismaTables(): Map<string, string> {
  const schema = readFileSync(join(PROJECT_ROOT, 'prisma', 'schema.prisma'), 'utf8');
  const tables = new Map<string, string>();
  for (const model of schema.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    const table = /@@map\("([a-z_]+)"\)/.exec(model[2]!)?.[1];
    if (table) tables.set(model[1]!.charAt(0).toLowerCase() + model[1]!.slice(1), table);
  }
  return tables;
}

/** The tables a file's code touches (comments left out). */
export function tablesTouched(code: string, delegates: Map<string, string>, tables: ReadonlySet<string>): Set<string> {
  const stripped = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const touched = new Set<string>();
  for (const m of stripped.matchAll(
    /\b(?:db|tx|client)\.(\w+)\.(?:find\w*|create\w*|update\w*|upsert|delete\w*|count|aggregate|groupBy)\(/g,
  )) {
    const table = delegates.get(m[1]!);
    if (table) touched.add(table);
  }
  for (const m of stripped.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE)\s+([a-z_]+)\b/g)) {
    if (tables.has(m[1]!)) touched.add(m[1]!);
  }
  return touched;
}

/** The tables a file's code writes: delegates' writes, INSERT INTO, UPDATE, DELETE FROM (comments left out). */
export function tablesWritten(code: string, delegates: Map<string, string>, tables: ReadonlySet<string>): Set<string> {
  const stripped = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const written = new Set<string>();
  for (const m of stripped.matchAll(/\b(?:db|tx|client)\.(\w+)\.(?:create\w*|update\w*|upsert|delete\w*)\(/g)) {
    const table = delegates.get(m[1]!);
    if (table) written.add(table);
  }
  for (const m of stripped.matchAll(/\b(?:INTO|UPDATE|DELETE\s+FROM|TRUNCATE)\s+([a-z_]+)\b/g)) {
    if (tables.has(m[1]!)) written.add(m[1]!);
  }
  return written;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' || entry.name === 'fixtures' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The domain a source file belongs to: its folder under src/ (platform and graphql own no table). */
const domainOf = (file: string) => file.split('/')[1]!;

const owners = documentedOwners();
const reads = documentedReads();
const delegates = prismaTables();

describe('table ownership', () => {
  it('names an owner for every table of the Prisma schema, and no table that is not in it', () => {
    expect([...owners.keys()].sort()).toEqual([...new Set(delegates.values())].sort());
  });

  it("has each domain's code touch only its own tables, analytics' read model and the documented reads excepted", () => {
    const crossings: string[] = [];
    const tables = new Set(owners.keys());
    for (const path of sourceFiles(join(PROJECT_ROOT, 'src'))) {
      const file = relative(PROJECT_ROOT, path);
      if (ALLOWED.has(file)) continue;
      const code = readFileSync(path, 'utf8');
      const domain = domainOf(file);
      const written = tablesWritten(code, delegates, tables);
      for (const table of tablesTouched(code, delegates, tables)) {
        if (owners.get(table) === domain) continue;
        if (reads.get(domain)?.has(table) && !written.has(table)) continue;
        crossings.push(`${file} ${written.has(table) ? 'writes' : 'touches'} ${table}, owned by ${owners.get(table)}`);
      }
    }
    expect(crossings).toEqual([]);
  });

  it('documents reads of tables that belong to a lower domain only', () => {
    const layers = ['auth', 'market', 'portfolios', 'ledger', 'analytics', 'alerts', 'reports', 'jobs'];
    for (const [domain, tables] of reads) {
      for (const table of tables) expect(layers.indexOf(owners.get(table)!)).toBeLessThan(layers.indexOf(domain));
    }
    expect(reads.get('ledger')).toEqual(new Set(['portfolios']));
  });

  it('sees a read of another domain’s table, by SQL or by a model delegate, and not one in a comment', () => {
    const tables = new Set(owners.keys());
    const sql =
      'const rows = await this.db.$queryRaw`SELECT DISTINCT i.symbol FROM transactions i JOIN portfolios p ON p.id = i.portfolio_id`;';
    expect([...tablesTouched(sql, delegates, tables)].sort()).toEqual(['portfolios', 'transactions']);
    expect([...tablesTouched('await db.user.findUnique({ where: { id } });', delegates, tables)]).toEqual(['users']);
    expect([...tablesTouched('// reads FROM portfolios through the door\nawait tx.alert.create({ data });', delegates, tables)]).toEqual([
      'alerts',
    ]);
    expect([...tablesWritten(sql, delegates, tables)]).toEqual([]);
    expect([...tablesWritten('await tx.portfolio.update({ where: { id }, data });', delegates, tables)]).toEqual(['portfolios']);
    expect([...tablesWritten('await tx.$executeRaw`UPDATE portfolios SET name = ${name}`;', delegates, tables)]).toEqual(['portfolios']);
    expect([...tablesWritten('SELECT id FROM portfolios WHERE id = ${id}::uuid FOR UPDATE', delegates, tables)]).toEqual([]);
  });
});
