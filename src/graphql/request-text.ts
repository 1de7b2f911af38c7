/**
 * Every string a request carries, checked once before execution (Mercurius' preExecution hook and
 * the WebSocket server's onSubscribe): NUL characters and unpaired surrogates are refused with
 * BAD_USER_INPUT, one detail per offending field.
 *
 * Why here and not in each input's rules: PostgreSQL refuses such text with an error that would
 * surface as INTERNAL_SERVER_ERROR, and it can reach the database through any string (names,
 * notes, email, password, search text, IDs, import files, tokens). One check of all string
 * variables and string literals of the request covers every field, including those added later,
 * without a custom String scalar that would change the contract's schema. Field rules (lengths,
 * formats) stay in the domains.
 */
import { Kind, visit, type DocumentNode, type ValueNode } from 'graphql';
import { badInput, type FieldProblem } from '../platform/errors.js';
import { textProblem } from '../platform/text.js';

/** At most this many details are reported (a hostile request may hold thousands). */
const MAX_DETAILS = 10;

function scanLiteral(node: ValueNode, path: string, problems: FieldProblem[]): void {
  if (problems.length >= MAX_DETAILS) return;
  if (node.kind === Kind.STRING) {
    const problem = textProblem(node.value);
    if (problem) problems.push({ field: path, message: problem });
  } else if (node.kind === Kind.LIST) {
    node.values.forEach((item, index) => scanLiteral(item, `${path}[${index}]`, problems));
  } else if (node.kind === Kind.OBJECT) {
    for (const field of node.fields) scanLiteral(field.value, `${path}.${field.name.value}`, problems);
  }
}

/** Walks JSON variables with an explicit stack: a deeply nested body cannot overflow the call stack. */
function scanVariables(variables: Record<string, unknown>, problems: FieldProblem[]): void {
  const stack: Array<[unknown, string]> = Object.entries(variables).map(([name, value]) => [value, name]);
  while (stack.length > 0 && problems.length < MAX_DETAILS) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) problems.push({ field: path, message: problem });
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => stack.push([item, `${path}[${index}]`]));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) stack.push([item, `${path}.${key}`]);
    }
  }
}

/**
 * The problems of a document's own literals, once per document: Mercurius hands every request of
 * the same text the same parsed document, and a visit of it per request showed in the read-path
 * profile. Documents are never mutated, so the answer cannot go stale.
 */
const literalProblems = new WeakMap<DocumentNode, readonly FieldProblem[]>();

function problemsOfLiterals(document: DocumentNode): readonly FieldProblem[] {
  let problems = literalProblems.get(document);
  if (!problems) {
    const found: FieldProblem[] = [];
    // Literal nesting is bounded by the document limits (src/graphql/limits.ts) that ran before.
    visit(document, {
      Argument(node) {
        scanLiteral(node.value, node.name.value, found);
        return false;
      },
      VariableDefinition(node) {
        if (node.defaultValue) scanLiteral(node.defaultValue, node.variable.name.value, found);
        return false;
      },
    });
    problems = found;
    literalProblems.set(document, problems);
  }
  return problems;
}

export function checkRequestText(document: DocumentNode, variables: Record<string, unknown> | null | undefined): void {
  const problems = [...problemsOfLiterals(document)];
  if (variables && typeof variables === 'object') scanVariables(variables, problems);
  if (problems.length > 0) throw badInput(problems);
}
