/*  =========================================================================
    dp_tables - the tables a transaction's STMT may write: the wire contract

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    STMT (proto/README.md, section 4) names a table by its id here and its
    columns by a bit mask over this header's column list (bit i = column i),
    so no SQL text, table name or column name crosses the wire: db-svc
    builds the statement from these lists alone (db-svc/dp_sql_tables.c).
@discuss
    The columns are the tables' real ones, named and ordered as in
    db/ddl.sql, which are boxtribute's (depot_idempotency: Depot's own,
    db/idempotency.sql) (checked against its dump); their
    wire types are dp_catalog.h's: INT, STR, FLOAT (DECIMAL and FLOAT
    columns), DATETIME (an argument is str "YYYY-MM-DD HH:MM:SS" in UTC; a
    SELECT cell comes back as ROWS cells do, "YYYY-MM-DDTHH:MM:SS+00:00").
    Tables and columns are only ever appended, never reordered, within a
    protocol version.
@end
*/
#ifndef DP_TABLES_H_INCLUDED
#define DP_TABLES_H_INCLUDED

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "dp_catalog.h"

//  Columns of each table: C(table, column, type), in wire order.
#define DP_TABLE_COLUMNS_stock(C) \
    C(stock, id, INT) C(stock, box_id, STR) C(stock, product_id, INT) \
    C(stock, size_id, INT) C(stock, weight_display_unit_id, INT) \
    C(stock, weight, FLOAT) C(stock, monetary_value, FLOAT) \
    C(stock, display_unit_id, INT) C(stock, measure_value, FLOAT) \
    C(stock, items, INT) C(stock, location_id, INT) C(stock, distro_event_id, INT) \
    C(stock, qr_id, INT) C(stock, comments, STR) C(stock, created, DATETIME) \
    C(stock, created_by, INT) C(stock, modified, DATETIME) C(stock, modified_by, INT) \
    C(stock, deleted, DATETIME) C(stock, box_state_id, INT) C(stock, source_box_id, INT)

//  One row per changed field of a record (boxtribute's history encodings:
//  resolver-svc/dp_history.h).
#define DP_TABLE_COLUMNS_history(C) \
    C(history, id, INT) C(history, tablename, STR) C(history, record_id, INT) \
    C(history, changes, STR) C(history, user_id, INT) C(history, ip, STR) \
    C(history, changedate, DATETIME) C(history, from_int, INT) C(history, to_int, INT) \
    C(history, from_float, FLOAT) C(history, to_float, FLOAT)

#define DP_TABLE_COLUMNS_tags(C) \
    C(tags, id, INT) C(tags, label, STR) C(tags, color, STR) C(tags, camp_id, INT) \
    C(tags, deleted, DATETIME) C(tags, created, DATETIME) C(tags, created_by, INT) \
    C(tags, modified, DATETIME) C(tags, modified_by, INT) C(tags, description, STR) \
    C(tags, type, STR) C(tags, seq, INT)

#define DP_TABLE_COLUMNS_tags_relations(C) \
    C(tags_relations, id, INT) C(tags_relations, object_id, INT) \
    C(tags_relations, object_type, STR) C(tags_relations, tag_id, INT) \
    C(tags_relations, created_on, DATETIME) C(tags_relations, created_by_id, INT) \
    C(tags_relations, deleted_on, DATETIME) C(tags_relations, deleted_by_id, INT)

#define DP_TABLE_COLUMNS_qr(C) \
    C(qr, id, INT) C(qr, code, STR) C(qr, created, DATETIME) C(qr, legacy, INT)

//  Beneficiaries: assignTag/unassignTag set a tagged beneficiary's modified
//  and modified_by, as on a box.
#define DP_TABLE_COLUMNS_people(C) \
    C(people, id, INT) C(people, parent_id, INT) C(people, seq, INT) \
    C(people, firstname, STR) C(people, lastname, STR) C(people, date_of_birth, DATE) \
    C(people, gender, STR) C(people, family_id, INT) C(people, visible, INT) \
    C(people, created, DATETIME) C(people, created_by, INT) C(people, modified, DATETIME) \
    C(people, modified_by, INT) C(people, url, INT) C(people, container, STR) \
    C(people, tent, STR) C(people, email, STR) C(people, pass, STR) C(people, language, INT) \
    C(people, resetpassword, STR) C(people, comments, STR) C(people, workshoptraining, INT) \
    C(people, workshopsupervisor, INT) C(people, phone, STR) C(people, bicycletraining, INT) \
    C(people, camp_id, INT) C(people, deleted, DATETIME) C(people, extraportion, INT) \
    C(people, notregistered, INT) C(people, workshopban, DATE) C(people, bicycleban, DATE) \
    C(people, bicyclebancomment, STR) C(people, workshopbancomment, STR) \
    C(people, volunteer, INT) C(people, laundryblock, INT) C(people, laundrycomment, STR) \
    C(people, approvalsigned, INT) C(people, signaturefield, STR) \
    C(people, date_of_signature, DATETIME) C(people, customfield1_value, STR) \
    C(people, customfield2_value, STR) C(people, customfield3_value, STR) \
    C(people, customfield4_value, DATETIME)

//  Depot's own (db/idempotency.sql): Idempotency-Key's claims and stored
//  field results (resolver-svc/dp_idem.c).
#define DP_TABLE_COLUMNS_depot_idempotency(C) \
    C(depot_idempotency, id, INT) C(depot_idempotency, idem_key, STR) \
    C(depot_idempotency, user_id, INT) C(depot_idempotency, field, INT) \
    C(depot_idempotency, request_hash, STR) C(depot_idempotency, running_until_ms, INT) \
    C(depot_idempotency, result, STR) C(depot_idempotency, errors, STR) \
    C(depot_idempotency, created, DATETIME)

//  Transfers (issue 15): agreements between organisations, shipments
//  between bases and the boxes in them.
#define DP_TABLE_COLUMNS_transfer_agreement(C) \
    C(transfer_agreement, id, INT) C(transfer_agreement, source_organisation_id, INT) \
    C(transfer_agreement, target_organisation_id, INT) C(transfer_agreement, state, STR) \
    C(transfer_agreement, type, STR) C(transfer_agreement, requested_on, DATETIME) \
    C(transfer_agreement, requested_by, INT) C(transfer_agreement, accepted_on, DATETIME) \
    C(transfer_agreement, accepted_by, INT) C(transfer_agreement, terminated_on, DATETIME) \
    C(transfer_agreement, terminated_by, INT) C(transfer_agreement, valid_from, DATETIME) \
    C(transfer_agreement, valid_until, DATETIME) C(transfer_agreement, comment, STR)

#define DP_TABLE_COLUMNS_transfer_agreement_detail(C) \
    C(transfer_agreement_detail, id, INT) \
    C(transfer_agreement_detail, transfer_agreement_id, INT) \
    C(transfer_agreement_detail, source_base_id, INT) \
    C(transfer_agreement_detail, target_base_id, INT)

#define DP_TABLE_COLUMNS_shipment(C) \
    C(shipment, id, INT) C(shipment, source_base_id, INT) C(shipment, target_base_id, INT) \
    C(shipment, transfer_agreement_id, INT) C(shipment, state, STR) \
    C(shipment, started_on, DATETIME) C(shipment, started_by_id, INT) \
    C(shipment, canceled_on, DATETIME) C(shipment, canceled_by_id, INT) \
    C(shipment, sent_on, DATETIME) C(shipment, sent_by_id, INT) \
    C(shipment, receiving_started_on, DATETIME) C(shipment, receiving_started_by_id, INT) \
    C(shipment, completed_on, DATETIME) C(shipment, completed_by_id, INT)

#define DP_TABLE_COLUMNS_shipment_detail(C) \
    C(shipment_detail, id, INT) C(shipment_detail, shipment_id, INT) \
    C(shipment_detail, box_id, INT) C(shipment_detail, source_product_id, INT) \
    C(shipment_detail, target_product_id, INT) C(shipment_detail, source_quantity, INT) \
    C(shipment_detail, target_quantity, INT) C(shipment_detail, source_size_id, INT) \
    C(shipment_detail, target_size_id, INT) C(shipment_detail, source_location_id, INT) \
    C(shipment_detail, target_location_id, INT) C(shipment_detail, created_on, DATETIME) \
    C(shipment_detail, created_by_id, INT) C(shipment_detail, lost_on, DATETIME) \
    C(shipment_detail, lost_by_id, INT) C(shipment_detail, received_on, DATETIME) \
    C(shipment_detail, received_by_id, INT) C(shipment_detail, removed_on, DATETIME) \
    C(shipment_detail, removed_by_id, INT)

//  Products (issue 16): a base's products and the standard catalogue they
//  may instantiate.
#define DP_TABLE_COLUMNS_products(C) \
    C(products, id, INT) C(products, name, STR) C(products, category_id, INT) \
    C(products, gender_id, INT) C(products, sizegroup_id, INT) C(products, camp_id, INT) \
    C(products, value, INT) C(products, created, DATETIME) C(products, created_by, INT) \
    C(products, modified, DATETIME) C(products, modified_by, INT) \
    C(products, maxperadult, INT) C(products, maxperchild, INT) \
    C(products, stockincontainer, INT) C(products, comments, STR) \
    C(products, deleted, DATETIME) C(products, standard_product_id, INT)

#define DP_TABLE_COLUMNS_standard_product(C) \
    C(standard_product, id, INT) C(standard_product, name, STR) \
    C(standard_product, category_id, INT) C(standard_product, gender_id, INT) \
    C(standard_product, size_range_id, INT) C(standard_product, version, INT) \
    C(standard_product, added_on, DATETIME) C(standard_product, added_by, INT) \
    C(standard_product, deprecated_on, DATETIME) C(standard_product, deprecated_by, INT) \
    C(standard_product, preceded_by_product_id, INT) \
    C(standard_product, superceded_by_product_id, INT)

//  A beneficiary's languages (issue 16). The one table without an id: its
//  first column, the key SELECT orders by, is people_id.
#define DP_TABLE_COLUMNS_x_people_languages(C) \
    C(x_people_languages, people_id, INT) C(x_people_languages, language_id, INT)

//  Organisations (issue 15): createTransferAgreement locks the two
//  organisations' rows, the one place every agreement between them meets.
#define DP_TABLE_COLUMNS_organisations(C) \
    C(organisations, id, INT) C(organisations, label, STR) C(organisations, deleted, DATETIME)

//  Shared statistics links (issue 17): createShareableLink inserts them.
#define DP_TABLE_COLUMNS_shareable_link(C) \
    C(shareable_link, id, INT) C(shareable_link, code, STR) \
    C(shareable_link, valid_until, DATETIME) C(shareable_link, view, STR) \
    C(shareable_link, base_id, INT) C(shareable_link, url_parameters, STR) \
    C(shareable_link, created_on, DATETIME) C(shareable_link, created_by_id, INT)

//  The tables, in id order: T(table). Appended to only.
#define DP_TABLE_LIST(T) \
    T(stock) T(history) T(tags) T(tags_relations) T(qr) T(people) T(depot_idempotency) \
    T(transfer_agreement) T(transfer_agreement_detail) T(shipment) T(shipment_detail) \
    T(products) T(standard_product) T(x_people_languages) T(organisations) \
    T(shareable_link)

//  Ids: DP_TABLE_<table>; columns: DP_TCOL_<table>_<column> (its bit index).
#define DP_TABLE_ENUM(table) DP_TABLE_##table,
typedef enum { DP_TABLE_LIST (DP_TABLE_ENUM) DP_TABLE_COUNT } dp_table_id_t;

#define DP_TCOL_ENUM(table, col, type) DP_TCOL_##table##_##col,
#define DP_TCOL_ENUM_BLOCK(table) enum { DP_TABLE_COLUMNS_##table (DP_TCOL_ENUM) };
DP_TABLE_LIST (DP_TCOL_ENUM_BLOCK)

//  The mask bit of one column: DP_TBIT (stock, items).
#define DP_TBIT(table, col) (1ull << DP_TCOL_##table##_##col)

typedef struct {
    const char *name;           //  the SQL table name
    const dp_catalog_column_t *columns;     //  names are the SQL column names
    size_t n_columns;
} dp_table_t;

//  Returns a borrowed pointer to the static description of a table, or
//  NULL when id is out of range (wire input is hostile).
const dp_table_t *dp_table (uint32_t id);

//  True when columns names no bit beyond the table's columns.
bool dp_table_mask_valid (const dp_table_t *table, uint64_t columns);

void dp_tables_test (bool verbose);

#endif
