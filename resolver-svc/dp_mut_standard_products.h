/*  =========================================================================
    dp_mut_standard_products - enabling standard products for a base:
    enableStandardProduct, enableStandardProducts

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Each is a dp_mutation_def_t (dp_mutation.h), bound to its Mutation field
    in dp_mapping.c, both in dp_mut_standard_enable.c. Their inverse and
    edit, disableStandardProduct and editStandardProductInstantiation, are
    deleteProduct's and editCustomProduct's code for the other product type
    (dp_mut_products.h).
@end
*/
#ifndef DP_MUT_STANDARD_PRODUCTS_H_INCLUDED
#define DP_MUT_STANDARD_PRODUCTS_H_INCLUDED

#include "dp_mutation.h"

extern const dp_mutation_def_t dp_mut_enable_standard_product;
extern const dp_mutation_def_t dp_mut_enable_standard_products;

#endif
