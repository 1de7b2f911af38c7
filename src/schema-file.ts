import { join } from 'node:path';
import { printSchema } from 'graphql';
import { PROJECT_ROOT } from './platform/paths.js';
import { schema } from './schema.js';

export const SCHEMA_FILE = join(PROJECT_ROOT, 'schema', 'schema.graphql');

/** The SDL as committed in schema/schema.graphql (generated; do not edit by hand). */
export function printSchemaFile(): string {
  return `# Generated from the Pothos schema by \`npm run schema:print\`; do not edit.\n\n${printSchema(schema)}\n`;
}
