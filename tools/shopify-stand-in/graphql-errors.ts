import type { GraphQLError } from "graphql";

/**
 * Shopify answers parse and validation failures with HTTP 200 and `{ errors: [...] }` (no `data`), in graphql-ruby's
 * wording. The common graphql-js messages are translated so tests and the demo see what the app would see in
 * production; anything else keeps graphql-js's text under the same shape.
 */

export interface ShopifyGraphqlError {
  message: string;
  locations?: { line: number; column: number }[];
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

const RULES: [RegExp, (m: RegExpExecArray) => { message: string; extensions: Record<string, unknown> }][] = [
  [
    /^Cannot query field "(\w+)" on type "(\w+)"\./,
    (m) => ({ message: `Field '${m[1]}' doesn't exist on type '${m[2]}'`, extensions: { code: "undefinedField", typeName: m[2], fieldName: m[1] } }),
  ],
  [
    /^Unknown argument "(\w+)" on field "(\w+)\.(\w+)"\./,
    (m) => ({
      message: `Field '${m[3]}' doesn't accept argument '${m[1]}'`,
      extensions: { code: "argumentNotAccepted", name: m[3], typeName: "Field", argumentName: m[1] },
    }),
  ],
  [
    /^Field "(?:\w+\.)?(\w+)" argument "(\w+)" of type "([^"]+)" is required, but it was not provided\./,
    (m) => ({
      message: `Field '${m[1]}' is missing required arguments: ${m[2]}`,
      extensions: { code: "missingRequiredArguments", className: "Field", name: m[1], arguments: m[2] },
    }),
  ],
  [
    /^Unknown type "(\w+)"\./,
    (m) => ({ message: `${m[1]} isn't a defined input type`, extensions: { code: "variableRequiresValidType", typeName: m[1] } }),
  ],
  [
    /^Variable "\$(\w+)" is never used(?: in operation "(\w+)")?\./,
    (m) => ({
      message: `Variable $${m[1]} is declared by ${m[2] ?? "anonymous query"} but not used`,
      extensions: { code: "variableNotUsed", variableName: m[1] },
    }),
  ],
  [
    /^Variable "\$(\w+)" is not defined(?: by operation "(\w+)")?\./,
    (m) => ({
      message: `Variable $${m[1]} is used by ${m[2] ?? "anonymous query"} but not declared`,
      extensions: { code: "variableNotDefined", variableName: m[1] },
    }),
  ],
  [
    /^Field "(\w+)" of type "([^"]+)" must have a selection of subfields\./,
    (m) => ({
      message: `Field must have selections (field '${m[1]}' returns ${m[2].replace(/[[\]!]/g, "")} but has no selections. Did you mean '${m[1]} { ... }'?)`,
      extensions: { code: "selectionMismatch", nodeName: `field '${m[1]}'`, typeName: m[2] },
    }),
  ],
];

export function shopifyValidationError(error: GraphQLError): ShopifyGraphqlError {
  const locations = error.locations?.map((l) => ({ line: l.line, column: l.column }));
  for (const [pattern, render] of RULES) {
    const m = pattern.exec(error.message);
    if (m) return { ...render(m), ...(locations ? { locations } : {}) };
  }
  return { message: error.message, ...(locations ? { locations } : {}), extensions: { code: "validationError" } };
}

export function shopifySyntaxError(error: GraphQLError): ShopifyGraphqlError {
  const loc = error.locations?.[0];
  const detail = error.message.replace(/^Syntax Error:\s*/, "");
  return {
    message: `syntax error, ${detail}${loc ? ` at [${loc.line}, ${loc.column}]` : ""}`,
    ...(loc ? { locations: [{ line: loc.line, column: loc.column }] } : {}),
  };
}

export function executionError(error: GraphQLError): ShopifyGraphqlError {
  return {
    message: error.message,
    ...(error.locations ? { locations: error.locations.map((l) => ({ line: l.line, column: l.column })) } : {}),
    ...(error.path ? { path: [...error.path] } : {}),
    ...(error.extensions && Object.keys(error.extensions).length > 0 ? { extensions: { ...error.extensions } } : {}),
  };
}
