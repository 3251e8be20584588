// graphql-js's verdict on variable values: for each case {query, variables}, the errors of
// getVariableValues (messages and locations), or [] when they coerce. Reads cases as JSON on
// stdin, writes the verdicts as JSON on stdout. Used by tests/oracle/coercion/test_coercion.py.
// Licensed under the Apache License 2.0.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(new URL('../../js/package.json', import.meta.url));
const { buildSchema, parse, getOperationAST } = require('graphql');
const { getVariableValues } = require('graphql/execution/values');

const [schemaPath] = process.argv.slice(2);
const schema = buildSchema(readFileSync(schemaPath, 'utf8'));
const cases = JSON.parse(readFileSync(0, 'utf8'));
const verdicts = cases.map(({ query, variables }) => {
  const operation = getOperationAST(parse(query));
  const result = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  return (result.errors ?? []).map((e) => ({ message: e.message, locations: e.locations ?? null }));
});
process.stdout.write(JSON.stringify(verdicts));
