import {
  getNamedType,
  isLeafType,
  isListType,
  isNonNullType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  Kind,
  valueFromASTUntyped,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type GraphQLType,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import type { ShopState } from "./store";

/**
 * Shopify's calculated query cost, closely enough for pacing tests: objects cost 1, scalars and enums 0, a connection
 * costs 2 plus `first`/`last` times the cost of one item, and every mutation field costs 10.
 * Regular (non-bulk) queries must size every connection, as on Shopify.
 */

export interface CostResult {
  cost: number;
  /** Connections selected without first/last (a Shopify error outside bulk operations). */
  unsized: string[];
}

export const MUTATION_FIELD_COST = 10;
export const SINGLE_QUERY_MAX_COST = 1000;

export function calculateQueryCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): CostResult {
  const unsized: string[] = [];
  if (operation.operation === "mutation") {
    const fields = collectFields(operation.selectionSet, fragments).filter((f) => f.name.value !== "__typename");
    return { cost: fields.length * MUTATION_FIELD_COST, unsized };
  }
  const root = schema.getQueryType()!;
  const cost = selectionCost(schema, operation.selectionSet, root, fragments, variables, unsized, "");
  return { cost, unsized };
}

function collectFields(set: SelectionSetNode, fragments: Record<string, FragmentDefinitionNode>): FieldNode[] {
  const out: FieldNode[] = [];
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) out.push(sel);
    else if (sel.kind === Kind.INLINE_FRAGMENT) out.push(...collectFields(sel.selectionSet, fragments));
    else {
      const fragment = fragments[sel.name.value];
      if (fragment) out.push(...collectFields(fragment.selectionSet, fragments));
    }
  }
  return out;
}

function fieldDef(schema: GraphQLSchema, parent: GraphQLNamedType, name: string): GraphQLField<unknown, unknown> | null {
  if ("getFields" in parent && typeof parent.getFields === "function") {
    const f = (parent.getFields() as Record<string, GraphQLField<unknown, unknown>>)[name];
    if (f) return f;
  }
  // Inline fragments on a union or interface: look the field up on any possible type.
  if (isUnionType(parent) || isInterfaceType(parent)) {
    for (const t of schema.getPossibleTypes(parent)) {
      const f = t.getFields()[name];
      if (f) return f as GraphQLField<unknown, unknown>;
    }
  }
  return null;
}

function argValue(field: FieldNode, name: string, variables: Record<string, unknown>): unknown {
  const arg = field.arguments?.find((a) => a.name.value === name);
  if (!arg) return undefined;
  return valueFromASTUntyped(arg.value, variables);
}

function isConnection(type: GraphQLNamedType): boolean {
  return isObjectType(type) && type.name.endsWith("Connection") && ("edges" in type.getFields() || "nodes" in type.getFields());
}

function isList(type: GraphQLType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

function selectionCost(
  schema: GraphQLSchema,
  set: SelectionSetNode | undefined,
  parent: GraphQLNamedType,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  unsized: string[],
  path: string,
): number {
  if (!set) return 0;
  let total = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.INLINE_FRAGMENT) {
      const on = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
      total += selectionCost(schema, sel.selectionSet, on ?? parent, fragments, variables, unsized, path);
      continue;
    }
    if (sel.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = fragments[sel.name.value];
      if (fragment)
        total += selectionCost(
          schema,
          fragment.selectionSet,
          schema.getType(fragment.typeCondition.name.value) ?? parent,
          fragments,
          variables,
          unsized,
          path,
        );
      continue;
    }
    if (sel.name.value === "__typename") continue;
    const def = fieldDef(schema, parent, sel.name.value);
    if (!def) continue;
    const named = getNamedType(def.type);
    if (isLeafType(named)) continue;
    const here = path ? `${path}.${sel.name.value}` : sel.name.value;
    if (isConnection(named)) {
      const size = Number(argValue(sel, "first", variables) ?? argValue(sel, "last", variables) ?? Number.NaN);
      if (!Number.isFinite(size)) unsized.push(here);
      total += 2 + (Number.isFinite(size) ? size : 1) * connectionItemCost(schema, sel, named, fragments, variables, unsized, here);
      continue;
    }
    let multiplier = 1;
    if (isList(def.type)) {
      const ids = argValue(sel, "ids", variables);
      const first = argValue(sel, "first", variables);
      multiplier = Array.isArray(ids) ? ids.length : typeof first === "number" ? first : 1;
    }
    total += multiplier * (1 + selectionCost(schema, sel.selectionSet, named, fragments, variables, unsized, here));
  }
  return total;
}

function connectionItemCost(
  schema: GraphQLSchema,
  field: FieldNode,
  connection: GraphQLNamedType,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  unsized: string[],
  path: string,
): number {
  let perItem = 0;
  for (const sub of collectFields(field.selectionSet!, fragments)) {
    if (sub.name.value === "nodes") {
      const def = fieldDef(schema, connection, "nodes")!;
      perItem = Math.max(perItem, 1 + selectionCost(schema, sub.selectionSet, getNamedType(def.type), fragments, variables, unsized, path));
    } else if (sub.name.value === "edges") {
      const edgeType = getNamedType(fieldDef(schema, connection, "edges")!.type);
      for (const edgeField of collectFields(sub.selectionSet!, fragments)) {
        if (edgeField.name.value !== "node") continue;
        const nodeType = getNamedType(fieldDef(schema, edgeType, "node")!.type);
        perItem = Math.max(perItem, 1 + selectionCost(schema, edgeField.selectionSet, nodeType, fragments, variables, unsized, path));
      }
    }
  }
  return perItem;
}

/** The shop's leaky bucket, refilled lazily from the injected clock. */
export function bucketAvailable(shop: ShopState, now: number): number {
  const elapsed = Math.max(0, now - shop.bucket.at) / 1000;
  const available = Math.min(shop.throttle.maximumAvailable, shop.bucket.available + elapsed * shop.throttle.restoreRate);
  shop.bucket = { available, at: now };
  return available;
}

export function throttleStatus(shop: ShopState, now: number) {
  return {
    maximumAvailable: shop.throttle.maximumAvailable,
    currentlyAvailable: Math.floor(bucketAvailable(shop, now)),
    restoreRate: shop.throttle.restoreRate,
  };
}
