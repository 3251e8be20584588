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
#include "dp_cube_targets.h"
#include <string.h>

//  The size ranges of measures (boxtribute's "dimension": Mass, Volume).
static const int64_t s_mass_and_volume [] = { 28, 29 };

static const dp_cube_t s_cubes [] = {
    //  authorize_cross_organisation_access("stock", "product", "product_category");
    //  dimensions: every category, the facts' products and tags.
    { .root_field = "createdBoxes", .query = DP_QUERY_created_boxes,
      .in_base = { "stock:read", "product:read" }, .anywhere = { "product_category:read" },
      .cross_organisation = true,
      .dimensions = {
          { "product", DP_CUBE_FROM_FACT_IDS, DP_LOADER_products_by_id, DP_COL_created_boxes_product_id },
          { "category", DP_CUBE_FROM_ALL, DP_LOADER_dimension_categories_all },
          { "tag", DP_CUBE_FROM_FACT_ID_LISTS, DP_LOADER_tags_by_id, DP_COL_created_boxes_tag_ids } } },
    //  transaction:read anywhere, product:read in the base, product_category:read;
    //  no cross-organisation access (beneficiary data).
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
      .cross_organisation = true,
      .dimensions = {
          { "size", DP_CUBE_FROM_FACT_IDS, DP_LOADER_dimension_sizes_by_id, DP_COL_top_donated_size_id },
          { "product", DP_CUBE_FROM_FACT_IDS, DP_LOADER_products_by_id, DP_COL_top_donated_product_id },
          { "category", DP_CUBE_FROM_ALL, DP_LOADER_dimension_categories_all } } },
    //  No cross-organisation access to beneficiary data: beneficiary:read in the base,
    //  tag_relation:read; dimensions: the tags the facts name.
    { .root_field = "beneficiaryDemographics", .query = DP_QUERY_beneficiary_demographics,
      .in_base = { "beneficiary:read" }, .anywhere = { "tag_relation:read" },
      .dimensions = {
          { "tag", DP_CUBE_FROM_FACT_ID_LISTS, DP_LOADER_tags_by_id,
            DP_COL_beneficiary_demographics_tag_ids } } },
    //  The same permissions; dimensions: the facts' beneficiaries and their tags.
    { .root_field = "beneficiaryReach", .query = DP_QUERY_beneficiary_reach,
      .in_base = { "beneficiary:read" }, .anywhere = { "tag_relation:read" },
      .dimensions = {
          { "beneficiary", DP_CUBE_FROM_FACT_IDS, DP_LOADER_dimension_beneficiaries_by_id,
            DP_COL_beneficiary_reach_beneficiary_id },
          { "tag", DP_CUBE_FROM_FACT_ID_LISTS, DP_LOADER_tags_by_id,
            DP_COL_beneficiary_reach_beneficiary_tag_ids } } },
    //  authorize_cross_organisation_access("stock", "product", "product_category",
    //  "location", "history", "size"); dimensions: every category, the facts' sizes,
    //  tags and targets, and Mass and Volume (boxtribute leaves this one out,
    //  which its non-null field cannot answer).
    { .root_field = "movedBoxes", .query = DP_QUERY_moved_boxes, .cross_organisation = true,
      .in_base = { "stock:read", "product:read", "location:read" },
      .anywhere = { "product_category:read", "history:read", "size:read" },
      .dimensions = {
          { "category", DP_CUBE_FROM_ALL, DP_LOADER_dimension_categories_all },
          { "size", DP_CUBE_FROM_FACT_IDS, DP_LOADER_dimension_sizes_by_id, DP_COL_moved_boxes_size_id },
          { "tag", DP_CUBE_FROM_FACT_ID_LISTS, DP_LOADER_tags_by_id, DP_COL_moved_boxes_tag_ids },
          { "target", DP_CUBE_FROM_COMPUTED, .compute = dp_cube_moved_targets },
          { "dimension", DP_CUBE_FROM_KEYS, DP_LOADER_dimension_size_ranges_by_id,
            .keys = s_mass_and_volume, .n_keys = 2 } } },
    //  authorize_cross_organisation_access("stock", "size", "location", "product",
    //  "product_category", "tag_relation"); dimensions: every category, the facts'
    //  sizes, tags and locations, and Mass and Volume.
    { .root_field = "stockOverview", .query = DP_QUERY_stock_overview, .cross_organisation = true,
      .in_base = { "stock:read", "location:read", "product:read" },
      .anywhere = { "size:read", "product_category:read", "tag_relation:read" },
      .dimensions = {
          { "category", DP_CUBE_FROM_ALL, DP_LOADER_dimension_categories_all },
          { "size", DP_CUBE_FROM_FACT_IDS, DP_LOADER_dimension_sizes_by_id, DP_COL_stock_overview_size_id },
          { "tag", DP_CUBE_FROM_FACT_ID_LISTS, DP_LOADER_tags_by_id, DP_COL_stock_overview_tag_ids },
          { "location", DP_CUBE_FROM_FACT_IDS, DP_LOADER_dimension_locations_by_id,
            DP_COL_stock_overview_location_id },
          { "dimension", DP_CUBE_FROM_KEYS, DP_LOADER_dimension_size_ranges_by_id,
            .keys = s_mass_and_volume, .n_keys = 2 } } },
};

const dp_cube_t *
dp_cube_find (const char *root_field)
{
    for (size_t i = 0; i < sizeof s_cubes / sizeof s_cubes [0]; i++)
        if (strcmp (s_cubes [i].root_field, root_field) == 0)
            return &s_cubes [i];
    return NULL;
}
