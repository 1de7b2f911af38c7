import { GraphQLObjectType, GraphQLSchema, GraphQLString, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../schema.js';
import { inlinePlainRelayFields } from './plain-fields.js';

describe('inlinePlainRelayFields', () => {
  it("leaves the served schema's connection and edge plumbing without resolvers", () => {
    const plumbing = Object.values(schema.getTypeMap())
      .filter((type): type is GraphQLObjectType => isObjectType(type) && /(Connection|Edge)$/.test(type.name))
      .flatMap((type) => Object.values(type.getFields()).filter((field) => ['edges', 'node', 'pageInfo'].includes(field.name)));
    expect(plumbing.length).toBeGreaterThan(10);
    expect(plumbing.filter((field) => field.resolve).map((field) => field.name)).toEqual([]);
  });

  it('keeps a resolver that does more than read its own property', () => {
    const edge = new GraphQLObjectType({
      name: 'ThingEdge',
      fields: {
        node: { type: GraphQLString, resolve: (parent: { other: string; cursor: string }) => parent.other },
        cursor: { type: GraphQLString, resolve: (parent: { other: string; cursor: string }) => parent.cursor },
      },
    });
    const plain = new GraphQLObjectType({ name: 'PlainEdge', fields: { node: { type: GraphQLString, resolve: (parent) => parent.node } } });
    const query = new GraphQLObjectType({ name: 'Query', fields: { a: { type: edge }, b: { type: plain } } });
    inlinePlainRelayFields(new GraphQLSchema({ query }));
    expect(edge.getFields().node!.resolve).toBeDefined();
    expect(edge.getFields().cursor!.resolve).toBeDefined();
    expect(plain.getFields().node!.resolve).toBeUndefined();
  });
});
