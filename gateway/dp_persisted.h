/*  =========================================================================
    dp_persisted - persisted queries: Apollo's APQ cache and an allow-list

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A store of GraphQL documents by the lower-case hex SHA-256 of their
    text, shared by every civetweb worker (one mutex; a lookup copies the
    text out under it). Two modes:
      automatic (the default)  Apollo Client's automatic persisted
                    queries: a client sends only the hash; an unknown hash
                    is answered PersistedQueryNotFound, the client sends
                    hash and query, and the gateway stores it. At most
                    max_entries documents are kept, the oldest stored
                    dropped first.
      allow-list    loaded from a manifest file at start; only its
                    operations run, nothing is ever stored. A request
                    with query text runs when the text's hash is listed.
@discuss
    The manifest is Apollo's persisted query manifest
    ({"format":"apollo-persisted-query-manifest","version":1,
    "operations":[{"id","name","type","body"}]}) or a plain JSON object
    {hash: query}. Every id must be the SHA-256 of its body, as Apollo's
    tools write it, or the load fails: a listed hash that no client can
    produce is a mistake worth stopping for.
@end
*/
#ifndef DP_PERSISTED_H_INCLUDED
#define DP_PERSISTED_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include "dp_arena.h"

typedef struct _dp_persisted_t dp_persisted_t;

//  What the persisted-query policy decided for one request
//  (dp_persisted_resolve). The first three let the request go on.
typedef enum {
    DP_PERSISTED_HIT,               //  the hash was found, or the text is in the allow-list
    DP_PERSISTED_MISS,              //  the hash alone, unknown: PersistedQueryNotFound
    DP_PERSISTED_REGISTERED,        //  hash and matching text: stored (automatic mode)
    DP_PERSISTED_UNUSED,            //  automatic mode, no hash: the text runs as sent
    DP_PERSISTED_NOT_IN_LIST,       //  allow-list mode, the text is not listed: refused
    DP_PERSISTED_MISMATCH,          //  the hash is not the text's SHA-256: refused
    DP_PERSISTED_OFF,               //  a hash, but persisted queries are off
    DP_PERSISTED_COUNT
} dp_persisted_outcome_t;

//  Create an empty store in automatic mode keeping at most max_entries
//  documents (at least 1). Caller owns the result and must destroy it with
//  dp_persisted_destroy once no thread uses it.
dp_persisted_t *dp_persisted_new (size_t max_entries);

//  Destroy; accepts NULL and nulls the caller's reference.
void dp_persisted_destroy (dp_persisted_t **self_p);

//  Load a manifest file (see @discuss) and switch to allow-list mode.
//  Returns the number of operations loaded, or -1 with err filled (the
//  store is then unchanged). Call before the store is shared.
int dp_persisted_load_manifest (dp_persisted_t *self, const char *path, char *err, size_t err_len);

//  Is the store an allow-list?
bool dp_persisted_allow_list (dp_persisted_t *self);

//  The document stored under hash (64 lower-case hex digits), copied into
//  arena and NUL-terminated, with its length in *len_p; NULL when the hash
//  is unknown. The copy is the arena's.
const char *dp_persisted_lookup (dp_persisted_t *self, const char *hash, dp_arena_t *arena,
                                 size_t *len_p);

//  Store len bytes of query under hash (the caller has checked that hash is
//  its SHA-256). Returns 0 (stored, or already there), or -1 in allow-list
//  mode, where nothing is stored.
int dp_persisted_store (dp_persisted_t *self, const char *hash, const char *query, size_t len);

//  The policy for one request: self is the store, NULL when persisted
//  queries are off; hash is the request's persisted-query hash (64
//  lower-case hex digits) or NULL; *query_p and *len_p its query text, or
//  NULL (then hash must be given). A hash is checked against the text it
//  comes with; in allow-list mode only listed texts run; in automatic mode
//  a hash with its text is stored, and a hash alone is looked up, its text
//  then put in *query_p and *len_p (copied into arena, the arena's).
//  Returns the outcome; nothing changes on a refusal.
dp_persisted_outcome_t dp_persisted_resolve (dp_persisted_t *self, const char *hash,
                                             const char **query_p, size_t *len_p,
                                             dp_arena_t *arena);

//  Documents held now.
size_t dp_persisted_size (dp_persisted_t *self);

void dp_persisted_test (bool verbose);

#endif
