/*  =========================================================================
    dp_loader - what the resolver knows of a loader beyond the wire catalog

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    db-svc answers every loader with rows per key; whether those rows are
    one object or a list of them is the resolver's reading, which the
    cache and the writer need. Its own file so execution depends on it
    without depending on the mapping table (which depends on execution).
@end
*/
#include "dp_loader.h"
#include "dp_history_entry.h"
#include <string.h>

bool
dp_loader_is_list (dp_loader_id_t loader)
{
    switch (loader) {
        case DP_LOADER_tags_by_box:
        case DP_LOADER_tag_links_by_box:
        case DP_LOADER_active_shipment_detail_by_box:
        case DP_LOADER_camps_all:
        case DP_LOADER_camps_by_organisation:
        case DP_LOADER_organisations_all:
        case DP_LOADER_product_categories_all:
        case DP_LOADER_locations_by_base:
        case DP_LOADER_tags_by_base:
        case DP_LOADER_locations_all:
        case DP_LOADER_tags_all:
        case DP_LOADER_products_by_base:
        case DP_LOADER_box_history_by_box:
        case DP_LOADER_shipments_by_source_base:
        case DP_LOADER_shipments_by_target_base:
        case DP_LOADER_shipments_by_base:
        case DP_LOADER_shipment_details_by_shipment:
        case DP_LOADER_shipments_all:
        case DP_LOADER_sizegroups_all:
        case DP_LOADER_sizes_by_sizegroup:
        case DP_LOADER_units_by_dimension:
        case DP_LOADER_products_all:
        case DP_LOADER_cms_users_all:
        case DP_LOADER_distro_events_by_base:
        case DP_LOADER_distro_events_by_location:
        case DP_LOADER_stock_by_distro_event:
        case DP_LOADER_agreements_by_source_base:
        case DP_LOADER_agreements_by_target_base:
        case DP_LOADER_agreements_all:
        case DP_LOADER_agreement_bases_by_agreement:
        case DP_LOADER_shipments_by_agreement:
        case DP_LOADER_people_by_base:
        case DP_LOADER_people_all:
        case DP_LOADER_transactions_by_people:
        case DP_LOADER_tag_links_by_people:
        case DP_LOADER_stock_by_location:
        case DP_LOADER_products_by_category:
        case DP_LOADER_stock_by_tag:
        case DP_LOADER_people_by_tag:
        case DP_LOADER_standard_products_latest:
        case DP_LOADER_standard_products_by_base:
        case DP_LOADER_standard_product_infos_all:
        case DP_LOADER_dimension_categories_all:
        case DP_LOADER_accepted_agreement_bases_by_base:
            return true;
        default:
            return false;
    }
}

#define S_LOADER_SET(name, set, key) #set,
#define S_LOADER_KEY(name, set, key) key,

bool
dp_loader_keyed_by_id (dp_loader_id_t loader)
{
    static const char *const sets [] = { DP_LOADER_LIST (S_LOADER_SET) };
    static const char *const keys [] = { DP_LOADER_LIST (S_LOADER_KEY) };
    if (loader >= DP_LOADER_COUNT)
        return false;
    size_t len = strlen (sets [loader]);
    return strncmp (keys [loader], sets [loader], len) == 0
        && strcmp (keys [loader] + len, ".id") == 0;
}

void
dp_loader_order (dp_loader_id_t loader, row_t **rows, size_t n)
{
    if (loader == DP_LOADER_box_history_by_box)
        dp_history_entry_order (rows, n);
}

bool
dp_loader_read_with_lookup (dp_loader_id_t loader)
{
    switch (loader) {
        case DP_LOADER_box_access_by_box:
        case DP_LOADER_box_history_by_box:
        case DP_LOADER_tags_by_box:
        case DP_LOADER_product_counts_by_product:
            return true;
        default:
            return false;
    }
}
