/*  =========================================================================
    dp_mapping - where every GraphQL field's value comes from

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The declarative table behind execution (STYLE.md convention 13): per
    object type, the loader that fetches its rows; per field, a column, a
    foreign key, a reverse relation, a lookup or a computed function, with
    the authorisation rule boxtribute applies to it. dp_mapping_bind
    checks the table against the schema once at start-up and hangs each
    entry on its schema field, so execution never looks anything up by
    name.
@discuss
    Adding a field is one line in schema/depot.graphql and one line here.
    Fields the schema has and this table does not are reported at start-up
    and resolve to an error naming the field, never to invented data.

    Covered by tests/integration/test_schema_startup.py (the start-up
    check) and test_read_exact.py (every root query, as boxtribute
    answers).
@end
*/
#include "dp_mapping.h"
#include "dp_plan.h"
#include "dp_computed.h"
#include "dp_history_entry.h"
#include "dp_root.h"
#include "dp_filters.h"
#include "dp_box_filter.h"
#include "dp_qr.h"
#include "dp_mutation.h"
#include "dp_mut_tag_create.h"
#include "dp_mut_tags.h"
#include "dp_mut_agreement.h"
#include "dp_mut_shipment_create.h"
#include "dp_mut_box_create.h"
#include "dp_mut_box_update.h"
#include "dp_mut_box_from_box.h"
#include "dp_mut_qr_create.h"
#include "dp_mut_bulk.h"
#include "dp_shipment_rules.h"
#include "dp_mut_shipment_receive.h"
#include "dp_mut_beneficiary.h"
#include "dp_mut_products.h"
#include "dp_page.h"
#include "dp_user_fields.h"
#include "dp_tagged.h"
#include "dp_agreement.h"
#include "dp_standard_product.h"
#include "dp_mut_standard_products.h"
#include "dp_enums.h"
#include "dp_cube.h"
#include "dp_beneficiary_figures.h"
#include "dp_metrics.h"
#include "dp_public.h"
#include "dp_public_numbers.h"
#include "dp_mut_shareable_link.h"
#include "dp_link_data.h"
#include "dp_log.h"
#include <stdio.h>
#include <string.h>

//  Enum tables (BoxState and ProductGender by DB id: dp_enums.c).
static const char *const s_agreement_states [] = {
    "UnderReview", "UnderReview", "Accepted", "Accepted", "Rejected", "Rejected",
    "Canceled", "Canceled", "Expired", "Expired", NULL
};
static const char *const s_agreement_types [] = {
    "SendingTo", "SendingTo", "ReceivingFrom", "ReceivingFrom", "Bidirectional", "Bidirectional", NULL
};
//  HumanGender by people.gender: '' (the column's default) reads as Diverse.
static const char *const s_human_genders [] = {
    "M", "Male", "F", "Female", "D", "Diverse", "", "Diverse", NULL
};
//  BeneficiaryReachType by the reach_type beneficiaryReach's SQL names.
static const char *const s_reach_types [] = {
    "CreatedOrEdited", "CreatedOrEdited", "TagApplied", "TagApplied", "ServiceUsed", "ServiceUsed",
    "Checkout", "Checkout", NULL
};
static const char *const s_distribution_event_states [] = {
    "Planning", "Planning", "Packing", "Packing", "OnDistro", "OnDistro",
    "ReturnedFromDistribution", "ReturnedFromDistribution",
    "ReturnTrackingInProgress", "ReturnTrackingInProgress", "Completed", "Completed", NULL
};
static const char *const s_shipment_states [] = {
    "Preparing", "Preparing", "Sent", "Sent", "Receiving", "Receiving", "Completed", "Completed",
    "Canceled", "Canceled", "Lost", "Lost", NULL
};

#define N(array) (sizeof (array) / sizeof (array) [0])
#define COL(loader, col) DP_COL_##loader##_##col
#define BIT(loader, col) ((uint64_t) 1 << COL (loader, col))

//  Binding builders.
#define COLUMN(l, c, cv)        { .kind = BIND_COLUMN, .column = COL (l, c), .conv = cv }
#define ENUM_INT(l, c, names)   { .kind = BIND_COLUMN, .column = COL (l, c), .conv = CONV_ENUM_INT, \
                                  .int_names = names, .n_int_names = N (names) }
#define ENUM_STR(l, c, pairs)   { .kind = BIND_COLUMN, .column = COL (l, c), .conv = CONV_ENUM_STR, \
                                  .str_pairs = pairs }
#define FK(l, c, target, ...)   { .kind = BIND_FK, .column = COL (l, c), \
                                  .loader = DP_LOADER_##target, __VA_ARGS__ }
#define ANY_BASE(perm)          .authz = { .kind = AUTHZ_ANY_BASE, .permission = perm, .base_column = -1 }
#define TARGET_NULL(perm, l, c) .authz = { .kind = AUTHZ_TARGET_BASE_NULL, .permission = perm, \
                                           .base_column = COL (l, c) }
#define TARGET_ERROR(perm, l, c) .authz = { .kind = AUTHZ_TARGET_BASE_ERROR, .permission = perm, \
                                            .base_column = COL (l, c) }
#define FILTER(perm, l, c)      .authz = { .kind = AUTHZ_FILTER_BASE, .permission = perm, \
                                           .base_column = COL (l, c) }

#define ROOT_BY_ID(target, ...)   { .kind = BIND_ROOT_LOAD, .key_source = KEYS_ARGUMENT, .argument = "id", \
                                    .loader = DP_LOADER_##target, __VA_ARGS__ }
#define ROOT_IN_BASES(target, all, perm, ...) \
                                  { .kind = BIND_ROOT_LOAD, .key_source = KEYS_PERMITTED_BASES, \
                                    .loader = DP_LOADER_##target, .all_loader = DP_LOADER_##all, \
                                    .authz = { .kind = AUTHZ_NONE, .permission = perm, .base_column = -1 }, \
                                    __VA_ARGS__ }
#define ROOT_ALL(all, perm)       { .kind = BIND_ROOT_LOAD, .key_source = KEYS_ALL, \
                                    .all_loader = DP_LOADER_##all, ANY_BASE (perm) }
#define PARENT(perm, l, c)        .authz = { .kind = AUTHZ_PARENT_BASE_ERROR, .permission = perm, \
                                             .base_column = COL (l, c) }
#define EITHER(how, perm, l, c1, c2) .authz = { .kind = how, .permission = perm, \
                                    .base_column = COL (l, c1), .base_column2 = COL (l, c2) }
#define COUNT(l, c, loader_, set, value) \
                                  { .kind = BIND_LOOKUP, .column = COL (l, c), .loader = DP_LOADER_##loader_, \
                                    .value_column = COL (set, value), .conv = CONV_INT, .zero_if_missing = true }
#define KEEP(fn, mask)            .keep = fn, .keep_mask = mask
//  FK: the parent's column pc holds the child's column cc (dp_binding.h).
#define SAME(pl, pc, cl, cc)      { COL (pl, pc), COL (cl, cc) }
//  An id-ordered page at the root: rows of `by_base` per permitted base,
//  of `all` for god (dp_page.c).
#define ID_PAGE_ROOT(by_base, all, perm, ...) \
                                  { .kind = BIND_ROOT, .collect = dp_id_page_root_collect, \
                                    .write = dp_id_page_root_write, .children = dp_id_page_root_children, \
                                    .loader = DP_LOADER_##by_base, .all_loader = DP_LOADER_##all, \
                                    .authz = { .kind = AUTHZ_NONE, .permission = perm, .base_column = -1 }, \
                                    __VA_ARGS__ }
//  What a shipment detail names (products, locations, its box): `perm` in
//  either base of the detail's shipment, else FORBIDDEN (boxtribute).
#define DETAIL_EITHER(perm)       EITHER (AUTHZ_PARENT_EITHER_ERROR, perm, shipment_detail, \
                                          source_base_id, target_base_id)
//  A page of the boxes at a location, deleted ones too, by id, filtered by
//  its filterInput; stock:read in the location's base or FORBIDDEN.
#define LOCATION_BOXES            { .kind = BIND_SYNTHETIC, .collect_obj = dp_id_page_parent_collect, \
                                    .children = dp_id_page_parent_children, .write = dp_id_page_parent_write, \
                                    .column = COL (locations, id), .loader = DP_LOADER_stock_by_location, \
                                    .authz = { .kind = AUTHZ_NONE, .permission = "stock:read", \
                                               .base_column = COL (locations, camp_id) }, \
                                    .needs_mask = BIT (locations, id) | BIT (locations, camp_id), \
                                    .keep = dp_keep_box, .keep_columns = dp_keep_box_columns }
//  The columns dp_keep_beneficiary reads.
#define BENEFICIARY_FILTER_MASK   (BIT (people, created) | BIT (people, active) | BIT (people, volunteer) \
                                   | BIT (people, registered) | BIT (people, firstname) \
                                   | BIT (people, lastname) | BIT (people, comments) | BIT (people, container))

typedef struct {
    const char *type;
    const char *field;
    dp_binding_t bind;
} field_entry_t;

//  ShareableView: stored under its GraphQL name (boxtribute's EnumCharField).
static const char *const s_shareable_views [] = {
    "StatvizDashboard", "StatvizDashboard", "StockOverview", "StockOverview", NULL
};

static const field_entry_t s_fields [] = {
    //  Query: root hooks (dp_root.c).
    { "Query", "boxes", { .kind = BIND_ROOT, .collect = dp_root_boxes_collect,
                          .write = dp_root_boxes_write, .children = dp_root_boxes_children } },

    { "Query", "box", { .kind = BIND_ROOT, .collect = dp_root_box_collect,
                        .write = dp_root_box_write, .children = dp_root_box_children } },
    { "Query", "qrExists", { .kind = BIND_ROOT, .collect = dp_qr_exists_collect, .write = dp_qr_exists_write } },
    { "Query", "qrCode", { .kind = BIND_ROOT, .collect = dp_qr_code_collect, .children = dp_qr_code_children } },
    { "QrCode", "box", { .kind = BIND_SYNTHETIC, .collect_obj = dp_qr_box_collect,
                         .children = dp_qr_box_children, .write = dp_qr_box_write, .needs_mask = BIT (qr, id) } },
    { "InsufficientPermissionError", "name", DP_RECORD_FIELD_BIND },
    { "ResourceDoesNotExistError", "id", DP_RECORD_FIELD_BIND },
    { "ResourceDoesNotExistError", "name", DP_RECORD_FIELD_BIND },
    { "UnauthorizedForBaseError", "id", DP_RECORD_FIELD_BIND },
    { "UnauthorizedForBaseError", "name", DP_RECORD_FIELD_BIND },
    { "UnauthorizedForBaseError", "organisationName", DP_RECORD_FIELD_BIND },
    { "InvalidColorError", "color", DP_RECORD_FIELD_BIND },
    { "DeletedTagError", "name", DP_RECORD_FIELD_BIND },
    { "EmptyNameError", "_", DP_RECORD_FIELD_BIND },
    { "TagsResult", "updatedTags", DP_RECORD_FIELD_BIND },
    { "TagsResult", "invalidTagIds", DP_RECORD_FIELD_BIND },
    { "DeletedLocationError", "name", DP_RECORD_FIELD_BIND },
    { "DeletedBoxError", "labelIdentifier", DP_RECORD_FIELD_BIND },
    { "InvalidBoxStateError", "state", DP_RECORD_FIELD_BIND },
    { "InvalidNumberOfItemsError", "numberOfItems", DP_RECORD_FIELD_BIND },

    //  Mutation: each field one transaction (dp_mutation.h, dp_exec_mutation.c).
    { "Mutation", "createQrCode", DP_MUTATION_BIND (&dp_mut_create_qr_code) },
    { "Mutation", "createTag", DP_MUTATION_BIND (&dp_mut_create_tag) },
    { "Mutation", "updateTag", DP_MUTATION_BIND (&dp_mut_update_tag) },
    { "Mutation", "deleteTag", DP_MUTATION_BIND (&dp_mut_delete_tag) },
    { "Mutation", "deleteTags", DP_MUTATION_BIND (&dp_mut_delete_tags) },
    { "Mutation", "assignTag", DP_MUTATION_BIND (&dp_mut_assign_tag) },
    { "Mutation", "unassignTag", DP_MUTATION_BIND (&dp_mut_unassign_tag) },
    { "Mutation", "createBox", DP_MUTATION_BIND (&dp_mut_create_box) },
    { "Mutation", "updateBox", DP_MUTATION_BIND (&dp_mut_update_box) },
    { "Mutation", "createBoxFromBox", DP_MUTATION_BIND (&dp_mut_create_box_from_box) },
    //  The bulk box mutations (dp_mut_bulk.h) and the records they answer.
    { "Mutation", "deleteBoxes", DP_MUTATION_BIND (&dp_mut_delete_boxes) },
    { "Mutation", "moveBoxesToLocation", DP_MUTATION_BIND (&dp_mut_move_boxes) },
    { "Mutation", "assignTagsToBoxes", DP_MUTATION_BIND (&dp_mut_assign_tags_to_boxes) },
    { "Mutation", "unassignTagsFromBoxes", DP_MUTATION_BIND (&dp_mut_unassign_tags_from_boxes) },
    { "Mutation", "createBoxes", DP_MUTATION_BIND (&dp_mut_create_boxes) },
    //  shipments being prepared (dp_shipment_rules.h)
    { "Mutation", "updateShipmentWhenPreparing", DP_MUTATION_BIND (&dp_mut_update_shipment_when_preparing) },
    { "Mutation", "updateMarkedForShipmentBox", DP_MUTATION_BIND (&dp_mut_update_marked_for_shipment_box) },
    { "Mutation", "sendShipment", DP_MUTATION_BIND (&dp_mut_send_shipment) },
    { "Mutation", "cancelShipment", DP_MUTATION_BIND (&dp_mut_cancel_shipment) },
    //  Receiving a shipment (dp_mut_shipment_receive.h).
    { "Mutation", "startReceivingShipment", DP_MUTATION_BIND (&dp_mut_start_receiving_shipment) },
    { "Mutation", "updateShipmentWhenReceiving", DP_MUTATION_BIND (&dp_mut_update_shipment_when_receiving) },
    { "Mutation", "markShipmentAsLost", DP_MUTATION_BIND (&dp_mut_mark_shipment_as_lost) },
    { "Mutation", "moveNotDeliveredBoxesInStock", DP_MUTATION_BIND (&dp_mut_move_not_delivered_boxes_in_stock) },
    { "Mutation", "createTransferAgreement", DP_MUTATION_BIND (&dp_mut_create_transfer_agreement) },
    { "Mutation", "acceptTransferAgreement", DP_MUTATION_BIND (&dp_mut_accept_transfer_agreement) },
    { "Mutation", "rejectTransferAgreement", DP_MUTATION_BIND (&dp_mut_reject_transfer_agreement) },
    { "Mutation", "cancelTransferAgreement", DP_MUTATION_BIND (&dp_mut_cancel_transfer_agreement) },
    { "Mutation", "createShipment", DP_MUTATION_BIND (&dp_mut_create_shipment) },
    { "BoxesResult", "updatedBoxes", DP_RECORD_FIELD_BIND },
    { "BoxesResult", "invalidBoxLabelIdentifiers", DP_RECORD_FIELD_BIND },
    { "BoxesTagsOperationResult", "updatedBoxes", DP_RECORD_FIELD_BIND },
    { "BoxesTagsOperationResult", "invalidBoxLabelIdentifiers", DP_RECORD_FIELD_BIND },
    { "BoxesTagsOperationResult", "tagErrorInfo", DP_RECORD_FIELD_BIND },
    { "TagErrorInfo", "id", DP_RECORD_FIELD_BIND },
    { "TagErrorInfo", "error", DP_RECORD_FIELD_BIND },
    { "DeletedBaseError", "name", DP_RECORD_FIELD_BIND },
    //  The custom-product mutations (dp_mut_products.h) and their error records.
    { "Mutation", "createCustomProduct", DP_MUTATION_BIND (&dp_mut_create_custom_product) },
    { "Mutation", "editCustomProduct", DP_MUTATION_BIND (&dp_mut_edit_custom_product) },
    { "Mutation", "deleteProduct", DP_MUTATION_BIND (&dp_mut_delete_product) },
    //  The standard-product mutations (dp_mut_standard_products.h, dp_mut_products.h).
    { "Mutation", "enableStandardProduct", DP_MUTATION_BIND (&dp_mut_enable_standard_product) },
    { "Mutation", "enableStandardProducts", DP_MUTATION_BIND (&dp_mut_enable_standard_products) },
    { "Mutation", "editStandardProductInstantiation",
      DP_MUTATION_BIND (&dp_mut_edit_standard_product_instantiation) },
    { "Mutation", "disableStandardProduct", DP_MUTATION_BIND (&dp_mut_disable_standard_product) },
    { "StandardProductAlreadyEnabledForBaseError", "existingStandardProductInstantiationId", DP_RECORD_FIELD_BIND },
    { "OutdatedStandardProductVersionError", "mostRecentStandardProductId", DP_RECORD_FIELD_BIND },
    { "ProductsResult", "instantiations", DP_RECORD_FIELD_BIND },
    { "ProductsResult", "invalidStandardProductIds", DP_RECORD_FIELD_BIND },
    { "InvalidPriceError", "value", DP_RECORD_FIELD_BIND },
    { "ProductTypeMismatchError", "expectedType", DP_RECORD_FIELD_BIND },
    { "BoxesStillAssignedToProductError", "labelIdentifiers", DP_RECORD_FIELD_BIND },
    { "InvalidBaseError", "ids", DP_RECORD_FIELD_BIND },
    { "ProductLocationBaseMismatchError", "_", DP_RECORD_FIELD_BIND },
    { "TagBaseMismatchError", "_", DP_RECORD_FIELD_BIND },
    { "TagTypeMismatchError", "expectedType", DP_RECORD_FIELD_BIND },
    //  The beneficiary mutations (dp_mut_beneficiary.h) and the record they answer.
    { "Mutation", "createBeneficiary", DP_MUTATION_BIND (&dp_mut_create_beneficiary) },
    { "Mutation", "updateBeneficiary", DP_MUTATION_BIND (&dp_mut_update_beneficiary) },
    { "Mutation", "deactivateBeneficiary", DP_MUTATION_BIND (&dp_mut_deactivate_beneficiary) },
    { "Mutation", "createBeneficiaries", DP_MUTATION_BIND (&dp_mut_create_beneficiaries) },
    { "BeneficiariesResult", "results", DP_RECORD_FIELD_BIND },
    { "Query", "bases", ROOT_IN_BASES (camps_by_id, camps_all, "base:read",
                                       KEEP (dp_keep_base, BIT (camps, deleted))) },
    { "Query", "base", ROOT_BY_ID (camps_by_id, TARGET_ERROR ("base:read", camps, id)) },
    { "Query", "organisations", ROOT_ALL (organisations_all, "organisation:read") },
    { "Query", "organisation", ROOT_BY_ID (organisations_by_id, ANY_BASE ("organisation:read")) },
    { "Query", "locations", ROOT_IN_BASES (locations_by_base, locations_all, "location:read",
                                           KEEP (dp_keep_classic_location, BIT (locations, type))) },
    { "Query", "location", ROOT_BY_ID (locations_by_id, TARGET_ERROR ("location:read", locations, camp_id),
                                       KEEP (dp_keep_classic_location, BIT (locations, type))) },
    { "Query", "tags", ROOT_IN_BASES (tags_by_base, tags_all, "tag:read",
                                      KEEP (dp_keep_tag, BIT (tags, deleted) | BIT (tags, type))) },
    { "Query", "tag", ROOT_BY_ID (tags_by_id, TARGET_ERROR ("tag:read", tags, camp_id)) },
    { "Query", "product", ROOT_BY_ID (products_by_id, TARGET_ERROR ("product:read", products, camp_id)) },
    { "Query", "user", ROOT_BY_ID (cms_users_by_id, ANY_BASE ("user:read")) },
    //  One statement for both sides of the user's bases (a shipment between two of them
    //  is under both).
    { "Query", "shipments", ROOT_IN_BASES (shipments_by_base, shipments_all, "shipment:read",
                                           .rows_shared = true,
                                           KEEP (dp_keep_shipment, BIT (shipment, state))) },
    { "Query", "shipment", ROOT_BY_ID (shipment_by_id, EITHER (AUTHZ_TARGET_EITHER_ERROR, "shipment:read",
                                                                shipment, source_base_id, target_base_id)) },
    { "Query", "products", ID_PAGE_ROOT (products_by_base, products_all, "product:read") },
    { "ProductPage", "elements", { .kind = BIND_SYNTHETIC, .children = dp_page_elements, .list = true } },
    { "ProductPage", "totalCount", { .kind = BIND_SYNTHETIC, .write = dp_page_total_count } },
    { "ProductPage", "pageInfo", { .kind = BIND_SYNTHETIC, .children = dp_page_info } },
    { "Query", "beneficiary", ROOT_BY_ID (people_by_id, TARGET_ERROR ("beneficiary:read", people, camp_id)) },
    { "Query", "beneficiaries", ID_PAGE_ROOT (people_by_base, people_all, "beneficiary:read",
                                              KEEP (dp_keep_beneficiary, BENEFICIARY_FILTER_MASK)) },
    { "BeneficiaryPage", "elements", { .kind = BIND_SYNTHETIC, .children = dp_page_elements, .list = true } },
    { "BeneficiaryPage", "totalCount", { .kind = BIND_SYNTHETIC, .write = dp_page_total_count } },
    { "BeneficiaryPage", "pageInfo", { .kind = BIND_SYNTHETIC, .children = dp_page_info } },
    { "Query", "sizeRanges", ROOT_ALL (sizegroups_all, "size_range:read") },
    { "Query", "transferAgreements", ROOT_IN_BASES (agreements_by_source_base, agreements_all,
                                                    "transfer_agreement:read", .has_loader2 = true,
                                                    .loader2 = DP_LOADER_agreements_by_target_base,
                                                    KEEP (dp_keep_agreement, BIT (transfer_agreement, state))) },
    { "Query", "transferAgreement", { .kind = BIND_ROOT, .collect = dp_agreement_root_collect,
                                      .children = dp_agreement_root_children,
                                      .write = dp_agreement_root_write } },
    { "Query", "users", { .kind = BIND_ROOT_LOAD, .key_source = KEYS_GOD_ALL,
                          .all_loader = DP_LOADER_cms_users_all } },
    { "Query", "productCategories", ROOT_ALL (product_categories_all, "product_category:read") },
    { "Query", "productCategory", ROOT_BY_ID (product_categories_by_id, ANY_BASE ("product_category:read")) },

    //  BoxPage and PageInfo: synthetic objects made by the boxes root.
    { "BoxPage", "elements", { .kind = BIND_SYNTHETIC, .children = dp_page_elements, .list = true } },
    { "BoxPage", "totalCount", { .kind = BIND_SYNTHETIC, .write = dp_page_total_count } },
    { "BoxPage", "pageInfo", { .kind = BIND_SYNTHETIC, .children = dp_page_info } },
    { "PageInfo", "hasPreviousPage", { .kind = BIND_SYNTHETIC, .write = dp_page_has_previous } },
    { "PageInfo", "hasNextPage", { .kind = BIND_SYNTHETIC, .write = dp_page_has_next } },
    { "PageInfo", "startCursor", { .kind = BIND_SYNTHETIC, .write = dp_page_start_cursor } },
    { "PageInfo", "endCursor", { .kind = BIND_SYNTHETIC, .write = dp_page_end_cursor } },

    //  Box ← stock
    { "Box", "id", COLUMN (stock, id, CONV_ID) },
    { "Box", "labelIdentifier", COLUMN (stock, box_id, CONV_STRING) },
    { "Box", "location", FK (stock, location_id, locations_by_id,
                             TARGET_NULL ("location:read", locations, camp_id),
                             .same = { SAME (stock, base_id, locations, camp_id) }, .n_same = 1) },
    { "Box", "numberOfItems", COLUMN (stock, items, CONV_INT) },
    { "Box", "product", FK (stock, product_id, products_by_id,
                            TARGET_NULL ("product:read", products, camp_id)) },
    { "Box", "size", FK (stock, size_id, sizes_by_id, ANY_BASE ("size:read")) },
    { "Box", "weight", COLUMN (stock, weight, CONV_FLOAT) },
    { "Box", "weightDisplayUnit", FK (stock, weight_display_unit_id, units_by_id, ANY_BASE ("unit:read")) },
    { "Box", "monetaryValue", COLUMN (stock, monetary_value, CONV_FLOAT) },
    { "Box", "displayUnit", FK (stock, display_unit_id, units_by_id, ANY_BASE ("unit:read")) },
    { "Box", "measureValue", { .kind = BIND_COMPUTED, .write = dp_box_measure_value,
                               .needs_mask = BIT (stock, measure_value) | BIT (stock, display_unit_id),
                               .deps = { { COL (stock, display_unit_id), DP_LOADER_units_by_id,
                                           BIT (units, conversion_factor) | 1 } },
                               .n_deps = 1 } },
    { "Box", "state", ENUM_INT (stock, box_state_id, dp_enums_box_states) },
    { "Box", "qrCode", FK (stock, qr_id, qr_by_id, ANY_BASE ("qr:read")) },
    { "Box", "createdBy", FK (stock, created_by, cms_users_by_id, ANY_BASE ("user:read")) },
    { "Box", "createdOn", COLUMN (stock, created, CONV_DATETIME) },
    { "Box", "lastModifiedBy", FK (stock, modified_by, cms_users_by_id, ANY_BASE ("user:read")) },
    { "Box", "lastModifiedOn", COLUMN (stock, modified, CONV_DATETIME) },
    { "Box", "deletedOn", COLUMN (stock, deleted, CONV_DATETIME) },
    { "Box", "comment", COLUMN (stock, comments, CONV_STRING) },
    { "Box", "tags", { .kind = BIND_THROUGH, .column = COL (stock, id), .loader = DP_LOADER_tag_links_by_box,
                       .value_column = COL (tag_link, tag_id), .target_loader = DP_LOADER_tags_by_id,
                       FILTER ("tag:read", tags, camp_id), KEEP (dp_keep_live_tag, BIT (tags, deleted)) } },
    { "Box", "shipmentDetail", { .kind = BIND_REVERSE, .column = COL (stock, id),
                                 .loader = DP_LOADER_active_shipment_detail_by_box,
                                 .authz = { .kind = AUTHZ_ANY_BASE_NULL,
                                            .permission = "shipment_detail:read",
                                            .base_column = -1 } } },
    { "Box", "sourceBox", FK (stock, source_box_id, stock_by_id) },
    { "Box", "history", { .kind = BIND_REVERSE, .column = COL (stock, id), .loader = DP_LOADER_box_history_by_box,
                          .load_mask = (BIT (history_entry, ord) << 1) - 1,     //  all (one UNION)
                          ANY_BASE ("history:read") } },

    //  HistoryEntry ← box_history_by_box (history rows and tag changes; dp_history_entry)
    { "HistoryEntry", "id", COLUMN (history_entry, entry_id, CONV_STRING) },
    { "HistoryEntry", "changes", { .kind = BIND_COMPUTED, .write = dp_history_entry_changes,
                                   .collect_obj = dp_history_entry_collect } },
    { "HistoryEntry", "changeDate", COLUMN (history_entry, change_date, CONV_DATETIME) },
    { "HistoryEntry", "user", FK (history_entry, user_id, cms_users_by_id, ANY_BASE ("user:read")) },

    //  Product ← products
    { "Product", "id", COLUMN (products, id, CONV_ID) },
    { "Product", "name", COLUMN (products, name, CONV_STRING) },
    { "Product", "type", { .kind = BIND_COMPUTED, .write = dp_product_type,
                           .needs_mask = BIT (products, standard_product_id) } },
    { "Product", "sizeRange", FK (products, sizegroup_id, sizegroup_by_id, ANY_BASE ("size_range:read")) },
    { "Product", "category", FK (products, category_id, product_categories_by_id,
                                 ANY_BASE ("product_category:read")) },
    { "Product", "base", FK (products, camp_id, camps_by_id, TARGET_ERROR ("base:read", camps, id)) },
    { "Product", "price", COLUMN (products, value, CONV_FLOAT) },
    { "Product", "gender", ENUM_INT (products, gender_id, dp_enums_genders) },
    { "Product", "comment", COLUMN (products, comments, CONV_STRING) },
    { "Product", "inShop", COLUMN (products, stockincontainer, CONV_BOOL) },
    { "Product", "instockItemsCount", COUNT (products, id, product_counts_by_product, product_counts, instock_items) },
    { "Product", "transferItemsCount", COUNT (products, id, product_counts_by_product, product_counts, transfer_items) },
    { "Product", "createdBy", FK (products, created_by, cms_users_by_id, ANY_BASE ("user:read")) },
    { "Product", "createdOn", COLUMN (products, created, CONV_DATETIME) },
    { "Product", "lastModifiedBy", FK (products, modified_by, cms_users_by_id, ANY_BASE ("user:read")) },
    { "Product", "lastModifiedOn", COLUMN (products, modified, CONV_DATETIME) },
    { "Product", "deletedOn", COLUMN (products, deleted, CONV_DATETIME) },

    { "Product", "standardProduct", FK (products, standard_product_id, standard_product_by_id,
                                        ANY_BASE ("standard_product:read")) },

    //  Standard products (dp_standard_product.c: the roots)
    { "Query", "standardProduct", { .kind = BIND_ROOT, .collect = dp_standard_product_root_collect,
                                    .children = dp_standard_product_root_children,
                                    .write = dp_standard_product_root_write } },
    { "Query", "standardProducts", { .kind = BIND_ROOT, .collect = dp_standard_products_root_collect,
                                     .children = dp_standard_product_root_children,
                                     .write = dp_standard_product_root_write } },
    { "StandardProductPage", "elements", { .kind = BIND_SYNTHETIC, .children = dp_page_elements, .list = true } },
    { "StandardProductPage", "totalCount", { .kind = BIND_SYNTHETIC, .write = dp_page_total_count } },
    { "StandardProductPage", "pageInfo", { .kind = BIND_SYNTHETIC, .children = dp_page_info } },
    { "StandardProduct", "id", COLUMN (standard_product, id, CONV_ID) },
    { "StandardProduct", "name", COLUMN (standard_product, name, CONV_STRING) },
    { "StandardProduct", "category", FK (standard_product, category_id, product_categories_by_id,
                                         ANY_BASE ("product_category:read")) },
    { "StandardProduct", "sizeRange", FK (standard_product, size_range_id, sizegroup_by_id,
                                          ANY_BASE ("size_range:read")) },
    { "StandardProduct", "gender", ENUM_INT (standard_product, gender_id, dp_enums_genders) },
    { "StandardProduct", "version", COLUMN (standard_product, version, CONV_INT) },
    { "StandardProduct", "instantiation", FK (standard_product, instantiation_id, products_by_id) },
    { "StandardProduct", "addedBy", FK (standard_product, added_by, cms_users_by_id, ANY_BASE ("user:read")) },
    { "StandardProduct", "addedOn", COLUMN (standard_product, added_on, CONV_DATETIME) },
    { "StandardProduct", "deprecatedBy", FK (standard_product, deprecated_by, cms_users_by_id,
                                             ANY_BASE ("user:read")) },
    { "StandardProduct", "deprecatedOn", COLUMN (standard_product, deprecated_on, CONV_DATETIME) },
    { "StandardProduct", "precededByProduct", FK (standard_product, preceded_by_product_id,
                                                  standard_product_by_id) },
    { "StandardProduct", "supercededByProduct", FK (standard_product, superceded_by_product_id,
                                                    standard_product_by_id) },

    //  ProductCategory ← product_categories
    { "ProductCategory", "id", COLUMN (product_categories, id, CONV_ID) },
    { "ProductCategory", "name", COLUMN (product_categories, label, CONV_STRING) },
    { "ProductCategory", "products", { .kind = BIND_SYNTHETIC, .collect_obj = dp_id_page_parent_collect,
                                       .children = dp_id_page_parent_children,
                                       .write = dp_id_page_parent_write,
                                       .column = COL (product_categories, id),
                                       .loader = DP_LOADER_products_by_category,
                                       FILTER ("product:read", products, camp_id) } },
    { "ProductCategory", "hasGender", { .kind = BIND_COMPUTED, .write = dp_category_has_gender,
                                        .needs_mask = BIT (product_categories, parent_id) } },

    //  Size ← sizes (name and label are both the label)
    { "Size", "id", COLUMN (sizes, id, CONV_ID) },
    { "Size", "name", COLUMN (sizes, label, CONV_STRING) },
    { "Size", "label", COLUMN (sizes, label, CONV_STRING) },

    //  SizeRange ← sizegroup
    { "SizeRange", "id", COLUMN (sizegroup, id, CONV_ID) },
    { "SizeRange", "name", COLUMN (sizegroup, label, CONV_STRING) },
    { "SizeRange", "label", COLUMN (sizegroup, label, CONV_STRING) },
    { "SizeRange", "sizes", { .kind = BIND_REVERSE, .column = COL (sizegroup, id),
                              .loader = DP_LOADER_sizes_by_sizegroup, ANY_BASE ("size:read") } },
    { "SizeRange", "units", { .kind = BIND_REVERSE, .column = COL (sizegroup, id),
                              .loader = DP_LOADER_units_by_dimension } },

    //  Unit ← units
    { "Unit", "id", COLUMN (units, id, CONV_ID) },
    { "Unit", "name", COLUMN (units, name, CONV_STRING) },
    { "Unit", "symbol", COLUMN (units, symbol, CONV_STRING) },

    //  ClassicLocation ← locations
    { "ClassicLocation", "id", COLUMN (locations, id, CONV_ID) },
    { "ClassicLocation", "base", FK (locations, camp_id, camps_by_id, TARGET_ERROR ("base:read", camps, id)) },
    { "ClassicLocation", "name", COLUMN (locations, label, CONV_STRING) },
    { "ClassicLocation", "seq", COLUMN (locations, seq, CONV_INT) },
    { "ClassicLocation", "isShop", COLUMN (locations, is_market, CONV_BOOL) },
    { "ClassicLocation", "isStockroom", COLUMN (locations, container_stock, CONV_BOOL) },
    { "ClassicLocation", "defaultBoxState", ENUM_INT (locations, box_state_id, dp_enums_box_states) },
    { "ClassicLocation", "boxes", LOCATION_BOXES },
    { "ClassicLocation", "createdBy", FK (locations, created_by, cms_users_by_id, ANY_BASE ("user:read")) },
    { "ClassicLocation", "createdOn", COLUMN (locations, created, CONV_DATETIME) },
    { "ClassicLocation", "lastModifiedBy", FK (locations, modified_by, cms_users_by_id, ANY_BASE ("user:read")) },
    { "ClassicLocation", "lastModifiedOn", COLUMN (locations, modified, CONV_DATETIME) },
    { "DistributionSpot", "boxes", LOCATION_BOXES },
    { "DistributionSpot", "comment", COLUMN (locations, description, CONV_STRING) },
    { "DistributionSpot", "latitude", COLUMN (locations, latitude, CONV_FLOAT) },
    { "DistributionSpot", "longitude", COLUMN (locations, longitude, CONV_FLOAT) },
    { "DistributionSpot", "distributionEvents", { .kind = BIND_REVERSE, .column = COL (locations, id),
                                                  .loader = DP_LOADER_distro_events_by_location,
                                                  KEEP (dp_keep_distribution_event, BIT (distro_events, state)
                                                                                    | BIT (distro_events, deleted_on)) } },

    //  DistributionEvent ← distro_events
    { "DistributionEvent", "id", COLUMN (distro_events, id, CONV_ID) },
    { "DistributionEvent", "name", COLUMN (distro_events, name, CONV_STRING) },
    { "DistributionEvent", "state", ENUM_STR (distro_events, state, s_distribution_event_states) },
    { "DistributionEvent", "plannedStartDateTime", COLUMN (distro_events, planned_start_date_time, CONV_DATETIME) },
    { "DistributionEvent", "plannedEndDateTime", COLUMN (distro_events, planned_end_date_time, CONV_DATETIME) },
    { "DistributionEvent", "distributionSpot", FK (distro_events, location_id, locations_by_id) },
    { "DistributionEvent", "boxes", { .kind = BIND_REVERSE, .column = COL (distro_events, id),
                                      .loader = DP_LOADER_stock_by_distro_event } },
    { "Box", "distributionEvent", FK (stock, distro_event_id, distro_events_by_id) },
    { "Base", "distributionSpots", { .kind = BIND_REVERSE, .column = COL (camps, id),
                                     .loader = DP_LOADER_locations_by_base, PARENT ("location:read", camps, id),
                                     KEEP (dp_keep_distribution_spot, BIT (locations, type)) } },
    { "Base", "distributionEvents", { .kind = BIND_REVERSE, .column = COL (camps, id),
                                      .loader = DP_LOADER_distro_events_by_base,
                                      PARENT ("distro_event:read", camps, id),
                                      KEEP (dp_keep_distribution_event, BIT (distro_events, state)
                                                                        | BIT (distro_events, deleted_on)) } },
    { "Base", "distributionEventsBeforeReturnedFromDistributionState",
      { .kind = BIND_REVERSE, .column = COL (camps, id), .loader = DP_LOADER_distro_events_by_base,
        PARENT ("distro_event:read", camps, id),
        KEEP (dp_keep_event_before_return, BIT (distro_events, state) | BIT (distro_events, deleted_on)) } },
    { "Base", "distributionEventsInReturnedFromDistributionState",
      { .kind = BIND_REVERSE, .column = COL (camps, id), .loader = DP_LOADER_distro_events_by_base,
        PARENT ("distro_event:read", camps, id),
        KEEP (dp_keep_event_in_return, BIT (distro_events, state) | BIT (distro_events, deleted_on)) } },
    { "DistributionSpot", "id", COLUMN (locations, id, CONV_ID) },
    { "DistributionSpot", "name", COLUMN (locations, label, CONV_STRING) },
    { "DistributionSpot", "base", FK (locations, camp_id, camps_by_id, TARGET_ERROR ("base:read", camps, id)) },

    //  Base ← camps
    { "Base", "id", COLUMN (camps, id, CONV_ID) },
    { "Base", "name", COLUMN (camps, name, CONV_STRING) },
    { "Base", "organisation", FK (camps, organisation_id, organisations_by_id) },
    { "Base", "deletedOn", COLUMN (camps, deleted, CONV_DATETIME) },
    { "Base", "monetaryCurrencyCode", COLUMN (camps, monetary_currency_code, CONV_STRING) },
    { "Base", "freeshopCurrencyName", COLUMN (camps, currencyname, CONV_STRING) },
    { "Base", "instockBoxesCount", COUNT (camps, id, base_counts_by_base, base_counts, instock_boxes) },
    { "Base", "instockItemsCount", COUNT (camps, id, base_counts_by_base, base_counts, instock_items) },

    { "Base", "locations", { .kind = BIND_REVERSE, .column = COL (camps, id),
                             .loader = DP_LOADER_locations_by_base, PARENT ("location:read", camps, id),
                             KEEP (dp_keep_live_classic_location, BIT (locations, type) | BIT (locations, deleted)) } },
    { "Base", "tags", { .kind = BIND_REVERSE, .column = COL (camps, id), .loader = DP_LOADER_tags_by_base,
                        PARENT ("tag:read", camps, id),
                        KEEP (dp_keep_tag, BIT (tags, deleted) | BIT (tags, type)) } },
    { "Base", "beneficiaries", { .kind = BIND_SYNTHETIC, .collect_obj = dp_id_page_parent_collect,
                                 .children = dp_id_page_parent_children, .write = dp_id_page_parent_write,
                                 .column = COL (camps, id), .loader = DP_LOADER_people_by_base,
                                 .authz = { .kind = AUTHZ_NONE, .permission = "beneficiary:read",
                                            .base_column = COL (camps, id) },
                                 KEEP (dp_keep_beneficiary, BENEFICIARY_FILTER_MASK) } },
    { "Base", "products", { .kind = BIND_REVERSE, .column = COL (camps, id), .loader = DP_LOADER_products_by_base,
                            PARENT ("product:read", camps, id),
                            KEEP (dp_keep_product, BIT (products, deleted) | BIT (products, standard_product_id)) } },

    //  Beneficiary ← people
    { "Beneficiary", "id", COLUMN (people, id, CONV_ID) },
    { "Beneficiary", "firstName", COLUMN (people, firstname, CONV_STRING) },
    { "Beneficiary", "lastName", COLUMN (people, lastname, CONV_STRING) },
    { "Beneficiary", "dateOfBirth", COLUMN (people, date_of_birth, CONV_DATE) },
    { "Beneficiary", "age", { .kind = BIND_COMPUTED, .write = dp_beneficiary_age,
                              .needs_mask = BIT (people, date_of_birth) } },
    { "Beneficiary", "comment", COLUMN (people, comments, CONV_STRING) },
    { "Beneficiary", "base", FK (people, camp_id, camps_by_id, TARGET_ERROR ("base:read", camps, id)) },
    { "Beneficiary", "groupIdentifier", COLUMN (people, container, CONV_STRING) },
    { "Beneficiary", "gender", ENUM_STR (people, gender, s_human_genders) },
    { "Beneficiary", "languages", { .kind = BIND_COMPUTED, .write = dp_beneficiary_languages,
                                    .deps = { { COL (people, id), DP_LOADER_people_languages_by_people,
                                                BIT (people_languages, language_ids) | 1 } },
                                    .n_deps = 1 } },
    { "Beneficiary", "familyHead", FK (people, parent_id, people_by_id) },
    { "Beneficiary", "active", COLUMN (people, active, CONV_BOOL) },
    { "Beneficiary", "isVolunteer", COLUMN (people, volunteer, CONV_BOOL) },
    { "Beneficiary", "signed", COLUMN (people, approvalsigned, CONV_BOOL) },
    { "Beneficiary", "registered", COLUMN (people, registered, CONV_BOOL) },
    { "Beneficiary", "phoneNumber", COLUMN (people, phone, CONV_STRING) },
    { "Beneficiary", "signature", COLUMN (people, signaturefield, CONV_STRING) },
    { "Beneficiary", "dateOfSignature", COLUMN (people, date_of_signature, CONV_DATE) },
    { "Beneficiary", "tokens", { .kind = BIND_LOOKUP, .column = COL (people, id),
                                 .loader = DP_LOADER_people_tokens_by_people,
                                 .value_column = COL (people_tokens, tokens), .conv = CONV_INT,
                                 .zero_if_missing = true, ANY_BASE ("transaction:read") } },
    { "Beneficiary", "transactions", { .kind = BIND_REVERSE, .column = COL (people, id),
                                       .loader = DP_LOADER_transactions_by_people,
                                       ANY_BASE ("transaction:read") } },
    { "Beneficiary", "createdBy", FK (people, created_by, cms_users_by_id, ANY_BASE ("user:read")) },
    { "Beneficiary", "createdOn", COLUMN (people, created, CONV_DATETIME) },
    { "Beneficiary", "lastModifiedBy", FK (people, modified_by, cms_users_by_id, ANY_BASE ("user:read")) },
    { "Beneficiary", "lastModifiedOn", COLUMN (people, modified, CONV_DATETIME) },
    { "Beneficiary", "tags", { .kind = BIND_THROUGH, .column = COL (people, id),
                               .loader = DP_LOADER_tag_links_by_people,
                               .value_column = COL (tag_link, tag_id), .target_loader = DP_LOADER_tags_by_id,
                               FILTER ("tag:read", tags, camp_id) } },

    //  Transaction ← transactions (a beneficiary's, by transactions_by_people)
    { "Transaction", "id", COLUMN (transactions, id, CONV_ID) },
    { "Transaction", "beneficiary", FK (transactions, people_id, people_by_id) },
    { "Transaction", "product", FK (transactions, product_id, products_by_id) },
    { "Transaction", "count", COLUMN (transactions, count, CONV_INT) },
    { "Transaction", "tokens", COLUMN (transactions, drops, CONV_INT) },
    { "Transaction", "description", COLUMN (transactions, description, CONV_STRING) },
    //  (boxtribute's model: created_on is transaction_date, created_by is user_id)
    { "Transaction", "createdBy", FK (transactions, user_id, cms_users_by_id, ANY_BASE ("user:read")) },
    { "Transaction", "createdOn", COLUMN (transactions, transaction_date, CONV_DATETIME) },

    //  Organisation ← organisations
    { "Organisation", "id", COLUMN (organisations, id, CONV_ID) },
    { "Organisation", "name", COLUMN (organisations, label, CONV_STRING) },
    { "Organisation", "bases", { .kind = BIND_REVERSE, .column = COL (organisations, id),
                                 .loader = DP_LOADER_camps_by_organisation, ANY_BASE ("base:read"),
                                 KEEP (dp_keep_base, BIT (camps, deleted)) } },

    //  Tag ← tags
    { "Tag", "id", COLUMN (tags, id, CONV_ID) },
    { "Tag", "name", COLUMN (tags, label, CONV_STRING) },
    { "Tag", "description", COLUMN (tags, description, CONV_STRING) },
    { "Tag", "color", COLUMN (tags, color, CONV_STRING) },
    { "Tag", "type", ENUM_STR (tags, type, dp_enums_tag_types) },
    { "Tag", "base", FK (tags, camp_id, camps_by_id, TARGET_ERROR ("base:read", camps, id)) },
    { "Tag", "createdBy", FK (tags, created_by, cms_users_by_id, ANY_BASE ("user:read")) },
    { "Tag", "createdOn", COLUMN (tags, created, CONV_DATETIME) },
    { "Tag", "lastModifiedBy", FK (tags, modified_by, cms_users_by_id, ANY_BASE ("user:read")) },
    { "Tag", "lastModifiedOn", COLUMN (tags, modified, CONV_DATETIME) },
    { "Tag", "lastUsedOn", { .kind = BIND_COLUMN, .column = COL (tags, last_used_on), .conv = CONV_DATETIME,
                             ANY_BASE ("tag_relation:read") } },
    { "Tag", "deletedOn", COLUMN (tags, deleted, CONV_DATETIME) },
    { "Tag", "taggedResources", { .kind = BIND_SYNTHETIC, .collect_obj = dp_tagged_collect,
                                  .children = dp_tagged_children, .write = dp_tagged_write,
                                  .list = true, .needs_mask = BIT (tags, id) } },

    //  ShipmentDetail ← shipment_detail
    { "ShipmentDetail", "id", COLUMN (shipment_detail, id, CONV_ID) },
    { "ShipmentDetail", "sourceProduct", FK (shipment_detail, source_product_id, products_by_id,
                                             DETAIL_EITHER ("product:read")) },
    { "ShipmentDetail", "targetProduct", FK (shipment_detail, target_product_id, products_by_id,
                                             DETAIL_EITHER ("product:read")) },
    { "ShipmentDetail", "sourceLocation", FK (shipment_detail, source_location_id, locations_by_id,
                                              DETAIL_EITHER ("location:read")) },
    { "ShipmentDetail", "targetLocation", FK (shipment_detail, target_location_id, locations_by_id,
                                              DETAIL_EITHER ("location:read")) },
    { "ShipmentDetail", "sourceSize", FK (shipment_detail, source_size_id, sizes_by_id, ANY_BASE ("size:read")) },
    { "ShipmentDetail", "targetSize", FK (shipment_detail, target_size_id, sizes_by_id, ANY_BASE ("size:read")) },
    { "ShipmentDetail", "sourceQuantity", COLUMN (shipment_detail, source_quantity, CONV_INT) },
    { "ShipmentDetail", "targetQuantity", COLUMN (shipment_detail, target_quantity, CONV_INT) },
    { "ShipmentDetail", "box", FK (shipment_detail, box_id, stock_by_id, DETAIL_EITHER ("stock:read")) },
    { "ShipmentDetail", "autoMatchingTargetProduct", FK (shipment_detail, id, auto_matching_product_by_detail) },
    { "ShipmentDetail", "shipment", FK (shipment_detail, shipment_id, shipment_by_id,
                                        EITHER (AUTHZ_TARGET_EITHER_ERROR, "shipment:read", shipment,
                                                source_base_id, target_base_id),
                                        .same = { SAME (shipment_detail, source_base_id, shipment, source_base_id),
                                                  SAME (shipment_detail, target_base_id, shipment, target_base_id) },
                                        .n_same = 2) },
    { "ShipmentDetail", "createdBy", FK (shipment_detail, created_by_id, cms_users_by_id, ANY_BASE ("user:read")) },
    { "ShipmentDetail", "createdOn", COLUMN (shipment_detail, created_on, CONV_DATETIME) },
    { "ShipmentDetail", "removedBy", FK (shipment_detail, removed_by_id, cms_users_by_id, ANY_BASE ("user:read")) },
    { "ShipmentDetail", "removedOn", COLUMN (shipment_detail, removed_on, CONV_DATETIME) },
    { "ShipmentDetail", "lostBy", FK (shipment_detail, lost_by_id, cms_users_by_id, ANY_BASE ("user:read")) },
    { "ShipmentDetail", "lostOn", COLUMN (shipment_detail, lost_on, CONV_DATETIME) },
    { "ShipmentDetail", "receivedBy", FK (shipment_detail, received_by_id, cms_users_by_id, ANY_BASE ("user:read")) },
    { "ShipmentDetail", "receivedOn", COLUMN (shipment_detail, received_on, CONV_DATETIME) },

    //  Shipment ← shipment (readable only from its source or target base)
    { "Shipment", "id", COLUMN (shipment, id, CONV_ID) },
    { "Shipment", "labelIdentifier", { .kind = BIND_COMPUTED, .write = dp_shipment_label,
                                       .needs_mask = BIT (shipment, id) | BIT (shipment, started_on)
                                                   | BIT (shipment, source_base_name)
                                                   | BIT (shipment, target_base_name) } },
    { "Shipment", "sourceBase", FK (shipment, source_base_id, camps_by_id,
                                    EITHER (AUTHZ_PARENT_EITHER_ERROR, "base:read", shipment,
                                            source_base_id, target_base_id)) },
    { "Shipment", "targetBase", FK (shipment, target_base_id, camps_by_id,
                                    EITHER (AUTHZ_PARENT_EITHER_ERROR, "base:read", shipment,
                                            source_base_id, target_base_id)) },
    { "Shipment", "direction", { .kind = BIND_COMPUTED, .write = dp_shipment_direction,
                                 .needs_mask = BIT (shipment, source_base_id) | BIT (shipment, target_base_id) } },
    { "Shipment", "details", { .kind = BIND_REVERSE, .column = COL (shipment, id),
                               .loader = DP_LOADER_shipment_details_by_shipment,
                               ANY_BASE ("shipment_detail:read") } },
    { "Shipment", "state", ENUM_STR (shipment, state, s_shipment_states) },
    { "Shipment", "startedBy", FK (shipment, started_by_id, cms_users_by_id) },
    { "Shipment", "startedOn", COLUMN (shipment, started_on, CONV_DATETIME) },
    { "Shipment", "sentBy", FK (shipment, sent_by_id, cms_users_by_id) },
    { "Shipment", "sentOn", COLUMN (shipment, sent_on, CONV_DATETIME) },
    { "Shipment", "receivingStartedBy", FK (shipment, receiving_started_by_id, cms_users_by_id) },
    { "Shipment", "receivingStartedOn", COLUMN (shipment, receiving_started_on, CONV_DATETIME) },
    { "Shipment", "completedBy", FK (shipment, completed_by_id, cms_users_by_id) },
    { "Shipment", "completedOn", COLUMN (shipment, completed_on, CONV_DATETIME) },
    { "Shipment", "canceledBy", FK (shipment, canceled_by_id, cms_users_by_id) },
    { "Shipment", "canceledOn", COLUMN (shipment, canceled_on, CONV_DATETIME) },

    //  TransferAgreement ← transfer_agreement (its bases through transfer_agreement_detail)
    { "TransferAgreement", "id", COLUMN (transfer_agreement, id, CONV_ID) },
    { "TransferAgreement", "sourceOrganisation", FK (transfer_agreement, source_organisation_id, organisations_by_id) },
    { "TransferAgreement", "targetOrganisation", FK (transfer_agreement, target_organisation_id, organisations_by_id) },
    { "TransferAgreement", "state", ENUM_STR (transfer_agreement, state, s_agreement_states) },
    { "TransferAgreement", "type", ENUM_STR (transfer_agreement, type, s_agreement_types) },
    { "TransferAgreement", "requestedBy", FK (transfer_agreement, requested_by, cms_users_by_id) },
    { "TransferAgreement", "requestedOn", COLUMN (transfer_agreement, requested_on, CONV_DATETIME) },
    { "TransferAgreement", "acceptedBy", FK (transfer_agreement, accepted_by, cms_users_by_id) },
    { "TransferAgreement", "acceptedOn", COLUMN (transfer_agreement, accepted_on, CONV_DATETIME) },
    { "TransferAgreement", "terminatedBy", FK (transfer_agreement, terminated_by, cms_users_by_id) },
    { "TransferAgreement", "terminatedOn", COLUMN (transfer_agreement, terminated_on, CONV_DATETIME) },
    { "TransferAgreement", "validFrom", COLUMN (transfer_agreement, valid_from, CONV_DATETIME) },
    { "TransferAgreement", "validUntil", COLUMN (transfer_agreement, valid_until, CONV_DATETIME) },
    { "TransferAgreement", "comment", COLUMN (transfer_agreement, comment, CONV_STRING) },
    { "TransferAgreement", "sourceBases", { .kind = BIND_THROUGH, .column = COL (transfer_agreement, id),
                                            .loader = DP_LOADER_agreement_bases_by_agreement,
                                            .value_column = COL (agreement_base, source_base_id),
                                            .target_loader = DP_LOADER_camps_by_id,
                                            KEEP (dp_keep_base, BIT (camps, deleted)) } },
    { "TransferAgreement", "targetBases", { .kind = BIND_THROUGH, .column = COL (transfer_agreement, id),
                                            .loader = DP_LOADER_agreement_bases_by_agreement,
                                            .value_column = COL (agreement_base, target_base_id),
                                            .target_loader = DP_LOADER_camps_by_id,
                                            KEEP (dp_keep_base, BIT (camps, deleted)) } },
    { "TransferAgreement", "shipments", { .kind = BIND_REVERSE, .column = COL (transfer_agreement, id),
                                          .loader = DP_LOADER_shipments_by_agreement,
                                          EITHER (AUTHZ_TARGET_EITHER_ERROR, "shipment:read", shipment,
                                                  source_base_id, target_base_id) } },
    { "Shipment", "transferAgreement", FK (shipment, transfer_agreement_id, transfer_agreement_by_id) },

    //  QrCode ← qr
    { "QrCode", "id", COLUMN (qr, id, CONV_ID) },
    { "QrCode", "code", COLUMN (qr, code, CONV_STRING) },
    { "QrCode", "createdOn", COLUMN (qr, created, CONV_DATETIME) },

    //  User ← cms_users
    { "User", "id", COLUMN (cms_users, id, CONV_ID) },
    { "User", "name", COLUMN (cms_users, naam, CONV_STRING) },
    { "User", "email", { .kind = BIND_COMPUTED, .write = dp_user_email_write,
                         .needs_mask = BIT (cms_users, id) | BIT (cms_users, email) } },
    { "User", "organisation", { .kind = BIND_SYNTHETIC, .collect_obj = dp_user_organisation_collect,
                                .children = dp_user_organisation_children, .needs_mask = BIT (cms_users, id) } },
    { "User", "bases", { .kind = BIND_SYNTHETIC, .collect_obj = dp_user_bases_collect,
                         .children = dp_user_bases_children, .write = dp_user_bases_write, .list = true,
                         .needs_mask = BIT (cms_users, id) } },
    { "User", "validFirstDay", COLUMN (cms_users, valid_firstday, CONV_DATE) },
    { "User", "validLastDay", COLUMN (cms_users, valid_lastday, CONV_DATE) },
    { "User", "lastLogin", COLUMN (cms_users, lastlogin, CONV_DATETIME) },
    { "User", "lastAction", COLUMN (cms_users, lastaction, CONV_DATETIME) },

    //  Statistics cubes (issue 17; dp_cube.h): the dimension entry types, then per cube its
    //  root, its *Data object, its facts' fields and its dimension fields.
    { "DimensionInfo", "id", COLUMN (dimension_info, id, CONV_INT) },
    { "DimensionInfo", "name", COLUMN (dimension_info, name, CONV_STRING) },
    { "ProductDimensionInfo", "id", COLUMN (products, id, CONV_INT) },
    { "ProductDimensionInfo", "name", COLUMN (products, name, CONV_STRING) },
    { "ProductDimensionInfo", "gender", ENUM_INT (products, gender_id, dp_enums_genders) },
    { "TagDimensionInfo", "id", COLUMN (tags, id, CONV_INT) },
    { "TagDimensionInfo", "name", COLUMN (tags, label, CONV_STRING) },
    { "TagDimensionInfo", "color", COLUMN (tags, color, CONV_STRING) },
    { "Query", "createdBoxes", DP_CUBE_ROOT_BIND },
    { "CreatedBoxesData", "facts", DP_CUBE_FACTS_BIND },
    { "CreatedBoxesData", "dimensions", DP_CUBE_DIMENSIONS_BIND },
    { "CreatedBoxesResult", "createdOn", COLUMN (created_boxes, created_on, CONV_DATE) },
    { "CreatedBoxesResult", "categoryId", COLUMN (created_boxes, category_id, CONV_INT) },
    { "CreatedBoxesResult", "productId", COLUMN (created_boxes, product_id, CONV_INT) },
    { "CreatedBoxesResult", "gender", ENUM_INT (created_boxes, gender_id, dp_enums_genders) },
    { "CreatedBoxesResult", "tagIds", DP_CUBE_ID_LIST (created_boxes, tag_ids) },
    { "CreatedBoxesResult", "boxesCount", COLUMN (created_boxes, boxes_count, CONV_INT) },
    { "CreatedBoxesResult", "itemsCount", COLUMN (created_boxes, items_count, CONV_INT) },
    { "CreatedBoxDataDimensions", "product", DP_CUBE_DIMENSION_BIND },
    { "CreatedBoxDataDimensions", "category", DP_CUBE_DIMENSION_BIND },
    { "CreatedBoxDataDimensions", "tag", DP_CUBE_DIMENSION_BIND },
    { "TopProductsDimensions", "size", DP_CUBE_DIMENSION_BIND },
    { "TopProductsDimensions", "product", DP_CUBE_DIMENSION_BIND },
    { "TopProductsDimensions", "category", DP_CUBE_DIMENSION_BIND },
    { "Query", "topProductsCheckedOut", DP_CUBE_ROOT_BIND },
    { "TopProductsCheckedOutData", "facts", DP_CUBE_FACTS_BIND },
    { "TopProductsCheckedOutData", "dimensions", DP_CUBE_DIMENSIONS_BIND },
    { "TopProductsCheckedOutResult", "checkedOutOn", COLUMN (top_checked_out, checked_out_on, CONV_DATE) },
    { "TopProductsCheckedOutResult", "productId", COLUMN (top_checked_out, product_id, CONV_INT) },
    { "TopProductsCheckedOutResult", "categoryId", COLUMN (top_checked_out, category_id, CONV_INT) },
    { "TopProductsCheckedOutResult", "rank", COLUMN (top_checked_out, rank, CONV_INT) },
    { "TopProductsCheckedOutResult", "itemsCount", COLUMN (top_checked_out, items_count, CONV_INT) },
    { "Query", "topProductsDonated", DP_CUBE_ROOT_BIND },
    { "TopProductsDonatedData", "facts", DP_CUBE_FACTS_BIND },
    { "TopProductsDonatedData", "dimensions", DP_CUBE_DIMENSIONS_BIND },
    { "TopProductsDonatedResult", "createdOn", COLUMN (top_donated, created_on, CONV_DATE) },
    { "TopProductsDonatedResult", "donatedOn", COLUMN (top_donated, donated_on, CONV_DATE) },
    { "TopProductsDonatedResult", "sizeId", COLUMN (top_donated, size_id, CONV_INT) },
    { "TopProductsDonatedResult", "productId", COLUMN (top_donated, product_id, CONV_INT) },
    { "TopProductsDonatedResult", "categoryId", COLUMN (top_donated, category_id, CONV_INT) },
    { "TopProductsDonatedResult", "rank", COLUMN (top_donated, rank, CONV_INT) },
    { "TopProductsDonatedResult", "itemsCount", COLUMN (top_donated, items_count, CONV_INT) },

    //  Beneficiary statistics (issue 17): two cubes, BeneficiaryFigures (a record) and Metrics.
    { "Query", "beneficiaryFigures", DP_BENEFICIARY_FIGURES_BIND },
    { "Query", "metrics", DP_METRICS_BIND },
    { "Query", "beneficiaryDemographics", DP_CUBE_ROOT_BIND },
    { "Query", "beneficiaryReach", DP_CUBE_ROOT_BIND },
    { "BeneficiaryDemographicsData", "facts", DP_CUBE_FACTS_BIND },
    { "BeneficiaryDemographicsData", "dimensions", DP_CUBE_DIMENSIONS_BIND },
    { "BeneficiaryDemographicsResult", "age", COLUMN (beneficiary_demographics, age, CONV_INT) },
    { "BeneficiaryDemographicsResult", "gender",
      ENUM_STR (beneficiary_demographics, gender, s_human_genders) },
    { "BeneficiaryDemographicsResult", "createdOn", COLUMN (beneficiary_demographics, created_on, CONV_DATE) },
    { "BeneficiaryDemographicsResult", "deletedOn", COLUMN (beneficiary_demographics, deleted_on, CONV_DATE) },
    { "BeneficiaryDemographicsResult", "tagIds", DP_CUBE_ID_LIST (beneficiary_demographics, tag_ids) },
    { "BeneficiaryDemographicsResult", "count", COLUMN (beneficiary_demographics, count, CONV_INT) },
    { "BeneficiaryDemographicsDimensions", "tag", DP_CUBE_DIMENSION_BIND },
    { "BeneficiaryReachData", "facts", DP_CUBE_FACTS_BIND },
    { "BeneficiaryReachData", "dimensions", DP_CUBE_DIMENSIONS_BIND },
    { "BeneficiaryReachResult", "reachedOn", COLUMN (beneficiary_reach, reached_on, CONV_DATE) },
    { "BeneficiaryReachResult", "beneficiaryId", COLUMN (beneficiary_reach, beneficiary_id, CONV_INT) },
    { "BeneficiaryReachResult", "reachType", ENUM_STR (beneficiary_reach, reach_type, s_reach_types) },
    { "BeneficiaryReachResult", "count", COLUMN (beneficiary_reach, count, CONV_INT) },
    { "BeneficiaryReachDimensions", "beneficiary", DP_CUBE_DIMENSION_BIND },
    { "BeneficiaryReachDimensions", "tag", DP_CUBE_DIMENSION_BIND },
    { "BeneficiaryDimensionInfo", "id", COLUMN (dimension_beneficiary, id, CONV_INT) },
    { "BeneficiaryDimensionInfo", "age", COLUMN (dimension_beneficiary, age, CONV_INT) },
    { "BeneficiaryDimensionInfo", "tagIds", DP_CUBE_ID_LIST (dimension_beneficiary, tag_ids) },
    { "BeneficiaryDimensionInfo", "gender", ENUM_STR (dimension_beneficiary, gender, s_human_genders) },
    { "BeneficiaryFigures", "majorFamilyHeadGender", DP_RECORD_FIELD_BIND },
    { "BeneficiaryFigures", "majorFamilyHeadGenderPercentage", DP_RECORD_FIELD_BIND },
    { "BeneficiaryFigures", "averageFamilySize", DP_RECORD_FIELD_BIND },
    { "BeneficiaryFigures", "averageItemsPerVisitPerBeneficiary", DP_RECORD_FIELD_BIND },
    { "BeneficiaryFigures", "averageTotalItemsPerBeneficiary", DP_RECORD_FIELD_BIND },
    { "BeneficiaryFigures", "newRegistrationsLast30Days", DP_RECORD_FIELD_BIND },
    { "BeneficiaryFigures", "percentageWithoutFreeshopVisitLast90Days", DP_RECORD_FIELD_BIND },
    { "Metrics", "numberOfFamiliesServed", DP_METRICS_NUMBER_BIND },
    { "Metrics", "numberOfSales", DP_METRICS_NUMBER_BIND },
    { "Query", "movedBoxes", DP_CUBE_ROOT_BIND },
    { "MovedBoxesData", "facts", DP_CUBE_FACTS_BIND },
    { "MovedBoxesData", "dimensions", DP_CUBE_DIMENSIONS_BIND },
    { "MovedBoxesResult", "movedOn", COLUMN (moved_boxes, moved_on, CONV_DATE) },
    { "MovedBoxesResult", "targetId", COLUMN (moved_boxes, target_id, CONV_STRING) },
    { "MovedBoxesResult", "categoryId", COLUMN (moved_boxes, category_id, CONV_INT) },
    { "MovedBoxesResult", "productName", COLUMN (moved_boxes, product_name, CONV_STRING) },
    { "MovedBoxesResult", "gender", ENUM_INT (moved_boxes, gender_id, dp_enums_genders) },
    { "MovedBoxesResult", "sizeId", COLUMN (moved_boxes, size_id, CONV_INT) },
    { "MovedBoxesResult", "dimensionId", COLUMN (moved_boxes, dimension_id, CONV_INT) },
    { "MovedBoxesResult", "absoluteMeasureValue", COLUMN (moved_boxes, absolute_measure_value, CONV_FLOAT) },
    { "MovedBoxesResult", "organisationName", COLUMN (moved_boxes, organisation_name, CONV_STRING) },
    { "MovedBoxesResult", "tagIds", DP_CUBE_ID_LIST (moved_boxes, tag_ids) },
    { "MovedBoxesResult", "itemsCount", COLUMN (moved_boxes, items_count, CONV_INT) },
    { "MovedBoxesResult", "boxesCount", COLUMN (moved_boxes, boxes_count, CONV_INT) },
    { "MovedBoxDataDimensions", "category", DP_CUBE_DIMENSION_BIND },
    { "MovedBoxDataDimensions", "size", DP_CUBE_DIMENSION_BIND },
    { "MovedBoxDataDimensions", "tag", DP_CUBE_DIMENSION_BIND },
    { "MovedBoxDataDimensions", "target", DP_CUBE_DIMENSION_BIND },
    { "MovedBoxDataDimensions", "dimension", DP_CUBE_DIMENSION_BIND },
    { "TargetDimensionInfo", "id", DP_RECORD_FIELD_BIND },
    { "TargetDimensionInfo", "name", DP_RECORD_FIELD_BIND },
    { "TargetDimensionInfo", "type", DP_RECORD_FIELD_BIND },
    { "TargetDimensionInfo", "deletedOn", DP_RECORD_FIELD_BIND },
    { "Query", "stockOverview", DP_CUBE_ROOT_BIND },
    { "StockOverviewData", "facts", DP_CUBE_FACTS_BIND },
    { "StockOverviewData", "dimensions", DP_CUBE_DIMENSIONS_BIND },
    { "StockOverviewResult", "categoryId", COLUMN (stock_overview, category_id, CONV_INT) },
    { "StockOverviewResult", "productName", COLUMN (stock_overview, product_name, CONV_STRING) },
    { "StockOverviewResult", "gender", ENUM_INT (stock_overview, gender_id, dp_enums_genders) },
    { "StockOverviewResult", "sizeId", COLUMN (stock_overview, size_id, CONV_INT) },
    { "StockOverviewResult", "dimensionId", COLUMN (stock_overview, dimension_id, CONV_INT) },
    { "StockOverviewResult", "absoluteMeasureValue", COLUMN (stock_overview, absolute_measure_value, CONV_FLOAT) },
    { "StockOverviewResult", "tagIds", DP_CUBE_ID_LIST (stock_overview, tag_ids) },
    { "StockOverviewResult", "locationId", COLUMN (stock_overview, location_id, CONV_INT) },
    { "StockOverviewResult", "boxState", ENUM_INT (stock_overview, box_state_id, dp_enums_box_states) },
    { "StockOverviewResult", "itemsCount", COLUMN (stock_overview, items_count, CONV_INT) },
    { "StockOverviewResult", "boxesCount", COLUMN (stock_overview, boxes_count, CONV_INT) },
    { "StockOverviewDataDimensions", "category", DP_CUBE_DIMENSION_BIND },
    { "StockOverviewDataDimensions", "size", DP_CUBE_DIMENSION_BIND },
    { "StockOverviewDataDimensions", "tag", DP_CUBE_DIMENSION_BIND },
    { "StockOverviewDataDimensions", "location", DP_CUBE_DIMENSION_BIND },
    { "StockOverviewDataDimensions", "dimension", DP_CUBE_DIMENSION_BIND },
    //  Shared links (issue 17): createShareableLink and the link it answers (boxtribute
    //  resolves base and createdBy without a permission check).
    { "Mutation", "createShareableLink", DP_MUTATION_BIND (&dp_mut_create_shareable_link) },
    { "InvalidDateError", "date", DP_RECORD_FIELD_BIND },
    { "ShareableLink", "id", COLUMN (shareable_link, id, CONV_ID) },
    { "ShareableLink", "code", COLUMN (shareable_link, code, CONV_STRING) },
    { "ShareableLink", "base", FK (shareable_link, base_id, camps_by_id) },
    { "ShareableLink", "urlParameters", COLUMN (shareable_link, url_parameters, CONV_STRING) },
    { "ShareableLink", "view", ENUM_STR (shareable_link, view, s_shareable_views) },
    { "ShareableLink", "validUntil", COLUMN (shareable_link, valid_until, CONV_DATETIME) },
    { "ShareableLink", "createdOn", COLUMN (shareable_link, created_on, CONV_DATETIME) },
    { "ShareableLink", "createdBy", FK (shareable_link, created_by_id, cms_users_by_id) },
};

//  The concrete type of a location row: locations.type.
static const dp_type_t *s_classic_location;
static const dp_type_t *s_distribution_spot;

static const dp_type_t *
s_location_type (const dp_type_t *abstract, const row_t *row)
{
    const dp_val_t *type = &row->cells [COL (locations, type)];
    if (type->type == DP_VAL_STR && strcmp (type->u.s.ptr, "MapDistroSpot") == 0)
        return s_distribution_spot;
    return s_classic_location;
}

typedef struct {
    const char *type;
    type_binding_t bind;
} type_entry_t;

static const type_entry_t s_types [] = {
    { "Box", { .loader = DP_LOADER_stock_by_id } },
    { "Product", { .loader = DP_LOADER_products_by_id } },
    { "ProductCategory", { .loader = DP_LOADER_product_categories_by_id } },
    { "Size", { .loader = DP_LOADER_sizes_by_id } },
    { "Unit", { .loader = DP_LOADER_units_by_id } },
    { "ClassicLocation", { .loader = DP_LOADER_locations_by_id } },
    { "DistributionSpot", { .loader = DP_LOADER_locations_by_id } },
    { "Location", { .loader = DP_LOADER_locations_by_id, .resolve_type = s_location_type,
                    .type_mask = BIT (locations, type) } },
    { "Base", { .loader = DP_LOADER_camps_by_id } },
    { "Organisation", { .loader = DP_LOADER_organisations_by_id } },
    { "Tag", { .loader = DP_LOADER_tags_by_id } },
    { "ShipmentDetail", { .loader = DP_LOADER_active_shipment_detail_by_box } },
    { "Shipment", { .loader = DP_LOADER_shipment_by_id } },
    { "QrCode", { .loader = DP_LOADER_qr_by_id } },
    { "User", { .loader = DP_LOADER_cms_users_by_id } },
    { "HistoryEntry", { .loader = DP_LOADER_box_history_by_box } },
    { "SizeRange", { .loader = DP_LOADER_sizegroup_by_id } },
    { "TransferAgreement", { .loader = DP_LOADER_transfer_agreement_by_id } },
    { "DistributionEvent", { .loader = DP_LOADER_distro_events_by_id } },
    { "BoxPage", { .synthetic = true } },
    { "ProductPage", { .synthetic = true } },
    { "StandardProduct", { .loader = DP_LOADER_standard_product_by_id } },
    { "StandardProductPage", { .synthetic = true } },
    { "StandardProductAlreadyEnabledForBaseError", { .synthetic = true } },
    { "OutdatedStandardProductVersionError", { .synthetic = true } },
    { "ProductsResult", { .synthetic = true } },
    { "BeneficiaryPage", { .synthetic = true } },
    { "Beneficiary", { .loader = DP_LOADER_people_by_id } },
    { "Transaction", { .loader = DP_LOADER_transactions_by_people } },
    { "InsufficientPermissionError", { .synthetic = true } },
    { "ResourceDoesNotExistError", { .synthetic = true } },
    { "UnauthorizedForBaseError", { .synthetic = true } },
    { "InvalidColorError", { .synthetic = true } },
    { "DeletedTagError", { .synthetic = true } },
    { "EmptyNameError", { .synthetic = true } },
    { "TagsResult", { .synthetic = true } },
    { "BoxesResult", { .synthetic = true } },
    { "BoxesTagsOperationResult", { .synthetic = true } },
    { "TagErrorInfo", { .synthetic = true } },
    { "DeletedLocationError", { .synthetic = true } },
    { "DeletedBaseError", { .synthetic = true } },
    { "InvalidBaseError", { .synthetic = true } },
    { "ProductLocationBaseMismatchError", { .synthetic = true } },
    { "TagBaseMismatchError", { .synthetic = true } },
    { "TagTypeMismatchError", { .synthetic = true } },
    { "BeneficiariesResult", { .synthetic = true } },
    { "InvalidPriceError", { .synthetic = true } },
    { "ProductTypeMismatchError", { .synthetic = true } },
    { "BoxesStillAssignedToProductError", { .synthetic = true } },
    { "PageInfo", { .synthetic = true } },
    { "BeneficiaryFigures", { .synthetic = true } },
    { "Metrics", { .synthetic = true } },
    { "ShareableLink", { .loader = DP_LOADER_shareable_link_by_id } },
    { "InvalidDateError", { .synthetic = true } },
};

//  True when mask names only columns the loader has.
static bool
s_mask_fits (dp_loader_id_t loader, uint64_t mask)
{
    size_t n = dp_catalog_loader (loader)->n_columns;
    return n >= 64 || (mask >> n) == 0;
}

//  Every loader a field reads its target's rows from must answer the
//  target type's column set, since the columns a selection asks for are
//  that set's; and its fixed masks must name columns of their loaders.
//  Returns the first loader that breaks this, or NULL.
static const char *
s_loader_mismatch (const dp_binding_t *bind, const type_binding_t *target)
{
    dp_loader_id_t used [3];
    size_t n_used = 0;
    switch (bind->kind) {
        case BIND_FK:
        case BIND_REVERSE:
            used [n_used++] = bind->loader;
            break;
        case BIND_THROUGH:
            used [n_used++] = bind->target_loader;
            break;
        case BIND_ROOT_LOAD:
            if (bind->key_source == KEYS_ARGUMENT || bind->key_source == KEYS_PERMITTED_BASES)
                used [n_used++] = bind->loader;
            if (bind->key_source != KEYS_ARGUMENT)
                used [n_used++] = bind->all_loader;     //  every row; god's rows
            if (bind->has_loader2)
                used [n_used++] = bind->loader2;
            break;
        default:
            break;
    }
    for (size_t i = 0; i < n_used; i++)
        if (!target || dp_catalog_loader (used [i])->columns != dp_catalog_loader (target->loader)->columns
        ||  !s_mask_fits (used [i], bind->keep_mask))
            return dp_catalog_loader (used [i])->name;
    if (bind->load_mask && !s_mask_fits (bind->loader, bind->load_mask))
        return dp_catalog_loader (bind->loader)->name;
    for (size_t d = 0; d < bind->n_deps; d++)
        if (!s_mask_fits (bind->deps [d].loader, bind->deps [d].mask))
            return dp_catalog_loader (bind->deps [d].loader)->name;
    //  An id-ordered page root: the rows per base and every row (god) alike.
    //  (all_loader 0 is unset: loader 0, stock_by_id, is no "*_all" loader.)
    if (bind->kind == BIND_ROOT && bind->all_loader != 0
    &&  dp_catalog_loader (bind->all_loader)->columns != dp_catalog_loader (bind->loader)->columns)
        return dp_catalog_loader (bind->all_loader)->name;
    return NULL;
}

//  Bind a table of types and fields to schema. partial: skip the types and
//  fields the schema lacks, and the root types (the public schema shares
//  the object types, never the root fields); else each must exist.
static int
s_bind (dp_schema_t *schema, const type_entry_t *types, size_t n_types,
        const field_entry_t *fields, size_t n_fields, bool partial, char *err, size_t err_len)
{
    for (size_t i = 0; i < n_types; i++) {
        dp_type_t *type = dp_schema_type (schema, types [i].type);
        if (!type && partial)
            continue;
        if (!type) {
            snprintf (err, err_len, "mapping names type %s, which the schema lacks", types [i].type);
            return -1;
        }
        type->binding = &types [i].bind;
    }
    for (size_t i = 0; i < n_fields; i++) {
        const field_entry_t *entry = &fields [i];
        dp_type_t *type = dp_schema_type (schema, entry->type);
        dp_field_t *field = type ? dp_type_field (type, entry->field) : NULL;
        if (partial && (!field || type == dp_schema_query_type (schema)))
            continue;
        if (!field) {
            snprintf (err, err_len, "mapping names field %s.%s, which the schema lacks",
                      entry->type, entry->field);
            return -1;
        }
        //  A relation's loaders must answer the target type's column set.
        const dp_binding_t *bind = &entry->bind;
        const dp_type_t *target = dp_type_ref_named (field->type);
        const char *mismatch = s_loader_mismatch (bind, target->binding);
        if (mismatch) {
            snprintf (err, err_len, "mapping of %s.%s: loader %s does not answer the columns of %s",
                      entry->type, entry->field, mismatch, target->name);
            return -1;
        }
        field->binding = bind;
    }
    return 0;
}

//  Report what is not served yet, once (introspection is bound first).
static void
s_report_unbound (dp_schema_t *schema, const char *which)
{
    size_t bound = 0, unbound = 0;
    for (size_t t = 0; t < dp_schema_type_count (schema); t++) {
        dp_type_t *type = dp_schema_type_at (schema, t);
        if (type->kind != DP_TYPE_OBJECT)
            continue;
        for (size_t f = 0; f < type->n_fields; f++)
            if (type->fields [f].binding)
                bound++;
            else
                unbound++;
    }
    dp_debug ("mapping (%s schema): %zu fields bound, %zu not served in this version",
              which, bound, unbound);
}

int
dp_mapping_bind (dp_schema_t *schema, char *err, size_t err_len)
{
    if (s_bind (schema, s_types, N (s_types), s_fields, N (s_fields), false, err, err_len))
        return -1;
    s_classic_location = dp_schema_type (schema, "ClassicLocation");
    s_distribution_spot = dp_schema_type (schema, "DistributionSpot");
    s_report_unbound (schema, "protected");
    return 0;
}

//  -------------------------------------------------------------------------
//  The public schema (schema/public.graphql): its own root fields and the
//  types only it has; the object types it shares with depot.graphql (the
//  data cubes) keep their entries above.

static const type_entry_t s_public_types [] = {
    { "ResolvedLink", { .loader = DP_LOADER_shareable_link_by_id } },
    { "UnknownLinkError", { .synthetic = true } },
    { "ExpiredLinkError", { .synthetic = true } },
    { "StandardProductInfo", { .loader = DP_LOADER_standard_product_info_by_id } },
};

static const field_entry_t s_public_fields [] = {
    { "Query", "resolveLink", { .kind = BIND_ROOT, .collect = dp_public_resolve_link_collect,
                                .children = dp_public_resolve_link_children } },
    { "Query", "standardProducts", { .kind = BIND_ROOT_LOAD, .key_source = KEYS_ALL,
                                     .all_loader = DP_LOADER_standard_product_infos_all } },
    { "UnknownLinkError", "code", DP_RECORD_FIELD_BIND },
    { "ExpiredLinkError", "validUntil", DP_RECORD_FIELD_BIND },
    { "ResolvedLink", "id", COLUMN (shareable_link, id, CONV_ID) },
    { "ResolvedLink", "code", COLUMN (shareable_link, code, CONV_STRING) },
    { "ResolvedLink", "baseName", COLUMN (shareable_link, base_name, CONV_STRING) },
    { "ResolvedLink", "organisationName", COLUMN (shareable_link, organisation_name, CONV_STRING) },
    { "ResolvedLink", "urlParameters", COLUMN (shareable_link, url_parameters, CONV_STRING) },
    { "ResolvedLink", "view", ENUM_STR (shareable_link, view, s_shareable_views) },
    { "ResolvedLink", "validUntil", COLUMN (shareable_link, valid_until, CONV_DATETIME) },
    { "ResolvedLink", "data", DP_LINK_DATA_BIND },
    { "StandardProductInfo", "id", COLUMN (standard_product_info, id, CONV_ID) },
    { "StandardProductInfo", "name", COLUMN (standard_product_info, name, CONV_STRING) },
    { "StandardProductInfo", "categoryName", COLUMN (standard_product_info, category_name, CONV_STRING) },
    { "StandardProductInfo", "sizeRangeName", COLUMN (standard_product_info, size_range_name, CONV_STRING) },
    { "StandardProductInfo", "gender", ENUM_INT (standard_product_info, gender_id, dp_enums_genders) },
    { "StandardProductInfo", "version", COLUMN (standard_product_info, version, CONV_INT) },
    { "Query", "newlyCreatedBoxNumbers", DP_PUBLIC_NUMBERS_BIND },
    { "Query", "newlyRegisteredBeneficiaryNumbers", DP_PUBLIC_NUMBERS_BIND },
    { "Query", "reachedBeneficiariesNumbers", DP_PUBLIC_NUMBERS_BIND },
};

int
dp_mapping_bind_public (dp_schema_t *schema, char *err, size_t err_len)
{
    if (s_bind (schema, s_types, N (s_types), s_fields, N (s_fields), true, err, err_len)
    ||  s_bind (schema, s_public_types, N (s_public_types), s_public_fields, N (s_public_fields),
                false, err, err_len))
        return -1;
    s_report_unbound (schema, "public");
    return 0;
}
