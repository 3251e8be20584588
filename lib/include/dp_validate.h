/*  =========================================================================
    dp_validate - validation of an executable document against a schema

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    dp_validate runs every validation rule of the GraphQL specification
    (section 5, October 2021 edition, as graphql-js 16 implements it: the
    specified rules plus MaxIntrospectionDepth) over a parsed document in
    one traversal, and collects the errors as values: a message and the
    positions it concerns, worded and placed as graphql-js words and places
    them, in the same order. Errors stop at max_errors (100, as graphql-js),
    with graphql-js's "Too many validation errors" error last.
@discuss
    Depot adds its own limits against hostile queries, checked before the
    specification's rules so an attack costs little: the deepest field
    nesting, aliases, field selections and an estimated cost per operation
    (all counted with fragments expanded, without expanding them in
    memory), and the variables an operation declares. A document over a
    limit gets only those errors; the specification's rules do not run.
    dp_validate_limits_default gives limits that let every boxtribute
    front-end query and graphql-js's introspection query through.
    The cost estimate: every field costs 1; a field whose type is a list
    multiplies the cost of its selection by 10 per list level.
@end
*/
#ifndef DP_VALIDATE_H_INCLUDED
#define DP_VALIDATE_H_INCLUDED

#include <stddef.h>
#include <stdbool.h>
#include "dp_ast.h"
#include "dp_schema.h"
#include "dp_json_writer.h"

typedef struct {
    size_t max_errors;          //  errors kept before validation stops (graphql-js: 100); 0: no limit
    size_t max_depth;           //  deepest field nesting per operation; 0: no limit
    size_t max_aliases;         //  aliased fields per operation; 0: no limit
    size_t max_fields;          //  field selections per operation; 0: no limit
    size_t max_cost;            //  estimated cost per operation; 0: no limit
    size_t max_variables;       //  variables an operation declares; 0: no limit
} dp_validate_limits_t;

//  One validation error.
typedef struct {
    const char *message;        //  as graphql-js words it
    const dp_loc_t *locations;  //  1-based line and column (UTF-16 units), graphql-js's order
    size_t n_locations;         //  0 for the "too many errors" and "aborted" errors
} dp_validation_error_t;

typedef struct _dp_validation_errors_t dp_validation_errors_t;

//  Depot's defaults: 100 errors, depth 20, 100 aliases, 2000 fields,
//  cost 100000, 100 variables (each can be overridden by the caller):
//  boxtribute's front-end queries reach depth 6, 164 fields and cost 1697;
//  graphql-js's introspection query depth 15, 230 fields and cost 51863.
void dp_validate_limits_default (dp_validate_limits_t *limits);

//  Create an empty error list. Caller owns return value and must destroy
//  it with dp_validation_errors_destroy.
dp_validation_errors_t *dp_validation_errors_new (void);

//  Destroy the list and every error in it; nullify the caller's reference.
//  Accepts NULL.
void dp_validation_errors_destroy (dp_validation_errors_t **self_p);

//  Forget every error, keeping the list for reuse.
void dp_validation_errors_reset (dp_validation_errors_t *self);

//  Number of errors in the list.
size_t dp_validation_errors_size (const dp_validation_errors_t *self);

//  The error at index, or NULL past the end. Borrowed pointer valid until
//  the list is reset or destroyed.
const dp_validation_error_t *dp_validation_errors_at (const dp_validation_errors_t *self,
                                                      size_t index);

//  Write the errors as a JSON array of {"message", "locations"} objects
//  (graphql-js's toJSON form, no "locations" when there are none).
void dp_validation_errors_write (const dp_validation_errors_t *self, dp_json_writer_t *writer);

//  Validate doc against schema. limits may be NULL: graphql-js's behaviour
//  (100 errors, no Depot limits). Errors are appended to errors. Returns
//  the number of errors this call added: 0 when the document is valid.
//  Nothing is kept from doc or schema after the call.
size_t dp_validate (dp_schema_t *schema, const dp_ast_document_t *doc,
                    const dp_validate_limits_t *limits, dp_validation_errors_t *errors);

//  A set of documents known to be valid, for a server that sees the same
//  few documents all day: the text is remembered (up to capacity
//  documents of at most max_len bytes, the oldest replaced first), so a
//  document validated once is recognised by a hash and a byte compare.
//  Safe to share between threads (a mutex inside). Caller owns return
//  value and must destroy it with dp_validation_cache_destroy.
typedef struct _dp_validation_cache_t dp_validation_cache_t;
dp_validation_cache_t *dp_validation_cache_new (size_t capacity, size_t max_len);

//  Destroy the cache and nullify the caller's reference. Accepts NULL.
void dp_validation_cache_destroy (dp_validation_cache_t **self_p);

//  True when text (len bytes) was added before and is still remembered.
bool dp_validation_cache_has (dp_validation_cache_t *self, const char *text, size_t len);

//  Remember text (copied) as valid; longer than max_len: not remembered.
void dp_validation_cache_add (dp_validation_cache_t *self, const char *text, size_t len);

void dp_validate_test (bool verbose);

#endif
