/**
 * Custom scalars under graphql-jit (Mercurius `jit: 1` compiles a document on its second run).
 * The compiled query embeds literal arguments as JSON text: `quantity: "7"` is parsed once by the
 * Decimal scalar's parseLiteral, then JSON.stringify turns that Decimal into the string "7", and
 * from the second run resolvers got a string instead (“value.isFinite is not a function”).
 * graphql-jit keeps Dates (it revives them itself) but no other class.
 *
 * So each custom scalar whose parsed value is not plain JSON declares, in its extensions,
 * `restoreParsedValue(jsonForm)`, and every field whose arguments can hold such a scalar (at any
 * depth of lists and input objects) gets its resolver wrapped to restore them. Only those fields
 * are wrapped; values that are already parsed (variables, the interpreter) pass through.
 */
import {
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLScalarType,
  defaultFieldResolver,
  isObjectType,
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';

type Restore = (value: unknown) => unknown;

export interface RestorableScalarExtensions {
  /** The parsed value again, from what JSON.stringify made of it (or from the parsed value itself). */
  restoreParsedValue?: Restore;
}

function restorerFor(type: GraphQLInputType, memo: Map<GraphQLInputObjectType, Restore | null>): Restore | null {
  if (type instanceof GraphQLNonNull) return restorerFor(type.ofType, memo);
  if (type instanceof GraphQLList) {
    const item = restorerFor(type.ofType, memo);
    if (!item) return null;
    return (value) => (Array.isArray(value) ? value.map((v) => (v == null ? v : item(v))) : value == null ? value : item(value));
  }
  if (type instanceof GraphQLScalarType) {
    return (type.extensions as RestorableScalarExtensions | undefined)?.restoreParsedValue ?? null;
  }
  if (type instanceof GraphQLInputObjectType) {
    if (memo.has(type)) {
      // A recursive input type: refer to the restorer being built (null if it turns out to need none).
      return (value) => (memo.get(type) ?? ((v: unknown) => v))(value);
    }
    memo.set(type, null);
    const fields = Object.values(type.getFields())
      .map((field) => [field.name, restorerFor(field.type, memo)] as const)
      .filter((entry): entry is readonly [string, Restore] => entry[1] !== null);
    const restore: Restore | null =
      fields.length === 0
        ? null
        : (value) => {
            if (value === null || typeof value !== 'object') return value;
            const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
            for (const [name, field] of fields) if (copy[name] != null) copy[name] = field(copy[name]);
            return copy;
          };
    memo.set(type, restore);
    return restore;
  }
  return null;
}

function argumentsRestorer(args: readonly GraphQLArgument[], memo: Map<GraphQLInputObjectType, Restore | null>) {
  const restorers = args
    .map((arg) => [arg.name, restorerFor(arg.type, memo)] as const)
    .filter((entry): entry is readonly [string, Restore] => entry[1] !== null);
  if (restorers.length === 0) return null;
  return (values: Record<string, unknown>) => {
    const copy = { ...values };
    for (const [name, restore] of restorers) if (copy[name] != null) copy[name] = restore(copy[name]);
    return copy;
  };
}

/** Wraps, in place, the resolvers of fields whose arguments hold restorable scalars. */
export function restoreScalarArguments(schema: GraphQLSchema): GraphQLSchema {
  const memo = new Map<GraphQLInputObjectType, Restore | null>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const restore = argumentsRestorer(field.args, memo);
      if (!restore) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context, info) => resolve(source, restore(args), context, info);
      const subscribe = field.subscribe;
      if (subscribe) field.subscribe = (source, args, context, info) => subscribe(source, restore(args), context, info);
    }
  }
  return schema;
}
