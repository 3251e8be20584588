/*  =========================================================================
    dp_product_history - the history rows boxtribute writes about products

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's product CRUD (business_logic/warehouse/product/crud.py)
    records, with tablename 'products', the mutation's user and timestamp:
    "Record created" for a created or (re-)enabled product
    (save_creation_to_history), "Record deleted" for a deleted or disabled
    one (safely_handle_deletion), and one row per changed field of an
    edit (save_update_to_history over category, size_range, gender, name,
    price, comment, in_shop, in that order): the integer and foreign-key
    columns as `changes` = the column's name with from_int/to_int, the
    text columns as `name changed from "old" to "new";`. The rows are
    written by resolver-svc/dp_history.c's encoders; each call issues one
    multi-row INSERT, whatever the number of rows.
@end
*/
#ifndef DP_PRODUCT_HISTORY_H_INCLUDED
#define DP_PRODUCT_HISTORY_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dp_mutation.h"

//  The product fields boxtribute's edits record, in its order
//  (editCustomProduct: all; editStandardProductInstantiation: size range,
//  price, comment, in shop).
typedef enum {
    DP_PRODUCT_CATEGORY,        //  category_id, from_int/to_int
    DP_PRODUCT_SIZE_RANGE,      //  sizegroup_id, from_int/to_int
    DP_PRODUCT_GENDER,          //  gender_id, from_int/to_int
    DP_PRODUCT_NAME,            //  name, text
    DP_PRODUCT_PRICE,           //  value, from_int/to_int
    DP_PRODUCT_COMMENT,         //  comments, text (NULL prints "None")
    DP_PRODUCT_IN_SHOP,         //  stockincontainer, from_int/to_int (0 or 1)
    DP_PRODUCT_FIELDS
} dp_product_field_t;

//  One field before and after, as the column stores it: INT for the
//  integer columns (in_shop as 0 or 1), STR or NIL for the text ones.
typedef struct {
    dp_product_field_t field;
    dp_val_t from;
    dp_val_t to;
} dp_product_change_t;

//  The products column a field is stored in (DP_TCOL_products_*).
int dp_product_field_column (dp_product_field_t field);

//  True when change's values differ as the column stores them (boxtribute
//  writes no row, and Depot no column, for an equal value).
bool dp_product_change_differs (const dp_product_change_t *change);

//  Issue the INSERT of "Record created" for each of the n products ids
//  (n > 0).
dp_mutation_reply_t *dp_product_history_created (dp_mutation_t *m, const int64_t *ids, size_t n);

//  Issue the INSERT of "Record deleted" for each of the n products ids
//  (n > 0).
dp_mutation_reply_t *dp_product_history_deleted (dp_mutation_t *m, const int64_t *ids, size_t n);

//  Issue the INSERT of one row per change of product_id that differs, in
//  the order given (give them in dp_product_field_t's order). Returns NULL,
//  issuing nothing, when none differs.
dp_mutation_reply_t *dp_product_history_changes (dp_mutation_t *m, int64_t product_id,
                                                 const dp_product_change_t *changes, size_t n);

#endif
