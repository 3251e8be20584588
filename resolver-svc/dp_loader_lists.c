/*  =========================================================================
    dp_loader_lists - which loaders answer a list of rows per key

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A loader keyed by a row's own id answers one row per key; one keyed by
    a foreign key (a base's locations, a box's tags) or the constant 0
    ("every row") answers a list. The request's cache files rows by it and
    the mapping binds list fields to these loaders. A table of its own so
    that neither the execution nor the mapping depends on the other for it.

    A table of data; covered by tests/integration/test_read_relations.py
    and test_read_exact.py (every list a loader answers).
@end
*/
#include "dp_loader_lists.h"

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
            return true;
        default:
            return false;
    }
}
