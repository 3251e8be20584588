// oracle_print - Depot's printer against graphql-js 16's print(), over a corpus.
//
// Copyright the Depot contributors. Licensed under the Apache License 2.0.
//
// Pins down: dp_print writes byte for byte what graphql-js's print() writes
// for the same document (layout, line wrapping at 80 characters, string and
// block-string escaping, descriptions), and dp_print_default_value reports
// the default values graphql-js's introspection reports
// (print(astFromValue(...))). Documents: tests/oracle/print/corpus, Depot's
// SDL and the front-end queries in tests/queries; default values:
// tests/oracle/print/defaults and Depot's SDL. Documents that graphql-js
// refuses must be refused by Depot too. Prints the comparison counts and
// exits 1 on any disagreement.
//
// Usage: node oracle_print.mjs <path to depot-print>
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const require = createRequire(join(root, 'tests', 'js', 'package.json'));
const graphql = require('graphql');

const depotPrint = process.argv[2];
if (!depotPrint) {
  console.error('usage: node oracle_print.mjs <depot-print>');
  process.exit(2);
}

function graphqlFiles(dir) {
  return readdirSync(dir).filter((f) => f.endsWith('.graphql')).sort().map((f) => join(dir, f));
}

function depot(args) {
  const out = execFileSync(depotPrint, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  return out.trim().split('\n').map((line) => JSON.parse(line));
}

let failures = 0;
function disagree(file, what, expected, got) {
  failures++;
  console.error(`DIFFERENT ${file}: ${what}`);
  console.error(`--- graphql-js\n${expected}\n--- depot\n${got}`);
}

// 1. print()
const documents = [
  ...graphqlFiles(join(here, 'corpus')),
  ...graphqlFiles(join(root, 'tests', 'queries')),
  join(root, 'schema', 'depot.graphql'),
];
let printed = 0, refused = 0;
for (const result of depot(documents)) {
  const source = readFileSync(result.file, 'utf8');
  let expected, error;
  try {
    expected = graphql.print(graphql.parse(source));
  } catch (e) {
    error = e;
  }
  if (error) {
    if (result.printed !== undefined)
      disagree(result.file, 'graphql-js refuses it, Depot parses it', error.message, result.printed);
    else
      refused++;
    continue;
  }
  if (result.printed === undefined)
    disagree(result.file, 'Depot refuses it', expected, result.error);
  else
  if (result.printed !== expected)
    disagree(result.file, 'printed differently', expected, result.printed);
  else
    printed++;
}

// 2. default values as introspection reports them
function jsDefaults(sdl) {
  const schema = graphql.buildSchema(sdl);
  const defaults = {};
  const add = (coordinate, input) => {
    const literal = input.astNode ? input.astNode.defaultValue : undefined;
    if (literal === undefined && input.defaultValue === undefined)
      return;
    const ast = input.defaultValue === undefined ? null : graphql.astFromValue(input.defaultValue, input.type);
    defaults[coordinate] = ast ? graphql.print(ast) : null;
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (graphql.isObjectType(type) || graphql.isInterfaceType(type))
      for (const field of Object.values(type.getFields()))
        for (const arg of field.args)
          add(`${type.name}.${field.name}(${arg.name}:)`, arg);
    if (graphql.isInputObjectType(type))
      for (const field of Object.values(type.getFields()))
        add(`${type.name}.${field.name}`, field);
  }
  for (const directive of schema.getDirectives())
    for (const arg of directive.args)
      add(`@${directive.name}(${arg.name}:)`, arg);
  return defaults;
}

const sdls = [...graphqlFiles(join(here, 'defaults')), join(root, 'schema', 'depot.graphql')];
let defaultsCompared = 0;
for (const result of depot(['--defaults', ...sdls])) {
  if (result.error) {
    disagree(result.file, 'Depot refuses the SDL', '', result.error);
    continue;
  }
  const expected = jsDefaults(readFileSync(result.file, 'utf8'));
  const keys = new Set([...Object.keys(expected), ...Object.keys(result.defaults)]);
  for (const key of keys) {
    if (expected[key] !== result.defaults[key])
      disagree(result.file, `default of ${key}`, String(expected[key]), String(result.defaults[key]));
    else
      defaultsCompared++;
  }
}

console.log(`printer oracle: ${documents.length} documents, ${printed} printed identically, ` +
            `${refused} refused by both; ${defaultsCompared} default values identical; ` +
            `${failures} disagreements`);
process.exit(failures ? 1 : 0);
