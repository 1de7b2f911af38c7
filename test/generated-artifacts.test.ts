/**
 * The committed generated artifacts (printed schema, typed SDK, migrations) must match their
 * sources, and each check must catch a stale artifact.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationDrift, schemaFileIsCurrent, staleSdkFiles } from '../scripts/check-generated.js';
import { SCHEMA_FILE } from '../src/schema-file.js';
import { PROJECT_ROOT } from '../src/platform/paths.js';
import { createTestDatabase, databaseUrl, testDatabaseName, withAdmin, type TestDatabase } from './db.js';

const scratch = mkdtempSync(join(tmpdir(), 'foliograph-artifacts-'));
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const db of databases) await db.drop();
});

async function emptyDatabase(): Promise<string> {
  const name = testDatabaseName('empty');
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
  databases.push({
    name,
    url: databaseUrl(name),
    drop: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  });
  return databaseUrl(name);
}

describe('schema/schema.graphql', () => {
  it('matches the Pothos builder', () => {
    expect(schemaFileIsCurrent(), 'run npm run schema:print').toBe(true);
  });
  it('is reported stale when it differs', () => {
    const copy = join(scratch, 'schema.graphql');
    writeFileSync(copy, readFileSync(SCHEMA_FILE, 'utf8').replace('scalar Decimal', 'scalar Decimal\nscalar Stale'));
    expect(schemaFileIsCurrent(copy)).toBe(false);
  });
});

describe('the typed SDK in schema/sdk', () => {
  it('matches a fresh codegen run', async () => {
    expect(await staleSdkFiles(), 'run npm run codegen').toEqual([]);
  });
  it('is reported stale when an operation changes', async () => {
    const operations = join(scratch, 'ops.graphql');
    writeFileSync(operations, 'query ServerVersionRenamed { version }\n');
    expect(await staleSdkFiles({ documents: [operations] })).toContain('graphql.ts');
  });
  it('refuses an operation that the schema cannot answer', async () => {
    const operations = join(scratch, 'bad.graphql');
    writeFileSync(operations, 'query Broken { noSuchField }\n');
    await expect(staleSdkFiles({ documents: [operations] })).rejects.toThrow();
  });
  it('is reported stale when a generated file was edited by hand', async () => {
    const sdk = join(scratch, 'sdk');
    cpSync(join(PROJECT_ROOT, 'schema', 'sdk'), sdk, { recursive: true });
    writeFileSync(join(sdk, 'graphql.ts'), readFileSync(join(sdk, 'graphql.ts'), 'utf8') + '\n// edited\n');
    expect(await staleSdkFiles({ sdkDir: sdk })).toEqual(['graphql.ts']);
  });
});

describe('prisma/migrations', () => {
  const datamodel = readFileSync(join(PROJECT_ROOT, 'prisma', 'schema.prisma'), 'utf8');

  it('build the database schema.prisma describes', async () => {
    const migrated = await createTestDatabase();
    databases.push(migrated);
    expect(await migrationDrift(datamodel, migrated.url, await emptyDatabase())).toEqual([]);
  });

  it('are reported as behind when schema.prisma changes without a migration', async () => {
    const migrated = await createTestDatabase();
    databases.push(migrated);
    const changed = datamodel.replace(/(model Portfolio \{\n\s+id\s+String[^\n]*\n)/, '$1  nickname String? @db.VarChar(40)\n');
    expect(changed).not.toBe(datamodel);
    const drift = await migrationDrift(changed, migrated.url, await emptyDatabase());
    expect(drift).toEqual(['missing column portfolios.nickname: character varying(40)']);
  });
});
