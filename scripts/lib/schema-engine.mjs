// Prisma's schema engine as WebAssembly (the native engine cannot be downloaded here).
// The package targets bundlers, so we instantiate the .wasm ourselves.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';

const require = createRequire(import.meta.url);

// The module's bindings hold one WebAssembly instance: instantiate it once per process.
let bindings;
function loadBindings() {
  bindings ??= (async () => {
    const bgPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bg = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const wasm = readFileSync(bgPath.replace(/schema_engine_bg\.js$/, 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(wasm, { './schema_engine_bg.js': bg });
    bg.__wbg_set_wasm(instance.exports);
    instance.exports.__wbindgen_start?.();
    return bg;
  })();
  return bindings;
}

export async function openSchemaEngine(datamodel, connectionString) {
  const bg = await loadBindings();
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPg({ connectionString }));
  return bg.SchemaEngine.new({ datamodels: [['schema.prisma', datamodel]] }, () => {}, adapter);
}

/** SQL that turns a database shaped by datamodel `from` (null: empty) into one shaped by `to`. */
export async function diffDatamodels(from, to, connectionString) {
  const engine = await openSchemaEngine(to, connectionString);
  const target = (content) => ({ tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content }] });
  const result = await engine.diff({
    from: from === null ? { tag: 'empty' } : target(from),
    to: target(to),
    script: true,
    exitCode: null,
    filters: { externalTables: [], externalEnums: [] },
  });
  return result.stdout ?? '';
}
