// `npm run schema:print`: writes schema/schema.graphql from the Pothos builder.
// `--check` exits 1 when the committed file is stale (a test runs the same comparison).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printSchemaFile, SCHEMA_FILE } from '../src/schema-file.js';

const printed = printSchemaFile();
if (process.argv.includes('--check')) {
  const committed = readFileSync(SCHEMA_FILE, 'utf8');
  if (committed !== printed) {
    console.error('schema/schema.graphql is stale: run npm run schema:print');
    process.exit(1);
  }
  console.log('schema/schema.graphql is up to date');
} else {
  writeFileSync(SCHEMA_FILE, printed);
  console.log(`wrote ${join('schema', 'schema.graphql')}`);
}
