/*  =========================================================================
    dp_mut_products - the custom-product mutations: createCustomProduct,
    editCustomProduct, deleteProduct

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Each is a dp_mutation_def_t (dp_mutation.h), bound to its Mutation field
    in dp_mapping.c; one file each: dp_mut_product_create.c,
    dp_mut_product_edit.c, dp_mut_product_delete.c. boxtribute's semantics
    (business_logic/warehouse/product), the shared checks in
    dp_product_rules.h, the history rows in dp_product_history.h.
@end
*/
#ifndef DP_MUT_PRODUCTS_H_INCLUDED
#define DP_MUT_PRODUCTS_H_INCLUDED

#include "dp_mutation.h"

extern const dp_mutation_def_t dp_mut_create_custom_product;
extern const dp_mutation_def_t dp_mut_edit_custom_product;
extern const dp_mutation_def_t dp_mut_delete_product;
//  The same edit and delete of standard product instantiations.
extern const dp_mutation_def_t dp_mut_edit_standard_product_instantiation;
extern const dp_mutation_def_t dp_mut_disable_standard_product;

#endif
