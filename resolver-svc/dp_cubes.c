/*  =========================================================================
    dp_cubes - the statistics cubes Depot serves, one entry each

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Each entry says what boxtribute's resolver and crud function for the
    cube do (business_logic/statistics/queries.py and crud.py): the
    permissions it checks, and where each dimension's entries come from.
    The facts are the rows of the cube's db-svc QUERY (dp_sql_cubes.c).
@end
*/
#include "dp_cube.h"
#include <string.h>

static const dp_cube_t s_cubes [] = {
    //  authorize_cross_organisation_access("stock", "product", "product_category");
    //  dimensions: every category, the facts' products and tags.
    { .root_field = "createdBoxes", .query = DP_QUERY_created_boxes,
      .in_base = { "stock:read", "product:read" }, .anywhere = { "product_category:read" },
      .dimensions = {
          { "product", DP_CUBE_FROM_FACT_IDS, DP_LOADER_products_by_id, DP_COL_created_boxes_product_id },
          { "category", DP_CUBE_FROM_ALL, DP_LOADER_dimension_categories_all },
          { "tag", DP_CUBE_FROM_FACT_ID_LISTS, DP_LOADER_tags_by_id, DP_COL_created_boxes_tag_ids } } },
    //  transaction:read anywhere, product:read in the base, product_category:read.
    { .root_field = "topProductsCheckedOut", .query = DP_QUERY_top_products_checked_out,
      .in_base = { "product:read" }, .anywhere = { "transaction:read", "product_category:read" },
      .dimensions = {
          { "size", DP_CUBE_ALWAYS_NULL },
          { "product", DP_CUBE_FROM_FACT_IDS, DP_LOADER_products_by_id, DP_COL_top_checked_out_product_id },
          { "category", DP_CUBE_FROM_ALL, DP_LOADER_dimension_categories_all } } },
    //  authorize_cross_organisation_access("stock", "product", "product_category",
    //  "history", "size").
    { .root_field = "topProductsDonated", .query = DP_QUERY_top_products_donated,
      .in_base = { "stock:read", "product:read" },
      .anywhere = { "product_category:read", "history:read", "size:read" },
      .dimensions = {
          { "size", DP_CUBE_FROM_FACT_IDS, DP_LOADER_dimension_sizes_by_id, DP_COL_top_donated_size_id },
          { "product", DP_CUBE_FROM_FACT_IDS, DP_LOADER_products_by_id, DP_COL_top_donated_product_id },
          { "category", DP_CUBE_FROM_ALL, DP_LOADER_dimension_categories_all } } },
};

const dp_cube_t *
dp_cube_find (const char *root_field)
{
    for (size_t i = 0; i < sizeof s_cubes / sizeof s_cubes [0]; i++)
        if (strcmp (s_cubes [i].root_field, root_field) == 0)
            return &s_cubes [i];
    return NULL;
}
