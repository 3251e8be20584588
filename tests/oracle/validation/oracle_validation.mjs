// The validation oracle: graphql-js 16 (tests/js/node_modules, pinned) and Depot judge the same
// corpus of documents (tests/oracle/corpus/**/*.graphql) against the same schema, and must agree
// on everything: whether a document parses and where it fails, its validation errors (count,
// order, messages, locations), and, for a valid document, the operation a request runs (or
// execute's error when none can be selected: graphql-js validates the whole document before it
// selects). Depot's own limits against hostile queries are left off (they are not graphql-js's);
// they have their own selftests.
//
// Usage: node tests/oracle/validation/oracle_validation.mjs <path to depot-validate>
//
// The corpus: tests/oracle/corpus/*.graphql are judged against Depot's SDL (schema/depot.graphql);
// a subfolder with a schema.sdl file is judged against that schema (subscriptions need a
// subscription type, which Depot's schema does not have). A file is judged once per
// operationName a request might send: by default none (null); a first line
//   # operationNames: [null, "A", "Unknown"]
// (a JSON array of names and null) lists them. The script prints the comparison
// counts and how many documents break each rule, and fails unless every document agrees, the
// corpus holds at least 300 documents and every rule is broken by at least two of them.
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asOctober2021 } from '../../js/october_2021.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const require = createRequire(join(root, 'tests', 'js', 'package.json'));
// As the October 2021 edition has it (DIRECTIVE_DEFINITION is the working draft's).
const graphql = asOctober2021(require('graphql'));
const { parse, validate, buildSchema, specifiedRules, version } = graphql;
const { buildExecutionContext } = require('graphql/execution/execute');

const binary = process.argv[2];
if (!binary || !existsSync(binary)) {
  console.error('usage: node oracle_validation.mjs <depot-validate>');
  process.exit(2);
}

// Corpus folders: the top one against Depot's SDL, subfolders against their schema.sdl.
const corpusRoot = join(root, 'tests', 'oracle', 'corpus');
const groups = [{ dir: corpusRoot, schemaPath: join(root, 'schema', 'depot.graphql') }];
for (const entry of readdirSync(corpusRoot, { withFileTypes: true }).sort((a, b) => a.name < b.name ? -1 : 1)) {
  if (entry.isDirectory() && existsSync(join(corpusRoot, entry.name, 'schema.sdl'))) {
    groups.push({ dir: join(corpusRoot, entry.name), schemaPath: join(corpusRoot, entry.name, 'schema.sdl') });
  }
}

const toJSON = (error) => {
  const json = { message: error.message };
  if (error.locations && error.locations.length) json.locations = error.locations;
  return json;
};

// The operationNames a file is judged with (its header, or null alone).
const operationNamesOf = (source) => {
  const header = /^# operationNames: (.*)$/m.exec(source.split('\n')[0]);
  return header ? JSON.parse(header[1]) : [null];
};

// The operation graphql-js's execute would run for operationName, or its error. Variable
// definitions are left out: their coercion comes after the selection in execute, and is the
// coercion oracle's (tests/oracle/coercion).
const selectOperation = (schema, document, operationName) => {
  const definitions = document.definitions.map((d) =>
    d.kind === 'OperationDefinition' ? { ...d, variableDefinitions: [] } : d);
  const context = buildExecutionContext({ schema, document: { ...document, definitions }, operationName });
  if (Array.isArray(context)) return { operationError: toJSON(context[0]) };
  return { operation: { operation: context.operation.operation, name: context.operation.name?.value ?? null } };
};

const ruleBreakers = new Map(specifiedRules.map((rule) => [rule.name.replace(/Rule$/, ''), 0]));
const counts = { documents: 0, syntaxErrors: 0, valid: 0, invalid: 0, errors: 0, runs: 0,
                 selectionErrors: 0, disagreements: 0 };
const failures = [];

for (const group of groups) {
  const files = readdirSync(group.dir).filter((f) => f.endsWith('.graphql')).sort().map((f) => join(group.dir, f));
  if (files.length === 0) continue;
  const schema = buildSchema(readFileSync(group.schemaPath, 'utf8'));
  // One run per file and operationName: depot-validate takes --operation-name before a file.
  const runs = files.flatMap((file) => operationNamesOf(readFileSync(file, 'utf8'))
    .map((operationName) => ({ file, operationName })));
  const args = group.schemaPath.endsWith('depot.graphql') ? [] : ['--schema', group.schemaPath];
  for (const { file, operationName } of runs) {
    args.push(...(operationName === null ? ['--no-operation-name'] : ['--operation-name', operationName]), file);
  }
  const lines = execFileSync(binary, args, { maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' })
    .split('\n').filter((line) => line.length);
  if (lines.length !== runs.length) {
    throw new Error(`depot-validate printed ${lines.length} lines for ${runs.length} runs`);
  }
  let previous = null;
  runs.forEach(({ file, operationName }, i) => {
    const depot = JSON.parse(lines[i]);
    const name = relative(root, file) + (operationName === null ? '' : ` (operationName ${JSON.stringify(operationName)})`);
    const source = readFileSync(file, 'utf8');
    const firstRun = file !== previous;
    previous = file;
    let expected;
    let document;
    try {
      document = parse(source);
    } catch (error) {
      expected = { syntaxError: toJSON(error) };
    }
    if (document) {
      expected = { errors: validate(schema, document).map(toJSON) };
      if (expected.errors.length === 0) Object.assign(expected, selectOperation(schema, document, operationName));
      for (const rule of firstRun ? specifiedRules : []) {
        if (validate(schema, document, [rule]).length) {
          const key = rule.name.replace(/Rule$/, '');
          ruleBreakers.set(key, ruleBreakers.get(key) + 1);
        }
      }
    }
    const { file: _, ...got } = depot;
    counts.runs++;
    if (expected.operationError) counts.selectionErrors++;
    if (firstRun) {
      counts.documents++;
      if (expected.syntaxError) counts.syntaxErrors++;
      else if (expected.errors.length) { counts.invalid++; counts.errors += expected.errors.length; }
      else counts.valid++;
    }
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      counts.disagreements++;
      failures.push(`${name}\n  graphql-js: ${JSON.stringify(expected)}\n  Depot:      ${JSON.stringify(got)}`);
    }
  });
}

// Depot's default limits against hostile queries let the front-end's queries and graphql-js's
// introspection queries through (their copies in the corpus).
const everyday = readdirSync(corpusRoot).filter((f) => /^(frontend|introspection_(default|full|no_descriptions))/.test(f))
  .map((f) => join(corpusRoot, f));
const limited = execFileSync(binary, ['--limits', ...everyday], { encoding: 'utf8' }).split('\n').filter((l) => l.length);
const refused = limited.map((line) => JSON.parse(line)).filter((result) => !result.errors || result.errors.length);
for (const result of refused) failures.push(`${relative(root, result.file)} is refused by Depot's default limits: ${JSON.stringify(result)}`);

console.log(`graphql-js ${version} and Depot over ${counts.documents} documents:`);
console.log(`  ${counts.syntaxErrors} syntax errors, ${counts.valid} valid, ${counts.invalid} invalid ` +
            `with ${counts.errors} validation errors`);
console.log(`  ${counts.runs} runs (a document per operationName), ${counts.selectionErrors} with no operation to select`);
console.log(`  agreements: ${counts.runs - counts.disagreements}, disagreements: ${counts.disagreements}`);
console.log(`  Depot's default limits: ${everyday.length - refused.length} of ${everyday.length} front-end and introspection queries pass`);
console.log('  documents breaking each rule:');
const thin = [];
for (const [rule, n] of ruleBreakers) {
  console.log(`    ${rule.padEnd(32)} ${n}`);
  if (n < 2) thin.push(rule);
}
for (const failure of failures) console.log(`FAIL ${failure}`);
if (counts.documents < 300) console.log(`FAIL: the corpus has ${counts.documents} documents, fewer than 300`);
if (thin.length) console.log(`FAIL: rules broken by fewer than two documents: ${thin.join(', ')}`);
process.exit(failures.length || counts.documents < 300 || thin.length ? 1 : 0);
