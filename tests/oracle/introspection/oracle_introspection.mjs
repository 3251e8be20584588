// oracle_introspection - Depot's introspection against graphql-js 16's, over schemas × queries.
//
// Copyright the Depot contributors. Licensed under the Apache License 2.0.
//
// Pins down: every introspection answer Depot gives (run through the
// resolver's real plan, waves and writer by depot-introspect, no database)
// is byte for byte the JSON graphql-js's execute() gives for the same query
// over the same SDL: type order, descriptions, deprecations and
// includeDeprecated, default values, specifiedByURL, isOneOf, directives,
// ofType chains, __typename, fragments, @skip/@include. The queries are
// tests/oracle/introspection/queries plus getIntrospectionQuery() with
// every option combination used by GraphiQL and code generators; the
// schemas are tests/oracle/introspection/schemas plus Depot's own (with
// its mapping table bound, as the resolver runs it). For every full
// introspection, buildClientSchema on Depot's answer must also print
// (printSchema) exactly as the SDL does. Prints the counts; exits 1 on any
// disagreement.
//
// Usage: node oracle_introspection.mjs <path to depot-introspect>
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { asOctober2021 } from '../../js/october_2021.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const require = createRequire(join(root, 'tests', 'js', 'package.json'));
// As the October 2021 edition has it: Depot serves that edition's directive locations.
const graphql = asOctober2021(require('graphql'));

const tool = process.argv[2];
if (!tool) {
  console.error('usage: node oracle_introspection.mjs <depot-introspect>');
  process.exit(2);
}

const graphqlFiles = (dir) =>
  readdirSync(dir).filter((f) => f.endsWith('.graphql')).sort().map((f) => join(dir, f));

const work = mkdtempSync(join(tmpdir(), 'depot-introspection-'));
const queries = graphqlFiles(join(here, 'queries')).map((file) => ({
  name: basename(file), text: readFileSync(file, 'utf8'), rebuild: false,
}));
// rebuild: which schemas printSchema(buildClientSchema(answer)) must print
// exactly as their SDL: only a query that asks for everything the SDL uses
// can (the default one suffices for Depot's schema, as GraphiQL uses it).
const variants = [
  { options: {}, rebuild: 'depot' },
  { options: { descriptions: false }, rebuild: false },
  { options: { specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true,
               inputValueDeprecation: true, oneOf: true }, rebuild: 'all' },
  { options: { specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true,
               inputValueDeprecation: true, experimentalDirectiveDeprecation: true, oneOf: true,
               typeDepth: 3 }, rebuild: false },
];
for (const { options, rebuild } of variants)
  queries.push({
    name: `getIntrospectionQuery(${JSON.stringify(options)})`,
    text: graphql.getIntrospectionQuery(options), rebuild,
  });
queries.forEach((query, i) => {
  query.file = join(work, `query_${i}.graphql`);
  writeFileSync(query.file, query.text);
});

const schemas = [
  ...graphqlFiles(join(here, 'schemas')).map((file) => ({ arg: file, sdl: readFileSync(file, 'utf8') })),
  { arg: 'depot', sdl: readFileSync(join(root, 'schema', 'depot.graphql'), 'utf8'), name: 'depot' },
];

let identical = 0, rebuilt = 0, failures = 0;
for (const schema of schemas) {
  const jsSchema = graphql.buildSchema(schema.sdl);
  const expectedSdl = graphql.printSchema(jsSchema);
  const out = execFileSync(tool, [schema.arg, ...queries.map((q) => q.file)],
                           { encoding: 'utf8', maxBuffer: 256 << 20 });
  const lines = out.trimEnd().split('\n');
  queries.forEach((query, i) => {
    const label = `${schema.name || basename(schema.arg)} × ${query.name}`;
    const expected = JSON.stringify(graphql.graphqlSync({ schema: jsSchema, source: query.text }));
    let got;
    try {
      got = JSON.stringify(JSON.parse(lines[i]));
    } catch (e) {
      got = `unparsable: ${lines[i]}`;
    }
    if (got !== expected) {
      failures++;
      let at = 0;
      while (at < got.length && got[at] === expected[at])
        at++;
      console.error(`DIFFERENT ${label} at character ${at}:\n  graphql-js ...${expected.slice(Math.max(0, at - 80), at + 120)}\n  depot      ...${got.slice(Math.max(0, at - 80), at + 120)}`);
      return;
    }
    identical++;
    if (query.rebuild === 'all' || (query.rebuild === 'depot' && schema.name === 'depot')) {
      const printed = graphql.printSchema(graphql.buildClientSchema(JSON.parse(got).data));
      if (printed !== expectedSdl) {
        failures++;
        console.error(`DIFFERENT ${label}: printSchema(buildClientSchema(depot)) differs from the SDL's`);
      }
      else
        rebuilt++;
    }
  });
}
rmSync(work, { recursive: true, force: true });
console.log(`introspection oracle: ${schemas.length} schemas × ${queries.length} queries, ` +
            `${identical} answers identical to graphql-js, ${rebuilt} client schemas rebuilt and ` +
            `printed identically; ${failures} disagreements`);
process.exit(failures ? 1 : 0);
