// graphql_js - graphql-js 16 (tests/js/node_modules) as the oracle of the integration tests.
//
// Copyright the Depot contributors. Licensed under the Apache License 2.0.
//
//   node graphql_js.mjs introspection-query [OPTIONS-JSON]
//       prints getIntrospectionQuery(options)
//   node graphql_js.mjs check-introspection SDL-FILE [OPTIONS-JSON] < RESPONSE-JSON
//       judges Depot's response to that query: prints {"sameAnswer", "valid", "sameSdl",
//       "expected", "rebuiltSdl", "sdl"}: whether the response equals graphql-js's own
//       execution over the SDL, whether buildClientSchema(data) passes assertValidSchema
//       (valid: true, or its message), and whether printSchema(buildClientSchema(data))
//       equals printSchema(buildSchema(SDL))
//   node graphql_js.mjs type SDL-FILE NAME
//       prints [{"name", "type"}] for the fields of type NAME ("[Box!]!" style types)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { asOctober2021 } from '../js/october_2021.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', 'js', 'package.json'));
// As the October 2021 edition has it: Depot serves that edition's directive locations.
const graphql = asOctober2021(require('graphql'));

const [command, ...args] = process.argv.slice(2);
if (command === 'introspection-query') {
  process.stdout.write(graphql.getIntrospectionQuery(args[0] ? JSON.parse(args[0]) : {}));
}
else
if (command === 'check-introspection') {
  const sdl = readFileSync(args[0], 'utf8');
  const options = args[1] ? JSON.parse(args[1]) : {};
  const response = JSON.parse(readFileSync(0, 'utf8'));
  const schema = graphql.buildSchema(sdl);
  const expected = graphql.graphqlSync({ schema, source: graphql.getIntrospectionQuery(options) });
  const printed = graphql.printSchema(schema);
  let rebuilt = null;
  let valid = null;
  try {
    const client = graphql.buildClientSchema(response.data);
    try {
      graphql.assertValidSchema(client);
      valid = true;
    } catch (e) {
      valid = `assertValidSchema failed: ${e.message}`;
    }
    rebuilt = graphql.printSchema(client);
  } catch (e) {
    rebuilt = valid = `buildClientSchema failed: ${e.message}`;
  }
  process.stdout.write(JSON.stringify({
    sameAnswer: JSON.stringify(expected) === JSON.stringify(response),
    valid,
    sameSdl: rebuilt === printed,
    expected, rebuiltSdl: rebuilt, sdl: printed,
  }));
}
else
if (command === 'type') {
  const schema = graphql.buildSchema(readFileSync(args[0], 'utf8'));
  const type = schema.getType(args[1]);
  process.stdout.write(JSON.stringify(Object.values(type.getFields()).map((f) => ({
    name: f.name, type: String(f.type),
  }))));
}
else {
  console.error('usage: node graphql_js.mjs introspection-query|check-introspection|type ...');
  process.exit(2);
}
