/*  =========================================================================
    dp_idem - exactly once: a mutation request's Idempotency-Key

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A mutation sent with an Idempotency-Key runs at most once per (key,
    user) within 24 hours, field by field, through Depot's table
    depot_idempotency (db/idempotency.sql). The executor
    (dp_exec_mutation.c) runs, around the operation's root fields:
      - the claim, a transaction of its own before the first field: the
        key's rows read (FOR UPDATE only to take a claim over, so that no
        claim locks the index gap a new key goes into); a new key (or one
        older than 24 h) gets
        a claim row holding the request's hash and "running until" the
        request's deadline plus a margin; the same request again takes the
        claim over and learns the fields already stored; another request
        under the key is refused 422, one while the key's claim is still
        running 409. When every field is stored, nothing is written.
      - per root field that commits: its answer ("alias":value and its
        errors) INSERTed in the field's own transaction, before its
        COMMIT; a stored field is answered from the store, with no
        transaction.
      - the release, a transaction of its own after the last field: the
        claim's running_until_ms set to 0, so a retry need not wait for
        the deadline. A request that dies holds the key until then.
    The request's hash is SHA-256 over the document, the operation's index
    and the coerced variables as EXECUTE carries them.
@end
*/
#ifndef DP_IDEM_H_INCLUDED
#define DP_IDEM_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dp_msg.h"
#include "dp_mutation.h"

typedef struct _dp_idem_t dp_idem_t;

//  The request's hash as 64 lowercase hex digits and a NUL in hex.
void dp_idem_hash (const char *query, size_t query_len, uint32_t operation,
                   const dp_val_t *variables, uint32_t n_variables, char hex [65]);

//  The claim and the release: transactions run by the executor as a
//  field's, without a payload.
extern const dp_mutation_def_t dp_idem_claim;
extern const dp_mutation_def_t dp_idem_release;

void dp_idem_test (bool verbose);

#endif
