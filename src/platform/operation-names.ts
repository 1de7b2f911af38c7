/**
 * Metric labels must not grow with what clients send: an operation name is a label only when it
 * is one of the operations the project ships (schema/operations/*.graphql, the SDK's), else
 * "other" (or "anonymous" for an unnamed one).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import { PROJECT_ROOT } from './paths.js';

let known: ReadonlySet<string> | undefined;

export function knownOperationNames(): ReadonlySet<string> {
  if (known) return known;
  const names = new Set<string>();
  const dir = join(PROJECT_ROOT, 'schema', 'operations');
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.graphql'));
  } catch {
    // An image without the operations folder labels every operation "other".
  }
  for (const file of files) {
    for (const definition of parse(readFileSync(join(dir, file), 'utf8')).definitions) {
      if (definition.kind === 'OperationDefinition' && definition.name) names.add(definition.name.value);
    }
  }
  known = names;
  return names;
}

export function operationLabel(name: string | undefined | null): string {
  if (!name) return 'anonymous';
  return knownOperationNames().has(name) ? name : 'other';
}
