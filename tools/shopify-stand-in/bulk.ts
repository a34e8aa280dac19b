import {
  getNamedType,
  getOperationAST,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type FieldNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type GraphQLType,
  type SelectionSetNode,
} from "graphql";
import { executionError } from "./graphql-errors";
import type { BulkOperationRecord, ShopState } from "./store";

/**
 * Bulk operations as Shopify runs them: a mutation executed once per JSONL line (results keyed by `__lineNumber`),
 * or a query whose connections are walked to the end and flattened to JSONL with `__parentId` on nested items.
 */

const MAX_CONNECTIONS = 5;
const MAX_CONNECTION_DEPTH = 2;

function parseChecked(schema: GraphQLSchema, source: string): { document: DocumentNode } | { error: string } {
  let document: DocumentNode;
  try {
    document = parse(source);
  } catch (e) {
    return { error: `Invalid query: ${(e as Error).message}` };
  }
  const errors = validate(schema, document);
  if (errors.length > 0) return { error: errors.map((e) => e.message).join(" ") };
  return { document };
}

function rootFields(set: SelectionSetNode): FieldNode[] {
  return set.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value !== "__typename");
}

/**
 * One mutation field per operation: bulkOperationRunMutation executes "a specified GraphQL mutation" per line, and
 * several root fields in one bulk mutation are not something Shopify documents; the stand-in refuses them so the
 * app never depends on it.
 */
export function checkBulkMutation(schema: GraphQLSchema, source: string): string | null {
  const checked = parseChecked(schema, source);
  if ("error" in checked) return checked.error;
  const operations = checked.document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1 || operations[0].operation !== "mutation") return "The bulk mutation must contain exactly one mutation operation.";
  if (rootFields(operations[0].selectionSet).length !== 1) return "Bulk mutations support a single mutation field.";
  return null;
}

const connectionOf = (type: GraphQLNamedType) =>
  isObjectType(type) && type.name.endsWith("Connection") && ("edges" in type.getFields() || "nodes" in type.getFields()) ? type : null;

const listy = (type: GraphQLType) => isListType(isNonNullType(type) ? type.ofType : type);

/** Where a connection's items are selected: `edges { node { … } }` or `nodes { … }`. */
function itemSelection(field: FieldNode, connection: GraphQLNamedType): { set: SelectionSetNode; type: GraphQLNamedType } | null {
  if (!isObjectType(connection) || !field.selectionSet) return null;
  for (const sub of rootFields(field.selectionSet)) {
    if (sub.name.value === "nodes" && sub.selectionSet) return { set: sub.selectionSet, type: getNamedType(connection.getFields().nodes.type) };
    if (sub.name.value === "edges" && sub.selectionSet) {
      const edgeType = getNamedType(connection.getFields().edges.type);
      if (!isObjectType(edgeType)) continue;
      const node = rootFields(sub.selectionSet).find((f) => f.name.value === "node");
      if (node?.selectionSet) return { set: node.selectionSet, type: getNamedType(edgeType.getFields().node.type) };
    }
  }
  return null;
}

export function checkBulkQuery(schema: GraphQLSchema, source: string): string | null {
  const checked = parseChecked(schema, source);
  if ("error" in checked) return checked.error;
  const operation = getOperationAST(checked.document);
  if (!operation || operation.operation !== "query") return "Bulk queries must contain exactly one query operation.";
  const roots = rootFields(operation.selectionSet);
  if (roots.length !== 1) return "Bulk queries must contain exactly one top-level field.";
  if (roots[0].name.value === "node" || roots[0].name.value === "nodes") return "Bulk queries cannot contain a top level `node` or `nodes` field.";
  let connections = 0;
  let problem: string | null = null;
  const walk = (set: SelectionSetNode, parent: GraphQLNamedType, depth: number, insideList: boolean) => {
    if (!isObjectType(parent) && !("getFields" in parent)) return;
    for (const sel of set.selections) {
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        const on = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
        if (on) walk(sel.selectionSet, on, depth, insideList);
        continue;
      }
      if (sel.kind !== Kind.FIELD || sel.name.value === "__typename") continue;
      const def = (parent as { getFields(): Record<string, { type: GraphQLType }> }).getFields()[sel.name.value];
      if (!def || !sel.selectionSet) continue;
      const named = getNamedType(def.type);
      const connection = connectionOf(named);
      if (connection) {
        connections++;
        if (insideList) problem ??= `Queries that contain a connection field within a list field are not supported (${sel.name.value}).`;
        if (depth + 1 > MAX_CONNECTION_DEPTH)
          problem ??= `Bulk queries cannot contain connections with a nesting depth greater than ${MAX_CONNECTION_DEPTH}.`;
        const items = itemSelection(sel, connection);
        if (items) walk(items.set, items.type, depth + 1, false);
        continue;
      }
      walk(sel.selectionSet, named, depth, insideList || listy(def.type));
    }
  };
  walk(operation.selectionSet, schema.getQueryType()!, 0, false);
  if (problem) return problem;
  if (connections === 0) return "Bulk queries must contain at least one connection.";
  if (connections > MAX_CONNECTIONS) return `Bulk queries cannot contain more than ${MAX_CONNECTIONS} connections.`;
  return null;
}

/** Flattens a bulk query's result: every connection item becomes one line, nested ones pointing at their parent. */
export function flattenBulkResult(schema: GraphQLSchema, document: DocumentNode, data: Record<string, unknown>): { lines: string[]; roots: number } {
  const operation = getOperationAST(document)!;
  const lines: string[] = [];
  let roots = 0;
  const emitConnection = (value: any, field: FieldNode, connection: GraphQLNamedType, parentId: string | null) => {
    const items = itemSelection(field, connection);
    if (!items || !value) return;
    const nodes: any[] = value.nodes ?? (value.edges ?? []).map((e: any) => e.node);
    for (const node of nodes) {
      if (parentId === null) roots++;
      emitObject(node, items.set, items.type, parentId);
    }
  };
  const emitObject = (obj: any, set: SelectionSetNode, type: GraphQLNamedType, parentId: string | null) => {
    const copy: Record<string, unknown> = { ...obj };
    const nested: [FieldNode, GraphQLNamedType][] = [];
    const collect = (s: SelectionSetNode, t: GraphQLNamedType) => {
      for (const sel of s.selections) {
        if (sel.kind === Kind.INLINE_FRAGMENT) {
          collect(sel.selectionSet, (sel.typeCondition && schema.getType(sel.typeCondition.name.value)) || t);
          continue;
        }
        if (sel.kind !== Kind.FIELD || !("getFields" in t)) continue;
        const def = (t as { getFields(): Record<string, { type: GraphQLType }> }).getFields()[sel.name.value];
        const connection = def ? connectionOf(getNamedType(def.type)) : null;
        if (connection) nested.push([sel, connection]);
      }
    };
    collect(set, type);
    for (const [field] of nested) delete copy[field.alias?.value ?? field.name.value];
    if (parentId !== null) copy.__parentId = parentId;
    lines.push(JSON.stringify(copy));
    for (const [field, connection] of nested)
      emitConnection(obj[field.alias?.value ?? field.name.value], field, connection, (obj.id as string) ?? null);
  };
  for (const root of rootFields(operation.selectionSet)) {
    const def = schema.getQueryType()!.getFields()[root.name.value];
    const connection = connectionOf(getNamedType(def.type));
    if (connection) emitConnection(data[root.alias?.value ?? root.name.value], root, connection, null);
  }
  return { lines, roots };
}

export interface BulkRunner {
  schema: GraphQLSchema;
  /** Executes one document against the shop (mutation lines, or the whole query with `bulk` connections). */
  execute(
    shop: ShopState,
    document: DocumentNode,
    variables: Record<string, unknown>,
    bulk: boolean,
  ): Promise<{ data?: any; errors?: readonly any[] }>;
  stagedContent(path: string): string | null;
  resultUrl(shop: ShopState, op: BulkOperationRecord, partial: boolean): string;
  /** Consumes one pending "fail half-way" fault for this shop, if any. */
  takeHalfwayFailure(shop: ShopState): boolean;
  finished(shop: ShopState, op: BulkOperationRecord): void;
  changed(): void;
  nowIso(): string;
  latencyMs: number;
}

const LINES_PER_TICK = 200;
const tick = (ms: number) => new Promise<void>((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));

/** Runs an operation in the background, a slice per event-loop turn, so pollers see CREATED → RUNNING → done. */
export async function runBulkOperation(runner: BulkRunner, shop: ShopState, op: BulkOperationRecord): Promise<void> {
  await tick(runner.latencyMs);
  op.status = "RUNNING";
  const finish = (status: BulkOperationRecord["status"], errorCode: BulkOperationRecord["errorCode"] = null) => {
    op.status = status;
    op.errorCode = errorCode;
    op.completedAt = runner.nowIso();
    if (status === "COMPLETED") op.url = runner.resultUrl(shop, op, false);
    else if (op.resultLines.length > 0) op.partialDataUrl = runner.resultUrl(shop, op, true);
    runner.changed();
    runner.finished(shop, op);
  };
  try {
    const document = parse(op.query);
    if (op.type === "QUERY") {
      await tick(runner.latencyMs);
      const result = await runner.execute(shop, document, {}, true);
      if (result.errors?.length) {
        op.resultLines = result.errors.map((e) => JSON.stringify({ errors: [executionError(e)] }));
        return finish("FAILED", "INTERNAL_SERVER_ERROR");
      }
      const { lines, roots } = flattenBulkResult(runner.schema, document, result.data ?? {});
      op.resultLines = lines;
      op.objectCount = lines.length;
      op.rootObjectCount = roots;
      return finish("COMPLETED");
    }
    const content = runner.stagedContent(op.stagedUploadPath ?? "") ?? "";
    const lines = content.split("\n").filter((l) => l.trim().length > 0);
    const failAt = runner.takeHalfwayFailure(shop) ? Math.floor(lines.length / 2) : null;
    for (let i = 0; i < lines.length; i++) {
      if (i > 0 && i % LINES_PER_TICK === 0) await tick(runner.latencyMs);
      if ((op.status as string) === "CANCELING") return finish("CANCELED");
      if (failAt !== null && i === failAt) return finish("FAILED", "INTERNAL_SERVER_ERROR");
      const result = await runner.execute(shop, document, JSON.parse(lines[i]) as Record<string, unknown>, false);
      const row: Record<string, unknown> = {};
      if (result.data !== undefined && result.data !== null) row.data = result.data;
      if (result.errors?.length) row.errors = result.errors.map(executionError);
      row.__lineNumber = i;
      op.resultLines.push(JSON.stringify(row));
      op.objectCount++;
      op.rootObjectCount++;
    }
    finish("COMPLETED");
  } catch (error) {
    op.resultLines.push(JSON.stringify({ errors: [{ message: (error as Error).message }] }));
    finish("FAILED", "INTERNAL_SERVER_ERROR");
  }
}
