#!/usr/bin/env python3
"""Writes the validation oracle's corpus: tests/oracle/corpus/*.graphql.

Every document was written for Depot: queries against schema/depot.graphql, valid and invalid,
each specification rule broken several times, syntax errors, unicode, block strings,
kitchen-sink, deep and wide documents. The documents live here, in one reviewable place, and
this script writes them out as files (run it after editing; the files are committed too).
The subfolder with-subscriptions/ holds documents for a schema with a subscription type
(Depot has none), so SingleFieldSubscriptions is exercised as well.

Usage: python3 tests/oracle/validation/make_corpus.py
"""
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..', '..'))
CORPUS = os.path.join(ROOT, 'tests', 'oracle', 'corpus')

docs = {}


def doc(name, text):
    assert name not in docs, name
    docs[name] = text


# ---------------------------------------------------------------------------------------------
# The front-end's own queries, as they go over the wire.

for query in sorted(os.listdir(os.path.join(ROOT, 'tests', 'queries'))):
    with open(os.path.join(ROOT, 'tests', 'queries', query), encoding='utf-8') as f:
        doc('frontend_' + query.replace('.graphql', ''), f.read())

# ---------------------------------------------------------------------------------------------
# Valid documents: every root field, fragments, interfaces, unions, variables, directives.

doc('valid_bases', '{ bases { id name organisation { id name } } }')
doc('valid_bases_filter', 'query Bases($deleted: Boolean) { bases(filterInput: {includeDeleted: $deleted}) { id name deletedOn } }')
doc('valid_base_counts', 'query ($id: ID!) { base(id: $id) { name instockBoxesCount instockItemsCount monetaryCurrencyCode freeshopCurrencyName } }')
doc('valid_organisations', '{ organisations { id name bases(filterInput: {includeDeleted: true}) { id name } } organisation(id: "1") { name } }')
doc('valid_users', '{ users { id name email validFirstDay validLastDay lastLogin lastAction bases { id } organisation { id } } user { id } me: user(id: 7) { name } }')
doc('valid_box_by_label', 'query BoxByLabel($label: String!) { box(labelIdentifier: $label) { id labelIdentifier state numberOfItems comment product { id name gender } size { id label } } }')
doc('valid_boxes_filter', '''query Boxes($baseId: ID!, $states: [BoxState!], $first: Int = 50) {
  boxes(baseId: $baseId, paginationInput: {first: $first}, filterInput: {states: $states, productGender: Women, tagIds: [1, 2], lastModifiedFrom: "2024-01-01"}) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    elements { id labelIdentifier state tags { id name color } }
  }
}''')
doc('valid_boxes_page_after', '{ boxes(baseId: 1, paginationInput: {after: "Y3Vyc29y", first: 10}) { pageInfo { endCursor } elements { id } } }')
doc('valid_qr_union', '''query Qr($code: String!) {
  qrCode(code: $code) {
    __typename
    ... on QrCode { id code createdOn box { ... on Box { labelIdentifier } ... on InsufficientPermissionError { name } ... on UnauthorizedForBaseError { id name organisationName } } }
    ... on InsufficientPermissionError { name }
    ... on ResourceDoesNotExistError { id name }
  }
  qrExists(code: $code)
}''')
doc('valid_locations_interface', '''{
  locations { id name seq isShop isStockroom defaultBoxState base { id } }
  location(id: 3) { ...LocationFields boxes(paginationInput: {first: 5}) { totalCount } }
}
fragment LocationFields on Location { id name base { name } ... on ClassicLocation { seq } ... on DistributionSpot { latitude longitude comment } }''')
doc('valid_products', '{ products(baseId: "1", paginationInput: {first: 20}) { totalCount elements { id name type category { name hasGender } sizeRange { label sizes { id label } units { symbol } } price inShop } } }')
doc('valid_product_category', '{ productCategory(id: 2) { id name hasGender products(paginationInput: {last: 3, before: "x"}) { elements { name } } } productCategories { id name } sizeRanges { id name } }')
doc('valid_beneficiaries', '''query B($p: PaginationInput, $f: FilterBeneficiaryInput) {
  beneficiaries(paginationInput: $p, filterInput: $f) { totalCount elements { id firstName lastName dateOfBirth age gender languages familyHead { id } tags { name } } }
  beneficiary(id: 12) { id active isVolunteer signed registered tokens transactions { id count tokens createdOn product { name } } }
}''')
doc('valid_tags', '''{ tags(tagType: Box) { id name type color lastUsedOn taggedResources { __typename ... on Box { labelIdentifier } ... on Beneficiary { firstName } } } tag(id: 1) { base { name } createdBy { name } } }''')
doc('valid_transfer_agreements', '{ transferAgreements(states: [Accepted, UnderReview]) { id state type requestedOn validFrom validUntil sourceOrganisation { name } targetOrganisation { name } sourceBases(filterInput: {includeDeleted: false}) { id } targetBases { id } shipments { id } } transferAgreement(id: 1) { comment } }')
doc('valid_shipments', '''query S($base: ID!) {
  shipments(states: [Preparing, Sent, Receiving]) {
    id labelIdentifier state direction(baseId: $base) startedOn sentOn
    sourceBase { name } targetBase { name } transferAgreement { id }
    details { id sourceQuantity targetQuantity box { labelIdentifier } sourceProduct { name } targetProduct { name } sourceLocation { name } sourceSize { label } autoMatchingTargetProduct { id } }
  }
  shipment(id: "4") { id canceledOn completedBy { name } }
}''')
doc('valid_distribution', '{ base(id: 1) { distributionSpots { id name latitude distributionEvents { id name state plannedStartDateTime plannedEndDateTime boxes { id } } } distributionEvents(states: [Planning, Packing]) { id distributionSpot { name } } } }')
doc('valid_history', '{ box(labelIdentifier: "123456") { history { id changes changeDate user { name } } sourceBox { id } shipmentDetail { shipment { id } } qrCode { code } } }')
doc('valid_items_collection', '{ box(labelIdentifier: "1") { ...Coll } } fragment Coll on ItemsCollection { id numberOfItems product { name } size { label } location { name } distributionEvent { name } ... on Box { state } }')
doc('valid_typename_everywhere', '{ __typename bases { __typename id } qrCode(code: "x") { __typename } boxes(baseId: 1) { __typename elements { __typename } } }')
doc('valid_aliases', '{ a: base(id: 1) { n: name } b: base(id: 2) { n: name } c: bases { n: id } first: boxes(baseId: 1, paginationInput: {first: 1}) { totalCount } second: boxes(baseId: 2) { totalCount } }')
doc('valid_directives', '''query D($withTags: Boolean!, $skipSize: Boolean = false) {
  box(labelIdentifier: "1") {
    id
    tags @include(if: $withTags) { id }
    size @skip(if: $skipSize) { label }
    ... @include(if: true) { comment }
    ...Extra @skip(if: false)
  }
}
fragment Extra on Box { weight monetaryValue }''')
doc('valid_variables_defaults', '''query V($id: ID = "1", $states: [BoxState!] = [InStock, Donated], $page: PaginationInput = {first: 10, after: null}, $gender: ProductGender = none, $pattern: String = "Anna") {
  base(id: $id) { name }
  boxes(baseId: $id, paginationInput: $page, filterInput: {states: $states, productGender: $gender}) { totalCount }
  beneficiaries(filterInput: {pattern: $pattern}) { totalCount }
}''')
doc('valid_multiple_operations', '''query One { bases { id } }
query Two($id: ID!) { base(id: $id) { name } }
query Three { organisations { name } }''')
doc('valid_fragments_nested', '''query Nested { boxes(baseId: 1) { elements { ...BoxA } } }
fragment BoxA on Box { id ...BoxB product { ...ProductA } }
fragment BoxB on Box { labelIdentifier ... on Box { state } }
fragment ProductA on Product { id name category { ...CategoryA } }
fragment CategoryA on ProductCategory { id name }''')
doc('valid_same_field_merged', '{ bases { id id name ... on Base { id name } } base(id: 1) { organisation { id } organisation { name } } }')
doc('valid_union_different_types_same_name', '{ qrCode(code: "a") { ... on InsufficientPermissionError { name } ... on ResourceDoesNotExistError { name id } } }')
doc('valid_interface_spread_on_object', '{ location(id: 1) { ... on Location { id name } ...L } } fragment L on Location { base { id } }')
doc('valid_list_coercion', '{ boxes(baseId: 1, filterInput: {states: InStock, tagIds: 4, productIds: [1, 2, 3]}) { totalCount } shipments(states: Sent) { id } }')
doc('valid_enum_values', '{ tags(tagType: All) { id } boxes(baseId: 1, filterInput: {productGenders: [Men, Women, UnisexAdult, UnisexKid, UnisexBaby, TeenGirl, TeenBoy, Girl, Boy, none, BabyGirl, BabyBoy]}) { totalCount } }')
doc('valid_custom_scalars', '{ boxes(baseId: 1, filterInput: {lastModifiedFrom: "2023-01-01", lastModifiedUntil: 20240101}) { totalCount } beneficiaries(filterInput: {createdFrom: {year: 2020}, createdUntil: [2021]}) { totalCount } }')
doc('valid_null_arguments', '{ user(id: null) { id } qrExists(code: null) products(baseId: null, paginationInput: null) { totalCount } bases(filterInput: null) { id } }')
doc('valid_int_boundaries', '{ boxes(baseId: 2147483647, paginationInput: {first: 2147483647, last: -2147483648}) { totalCount } }')
doc('valid_float_and_ids', '{ product(id: 0) { price } base(id: "000") { id } organisation(id: -1) { id } }')
doc('valid_mutation_free_query_keyword', 'query { bases { id } }')
doc('valid_comments_and_commas', '''# a comment before
query   Commas ,, ( $id : ID! , ) { # trailing comment
  base ( id : $id , ) , { id , name , } ,
}
# a comment after''')
doc('valid_empty_lists_objects', '{ boxes(baseId: 1, paginationInput: {}, filterInput: {states: [], tagIds: []}) { totalCount } shipments(states: []) { id } }')
doc('valid_shared_fragment_two_ops', '''query A { bases { ...BaseName } }
query B { organisations { bases { ...BaseName } } }
fragment BaseName on Base { id name }''')
doc('valid_inline_without_condition', '{ bases { ... { id } ... @skip(if: false) { name } } }')
doc('valid_beneficiary_family', '{ beneficiary(id: 1) { familyHead { familyHead { familyHead { id firstName } } } } }')

# ---------------------------------------------------------------------------------------------
# ExecutableDefinitions

doc('rule_executable_type', '''{ bases { id } }
type Extra { id: ID! }''')
doc('rule_executable_many', '''query Q { bases { id } }
"""Described."""
scalar Money
extend type Box { money: Money }
schema { query: Query }
directive @cached(ttl: Int = 60) on FIELD | QUERY
enum Colour { RED GREEN }
input Where { id: ID }
union Any = Box | Tag
interface Named { name: String }
extend schema @cached''')
doc('rule_executable_with_errors_inside', '''type Local { a: Strin b: Int @deprecated(reason: 5) c: [Box!] @skip(if: true) }
{ bases { id } }''')
doc('rule_executable_directive_used', '''directive @mine(level: Int!) on FIELD
{ bases @mine(level: 1) { id } organisations @mine { id } tags @mine(level: 1, other: 2) { id } }''')

# UniqueOperationNames

doc('rule_unique_op_names', 'query Same { bases { id } } query Same { organisations { id } }')
doc('rule_unique_op_names_three', '''query Boxes { boxes(baseId: 1) { totalCount } }
query Boxes { boxes(baseId: 2) { totalCount } }
mutation Boxes { bases { id } }
query Other { bases { id } }''')
doc('rule_unique_op_names_fragment_same_name', 'query F { bases { ...F } } fragment F on Base { id } query F { bases { id } }')

# LoneAnonymousOperation

doc('rule_lone_anonymous', '{ bases { id } } query Named { bases { id } }')
doc('rule_lone_anonymous_two', '{ bases { id } } { organisations { id } } query { tags { id } }')
doc('rule_lone_anonymous_with_fragment', 'fragment F on Base { id } { bases { ...F } } query Q { bases { ...F } }')

# KnownTypeNames

doc('rule_known_types_variables', 'query ($a: BoxStat, $b: [Tags!], $c: Strng!, $d: Datetim) { bases { id } }')
doc('rule_known_types_fragments', '{ bases { ... on Bse { id } ...F } } fragment F on Organisatio { id }')
doc('rule_known_types_inline', '{ qrCode(code: "a") { ... on QRCode { id } ... on InsufficientPermission { name } ... on Unknown { x } } }')
doc('rule_known_types_lowercase', 'query ($id: id, $b: boolean, $s: string, $i: int) { base(id: $id) { id } }')
doc('rule_known_types_sdl_context', '''type Local implements Nam { a: Stirng b: __Type c: Boxx }
union U = Bx | Tag
{ bases { id } }''')

# FragmentsOnCompositeTypes

doc('rule_fragments_composite', '{ bases { ... on String { length } ...OnInt } } fragment OnInt on Int { x }')
doc('rule_fragments_composite_enum_input', '{ box(labelIdentifier: "1") { ... on BoxState { id } ...OnInput } } fragment OnInput on FilterBoxInput { states }')
doc('rule_fragments_composite_scalar_custom', 'fragment D on Datetime { x } fragment E on Date { y } { bases { ...D ...E } }')

# VariablesAreInputTypes

doc('rule_variables_input', 'query ($box: Box, $page: BoxPage!, $loc: [Location], $res: QrCodeResult) { bases { id } }')
doc('rule_variables_input_used', 'query ($f: Base) { bases(filterInput: $f) { id } }')
doc('rule_variables_input_nested', 'query ($x: [[Tag!]!], $ok: [[BoxState!]]) { boxes(baseId: 1, filterInput: {states: $ok}) { totalCount } }')

# ScalarLeafs

doc('rule_scalar_leafs_missing', '{ bases organisation(id: 1) boxes(baseId: 1) }')
doc('rule_scalar_leafs_extra', '{ bases { id { x } name { y z } instockBoxesCount { n } } qrExists(code: "x") { yes } }')
doc('rule_scalar_leafs_enum', '{ box(labelIdentifier: "1") { state { name } product { type { x } gender } } }')
doc('rule_scalar_leafs_union_interface', '{ qrCode(code: "1") location(id: 1) box(labelIdentifier: "2") { location tags shipmentDetail } }')
doc('rule_scalar_leafs_introspection', '{ __schema __type(name: "Box") { fields kind { x } } __typename { y } }')

# FieldsOnCorrectType

doc('rule_fields_typos', '{ bases { idd nme organisaton { id } } boxs(baseId: 1) { total } }')
doc('rule_fields_union', '{ qrCode(code: "x") { id name code } }')
doc('rule_fields_interface', '{ location(id: 1) { isShop latitude } box(labelIdentifier: "1") { location { isShop seq defaultBoxState latitude } } }')
doc('rule_fields_items_collection', '{ box(labelIdentifier: "1") { ... on ItemsCollection { state labelIdentifier tags } } }')
doc('rule_fields_meta_misplaced', '{ bases { __schema { types { name } } __type(name: "Base") { name } } }')
doc('rule_fields_page', '{ boxes(baseId: 1) { elements { id } total pageInfo { hasNext endCursor cursor } } }')
doc('rule_fields_tagged_resources', '{ tags { taggedResources { id labelIdentifier firstName } } }')

# UniqueFragmentNames

doc('rule_unique_fragments', '{ bases { ...F } } fragment F on Base { id } fragment F on Base { name }')
doc('rule_unique_fragments_three', '''{ bases { ...A ...B } }
fragment A on Base { id }
fragment B on Base { id }
fragment A on Organisation { id }
fragment  A on Base { name }''')

# KnownFragmentNames

doc('rule_known_fragments', '{ bases { ...Missing ...AlsoMissing } }')
doc('rule_known_fragments_nested', '{ bases { ...Present } } fragment Present on Base { organisation { ...Absent } ... on Base { ...  Absent2 } }')

# NoUnusedFragments

doc('rule_unused_fragments', '{ bases { id } } fragment Unused on Base { id } fragment AlsoUnused on Organisation { id }')
doc('rule_unused_fragments_chain', '''query Q { bases { ...Used } }
fragment Used on Base { ...UsedToo }
fragment UsedToo on Base { id }
fragment Orphan on Base { ...OrphanChild }
fragment OrphanChild on Base { name }''')
doc('rule_unused_fragments_no_operation', 'fragment Lonely on Base { id }')

# PossibleFragmentSpreads

doc('rule_possible_spreads', '{ bases { ...OnTag ... on Organisation { id } } } fragment OnTag on Tag { id }')
doc('rule_possible_spreads_union', '{ qrCode(code: "x") { ... on Box { id } ...OnBeneficiary } } fragment OnBeneficiary on Beneficiary { id }')
doc('rule_possible_spreads_interface', '{ location(id: 1) { ... on DistributionSpot { id } } box(labelIdentifier: "x") { location { ... on Box { id } ... on TaggableResource { __typename } } } }')
doc('rule_possible_spreads_abstract', '{ tags { taggedResources { ... on Location { id } ... on ItemsCollection { id } ... on QrCodeResult { __typename } } } }')

# NoFragmentCycles

doc('rule_cycles_self', '{ bases { ...Self } } fragment Self on Base { id ...Self }')
doc('rule_cycles_triangle', '''{ bases { ...A } }
fragment A on Base { ...B }
fragment B on Base { organisation { bases { ...C } } }
fragment C on Base { ...A ...B }''')
doc('rule_cycles_deep_inline', '{ bases { ...X } } fragment X on Base { ... on Base { organisation { bases { ... { ...X } } } } }')
doc('rule_cycles_many', '''{ bases { ...F1 } }
fragment F1 on Base { ...F2 ...F3 }
fragment F2 on Base { ...F3 ...F1 }
fragment F3 on Base { ...F1 ...F2 ...F4 }
fragment F4 on Base { ...F4 }''')

# UniqueVariableNames

doc('rule_unique_variables', 'query ($id: ID!, $id: ID!) { base(id: $id) { id } }')
doc('rule_unique_variables_many', 'query Q($a: Int, $b: Int, $a: String, $b: Int, $a: ID, $c: Int) { boxes(baseId: 1, paginationInput: {first: $a, last: $b}) { totalCount } tags { id } }')

# NoUndefinedVariables

doc('rule_undefined_variables', '{ base(id: $id) { id } }')
doc('rule_undefined_variables_fragment', '''query Q($first: Int) { boxes(baseId: $baseId, paginationInput: {first: $first}) { ...Els } }
fragment Els on BoxPage { elements { tags @include(if: $withTags) { id } } }''')
doc('rule_undefined_variables_two_ops', '''query A($id: ID!) { base(id: $id) { ...N } }
query B { base(id: $id) { ...N } }
fragment N on Base { name products(filterInput: {type: $type}) { id } }''')
doc('rule_undefined_variables_directive', 'query @skip(if: $nope) { bases @include(if: $maybe) { id } }')

# NoUnusedVariables

doc('rule_unused_variables', 'query Q($id: ID!, $unused: Int) { base(id: "1") { id } }')
doc('rule_unused_variables_anon', 'query ($a: Int, $b: String, $c: [ID]) { bases { id } }')
doc('rule_unused_variables_fragment_use', '''query One($x: Boolean!, $y: Boolean!) { bases { ...F } }
query Two($x: Boolean!) { bases { id } }
fragment F on Base { id @include(if: $x) }''')

# KnownDirectives

doc('rule_known_directives_unknown', '{ bases @cached { id @client } }')
doc('rule_known_directives_misplaced', 'query Q @skip(if: true) { bases @deprecated { id @specifiedBy(url: "x") } }')
doc('rule_known_directives_fragments', '''query ($v: Int @include(if: true)) { bases { ...F @oneOf } }
fragment F on Base @skip(if: true) { id }''')
doc('rule_known_directives_sdl', '''type T @include(if: true) { f(a: Int @skip(if: true)): Int @unknown }
enum E @oneOf { A @deprecated(reason: "x") }
{ bases { id } }''')

# UniqueDirectivesPerLocation

doc('rule_unique_directives', '{ bases @include(if: true) @include(if: false) { id @skip(if: true) @skip(if: true) } }')
doc('rule_unique_directives_fragment', '''query ($a: Boolean!) { bases { ...F @include(if: $a) @include(if: $a) ... @skip(if: $a) @skip(if: $a) { id } } }
fragment F on Base { id }''')
doc('rule_unique_directives_sdl', '''type T { f: Int @deprecated @deprecated }
extend type T @specifiedBy(url: "a")
{ bases { id } }''')

# KnownArgumentNames

doc('rule_known_arguments', '{ base(ID: 1) { id } bases(filter: {includeDeleted: true}) { id } }')
doc('rule_known_arguments_nested', '{ boxes(baseId: 1, pagination: {first: 1}, filter: {}) { totalCount } organisation(id: 1) { bases(filterInputs: {}) { id } } }')
doc('rule_known_arguments_directives', '{ bases @include(iff: true) @skip(if: true, unless: false) { id @deprecated(reasn: "x") } }')
doc('rule_known_arguments_no_args_field', '{ bases { id(format: "x") name(lang: en) } organisations(first: 10) { id } }')

# UniqueArgumentNames

doc('rule_unique_arguments', '{ base(id: 1, id: 2) { id } }')
doc('rule_unique_arguments_many', '{ boxes(baseId: 1, baseId: 2, paginationInput: {}, baseId: 3) @include(if: true, if: false) { totalCount } }')

# ValuesOfCorrectType

doc('rule_values_scalars', '{ base(id: 1.5) { id } boxes(baseId: true, paginationInput: {first: "ten", last: 1.0}) { totalCount } qrExists(code: 7) }')
doc('rule_values_enums', '{ tags(tagType: box) { id } shipments(states: [Sent, SENT, "Lost", 3]) { id } transferAgreements(states: Acepted) { id } }')
doc('rule_values_input_objects', '{ boxes(baseId: 1, paginationInput: {frst: 1, after: 2}, filterInput: {state: [InStock], productId: "1", tagIds: [1, "2"]}) { totalCount } }')
doc('rule_values_objects_where_scalars', '{ base(id: {id: 1}) { id } boxes(baseId: [1], paginationInput: 5) { totalCount } bases(filterInput: [true]) { id } }')
doc('rule_values_nulls', '{ base(id: null) { id } boxes(baseId: "1", filterInput: {states: [null]}) { totalCount } beneficiary(id: null) { id } }')
doc('rule_values_int_range', '{ boxes(baseId: 1, paginationInput: {first: 2147483648, last: -2147483649}) { totalCount } products(paginationInput: {first: 99999999999999999999}) { totalCount } }')
doc('rule_values_variable_defaults', 'query ($a: Int = "x", $b: BoxState = Stocked, $c: PaginationInput = {first: true}, $d: ID! = null) { bases { id } }')
doc('rule_values_strings_printed', '{ qrExists(code: ["a", "b"]) base(id: ["x"]) { id } tags(tagType: "Box") { id } }')
doc('rule_values_boolean', '{ bases(filterInput: {includeDeleted: "yes"}) { id } beneficiaries(filterInput: {active: 1, isVolunteer: null, registered: TRUE}) { totalCount } }')

# ProvidedRequiredArguments

doc('rule_required_arguments', '{ base { id } boxes { totalCount } }')
doc('rule_required_arguments_nested', '{ shipments { direction { x } } box { id } qrCode { __typename } }')
doc('rule_required_arguments_directives', '{ bases @include @skip { id } organisations { id @include } }')
doc('rule_required_arguments_introspection', '{ __type { name } }')

# VariablesInAllowedPosition

doc('rule_variables_position', 'query ($id: ID) { base(id: $id) { id } }')
doc('rule_variables_position_types', 'query ($n: Int, $s: String!, $b: Boolean) { base(id: $n) { id } boxes(baseId: $s, paginationInput: {first: $s}) { totalCount } bases @include(if: $b) { id } }')
doc('rule_variables_position_lists', 'query ($states: [BoxState], $state: BoxState, $one: ShipmentState) { boxes(baseId: 1, filterInput: {states: $states, productIds: [$state]}) { totalCount } shipments(states: [$one, $state]) { id } }')
doc('rule_variables_position_fragment', '''query Q($label: String, $base: Int) { box(labelIdentifier: $label) { ...B } }
fragment B on Box { shipmentDetail { shipment { direction(baseId: $base) } } }''')
doc('rule_variables_position_defaults', 'query ($id: ID = "1", $first: Int = null, $p: PaginationInput) { base(id: $id) { id } boxes(baseId: $id, paginationInput: $p) { totalCount } products(paginationInput: {first: $first}) { totalCount } }')

# OverlappingFieldsCanBeMerged

doc('rule_overlap_aliases', '{ bases { id: name name: id } organisations { id name id: name } }')
doc('rule_overlap_arguments', '{ base(id: 1) { id } base(id: 2) { name } b: boxes(baseId: 1) { totalCount } b: boxes(baseId: 1, paginationInput: {first: 1}) { totalCount } }')
doc('rule_overlap_types', '{ qrCode(code: "1") { ... on ResourceDoesNotExistError { id } ... on UnauthorizedForBaseError { id } } box(labelIdentifier: "x") { ... on Box { value: weight } ... on ItemsCollection { value: numberOfItems } } }')
doc('rule_overlap_subfields', '{ bases { organisation { id } organisation { id: name } } base(id: 1) { x: organisation { n: id } x: organisation { n: name } } }')
doc('rule_overlap_fragments', '''{ bases { ...A ...B } }
fragment A on Base { label: name other: organisation { id } }
fragment B on Base { label: id other: organisation { id: name } }''')
doc('rule_overlap_list_vs_single', '{ bases { tags { id } } bases { tags: organisation { id } } base(id: 1) { products: locations { id } products { id } } }')
doc('rule_overlap_values_compare', '''query ($v: Int) {
  a: boxes(baseId: 1, paginationInput: {first: 1, last: 2}) { totalCount }
  a: boxes(baseId: 1, paginationInput: {last: 2, first: 1}) { totalCount }
  b: boxes(baseId: "1") { totalCount }
  b: boxes(baseId: 1) { totalCount }
  c: boxes(baseId: 1, paginationInput: {first: $v}) { totalCount }
  c: boxes(baseId: 1, paginationInput: {first: 1}) { totalCount }
  d: qrExists(code: "x")
  d: qrExists(code: """x""")
}''')
doc('rule_overlap_union_members', '''{ tags { taggedResources {
  ... on Box { key: labelIdentifier comment }
  ... on Beneficiary { key: firstName comment: age }
} } }''')

# UniqueInputFieldNames

doc('rule_unique_input_fields', '{ boxes(baseId: 1, paginationInput: {first: 1, first: 2}) { totalCount } }')
doc('rule_unique_input_fields_nested', '{ boxes(baseId: 1, filterInput: {states: [InStock], productId: 1, states: [Lost], productId: 2, tagIds: []}) { totalCount } beneficiaries(filterInput: {active: true, active: false}) { totalCount } }')
doc('rule_unique_input_fields_defaults', 'query ($p: PaginationInput = {first: 1, first: 2}) { bases { id } }')

# MaxIntrospectionDepth

doc('rule_introspection_depth', '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }')
doc('rule_introspection_depth_fragments', '''{ __type(name: "Box") { ...Fields } }
fragment Fields on __Type { fields { type { ...Inner } } }
fragment Inner on __Type { interfaces { possibleTypes { name } } }''')
doc('rule_introspection_depth_inputs', '{ __schema { types { inputFields { type { inputFields { type { inputFields { name } } } } } } } }')

# ---------------------------------------------------------------------------------------------
# Introspection: graphql-js's own introspection queries, and small ones.

def introspection_query(options):
    script = ("const g = require(process.argv[1]); "
              "process.stdout.write(g.getIntrospectionQuery(JSON.parse(process.argv[2])))")
    return subprocess.run(['node', '-e', script, os.path.join(ROOT, 'tests', 'js', 'node_modules', 'graphql'),
                           options], capture_output=True, text=True, check=True).stdout


doc('introspection_default', introspection_query('{}'))
doc('introspection_full', introspection_query('{"descriptions": true, "specifiedByUrl": true, "directiveIsRepeatable": true, "schemaDescription": true, "inputValueDeprecation": true, "oneOf": true}'))
doc('introspection_no_descriptions', introspection_query('{"descriptions": false}'))
doc('introspection_small', '{ __schema { queryType { name } mutationType { name } subscriptionType { name } types { name kind } directives { name locations args { name } } } }')
doc('introspection_type', '''query T($name: String!) { __type(name: $name) { name kind description fields(includeDeprecated: true) { name args { name type { name } } isDeprecated deprecationReason } enumValues { name } possibleTypes { name } } }''')
doc('introspection_invalid', '{ __schema { types { nam fields(includeDeprecated: "yes") { name } } } __type(name: 5) { kind { x } } }')
doc('introspection_typename_union', '{ qrCode(code: "a") { __typename ... on QrCode { __typename code } } }')
doc('introspection_fragment_on_meta_types', '{ __schema { ...S } } fragment S on __Schema { types { ...T } } fragment T on __Type { name ... on __Field { name } }')
doc('introspection_variables', 'query ($kind: __TypeKind, $loc: __DirectiveLocation) { __type(name: "Box") { name } }')

# ---------------------------------------------------------------------------------------------
# Syntax errors: where parsing fails, and how graphql-js words it.

syntax = [
    ('eof_in_selection', '{ bases { id '),
    ('eof_after_name', 'query'),
    ('empty_document', ''),
    ('only_comment', '# nothing here\n'),
    ('empty_selection', '{ bases { } }'),
    ('unterminated_string', '{ box(labelIdentifier: "abc) { id } }'),
    ('string_newline', '{ box(labelIdentifier: "ab\ncd") { id } }'),
    ('bad_escape', r'{ box(labelIdentifier: "a\qb") { id } }'),
    ('bad_unicode_escape', r'{ box(labelIdentifier: "\u12G4") { id } }'),
    ('lone_surrogate', r'{ box(labelIdentifier: "\uD800") { id } }'),
    ('unterminated_block', '{ box(labelIdentifier: """abc) { id } }'),
    ('bad_number_leading_zero', '{ base(id: 007) { id } }'),
    ('bad_number_dot', '{ base(id: 1.) { id } }'),
    ('bad_number_exponent', '{ base(id: 1e) { id } }'),
    ('number_then_name', '{ base(id: 123abc) { id } }'),
    ('unexpected_character', '{ bases { id ? } }'),
    ('unexpected_question', 'query ? { bases { id } }'),
    ('unicode_outside_string', '{ bases { naïve } }'),
    ('missing_colon_argument', '{ base(id 1) { id } }'),
    ('missing_argument_value', '{ base(id: ) { id } }'),
    ('empty_arguments', '{ base() { id } }'),
    ('variable_in_default', 'query ($a: Int = $b) { bases { id } }'),
    ('variable_without_type', 'query ($a) { bases { id } }'),
    ('dollar_alone', 'query ($ : Int) { bases { id } }'),
    ('fragment_named_on', 'fragment on on Base { id }'),
    ('fragment_without_condition', 'fragment F { id }'),
    ('fragment_variables', 'fragment F($a: Int) on Base { id }'),
    ('spread_on_without_type', '{ bases { ... on { id } } }'),
    ('operation_bad_keyword', 'querry Q { bases { id } }'),
    ('subscription_typo', 'subscribe { bases { id } }'),
    ('unclosed_list', '{ boxes(baseId: 1, filterInput: {states: [InStock, Lost}) { totalCount } }'),
    ('unclosed_object', '{ boxes(baseId: 1, paginationInput: {first: 1) { totalCount } }'),
    ('object_missing_colon', '{ boxes(baseId: 1, paginationInput: {first 1}) { totalCount } }'),
    ('extra_closing_brace', '{ bases { id } } }'),
    ('directive_without_name', '{ bases @ { id } }'),
    ('alias_without_field', '{ a: { id } }'),
    ('double_alias', '{ a: b: bases { id } }'),
    ('extend_unknown', 'extend query { bases { id } }'),
    ('variable_in_sdl_default', 'type T { f(a: Int = $x): Int }'),
    ('enum_value_true', 'enum E { true }'),
    ('block_string_after_selection', '{ bases { id } } """dangling"""'),
    ('nested_list_type_unclosed', 'query ($a: [[Int]) { bases { id } }'),
    ('non_null_twice', 'query ($a: Int!!) { bases { id } }'),
    ('directive_location_unknown', 'directive @d on FIELDS'),
    ('implements_nothing', 'type T implements { a: Int }'),
    ('union_nothing', 'union U = '),
    ('float_in_name_position', '{ 1.5 }'),
    ('string_in_name_position', '{ "bases" }'),
    ('bom_then_error', '\ufeff{ bases { id } ) }'),
    ('tab_columns', '{\tbases\t{\tid\t}\t)'),
    ('crlf_lines', '{\r\n  bases {\r\n    id\r\n  }\r\n)'),
    ('cr_only_lines', '{\r  bases {\r    id\r  }\r)'),
    ('unicode_before_error', '{ box(labelIdentifier: "héllo wörld 😀") { id ) }'),
    ('emoji_columns', '{ box(labelIdentifier: "😀😀😀") { id } } # 😀\n query 😀'),
    ('null_byte', '{ bases { id } }\x00'),
    ('vertical_tab', '{ bases\x0b{ id } }'),
    ('ellipsis_broken', '{ bases { .. on Base { id } } }'),
    ('number_minus_alone', '{ base(id: -) { id } }'),
    ('exponent_sign_only', '{ base(id: 1e+) { id } }'),
    ('name_with_dash', '{ bases { my-id } }'),
]
for name, text in syntax:
    doc('syntax_' + name, text)

# ---------------------------------------------------------------------------------------------
# Unicode: in strings, comments and descriptions; columns count UTF-16 units.

doc('unicode_strings_valid', '{ box(labelIdentifier: "café ☕ 日本語 😀 \\u00e9 \\uD83D\\uDE00 \\u{1F600}") { id } }')
doc('unicode_comment_then_error', '# Ünïcödé 😀 comment\n{ bases { nâme } }')
doc('unicode_error_after_emoji', '{ box(labelIdentifier: "😀😀") { idd } }')
doc('unicode_enum_value_string', '{ tags(tagType: "Bóx") { id } }')
doc('unicode_suggestion_enum', '{ shipments(states: [Séñt, 😀]) { id } }')
doc('unicode_int_string', '{ boxes(baseId: 1, paginationInput: {first: "二十"}) { totalCount } }')
doc('unicode_many_lines', '{\n  # 中文注释\n  box(labelIdentifier: "ü") {\n    id\n    # 😀😀😀😀\n    wrong 😀\n  }\n}')
doc('unicode_block_string_error', '{ qrExists(code: """\n  ümlaut 😀\n  line two\n""") bases { nonexistent } }')
doc('unicode_printed_in_message', '{ base(id: "ÀÉÎ") { id } qrExists(code: ["ß", "Ω"]) }')
doc('unicode_escapes_printed', '{ base(id: ["\\u0000\\u0007\\u001f", "\\u007f\\u0080\\u009f", "\\t\\n\\r\\b\\f\\"\\\\/"]) { id } }')
doc('unicode_kelvin_suggestion', '{ tags(tagType: "\u212aox") { id } }')
doc('unicode_bom_valid', '\ufeffquery Bom { bases { id } }')
doc('unicode_surrogate_pair_string_error', '{ box(labelIdentifier: "\\uD83D\\uDE00") { labelIdentifier lbl } }')
doc('unicode_description_type', '"""Ünïcode description 😀"""\ntype T { a: Int }\n{ bases { id } }')
doc('unicode_latin1_case', '{ tags(tagType: "ÀLL") { id } }')

# ---------------------------------------------------------------------------------------------
# Block strings: values, printing in messages, indentation.

doc('block_valid', '{ box(labelIdentifier: """\n    12345\n  """) { id } qrExists(code: """single""") }')
doc('block_in_int', '{ boxes(baseId: 1, paginationInput: {first: """10"""}) { totalCount } }')
doc('block_multiline_in_int', '{ boxes(baseId: 1, paginationInput: {first: """\n  line one\n    line two\n"""}) { totalCount } }')
doc('block_escaped_quotes', '{ boxes(baseId: 1, paginationInput: {last: """a \\""" b"""}) { totalCount } }')
doc('block_trailing_quote', '{ base(id: ["""ends with quote\\""""]) { id } }')
doc('block_in_enum', '{ tags(tagType: """Box""") { id } }')
doc('block_long_line', '{ boxes(baseId: 1, paginationInput: {first: """' + 'x' * 90 + '"""}) { totalCount } }')
doc('block_leading_space', '{ boxes(baseId: 1, paginationInput: {first: """   spaced"""}) { totalCount } }')
doc('block_trailing_backslash', '{ boxes(baseId: 1, paginationInput: {first: """back\\\\"""}) { totalCount } }')
doc('block_crlf', '{ boxes(baseId: 1, paginationInput: {first: """a\r\nb\rc"""}) { totalCount } }')
doc('block_overlap_vs_string', '{ a: qrExists(code: """x""") a: qrExists(code: "x") b: qrExists(code: """ y""") b: qrExists(code: " y") }')
doc('block_description_type', '"""\n  Multi-line\n  description\n"""\ntype T { a: Int }\n{ bases { id } }')
doc('block_empty', '{ base(id: [""""""]) { id } }')
doc('block_only_newlines', '{ base(id: ["""\n\n\n"""]) { id } }')
doc('block_tabs', '{ base(id: ["""\n\tindented\n\t\ttwice\n"""]) { id } }')

# ---------------------------------------------------------------------------------------------
# Kitchen sinks: everything at once.

doc('kitchen_valid', '''# The kitchen sink, valid.
query KitchenSink($base: ID!, $states: [BoxState!] = [InStock], $page: PaginationInput = {first: 25}, $tags: Boolean = true, $code: String! = "abc") {
  __typename
  bases(filterInput: {includeDeleted: false}) { ...BaseFields }
  box: boxes(baseId: $base, paginationInput: $page, filterInput: {states: $states, tagIds: [1, 2, 3]}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    elements {
      ...BoxFields
      tags @include(if: $tags) { ...TagFields }
      location { ...LocationFields }
    }
  }
  qrCode(code: $code) { __typename ... on QrCode { code box { ... on Box { id } } } ... on ResourceDoesNotExistError { name } }
  shipments(states: [Preparing]) { id direction(baseId: $base) details { box { ...BoxFields } } }
  __schema { queryType { name } }
}
fragment BaseFields on Base { id name organisation { id name } tags(resourceType: Box) { ...TagFields } }
fragment BoxFields on Box { id labelIdentifier state numberOfItems product { id name category { name } } size { label } }
fragment TagFields on Tag { id name color type }
fragment LocationFields on Location { id name ... on ClassicLocation { defaultBoxState } ... on DistributionSpot { latitude } }''')
doc('kitchen_invalid', '''query Kitchen($base: ID, $unused: Int, $base: String, $obj: Box) @skip(if: true) {
  bases(filterInput: {includeDeleted: "no", extra: 1}) { ...BaseFields ...Missing id: name }
  boxes(baseId: $base, baseId: 2, paginationInput: {first: 1, first: "2"}) {
    elements { ...OnTag stat ... on Box @unknown { state { x } } }
    totalCount @include(if: $undefinedVar)
  }
  qrCode(code: 1) { id }
  base { name }
}
{ bases { id } }
fragment BaseFields on Base { id: organisation { id } ...BaseFields }
fragment OnTag on Tag { id }
fragment Unused on Organisation { id }
fragment BaseFields on Base { name }
type NotExecutable { a: Int }''')
doc('kitchen_valid_anonymous', '{ a: bases { id } b: bases { id name } ... on Query { organisations { id } } ...Q } fragment Q on Query { tags { id } }')
doc('kitchen_invalid_values', '''query ($a: Int = 1.5, $b: [BoxState!]! = [InStock, null], $c: FilterBoxInput = {states: Lost, productIds: ["x"], sizeId: 3000000000}) {
  boxes(baseId: $a, filterInput: $c) { totalCount }
  shipments(states: $b) { id }
  products(baseId: [[1]], paginationInput: {first: [1], last: {a: 1}}) { totalCount }
}''')
doc('kitchen_introspection_mixed', '{ __schema { types { name } } __type(name: "Box") { fields { name type { name ofType { name } } } } bases { __typename id } __typename }')

# ---------------------------------------------------------------------------------------------
# Deep and wide documents.

def nest(depth, inner='id'):
    # base { organisation { bases { organisation { ... } } } } alternating, valid all the way
    text = inner
    for level in range(depth):
        text = ('organisation { %s }' if level % 2 == 0 else 'bases { %s }') % text
    return '{ base(id: 1) { %s } }' % text

doc('deep_valid_40', nest(40))
doc('deep_valid_150', nest(150))
doc('deep_invalid_leaf_150', nest(150, 'idx'))
doc('deep_selection_on_leaf', '{ base(id: 1) { ' + 'organisation { bases { ' * 30 + 'name { x }' + ' } }' * 30 + ' } }')
doc('deep_list_values', '{ boxes(baseId: 1, filterInput: {states: ' + '[' * 60 + 'InStock' + ']' * 60 + '}) { totalCount } }')
doc('deep_object_values', '{ beneficiaries(filterInput: ' + '{pattern: ' * 40 + '"x"' + '}' * 40 + ') { totalCount } }')
doc('deep_inline_fragments', '{ bases { ' + '... on Base { ' * 80 + 'id' + ' }' * 80 + ' } }')
doc('deep_fragment_chain', '{ bases { ...F0 } }\n' + '\n'.join('fragment F%d on Base { id ...F%d }' % (i, i + 1) for i in range(60)) + '\nfragment F60 on Base { name }')
doc('deep_beneficiary_recursion', '{ beneficiary(id: 1) { ' + 'familyHead { ' * 100 + 'id' + ' }' * 100 + ' } }')
doc('deep_mixed_errors', '{ base(id: 1) { ' + 'organisation { bases { ' * 20 + 'nope' + ' } }' * 20 + ' } }')

doc('wide_fields_1000', '{ bases { ' + ' '.join('f%d: id' % i for i in range(1000)) + ' } }')
doc('wide_unknown_fields_150', '{ ' + ' '.join('unknown%d' % i for i in range(150)) + ' }')
doc('wide_same_name_conflicts', '{ ' + ' '.join('x: base(id: %d) { id }' % i for i in range(30)) + ' }')
doc('wide_alias_bomb', '{ ' + ' '.join('a%d: bases { id name organisation { name } }' % i for i in range(500)) + ' }')
doc('wide_variables_300', 'query V(' + ', '.join('$v%d: Int' % i for i in range(300)) + ') { bases { id } }')
doc('wide_variables_used', 'query V(' + ', '.join('$v%d: Int' % i for i in range(120)) + ') { ' + ' '.join('b%d: boxes(baseId: 1, paginationInput: {first: $v%d}) { totalCount }' % (i, i) for i in range(120)) + ' }')
doc('wide_fragments_200', '{ bases { ' + ' '.join('...F%d' % i for i in range(200)) + ' } }\n' + '\n'.join('fragment F%d on Base { id f%d: name }' % (i, i) for i in range(200)))
doc('wide_fragment_bomb', '{ bases { ...A0 } }\n' + '\n'.join('fragment A%d on Base { ...A%d ...A%d }' % (i, i + 1, i + 1) for i in range(25)) + '\nfragment A25 on Base { id }')
doc('wide_fragment_bomb_conflicts', '{ bases { ...B0 } }\n' + '\n'.join('fragment B%d on Base { ...B%d ...C%d }\nfragment C%d on Base { ...B%d }' % (i, i + 1, i + 1, i + 1, i + 1) for i in range(12)) + '\nfragment B12 on Base { x: id }\nfragment C12 on Base { x: name }')
doc('wide_list_value_2000', '{ boxes(baseId: 1, filterInput: {tagIds: [' + ', '.join(str(i) for i in range(2000)) + ']}) { totalCount } }')
doc('wide_list_value_bad_items', '{ boxes(baseId: 1, filterInput: {tagIds: [' + ', '.join('"%d"' % i for i in range(120)) + ']}) { totalCount } }')
doc('wide_many_operations', '\n'.join('query Q%d { bases { id } }' % i for i in range(150)))
doc('wide_many_duplicate_operations', '\n'.join('query Dup { bases { id } }' for i in range(60)))
doc('wide_directives', '{ bases ' + ' '.join('@include(if: true)' for i in range(40)) + ' { id } }')
# graphql-js's work budgets: 500,000 field comparisons, 50,000 units of fragment work.
doc('budget_duplicate_fields', '{ bases { ' + ' '.join('id' for i in range(1000)) + ' } }')
doc('budget_fragment_work', 'fragment F on Query { boxes(baseId: 1, filterInput: {tagIds: [' + ', '.join('$v' for i in range(300)) + ']}) { totalCount } }\n'
    + '\n'.join('query Q%d($v: Int!%s) { ...F }' % (i, ', $unused: ID' if i % 50 == 0 else '') for i in range(200)))
doc('wide_overlap_many', '{ bases { ' + ' '.join('n: %s' % ('id' if i % 2 else 'name') for i in range(60)) + ' } }')

# ---------------------------------------------------------------------------------------------
# More documents per rule, written like mistakes people make against Depot.

more = {
    'mistake_box_by_id': '{ box(id: 1) { id } }',
    'mistake_boxes_no_base': '{ boxes { elements { id } } }',
    'mistake_boxes_elements_missing': '{ boxes(baseId: 1) { id labelIdentifier } }',
    'mistake_page_first_string': 'query ($first: String) { boxes(baseId: 1, paginationInput: {first: $first}) { totalCount } }',
    'mistake_state_lowercase': '{ boxes(baseId: 1, filterInput: {states: [instock]}) { totalCount } }',
    'mistake_state_string': '{ boxes(baseId: 1, filterInput: {states: ["InStock"]}) { totalCount } }',
    'mistake_product_ids_strings': '{ boxes(baseId: 1, filterInput: {productIds: ["1", "2"]}) { totalCount } }',
    'mistake_location_fields_on_interface': '{ box(labelIdentifier: "1") { location { id seq isShop } } }',
    'mistake_qr_box_without_fragment': '{ qrCode(code: "x") { ... on QrCode { box { id } } } }',
    'mistake_tags_type_string': '{ tags(tagType: "All") { id } }',
    'mistake_beneficiary_pattern_int': '{ beneficiaries(filterInput: {pattern: 123}) { totalCount } }',
    'mistake_shipment_direction_missing_arg': '{ shipments { direction } }',
    'mistake_shipment_states_single_wrong': '{ shipments(states: Shipped) { id } }',
    'mistake_transfer_type_in_states': '{ transferAgreements(states: [SendingTo]) { id } }',
    'mistake_variable_typo': 'query ($baseID: ID!) { base(id: $baseId) { id } }',
    'mistake_variable_wrong_list': 'query ($states: BoxState) { boxes(baseId: 1, filterInput: {states: $states}) { totalCount } }',
    'mistake_fragment_on_page': '{ boxes(baseId: 1) { ...B } } fragment B on Box { id }',
    'mistake_duplicate_response_names': '{ bases { name } bases: organisations { name } }',
    'mistake_skip_without_if': '{ bases @skip { id } }',
    'mistake_include_string': '{ bases @include(if: "true") { id } }',
    'mistake_include_variable_nullable': 'query ($show: Boolean) { bases @include(if: $show) { id } }',
    'mistake_deprecated_on_field': '{ bases { id @deprecated } }',
    'mistake_typename_with_selection': '{ bases { __typename { x } } }',
    'mistake_mutation_without_type': 'mutation M { moveBox { id } }',
    'mistake_subscription_without_type': 'subscription S { boxMoved { id } }',
    'mistake_operation_named_like_fragment_cycle': 'query Q { bases { ...Q } } fragment Q on Base { ...Q }',
    'mistake_input_object_in_output': '{ bases { filterInput } }',
    'mistake_enum_as_field': '{ bases { InStock } }',
    'mistake_argument_on_typename': '{ __typename(x: 1) }',
    'mistake_introspection_arg_type': '{ __type(name: Box) { name } }',
    'mistake_sdl_and_query': 'extend type Query { extra: Int }\n{ extra }',
    'mistake_user_without_id_ok_bases_wrong': '{ user { bases { idd } } }',
    'mistake_distribution_event_states': '{ base(id: 1) { distributionEvents(states: [planning]) { id } } }',
    'mistake_products_filter_on_base': '{ base(id: 1) { products(filterInput: {type: Standard}) { id } } }',
    'mistake_products_filter_unknown': '{ base(id: 1) { products(filterInput: {includeDeleted: true, gender: Men}) { id } } }',
    'mistake_location_boxes_args': '{ location(id: 1) { boxes(paginationInput: {first: 1}, filterInput: {states: [Lost]}, baseId: 1) { totalCount } } }',
    'mistake_qr_exists_selection': '{ qrExists(code: "x") { exists } }',
    'mistake_size_range_sizes_args': '{ sizeRanges { sizes(first: 1) { id } units { id name symbol abbreviation } } }',
}
for name, text in more.items():
    doc(name, text)

# ---------------------------------------------------------------------------------------------
# Corners of graphql-js's behaviour that an implementation could easily get wrong.

long_name = 'x' * 1100
tricky = {
    # An unknown directive's arguments are looked up among the field's (TypeInfo's fallback).
    'unknown_directive_field_args': '{ base(id: 1) @unknown(id: true) { id } boxes(baseId: 1) @mine(paginationInput: {frist: 1}) { totalCount } }',
    # A fragment defined twice: the last definition is the one spread.
    'fragment_redefined': '{ bases { ...F } } fragment F on Organisation { id } fragment F on Base { nope }',
    # Variables in directives on spreads, inline fragments and operations.
    'variables_in_directives': 'query ($a: Boolean, $b: Boolean!) @skip(if: $a) { bases { ...F @include(if: $a) ... @skip(if: $b) { id } } } fragment F on Base { id }',
    # Input fields with defaults make a nullable variable acceptable in a non-null position.
    'location_default_input_field': 'query ($d: Boolean, $t: ProductTypeFilter) { bases(filterInput: {includeDeleted: $d}) { products(filterInput: {type: $t, includeDeleted: $d}) { id } } }',
    # __typename aliases and conflicts with real fields.
    'typename_conflicts': '{ bases { __typename: id } organisations { t: __typename t: name } qrCode(code: "a") { __typename ... on QrCode { __typename: code } } }',
    # A reason over 1000 characters is cut with "...", and at most 20 locations per side.
    'overlap_long_reason': '{ bases { organisation { ' + ' '.join('a%d: id' % i for i in range(40)) + ' } } bases { organisation { '
                           + ' '.join('a%d: name' % i for i in range(40)) + ' } } }',
    # A response name over 1000 characters is cut too.
    'overlap_long_name': '{ bases { %s: id %s: name } }' % (long_name, long_name),
    # Integers at and past the edges, negative zero, floats where ints go and the other way.
    'numbers': '{ boxes(baseId: -0, paginationInput: {first: 0, last: -2147483648}) { totalCount } products(paginationInput: {first: 1e3, last: 2147483647.0}) { totalCount } }',
    # Keywords where enum values go.
    'enum_keywords': '{ tags(tagType: true) { id } shipments(states: [null, false]) { id } transferAgreements(states: [Accepted, ACCEPTED, accepted]) { id } }',
    # Directives on variable definitions.
    'variable_definition_directives': 'query ($a: Int @deprecated @include(if: true), $b: Int @unknown) { boxes(baseId: 1, paginationInput: {first: $a, last: $b}) { totalCount } }',
    # Introspection depth through fragments met at several depths.
    'introspection_depth_memo': '{ a: __type(name: "Box") { ...One } b: __schema { types { ...One } } c: __type(name: "Base") { fields { type { ...Two } } } }\n'
                                'fragment One on __Type { fields { type { ...Two } } }\n'
                                'fragment Two on __Type { name interfaces { name } }',
    # A subscription against a schema without a subscription type: nothing below it is known.
    'subscription_unknown_root': 'subscription S { anything { at all } }',
    # Mutations likewise (Depot's schema has no mutation type).
    'mutation_unknown_root': 'mutation M($x: Int) { moveBox(id: $x) { id } }',
    # The same fragment spread in two places with different parents.
    'fragment_two_parents': '{ box(labelIdentifier: "1") { ...C } tags { taggedResources { ...C } } } fragment C on ItemsCollection { id }',
    # Interface fields through an interface type condition on an object.
    'interface_condition_on_object': '{ box(labelIdentifier: "1") { ... on ItemsCollection { location { ... on ClassicLocation { seq } ... on Location { name } } } } }',
    # Errors inside skipped selections are still errors.
    'errors_inside_skipped': '{ bases @skip(if: true) { nope } organisations @include(if: false) { ...Missing } }',
    # Arguments in different order are the same arguments; different variables are not.
    'overlap_argument_order': 'query ($a: ID!, $b: ID!) { x: shipments(states: [Sent, Lost]) { id } x: shipments(states: [Sent, Lost]) { id } y: base(id: $a) { id } y: base(id: $b) { id } }',
    # Nested lists of enums and the items that go wrong.
    'nested_list_enums': '{ boxes(baseId: 1, filterInput: {states: [[InStock]], productGenders: [[Men, Wmen]]}) { totalCount } }',
    # Values whose print goes through every value kind.
    'printed_values': '{ base(id: {a: [1, 2.5, "s", true, null, E, {b: []}], c: {}}) { id } qrExists(code: [[["deep"]]]) }',
    # Defaults of every kind on variables, some wrong.
    'variable_defaults_all_kinds': 'query ($a: [Int] = [1, "2"], $b: FilterBoxInput = {states: [InStock], sizeId: 1.5}, $c: Boolean = null, $d: String = """block""") { bases { id } }',
}
for name, text in tricky.items():
    doc('tricky_' + name, text)

# ---------------------------------------------------------------------------------------------
# Documents for a schema with a subscription type (Depot has none).

SUBSCRIPTION_SDL = '''# A schema shaped like Depot's with a subscription root, for SingleFieldSubscriptions.
type Query { box(labelIdentifier: String!): Box }
type Subscription {
  boxMoved(baseId: ID!): Box
  boxCreated(baseId: ID!): Box
  tagAdded: Tag
}
type Box { id: ID! labelIdentifier: String! state: BoxState! tags: [Tag!] }
type Tag { id: ID! name: String! }
enum BoxState { InStock Lost Donated }
'''
subscription_docs = {
    'valid_one_field': 'subscription Moves($base: ID!) { boxMoved(baseId: $base) { id state } }',
    'valid_skipped_second': 'subscription { boxMoved(baseId: 1) { id } boxCreated(baseId: 1) @skip(if: true) { id } }',
    'valid_fragment': 'subscription S { ...F } fragment F on Subscription { tagAdded { name } }',
    'two_fields': 'subscription Two { boxMoved(baseId: 1) { id } boxCreated(baseId: 1) { id } }',
    'two_fields_anonymous': 'subscription { boxMoved(baseId: 1) { id } tagAdded { id } }',
    'fragment_adds_fields': 'subscription F { boxMoved(baseId: 1) { id } ...More } fragment More on Subscription { tagAdded { id } alias: boxCreated(baseId: 2) { id } }',
    'introspection_root': 'subscription Intro { __typename }',
    'introspection_and_field': 'subscription { ... on Subscription { __typename } boxMoved(baseId: 1) { id } }',
    'include_false_leaves_one': 'subscription { boxMoved(baseId: 1) { id } tagAdded @include(if: false) { id } }',
    'with_other_errors': 'subscription Bad { boxMoved { idd } tagAdded(x: 1) { name } }',
}

# ---------------------------------------------------------------------------------------------

def write(directory, documents):
    os.makedirs(directory, exist_ok=True)
    for old in os.listdir(directory):
        if old.endswith('.graphql'):
            os.remove(os.path.join(directory, old))
    for name, text in documents.items():
        with open(os.path.join(directory, name + '.graphql'), 'w', encoding='utf-8', newline='') as f:
            f.write(text)


write(CORPUS, docs)
sub = os.path.join(CORPUS, 'with-subscriptions')
write(sub, subscription_docs)
with open(os.path.join(sub, 'schema.sdl'), 'w', encoding='utf-8') as f:
    f.write(SUBSCRIPTION_SDL)
print('%d documents against Depot\'s schema, %d against with-subscriptions/schema.sdl'
      % (len(docs), len(subscription_docs)))
