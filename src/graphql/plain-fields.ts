/**
 * Relay's plumbing fields without resolvers, so graphql-jit reads them inline. Pothos' relay
 * plugin gives each connection's `edges` and `pageInfo` and each edge's `node` the resolver
 * `(parent) => parent.<field>`, and graphql-jit calls every resolver with a fresh response path,
 * resolve info and closures: in the read-path heap profile (Q2, 1,000 edges per request) the
 * edge `node` calls were ~18 % of all bytes allocated. A field without a resolver is read as
 * `parent[field]` (graphql-js' default resolver: the same value, since these are never functions).
 * Only a resolver whose source is exactly that property read is dropped, so any field with logic
 * of its own (a plugin's wrapper, a custom resolve) keeps it.
 */
import { isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';

const PLUMBING = new Set(['edges', 'node', 'pageInfo']);

function isPlainRead(resolve: GraphQLFieldResolver<unknown, unknown>, field: string): boolean {
  return resolve.toString().replace(/\s+/g, '') === `(parent)=>parent.${field}`;
}

export function inlinePlainRelayFields(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || !/(Connection|Edge)$/.test(type.name)) continue;
    for (const field of Object.values(type.getFields())) {
      if (PLUMBING.has(field.name) && field.resolve && isPlainRead(field.resolve, field.name)) field.resolve = undefined;
    }
  }
  return schema;
}
