/**
 * Checks that the committed generated artifacts match their sources:
 * - schema/schema.graphql matches the Pothos builder;
 * - schema/sdk/ matches what codegen makes from schema.graphql and schema/operations/;
 * - the migrated database matches prisma/schema.prisma (nothing in the datamodel lacks a migration).
 * `npm run check:generated` runs all three; tests call the functions with tampered inputs too.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import pg from 'pg';
import codegenConfig, { SDK_DIR } from '../codegen.js';
import { printSchemaFile, SCHEMA_FILE } from '../src/schema-file.js';
import { PROJECT_ROOT } from '../src/platform/paths.js';
import { diffDatamodels } from './lib/schema-engine.mjs';

export function schemaFileIsCurrent(file = SCHEMA_FILE): boolean {
  return existsSync(file) && readFileSync(file, 'utf8') === printSchemaFile();
}

/** Files of the SDK that differ from a fresh generation (empty: up to date). Throws when an
 * operation does not validate against the schema. */
export async function staleSdkFiles(options: { sdkDir?: string; schema?: string; documents?: string[] } = {}): Promise<string[]> {
  const sdkDir = options.sdkDir ?? join(PROJECT_ROOT, SDK_DIR);
  const target = Object.values(codegenConfig.generates)[0] as object;
  const outputs = await generate(
    {
      ...codegenConfig,
      cwd: PROJECT_ROOT,
      silent: true,
      schema: options.schema ?? codegenConfig.schema,
      documents: options.documents ?? codegenConfig.documents,
      generates: { [SDK_DIR]: target },
    },
    false,
  );
  const stale: string[] = [];
  for (const output of outputs as Array<{ filename: string; content: string }>) {
    const name = relative(join(PROJECT_ROOT, SDK_DIR), join(PROJECT_ROOT, output.filename));
    const file = join(sdkDir, name);
    if (!existsSync(file) || readFileSync(file, 'utf8') !== output.content) stale.push(name);
  }
  return stale;
}

const CATALOG = `
SELECT 'column ' || c.relname || '.' || a.attname AS item,
       format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
         || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '') AS definition
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
   AND c.relname <> '_prisma_migrations'
UNION ALL
SELECT 'index ' || indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'
UNION ALL
SELECT 'constraint ' || conrelid::regclass || '.' || conname, pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '"_prisma_migrations"'
   AND conrelid::regclass::text <> '_prisma_migrations'
UNION ALL
SELECT 'enum ' || t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
  FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`;

async function catalog(url: string): Promise<Map<string, string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ item: string; definition: string }>(CATALOG);
    return new Map(rows.map((r) => [r.item, r.definition]));
  } finally {
    await client.end();
  }
}

/**
 * What the datamodel defines that the migrated database lacks or defines differently. `scratchUrl`
 * names an empty database, where the datamodel's own SQL is applied for comparison. Extras that
 * migrations add by hand (extensions, partial or trigram indexes) are not drift.
 */
export async function migrationDrift(datamodel: string, migratedUrl: string, scratchUrl: string): Promise<string[]> {
  const sql = await diffDatamodels(null, datamodel, scratchUrl);
  const scratch = new pg.Client({ connectionString: scratchUrl });
  await scratch.connect();
  try {
    await scratch.query(sql);
  } finally {
    await scratch.end();
  }
  const [expected, actual] = await Promise.all([catalog(scratchUrl), catalog(migratedUrl)]);
  const drift: string[] = [];
  for (const [item, definition] of expected) {
    const found = actual.get(item);
    if (found === undefined) drift.push(`missing ${item}: ${definition}`);
    else if (found !== definition) drift.push(`different ${item}: migrations have "${found}", schema.prisma wants "${definition}"`);
  }
  return drift;
}
