/*  =========================================================================
    dp_catalog - the loaders and root queries db-svc serves: the wire contract

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Resolvers ask db-svc for rows by loader id (LOAD: keys in, rows out) or
    by root-query id (QUERY: typed arguments in, rows out). This header is
    the only thing the two sides share: loader ids, and for each loader the
    ordered list of columns it can return, with their wire types. A request
    selects columns with a bit mask (bit i = column i), so no SQL and no
    column names travel between services.
@discuss
    Every result row starts with the key the row answers (LOAD) or the
    row's id (QUERY), followed by the requested columns in catalog order.
    The SQL for each loader lives only in db-svc (dp_sql_catalog.c); the
    meaning of each column for GraphQL lives only in resolver-svc's mapping
    table. Adding a column = one line here, one in each of those.

    Column types on the wire:
      INT       msgpack int (or nil)
      STR       msgpack str (or nil)
      FLOAT     msgpack float64 (DECIMAL columns; or nil)
      DATETIME  msgpack str "YYYY-MM-DDTHH:MM:SS+00:00", nil for NULL and
                for MySQL's zero date (API.md section 4)
      DATE      msgpack str "YYYY-MM-DD", nil for NULL and zero dates
@end
*/
#ifndef DP_CATALOG_H_INCLUDED
#define DP_CATALOG_H_INCLUDED

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

typedef enum {
    DP_COLTYPE_INT,
    DP_COLTYPE_STR,
    DP_COLTYPE_FLOAT,
    DP_COLTYPE_DATETIME,
    DP_COLTYPE_DATE
} dp_coltype_t;

//  Columns of each loader: C(loader, column, type). Order is the wire order
//  and must never be changed for a released protocol version, only appended.
//  stock's last four are computed, for filters and access checks of lists
//  that load whole locations or tags: the base of the box's location, its
//  product's gender and category, and the ids of the tags assigned to it
//  (comma-separated, ascending; NULL when none).
#define DP_COLUMNS_stock(C) \
    C(stock, id, INT) C(stock, box_id, STR) C(stock, product_id, INT) \
    C(stock, size_id, INT) C(stock, weight_display_unit_id, INT) \
    C(stock, weight, FLOAT) C(stock, monetary_value, FLOAT) \
    C(stock, display_unit_id, INT) C(stock, measure_value, FLOAT) \
    C(stock, items, INT) C(stock, location_id, INT) C(stock, distro_event_id, INT) \
    C(stock, qr_id, INT) C(stock, comments, STR) C(stock, created, DATETIME) \
    C(stock, created_by, INT) C(stock, modified, DATETIME) C(stock, modified_by, INT) \
    C(stock, deleted, DATETIME) C(stock, box_state_id, INT) C(stock, source_box_id, INT) \
    C(stock, base_id, INT) C(stock, product_gender_id, INT) C(stock, product_category_id, INT) \
    C(stock, tag_ids, STR)

#define DP_COLUMNS_products(C) \
    C(products, id, INT) C(products, name, STR) C(products, category_id, INT) \
    C(products, gender_id, INT) C(products, sizegroup_id, INT) C(products, camp_id, INT) \
    C(products, value, INT) C(products, created, DATETIME) C(products, created_by, INT) \
    C(products, modified, DATETIME) C(products, modified_by, INT) \
    C(products, stockincontainer, INT) C(products, comments, STR) \
    C(products, deleted, DATETIME) C(products, standard_product_id, INT)

#define DP_COLUMNS_product_categories(C) \
    C(product_categories, id, INT) C(product_categories, label, STR) \
    C(product_categories, seq, INT) C(product_categories, parent_id, INT)

#define DP_COLUMNS_sizes(C) \
    C(sizes, id, INT) C(sizes, label, STR)

#define DP_COLUMNS_units(C) \
    C(units, id, INT) C(units, name, STR) C(units, symbol, STR) \
    C(units, conversion_factor, FLOAT) C(units, dimension_id, INT)

#define DP_COLUMNS_locations(C) \
    C(locations, id, INT) C(locations, label, STR) C(locations, camp_id, INT) \
    C(locations, seq, INT) C(locations, created, DATETIME) C(locations, created_by, INT) \
    C(locations, modified, DATETIME) C(locations, modified_by, INT) \
    C(locations, visible, INT) C(locations, container_stock, INT) \
    C(locations, is_market, INT) C(locations, is_donated, INT) C(locations, is_lost, INT) \
    C(locations, type, STR) C(locations, deleted, DATETIME) C(locations, box_state_id, INT) \
    C(locations, latitude, FLOAT) C(locations, longitude, FLOAT) C(locations, description, STR)

#define DP_COLUMNS_camps(C) \
    C(camps, id, INT) C(camps, name, STR) C(camps, organisation_id, INT) \
    C(camps, deleted, DATETIME) C(camps, monetary_currency_code, STR) \
    C(camps, currencyname, STR) C(camps, seq, INT)

#define DP_COLUMNS_organisations(C) \
    C(organisations, id, INT) C(organisations, label, STR) C(organisations, deleted, DATETIME)

#define DP_COLUMNS_qr(C) \
    C(qr, id, INT) C(qr, code, STR) C(qr, created, DATETIME) C(qr, legacy, INT)

#define DP_COLUMNS_cms_users(C) \
    C(cms_users, id, INT) C(cms_users, naam, STR) C(cms_users, email, STR) \
    C(cms_users, lastlogin, DATETIME) C(cms_users, lastaction, DATETIME) \
    C(cms_users, valid_firstday, DATE) C(cms_users, valid_lastday, DATE) \
    C(cms_users, deleted, DATETIME)

#define DP_COLUMNS_shipment(C) \
    C(shipment, id, INT) C(shipment, source_base_id, INT) C(shipment, target_base_id, INT) \
    C(shipment, transfer_agreement_id, INT) C(shipment, state, STR) \
    C(shipment, started_on, DATETIME) C(shipment, started_by_id, INT) \
    C(shipment, canceled_on, DATETIME) C(shipment, canceled_by_id, INT) \
    C(shipment, sent_on, DATETIME) C(shipment, sent_by_id, INT) \
    C(shipment, receiving_started_on, DATETIME) C(shipment, receiving_started_by_id, INT) \
    C(shipment, completed_on, DATETIME) C(shipment, completed_by_id, INT) \
    C(shipment, source_base_name, STR) C(shipment, target_base_name, STR)

//  (shipment's last two columns are its bases' names, joined in SQL: the
//  label needs them, and asking for them with the shipment saves a wave.)

//  shipment_detail rows; the loader keyed by box returns only the active
//  detail of each box (removed_on, lost_on and received_on all NULL).
//  A shipment detail; the last two are its shipment's bases (computed),
//  which decide who may read the products, locations and box it names.
#define DP_COLUMNS_shipment_detail(C) \
    C(shipment_detail, id, INT) C(shipment_detail, shipment_id, INT) \
    C(shipment_detail, box_id, INT) C(shipment_detail, source_product_id, INT) \
    C(shipment_detail, target_product_id, INT) C(shipment_detail, source_quantity, INT) \
    C(shipment_detail, target_quantity, INT) C(shipment_detail, source_size_id, INT) \
    C(shipment_detail, target_size_id, INT) C(shipment_detail, source_location_id, INT) \
    C(shipment_detail, target_location_id, INT) C(shipment_detail, created_on, DATETIME) \
    C(shipment_detail, created_by_id, INT) C(shipment_detail, lost_on, DATETIME) \
    C(shipment_detail, lost_by_id, INT) C(shipment_detail, received_on, DATETIME) \
    C(shipment_detail, received_by_id, INT) C(shipment_detail, removed_on, DATETIME) \
    C(shipment_detail, removed_by_id, INT) C(shipment_detail, source_base_id, INT) \
    C(shipment_detail, target_base_id, INT)

//  tags rows (tags_for_box returns these columns for every non-deleted tag
//  assigned to a box, one row per (box, tag), ordered by box then tag id).
#define DP_COLUMNS_tags(C) \
    C(tags, id, INT) C(tags, label, STR) C(tags, color, STR) C(tags, camp_id, INT) \
    C(tags, deleted, DATETIME) C(tags, created, DATETIME) C(tags, created_by, INT) \
    C(tags, modified, DATETIME) C(tags, modified_by, INT) C(tags, description, STR) \
    C(tags, type, STR) C(tags, seq, INT) C(tags, last_used_on, DATETIME)

//  (tags.last_used_on is computed: the newest assignment of the tag.)

//  One row per tag id: the newest tags_relations.created_on of that tag.
#define DP_COLUMNS_tag_last_used(C) \
    C(tag_last_used, tag_id, INT) C(tag_last_used, last_used_on, DATETIME)

//  Who may see a box: its id and the base and organisation it is in (the
//  error objects of QrCode.box name the base), its state, and the bases of
//  the shipment it travels in (its detail not removed or received), which
//  may also see it while it is InTransit, Receiving or NotDelivered.
#define DP_COLUMNS_box_access(C) \
    C(box_access, stock_id, INT) C(box_access, base_id, INT) \
    C(box_access, base_name, STR) C(box_access, organisation_name, STR) \
    C(box_access, box_state_id, INT) C(box_access, shipment_source_base_id, INT) \
    C(box_access, shipment_target_base_id, INT)

//  A box's history: change rows of `history`, tag assignments and removals
//  (box_history_by_box), in no particular order; its rows always carry every
//  column (the SQL is one UNION). `message` is the readable text, except
//  where it names a location, product, size, unit or tag: then it is nil and
//  `label_kind` (1 location, 2 product, 3 size, 4 unit, 5 tag) says which
//  rows `from_id` and `to_id` name (a tag's: `from_id`). The reader orders
//  them newest first: `sort_date` (the date as MariaDB compares it, nil
//  lowest) descending, then `kind` (0 history, 1 assignment, 2 removal),
//  then `ord`.
#define DP_COLUMNS_history_entry(C) \
    C(history_entry, entry_id, STR) C(history_entry, change_date, DATETIME) \
    C(history_entry, user_id, INT) C(history_entry, message, STR) \
    C(history_entry, label_kind, INT) C(history_entry, from_id, INT) \
    C(history_entry, to_id, INT) C(history_entry, sort_date, STR) \
    C(history_entry, kind, INT) C(history_entry, ord, INT)

//  Item counts of a product's boxes that are not deleted: in stock
//  (InStock) and in transfer (MarkedForShipment, InTransit, Receiving).
#define DP_COLUMNS_product_counts(C) \
    C(product_counts, product_id, INT) C(product_counts, instock_items, INT) \
    C(product_counts, transfer_items, INT)

//  A base's boxes in stock that are not deleted: how many, and their items.
#define DP_COLUMNS_base_counts(C) \
    C(base_counts, base_id, INT) C(base_counts, instock_boxes, INT) \
    C(base_counts, instock_items, INT)

#define DP_COLUMNS_sizegroup(C) \
    C(sizegroup, id, INT) C(sizegroup, label, STR) C(sizegroup, seq, INT)

//  A box's tag assignments (not removed): which tag.
#define DP_COLUMNS_tag_link(C) \
    C(tag_link, tag_id, INT)

#define DP_COLUMNS_transfer_agreement(C) \
    C(transfer_agreement, id, INT) C(transfer_agreement, source_organisation_id, INT) \
    C(transfer_agreement, target_organisation_id, INT) C(transfer_agreement, state, STR) \
    C(transfer_agreement, type, STR) C(transfer_agreement, requested_on, DATETIME) \
    C(transfer_agreement, requested_by, INT) C(transfer_agreement, accepted_on, DATETIME) \
    C(transfer_agreement, accepted_by, INT) C(transfer_agreement, terminated_on, DATETIME) \
    C(transfer_agreement, terminated_by, INT) C(transfer_agreement, valid_from, DATETIME) \
    C(transfer_agreement, valid_until, DATETIME) C(transfer_agreement, comment, STR)

//  The bases an agreement links (transfer_agreement_detail rows).
#define DP_COLUMNS_agreement_base(C) \
    C(agreement_base, source_base_id, INT) C(agreement_base, target_base_id, INT)
//  Beneficiaries (people rows). The last two columns are computed: active
//  (deleted is NULL or the zero date) and registered (notregistered = 0).
#define DP_COLUMNS_people(C) \
    C(people, id, INT) C(people, firstname, STR) C(people, lastname, STR) \
    C(people, date_of_birth, DATE) C(people, comments, STR) C(people, camp_id, INT) \
    C(people, container, STR) C(people, gender, STR) C(people, parent_id, INT) \
    C(people, deleted, DATETIME) C(people, volunteer, INT) C(people, approvalsigned, INT) \
    C(people, phone, STR) C(people, signaturefield, STR) C(people, date_of_signature, DATE) \
    C(people, created, DATETIME) C(people, created_by, INT) C(people, modified, DATETIME) \
    C(people, modified_by, INT) C(people, active, INT) C(people, registered, INT)

//  One row per beneficiary: the ids of the languages they speak, ascending,
//  comma-separated (computed from x_people_languages).
#define DP_COLUMNS_people_languages(C) \
    C(people_languages, people_id, INT) C(people_languages, language_ids, STR)

//  One row per beneficiary with transactions: the sum of their drops.
#define DP_COLUMNS_people_tokens(C) \
    C(people_tokens, people_id, INT) C(people_tokens, tokens, INT)

//  Free-shop transactions (drops are the tokens). When and by whom are
//  transaction_date and user_id: dropapp never fills created/created_by.
#define DP_COLUMNS_transactions(C) \
    C(transactions, id, INT) C(transactions, people_id, INT) C(transactions, product_id, INT) \
    C(transactions, count, INT) C(transactions, description, STR) C(transactions, drops, INT) \
    C(transactions, transaction_date, DATETIME) C(transactions, user_id, INT)

//  Distribution events (mobile distribution), at a distribution spot.
#define DP_COLUMNS_distro_events(C) \
    C(distro_events, id, INT) C(distro_events, name, STR) \
    C(distro_events, planned_start_date_time, DATETIME) \
    C(distro_events, planned_end_date_time, DATETIME) C(distro_events, location_id, INT) \
    C(distro_events, state, STR) C(distro_events, deleted_on, DATETIME)

//  Standard products (the catalogue bases enable products from). The last
//  column is computed: the product instantiating it in the base the rows
//  were loaded for (standard_products_by_base), NULL from other loaders.
#define DP_COLUMNS_standard_product(C) \
    C(standard_product, id, INT) C(standard_product, name, STR) \
    C(standard_product, category_id, INT) C(standard_product, gender_id, INT) \
    C(standard_product, size_range_id, INT) C(standard_product, version, INT) \
    C(standard_product, added_on, DATETIME) C(standard_product, added_by, INT) \
    C(standard_product, deprecated_on, DATETIME) C(standard_product, deprecated_by, INT) \
    C(standard_product, preceded_by_product_id, INT) \
    C(standard_product, superceded_by_product_id, INT) \
    C(standard_product, instantiation_id, INT)

//  A base's name and its organisation's (UnauthorizedForBaseError).
#define DP_COLUMNS_base_names(C) \
    C(base_names, base_id, INT) C(base_names, name, STR) C(base_names, organisation_name, STR)

//  Shared links (shareable_link rows), with the names of their base and its
//  organisation and whether the link is past its validity (computed:
//  valid_until before UTC now; 0 for a NULL valid_until).
#define DP_COLUMNS_shareable_link(C) \
    C(shareable_link, id, INT) C(shareable_link, code, STR) \
    C(shareable_link, valid_until, DATETIME) C(shareable_link, view, STR) \
    C(shareable_link, base_id, INT) C(shareable_link, url_parameters, STR) \
    C(shareable_link, created_on, DATETIME) C(shareable_link, created_by_id, INT) \
    C(shareable_link, base_name, STR) C(shareable_link, organisation_name, STR) \
    C(shareable_link, expired, INT)

//  The public standardProducts: a standard product with its category's and
//  size range's names.
#define DP_COLUMNS_standard_product_info(C) \
    C(standard_product_info, id, INT) C(standard_product_info, name, STR) \
    C(standard_product_info, category_name, STR) C(standard_product_info, size_range_name, STR) \
    C(standard_product_info, gender_id, INT) C(standard_product_info, version, INT)

//  Statistics (issue 17). A cube's facts are the rows of its QUERY, which
//  answers every column of its set (the mask must name them all): rows are
//  [0, columns...]. Dates are DATE; tag_ids is a comma list of tag ids,
//  ascending (NULL: none). resolver-svc/dp_cube.h serves them.
#define DP_COLUMNS_created_boxes(C) \
    C(created_boxes, created_on, DATE) C(created_boxes, category_id, INT) \
    C(created_boxes, product_id, INT) C(created_boxes, gender_id, INT) \
    C(created_boxes, tag_ids, STR) C(created_boxes, boxes_count, INT) \
    C(created_boxes, items_count, INT)

#define DP_COLUMNS_top_checked_out(C) \
    C(top_checked_out, checked_out_on, DATE) C(top_checked_out, product_id, INT) \
    C(top_checked_out, category_id, INT) C(top_checked_out, rank, INT) \
    C(top_checked_out, items_count, INT)

#define DP_COLUMNS_top_donated(C) \
    C(top_donated, created_on, DATE) C(top_donated, donated_on, DATE) \
    C(top_donated, size_id, INT) C(top_donated, product_id, INT) \
    C(top_donated, category_id, INT) C(top_donated, rank, INT) \
    C(top_donated, items_count, INT)

//  A cube's dimension entry of an id and a name (DimensionInfo): a
//  category, size, location or size range.
#define DP_COLUMNS_dimension_info(C) \
    C(dimension_info, id, INT) C(dimension_info, name, STR)

//  Beneficiary statistics (issue 17, s17-benef). beneficiaryDemographics'
//  facts: a base's beneficiaries counted by gender ('' reads as 'D'), age
//  (NULL without a birth date), creation and deletion day and current tags.
#define DP_COLUMNS_beneficiary_demographics(C) \
    C(beneficiary_demographics, gender, STR) C(beneficiary_demographics, age, INT) \
    C(beneficiary_demographics, created_on, DATE) C(beneficiary_demographics, deleted_on, DATE) \
    C(beneficiary_demographics, tag_ids, STR) C(beneficiary_demographics, count, INT)

//  beneficiaryReach's facts: interactions of one kind (reach_type, the
//  BeneficiaryReachType name) with one beneficiary on one day; the last
//  column is the beneficiary's current tags, for the tag dimension.
#define DP_COLUMNS_beneficiary_reach(C) \
    C(beneficiary_reach, reached_on, DATE) C(beneficiary_reach, beneficiary_id, INT) \
    C(beneficiary_reach, reach_type, STR) C(beneficiary_reach, count, INT) \
    C(beneficiary_reach, beneficiary_tag_ids, STR)

//  A beneficiary as a cube dimension (BeneficiaryDimensionInfo).
#define DP_COLUMNS_dimension_beneficiary(C) \
    C(dimension_beneficiary, id, INT) C(dimension_beneficiary, age, INT) \
    C(dimension_beneficiary, gender, STR) C(dimension_beneficiary, tag_ids, STR)

//  beneficiaryFigures' counts, one row: the base's beneficiaries, its family
//  heads by gender, checkout visits' items (DECIMAL averages, as boxtribute's
//  SQL), heads without a checkout in 90 days, registrations in 30 days.
#define DP_COLUMNS_beneficiary_figures(C) \
    C(beneficiary_figures, beneficiaries, INT) C(beneficiary_figures, male_heads, INT) \
    C(beneficiary_figures, female_heads, INT) C(beneficiary_figures, diverse_heads, INT) \
    C(beneficiary_figures, items_per_visit, FLOAT) C(beneficiary_figures, items_per_visitor, FLOAT) \
    C(beneficiary_figures, heads_without_recent_visit, INT) \
    C(beneficiary_figures, new_registrations, INT)

//  A metric of an organisation: one row of one INT.
#define DP_COLUMNS_metric(C) \
    C(metric, number, INT)

//  movedBoxes facts (db-svc/dp_sql_moved_boxes.h): rows [0, every column].
//  target_id is a location id, "Deleted", a box state's label, or
//  "going-to-"/"sent-from-" and the other base's name; target_name and
//  target_deleted_on (locations only) make the target dimension.
#define DP_COLUMNS_moved_boxes(C) \
    C(moved_boxes, moved_on, DATE) C(moved_boxes, category_id, INT) \
    C(moved_boxes, product_name, STR) C(moved_boxes, gender_id, INT) \
    C(moved_boxes, size_id, INT) C(moved_boxes, absolute_measure_value, FLOAT) \
    C(moved_boxes, dimension_id, INT) C(moved_boxes, tag_ids, STR) \
    C(moved_boxes, target_id, STR) C(moved_boxes, target_type, STR) \
    C(moved_boxes, organisation_name, STR) C(moved_boxes, target_name, STR) \
    C(moved_boxes, target_deleted_on, DATE) C(moved_boxes, boxes_count, INT) \
    C(moved_boxes, items_count, INT)

//  stockOverview facts (db-svc/dp_sql_stock_overview.h): rows [0, every column].
#define DP_COLUMNS_stock_overview(C) \
    C(stock_overview, size_id, INT) C(stock_overview, location_id, INT) \
    C(stock_overview, box_state_id, INT) C(stock_overview, category_id, INT) \
    C(stock_overview, product_name, STR) C(stock_overview, absolute_measure_value, FLOAT) \
    C(stock_overview, dimension_id, INT) C(stock_overview, gender_id, INT) \
    C(stock_overview, tag_ids, STR) C(stock_overview, boxes_count, INT) \
    C(stock_overview, items_count, INT)

//  The public endpoint's organisation-wide totals (newlyCreatedBoxNumbers,
//  ...): SCALAR queries answering one row of one INT, the number.
#define DP_COLUMNS_public_number(C) \
    C(public_number, number, INT)

//  A loader: L(name, columns, key) where key says what the LOAD keys are.
//  Every LOAD result row is [key, requested columns...]. A loader keyed by
//  the constant 0 ("*_all") answers a whole small table under the key 0:
//  the DataLoader form of "every row", with no SQL text on the wire.
//  *_by_<parent> loaders answer every row of a parent (deleted ones too:
//  the resolver filters, as its arguments say), ordered by id.
#define DP_LOADER_LIST(L) \
    L(stock_by_id,            stock,              "stock.id") \
    L(products_by_id,         products,           "products.id") \
    L(product_categories_by_id, product_categories, "product_categories.id") \
    L(sizes_by_id,            sizes,              "sizes.id") \
    L(units_by_id,            units,              "units.id") \
    L(locations_by_id,        locations,          "locations.id") \
    L(camps_by_id,            camps,              "camps.id") \
    L(organisations_by_id,    organisations,      "organisations.id") \
    L(qr_by_id,               qr,                 "qr.id") \
    L(cms_users_by_id,        cms_users,          "cms_users.id") \
    L(shipment_by_id,         shipment,           "shipment.id") \
    L(active_shipment_detail_by_box, shipment_detail, "shipment_detail.box_id") \
    L(tags_by_box,            tags,               "tags_relations.object_id (Stock)") \
    L(tag_last_used_by_tag,   tag_last_used,      "tags_relations.tag_id") \
    L(tags_by_id,             tags,               "tags.id") \
    L(camps_all,              camps,              "0: every base") \
    L(camps_by_organisation,  camps,              "camps.organisation_id") \
    L(organisations_all,      organisations,      "0: every organisation not deleted") \
    L(product_categories_all, product_categories, "0: every category") \
    L(locations_by_base,      locations,          "locations.camp_id") \
    L(tags_by_base,           tags,               "tags.camp_id") \
    L(locations_all,          locations,          "0: every location") \
    L(tags_all,               tags,               "0: every tag") \
    L(products_by_base,       products,           "products.camp_id") \
    L(stock_by_qr,            stock,              "stock.qr_id") \
    L(box_access_by_qr,       box_access,         "stock.qr_id") \
    L(box_access_by_box,      box_access,         "stock.id") \
    L(box_history_by_box,     history_entry,      "history.record_id (stock)") \
    L(shipments_by_source_base, shipment,         "shipment.source_base_id") \
    L(shipments_by_target_base, shipment,         "shipment.target_base_id") \
    L(shipment_details_by_shipment, shipment_detail, "shipment_detail.shipment_id") \
    L(shipments_all,          shipment,           "0: every shipment") \
    L(product_counts_by_product, product_counts,  "stock.product_id") \
    L(base_counts_by_base,    base_counts,        "locations.camp_id") \
    L(sizegroup_by_id,        sizegroup,          "sizegroup.id") \
    L(sizegroups_all,         sizegroup,          "0: every size range") \
    L(sizes_by_sizegroup,     sizes,              "sizes_sizegroup.sizegroup_id (ordered by seq)") \
    L(units_by_dimension,     units,              "units.dimension_id") \
    L(tag_links_by_box,       tag_link,           "tags_relations.object_id (Stock)") \
    L(products_all,           products,           "0: every product") \
    L(transfer_agreement_by_id, transfer_agreement, "transfer_agreement.id") \
    L(agreements_by_source_base, transfer_agreement, "transfer_agreement_detail.source_base_id") \
    L(agreements_by_target_base, transfer_agreement, "transfer_agreement_detail.target_base_id") \
    L(agreements_all,         transfer_agreement, "0: every agreement") \
    L(agreement_bases_by_agreement, agreement_base, "transfer_agreement_detail.transfer_agreement_id") \
    L(shipments_by_agreement, shipment,           "shipment.transfer_agreement_id") \
    L(cms_users_all,          cms_users,          "0: every user") \
    L(distro_events_by_id,    distro_events,      "distro_events.id") \
    L(distro_events_by_base,  distro_events,      "locations.camp_id (of the event's spot)") \
    L(distro_events_by_location, distro_events,   "distro_events.location_id") \
    L(stock_by_distro_event,  stock,              "stock.distro_event_id") \
    L(people_by_id,           people,             "people.id") \
    L(people_by_base,         people,             "people.camp_id") \
    L(people_all,             people,             "0: every beneficiary") \
    L(people_languages_by_people, people_languages, "x_people_languages.people_id") \
    L(people_tokens_by_people, people_tokens,     "transactions.people_id") \
    L(transactions_by_people, transactions,       "transactions.people_id") \
    L(tag_links_by_people,    tag_link,           "tags_relations.object_id (People)") \
    L(stock_by_location,      stock,              "stock.location_id (deleted boxes too)") \
    L(products_by_category,   products,           "products.category_id") \
    L(stock_by_tag,           stock,              "tags_relations.tag_id (Stock, not removed)") \
    L(people_by_tag,          people,             "tags_relations.tag_id (People, not removed)") \
    L(auto_matching_product_by_detail, products,  "shipment_detail.id: a product of the target base, same standard product") \
    L(standard_product_by_id, standard_product,   "standard_product.id") \
    L(standard_products_latest, standard_product, "0: every standard product of the newest version") \
    L(standard_products_by_base, standard_product, "camps.id: the newest version and those enabled in the base") \
    L(base_names_by_id,       base_names,         "camps.id") \
    L(dimension_categories_all, dimension_info,   "0: every product category") \
    L(dimension_sizes_by_id,  dimension_info,     "sizes.id") \
    L(dimension_locations_by_id, dimension_info,  "locations.id") \
    L(dimension_size_ranges_by_id, dimension_info, "sizegroup.id") \
    L(accepted_agreement_bases_by_base, agreement_base, "camps.id: the details of Accepted agreements naming the base on either side") \
    L(dimension_beneficiaries_by_id, dimension_beneficiary, "people.id") \
    L(shareable_link_by_id,   shareable_link,     "shareable_link.id") \
    L(standard_product_infos_all, standard_product_info, "0: every standard product, every version") \
    L(standard_product_info_by_id, standard_product_info, "standard_product.id") \
    L(shipments_by_base,      shipment,           "camps.id: the shipments naming the base on either side")

//  Root queries: Q(name, columns). Arguments are positional typed values,
//  documented in proto/README.md.
//  boxes_page rows are [id, requested stock columns...]; boxes_count and
//  boxes_has_previous answer one row of one INT cell (the count; 0 or 1).
//  box_by_label [label:str], qr_by_code [code:str] and shareable_link_by_code
//  [code:str] answer at most one row [id, requested columns...]: lookups by
//  a string key.
#define DP_QUERY_LIST(Q) \
    Q(boxes_page,         stock) \
    Q(boxes_count,        stock) \
    Q(boxes_has_previous, stock) \
    Q(box_by_label,       stock) \
    Q(qr_by_code,         qr) \
    Q(created_boxes,      created_boxes) \
    Q(top_products_checked_out, top_checked_out) \
    Q(top_products_donated, top_donated) \
    Q(beneficiary_demographics, beneficiary_demographics) \
    Q(beneficiary_reach,  beneficiary_reach) \
    Q(beneficiary_figures, beneficiary_figures) \
    Q(families_served,    metric) \
    Q(number_of_sales,    metric) \
    Q(moved_boxes,        moved_boxes) \
    Q(stock_overview,     stock_overview) \
    Q(shareable_link_by_code, shareable_link) \
    Q(boxes_created_between, public_number) \
    Q(beneficiaries_registered_between, public_number) \
    Q(beneficiaries_reached_between, public_number)

//  Enumerations generated from the lists above.
#define DP_CAT_COL_ENUM(loader, col, type) DP_COL_##loader##_##col,
#define DP_CAT_COL_ENUM_BLOCK(cols) enum { cols(DP_CAT_COL_ENUM) };
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_stock)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_products)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_product_categories)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_sizes)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_units)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_locations)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_camps)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_organisations)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_qr)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_cms_users)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_shipment)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_shipment_detail)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_tags)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_tag_last_used)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_box_access)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_history_entry)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_product_counts)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_base_counts)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_sizegroup)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_tag_link)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_transfer_agreement)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_agreement_base)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_distro_events)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_people)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_people_languages)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_people_tokens)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_transactions)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_standard_product)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_base_names)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_shareable_link)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_standard_product_info)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_created_boxes)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_top_checked_out)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_top_donated)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_dimension_info)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_beneficiary_demographics)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_beneficiary_reach)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_dimension_beneficiary)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_beneficiary_figures)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_metric)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_moved_boxes)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_stock_overview)
DP_CAT_COL_ENUM_BLOCK (DP_COLUMNS_public_number)

#define DP_CAT_LOADER_ENUM(name, cols, key) DP_LOADER_##name,
typedef enum { DP_LOADER_LIST (DP_CAT_LOADER_ENUM) DP_LOADER_COUNT } dp_loader_id_t;

#define DP_CAT_QUERY_ENUM(name, cols) DP_QUERY_##name,
typedef enum { DP_QUERY_LIST (DP_CAT_QUERY_ENUM) DP_QUERY_COUNT } dp_query_id_t;

//  A column set: which columns a request wants.
typedef struct {
    const char *name;           //  column name as in the catalog
    dp_coltype_t type;
} dp_catalog_column_t;

typedef struct {
    const char *name;           //  loader or query name
    const char *table;          //  the column set's name (e.g. "stock")
    const dp_catalog_column_t *columns;
    size_t n_columns;
} dp_catalog_entry_t;

//  Returns a borrowed pointer to the static description of a loader, or
//  NULL when id is out of range (wire input is hostile).
const dp_catalog_entry_t *dp_catalog_loader (uint32_t id);

//  Same for a root query.
const dp_catalog_entry_t *dp_catalog_query (uint32_t id);

void dp_catalog_test (bool verbose);

#endif
