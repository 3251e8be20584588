/*  =========================================================================
    dp_product_rules - the checks the product mutations share

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's product CRUD (business_logic/warehouse/product): a product
    row is read locked (SELECT ... FOR UPDATE) before anything is decided
    about it, so a concurrent edit, delete or box write waits; a price
    below 0 is InvalidPriceError { value }, an empty name EmptyNameError;
    a category or size range that does not exist is
    ResourceDoesNotExistError { name: "ProductCategory" | "SizeRange" }
    (what boxtribute derives from the failed foreign key), checked by
    reading them in the transaction.

    Box writers (createBox, updateBox, createBoxes) lock the product rows
    they reference with dp_product_lock too and decide "deleted" from that
    locked read: deleteProduct locks the row before it looks for live boxes
    of the product, so a box is either written before (and found, refusing
    the delete) or sees the product deleted (and is refused).
@end
*/
#ifndef DP_PRODUCT_RULES_H_INCLUDED
#define DP_PRODUCT_RULES_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dp_mutation.h"
#include "dp_tables.h"

//  The columns dp_product_lock reads.
#define DP_PRODUCT_LOCK_COLUMNS \
    (DP_TBIT (products, id) | DP_TBIT (products, name) | DP_TBIT (products, category_id) \
     | DP_TBIT (products, gender_id) | DP_TBIT (products, sizegroup_id) \
     | DP_TBIT (products, camp_id) | DP_TBIT (products, value) \
     | DP_TBIT (products, stockincontainer) | DP_TBIT (products, comments) \
     | DP_TBIT (products, deleted) | DP_TBIT (products, standard_product_id))

//  Issue SELECT DP_PRODUCT_LOCK_COLUMNS FROM products WHERE id IN (ids)
//  FOR UPDATE (rows ordered by id; the lock order of every writer).
dp_mutation_reply_t *dp_product_lock (dp_mutation_t *m, const int64_t *ids, size_t n);

//  The locked row of product id in reply, or -1 when it does not exist.
int dp_product_row (const dp_mutation_reply_t *reply, int64_t id);

//  A locked row's cell of products column col (DP_TCOL_products_*).
const dp_val_t *dp_product_cell (const dp_mutation_reply_t *reply, int row, int col);

//  True when the locked row is deleted (NULL and the zero date are not).
bool dp_product_deleted (const dp_mutation_reply_t *reply, int row);

//  The category and size range a product is to have, read in the
//  transaction (one round: issue, then check after it answered).
typedef struct {
    dp_mutation_reply_t *category;
    dp_mutation_reply_t *size_range;
} dp_product_refs_t;

//  Issue the reads of category_id and size_range_id (either may be 0: not
//  read, not checked).
void dp_product_refs_load (dp_mutation_t *m, dp_product_refs_t *self, int64_t category_id,
                           int64_t size_range_id);

//  After the reads answered: finish the field with
//  ResourceDoesNotExistError for a missing category, then a missing size
//  range (the order of boxtribute's foreign keys) and return false; true
//  when both exist.
bool dp_product_refs_check (dp_mutation_t *m, const dp_product_refs_t *self);

//  Finish the field with InvalidPriceError { value } (rolled back).
void dp_product_invalid_price (dp_mutation_t *m, int64_t price);

//  Finish the field with EmptyNameError (rolled back).
void dp_product_empty_name (dp_mutation_t *m);

//  Finish the field with ProductTypeMismatchError { expectedType } (rolled back).
void dp_product_type_mismatch (dp_mutation_t *m, const char *expected_type);

#endif
