/**
 * JSON Schemas of a REST route's inputs and outputs, derived from the GraphQL document it runs:
 * a variable's schema from its declared type, a response's from the selection set over the
 * schema's types. So the OpenAPI description, the request validation and the GraphQL types are
 * one set of rules: a field added to a route's selection appears in its response schema, typed
 * as GraphQL types it, and nullable exactly where GraphQL may answer null.
 */
import {
  type FieldNode,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  isInterfaceType,
  Kind,
  parse,
  typeFromAST,
  valueFromAST,
} from 'graphql';

export type JsonSchema = Record<string, unknown>;

/** The contract's scalars as JSON Schema (Decimal is an exact decimal string, never a number). */
const SCALARS: Record<string, JsonSchema> = {
  ID: { type: 'string' },
  String: { type: 'string' },
  Int: { type: 'integer' },
  Float: { type: 'number' },
  Boolean: { type: 'boolean' },
  Decimal: { type: 'string', description: 'An exact decimal number as a string, e.g. "1234.56"' },
  Date: { type: 'string', format: 'date' },
  DateTime: { type: 'string', format: 'date-time' },
};

const nullable = (schema: JsonSchema): JsonSchema =>
  typeof schema.type === 'string'
    ? // An enum lists its values: null must be one of them too.
      { ...schema, type: [schema.type, 'null'], ...(Array.isArray(schema.enum) && { enum: [...(schema.enum as unknown[]), null] }) }
    : { anyOf: [schema, { type: 'null' }] };

/** The schema of a value of a GraphQL input type (a variable, an input object's field). */
export function inputSchema(type: GraphQLInputType, depth = 0): JsonSchema {
  if (isNonNullType(type)) return inputSchema(type.ofType, depth);
  if (isListType(type)) return { type: 'array', items: inputSchema(getNullableType(type.ofType) as GraphQLInputType, depth) };
  if (isEnumType(type)) return { type: 'string', enum: type.getValues().map((v) => v.name) };
  if (isScalarType(type)) return { ...(SCALARS[type.name] ?? {}) };
  if (isInputObjectType(type) && depth < 4) {
    const fields = Object.values(type.getFields());
    const required = fields.filter((f) => isNonNullType(f.type) && f.defaultValue === undefined).map((f) => f.name);
    return {
      type: 'object',
      properties: Object.fromEntries(
        fields.map((f) => [f.name, { ...inputSchema(f.type, depth + 1), ...(f.description ? { description: f.description } : {}) }]),
      ),
      ...(required.length ? { required } : {}),
      additionalProperties: false,
    };
  }
  return {};
}

/** The operation of a one-operation document, parsed. */
export function operationOf(document: string): OperationDefinitionNode {
  const operation = parse(document).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation) throw new Error(`no operation in ${document}`);
  return operation;
}

/** Each declared variable's schema and whether it is required. */
export function variableSchemas(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
): Map<string, { schema: JsonSchema; required: boolean }> {
  const out = new Map<string, { schema: JsonSchema; required: boolean }>();
  for (const definition of operation.variableDefinitions ?? []) {
    const type = typeFromAST(schema, definition.type as never) as GraphQLInputType | undefined;
    if (!type) throw new Error(`unknown type of $${definition.variable.name.value}`);
    // The default goes into the schema, so request validation fills it in: graphql-jit (the
    // executor from a document's second run on) does not apply a non-null variable's default.
    const fallback = definition.defaultValue ? valueFromAST(definition.defaultValue, type) : undefined;
    out.set(definition.variable.name.value, {
      schema: { ...inputSchema(type), ...(fallback !== undefined && { default: fallback }) },
      required: isNonNullType(type) && !definition.defaultValue,
    });
  }
  return out;
}

function fieldsOf(selection: SelectionSetNode | undefined): FieldNode[] {
  return (selection?.selections ?? []).filter((s): s is FieldNode => s.kind === Kind.FIELD);
}

/** The schema of a selected value of a GraphQL output type (nullable unless the type is non-null). */
function outputSchemaOf(type: GraphQLOutputType, selection: SelectionSetNode | undefined): JsonSchema {
  if (isNonNullType(type)) return bareSchema(type.ofType, selection);
  return nullable(bareSchema(type, selection));
}

function bareSchema(type: GraphQLOutputType, selection: SelectionSetNode | undefined): JsonSchema {
  if (isListType(type)) return { type: 'array', items: outputSchemaOf(type.ofType, selection) };
  if (isEnumType(type)) return { type: 'string', enum: type.getValues().map((v) => v.name) };
  if (isScalarType(type)) return { ...(SCALARS[type.name] ?? {}) };
  if (isObjectType(type) || isInterfaceType(type)) return objectSchema(type.getFields(), selection);
  if (isUnionType(type)) {
    // The inline fragments on each member: one alternative per member, told apart by __typename.
    const fragments = (selection?.selections ?? []).filter((s) => s.kind === Kind.INLINE_FRAGMENT);
    return {
      oneOf: fragments.map((fragment) => {
        const member = type.getTypes().find((t) => t.name === fragment.typeCondition?.name.value);
        if (!member) throw new Error(`no member ${fragment.typeCondition?.name.value} of ${type.name}`);
        const merged = {
          kind: Kind.SELECTION_SET,
          selections: [...fieldsOf(selection), ...fragment.selectionSet.selections],
        } as SelectionSetNode;
        return objectSchema(member.getFields(), merged, member.name);
      }),
    };
  }
  return {};
}

function objectSchema(
  fields: Record<string, { type: GraphQLOutputType; description?: string | null | undefined }>,
  selection: SelectionSetNode | undefined,
  typename?: string,
): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const node of fieldsOf(selection)) {
    const key = node.alias?.value ?? node.name.value;
    if (node.name.value === '__typename') {
      properties[key] = typename ? { const: typename } : { type: 'string' };
      continue;
    }
    const field = fields[node.name.value];
    if (!field) throw new Error(`no field ${node.name.value}`);
    properties[key] = {
      ...outputSchemaOf(field.type, node.selectionSet),
      ...(field.description ? { description: field.description } : {}),
    };
  }
  return { type: 'object', properties, required: Object.keys(properties), additionalProperties: false };
}

/**
 * The field a path of response keys leads to from the operation's root: its type and selection
 * (`['portfolio', 'activity']` is the activity connection of `portfolio(id:)`).
 */
export function fieldAt(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  path: readonly string[],
): { type: GraphQLOutputType; selection: SelectionSetNode | undefined } {
  const root = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
  let fields = root!.getFields() as Record<string, { type: GraphQLOutputType }>;
  let selection: SelectionSetNode | undefined = operation.selectionSet;
  let type: GraphQLOutputType | undefined;
  for (const key of path) {
    const node: FieldNode | undefined = fieldsOf(selection).find((f) => (f.alias?.value ?? f.name.value) === key);
    if (!node) throw new Error(`no selection ${key} in the route's document`);
    type = fields[node.name.value]!.type;
    selection = node.selectionSet;
    let named = type;
    while (isNonNullType(named) || isListType(named)) named = named.ofType;
    fields = isObjectType(named) || isInterfaceType(named) ? (named.getFields() as never) : {};
  }
  return { type: type!, selection };
}

/** The schema of the value at `path`, as the route answers it. */
export function responseSchemaAt(schema: GraphQLSchema, operation: OperationDefinitionNode, path: readonly string[]): JsonSchema {
  const { type, selection } = fieldAt(schema, operation, path);
  return outputSchemaOf(type, selection);
}
