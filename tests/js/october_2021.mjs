// october_2021 - graphql-js as an implementation of the GraphQL specification's October 2021
// edition, the one Depot follows (../shared/spec/API.md section 4), for the oracles.
//
// Copyright the Depot contributors. Licensed under the Apache License 2.0.
//
// graphql-js 16.14 took DIRECTIVE_DEFINITION from the specification's working draft into
// __DirectiveLocation and @deprecated's locations. The edition has neither, nor do graphql-js
// 16.0 to 16.13, with which GraphiQL, code generators and Apollo's tooling read introspection.
// asOctober2021(graphql) takes them out of this graphql-js (its introspection enum and its
// @deprecated) so the oracles judge Depot against the edition; it checks the result against
// the edition's list below, so a graphql-js that changes under it fails loudly.

// The edition's __DirectiveLocation, in its order (section 4.2's __DirectiveLocation).
export const DIRECTIVE_LOCATIONS = [
  'QUERY', 'MUTATION', 'SUBSCRIPTION', 'FIELD', 'FRAGMENT_DEFINITION', 'FRAGMENT_SPREAD',
  'INLINE_FRAGMENT', 'VARIABLE_DEFINITION', 'SCHEMA', 'SCALAR', 'OBJECT', 'FIELD_DEFINITION',
  'ARGUMENT_DEFINITION', 'INTERFACE', 'UNION', 'ENUM', 'ENUM_VALUE', 'INPUT_OBJECT',
  'INPUT_FIELD_DEFINITION',
];

// directive @deprecated(reason: String = "No longer supported") on ... (section 3.13.3).
export const DEPRECATED_LOCATIONS = ['FIELD_DEFINITION', 'ARGUMENT_DEFINITION', 'INPUT_FIELD_DEFINITION', 'ENUM_VALUE'];

export function asOctober2021(graphql) {
  const { __DirectiveLocation: locations, GraphQLDeprecatedDirective: deprecated } = graphql;
  const inEdition = (name) => DIRECTIVE_LOCATIONS.includes(name);
  locations._values = locations.getValues().filter((value) => inEdition(value.name));
  locations._valueLookup = null;
  locations._nameLookup = null;
  deprecated.locations = deprecated.locations.filter(inEdition);
  const got = JSON.stringify([locations.getValues().map((value) => value.name), deprecated.locations]);
  if (got !== JSON.stringify([DIRECTIVE_LOCATIONS, DEPRECATED_LOCATIONS])) {
    throw new Error(`graphql-js ${graphql.version} cannot be made the October 2021 edition: ${got}`);
  }
  return graphql;
}
