/*  =========================================================================
    dp_sql_catalog - the SQL behind every loader and root query of db-svc

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    LOAD {loader, columns, keys} becomes, per chunk of keys,

        SELECT <key>, <requested columns in catalog order>
        FROM <from> WHERE <key> IN (k1,...) [AND <where>]
        [GROUP BY ...] [ORDER BY ...]

    QUERY arguments (positional typed values; proto/README.md copies this):

      boxes_page, boxes_count, boxes_has_previous:
        args   = [base_id:int, filter:array|nil, limit:int|nil,
                  after_modified:str|nil, after_id:int|nil, backward:bool|nil]
        backward (boxes_page): the `limit` rows just BEFORE the cursor, in
        ascending order (the resolver reverses them); needs the cursor.
        filter = [states:[int]|nil, location_ids:[int]|nil,
                  last_modified_from:str|nil, last_modified_until:str|nil,
                  product_gender_ids:[int]|nil, product_category_ids:[int]|nil,
                  product_ids:[int]|nil, size_id:int|nil, tag_ids:[int]|nil]
        Missing trailing arguments or filter fields are nil. A nil or empty
        list means "no filter", except tag_ids = [] which matches nothing.
        Dates are "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS" or the wire form
        "YYYY-MM-DDTHH:MM:SS+00:00" (also with "Z"); last_modified_from/until
        compare as boxtribute does (modified >= from, modified <= until),
        except that the zero date, which reads as null, passes neither.
        limit: int >= 0, required by boxes_page (the resolver asks first+1),
        ignored by the others. The cursor is (after_modified, after_id) of
        the last row already seen: after_id int, after_modified the row's
        modified as read (nil when that was NULL or the zero date).
      boxes_page: rows [stock.id, requested stock columns] of the base's
        boxes (stock.location_id in the base's locations) that are not
        deleted (deleted IS NULL OR deleted = 0) and pass the filter, strictly
        after the cursor, ORDER BY modified DESC, id DESC (NULL modified last,
        after the zero date), LIMIT limit.
      boxes_count: one row [COUNT(*)] of the same selection, cursor ignored.
      boxes_has_previous: one row [1|0]: does a box of the same selection
        come before the cursor? [0] without a cursor (no SQL).

@discuss
    Why boxes_page takes two statements. Measured on boxtribute-init.sql
    grown to 8,449 boxes in base 1 with Depot's indexes, LIMIT 51: with the
    base's location ids as literals (`location_id IN (1,2,...)`) MariaDB
    walks stock(modified, id) for a big base and range-scans
    stock(location_id) then filesorts for a small one, both about 0.5 to
    0.8 ms. Every single-statement form we tried is worse somewhere: a join
    or `location_id IN (SELECT id FROM locations WHERE camp_id = N)` is
    turned into a semi-join that filesorts the whole base with the TEXT
    column (about 30 ms for base 1); with semijoin switched off, or written
    as a correlated subquery, MariaDB always walks the modified index, which
    scans the whole table for a small base (2 to 3x slower on this data,
    proportionally worse as other bases grow). So boxes_page first reads
    `SELECT id FROM locations WHERE camp_id = N` (0.1 ms) and then runs the
    page with the ids as literals. The COUNT keeps the subquery: there the
    semi-join reads stock(location_id, deleted) only and is the fastest form.

    Keyset pagination with NULL and zero dates. MariaDB sorts NULL below
    every value, and the zero date below every real date, so in DESC order
    the tail is: real dates, then zero dates, then NULLs. Both read back as
    nil on the wire, so a cursor with a nil modified cannot say which of the
    two its row had; the SQL asks the row itself with a one-row subquery on
    the primary key ((SELECT modified FROM stock WHERE id = after_id)).
@end
*/
#include "dp_sql_catalog.h"
#include "dp_sql_cubes.h"
#include "dp_sql_beneficiaries.h"
#include "dp_sql_moved_boxes.h"
#include "dp_sql_stock_overview.h"
#include "dp_sql_public_numbers.h"
#include <mysql.h>
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dp_log.h"

//  ==========================================================================
//  dp_sql_t: a growable text buffer

void
dp_sql_init (dp_sql_t *self)
{
    assert (self);
    self->data = NULL;
    self->len = 0;
    self->cap = 0;
}

void
dp_sql_destroy (dp_sql_t *self)
{
    assert (self);
    free (self->data);
    dp_sql_init (self);
}

//  Make room for extra more bytes plus the NUL.
static void
s_sql_reserve (dp_sql_t *self, size_t extra)
{
    if (self->len + extra + 1 <= self->cap)
        return;
    size_t cap = self->cap ? self->cap : 256;
    while (cap < self->len + extra + 1)
        cap *= 2;
    char *data = realloc (self->data, cap);
    if (!data)
        dp_fatal ("out of memory growing SQL text to %zu bytes", cap);
    self->data = data;
    self->cap = cap;
}

static void
s_sql_append_bytes (dp_sql_t *self, const char *bytes, size_t len)
{
    s_sql_reserve (self, len);
    memcpy (self->data + self->len, bytes, len);
    self->len += len;
    self->data [self->len] = 0;
}

void
dp_sql_append (dp_sql_t *self, const char *text)
{
    assert (self);
    assert (text);
    s_sql_append_bytes (self, text, strlen (text));
}

void
dp_sql_printf (dp_sql_t *self, const char *fmt, ...)
{
    assert (self);
    va_list args;
    va_start (args, fmt);
    int size = vsnprintf (NULL, 0, fmt, args);
    va_end (args);
    assert (size >= 0);
    s_sql_reserve (self, (size_t) size);
    va_start (args, fmt);
    vsnprintf (self->data + self->len, (size_t) size + 1, fmt, args);
    va_end (args);
    self->len += (size_t) size;
}

void
dp_sql_append_ints (dp_sql_t *self, const int64_t *values, size_t count)
{
    assert (self);
    //  At most 20 characters per value plus the comma.
    s_sql_reserve (self, count * 21);
    char *out = self->data + self->len;
    for (size_t i = 0; i < count; i++) {
        if (i)
            *out++ = ',';
        out += sprintf (out, "%lld", (long long) values [i]);
    }
    self->len = (size_t) (out - self->data);
    self->data [self->len] = 0;
}

void
dp_sql_append_quoted (dp_sql_t *self, const char *text, size_t len)
{
    assert (self);
    assert (text);
    //  The escaper needs the library's default charset: mysql_library_init
    //  runs its set-up once (pthread_once inside the connector).
    if (mysql_library_init (0, NULL, NULL))
        dp_fatal ("mariadb client library failed to initialise");
    s_sql_reserve (self, len * 2 + 2);
    self->data [self->len++] = '\'';
    self->len += mysql_escape_string (self->data + self->len, text, (unsigned long) len);
    self->data [self->len++] = '\'';
    self->data [self->len] = 0;
}


//  ==========================================================================
//  Loader table

//  Column SQL of a set whose columns live in the table of the same name:
//  "<set>.<column>" in catalog order.
#define S_COL_SQL(set, col, type) #set "." #col,
#define S_COL_SQL_SET(set) \
    static const char *const s_sql_##set [] = { DP_COLUMNS_##set (S_COL_SQL) };

S_COL_SQL_SET (products)
S_COL_SQL_SET (product_categories)
S_COL_SQL_SET (sizes)
S_COL_SQL_SET (units)
S_COL_SQL_SET (locations)
S_COL_SQL_SET (camps)
S_COL_SQL_SET (organisations)
S_COL_SQL_SET (qr)
S_COL_SQL_SET (cms_users)
S_COL_SQL_SET (sizegroup)
S_COL_SQL_SET (transfer_agreement)
S_COL_SQL_SET (distro_events)

#define S_COUNT_COL(set, col, type) + 1
#define DP_COLUMNS_COUNT_STOCK (0 DP_COLUMNS_stock (S_COUNT_COL))

//  stock: its columns, then four computed ones (dp_catalog.h) that only
//  lists loading whole locations or tags ask for: each is a lookup by
//  primary key or by the index tags_relations(object_type, object_id).
static const char *const s_sql_stock [] = {
    "stock.id", "stock.box_id", "stock.product_id", "stock.size_id",
    "stock.weight_display_unit_id", "stock.weight", "stock.monetary_value",
    "stock.display_unit_id", "stock.measure_value", "stock.items", "stock.location_id",
    "stock.distro_event_id", "stock.qr_id", "stock.comments", "stock.created",
    "stock.created_by", "stock.modified", "stock.modified_by", "stock.deleted",
    "stock.box_state_id", "stock.source_box_id",
    "(SELECT box_base.camp_id FROM locations box_base WHERE box_base.id = stock.location_id)",
    "(SELECT box_product.gender_id FROM products box_product WHERE box_product.id = stock.product_id)",
    "(SELECT box_product.category_id FROM products box_product WHERE box_product.id = stock.product_id)",
    "(SELECT GROUP_CONCAT(box_tags.tag_id ORDER BY box_tags.tag_id) FROM tags_relations box_tags"
    " WHERE box_tags.object_type = 'Stock' AND box_tags.object_id = stock.id"
    " AND box_tags.deleted_on IS NULL)"
};
_Static_assert (sizeof s_sql_stock / sizeof s_sql_stock [0] == 0 DP_COLUMNS_stock (S_COUNT_COL),
                "stock SQL out of step with dp_catalog.h");

//  shipment_detail: its columns, then its shipment's bases.
static const char *const s_sql_shipment_detail [] = {
    "shipment_detail.id", "shipment_detail.shipment_id", "shipment_detail.box_id",
    "shipment_detail.source_product_id", "shipment_detail.target_product_id",
    "shipment_detail.source_quantity", "shipment_detail.target_quantity",
    "shipment_detail.source_size_id", "shipment_detail.target_size_id",
    "shipment_detail.source_location_id", "shipment_detail.target_location_id",
    "shipment_detail.created_on", "shipment_detail.created_by_id", "shipment_detail.lost_on",
    "shipment_detail.lost_by_id", "shipment_detail.received_on", "shipment_detail.received_by_id",
    "shipment_detail.removed_on", "shipment_detail.removed_by_id",
    "(SELECT detail_shipment.source_base_id FROM shipment detail_shipment"
    " WHERE detail_shipment.id = shipment_detail.shipment_id)",
    "(SELECT detail_shipment.target_base_id FROM shipment detail_shipment"
    " WHERE detail_shipment.id = shipment_detail.shipment_id)"
};
_Static_assert (sizeof s_sql_shipment_detail / sizeof s_sql_shipment_detail [0]
                == 0 DP_COLUMNS_shipment_detail (S_COUNT_COL),
                "shipment_detail SQL out of step with dp_catalog.h");

//  tags: its columns, then when it was last assigned (computed per tag from
//  the index tags_relations(tag_id, created_on)). ORDER BY ... DESC LIMIT 1
//  reads one index entry per tag; MAX() in a dependent subquery reads every
//  assignment of the tag (ten times slower on the demo base). NULL sorts
//  last descending, so both answer the newest non-null date or NULL.
static const char *const s_sql_tags [] = {
    "tags.id", "tags.label", "tags.color", "tags.camp_id", "tags.deleted", "tags.created",
    "tags.created_by", "tags.modified", "tags.modified_by", "tags.description", "tags.type",
    "tags.seq",
    "(SELECT last_used.created_on FROM tags_relations last_used WHERE last_used.tag_id = tags.id"
    " ORDER BY last_used.created_on DESC LIMIT 1)"
};
#define S_COUNT_TAGS(set, col, type) + 1
_Static_assert (sizeof s_sql_tags / sizeof s_sql_tags [0] == 0 DP_COLUMNS_tags (S_COUNT_TAGS),
                "tags SQL out of step with dp_catalog.h");
static const char *const s_sql_tag_link [] = { "tr.tag_id" };
static const char *const s_sql_agreement_base [] = {
    "transfer_agreement_detail.source_base_id", "transfer_agreement_detail.target_base_id"
};

//  shipment: its own columns, then its bases' names (computed: the label
//  needs them, and reading them with the shipment saves a wave).
static const char *const s_sql_shipment [] = {
    "shipment.id", "shipment.source_base_id", "shipment.target_base_id",
    "shipment.transfer_agreement_id", "shipment.state", "shipment.started_on",
    "shipment.started_by_id", "shipment.canceled_on", "shipment.canceled_by_id",
    "shipment.sent_on", "shipment.sent_by_id", "shipment.receiving_started_on",
    "shipment.receiving_started_by_id", "shipment.completed_on", "shipment.completed_by_id",
    "(SELECT camps.name FROM camps WHERE camps.id = shipment.source_base_id)",
    "(SELECT camps.name FROM camps WHERE camps.id = shipment.target_base_id)"
};
#define S_COUNT_SHIPMENT(set, col, type) + 1
_Static_assert (sizeof s_sql_shipment / sizeof s_sql_shipment [0] == 0 DP_COLUMNS_shipment (S_COUNT_SHIPMENT),
                "shipment SQL out of step with dp_catalog.h");

//  tag_last_used is computed: one row per tag, the newest relation.
static const char *const s_sql_tag_last_used [] = {
    "tags_relations.tag_id",
    "MAX(tags_relations.created_on)"
};
//  history_entry: one UNION statement (s_sql_box_history); the names are
//  those of its first SELECT's columns.
static const char *const s_sql_history_entry [] = {
    "entry_id", "change_date", "user_id", "message", "label_kind", "from_id", "to_id",
    "sort_date", "kind", "ord"
};

//  A box's history rows, tag assignments and tag removals. Assignments made
//  when the box was created are not history, nor any of a box without a
//  creation date (boxtribute compares the dates with <>, which is never true
//  against NULL). The message texts, and every rewrite of a history row's
//  text, are boxtribute's ("Record created" reads "created box").
//  A message naming a location, product, size, unit or tag is left to the
//  reader (label_kind, from_id, to_id), which has those rows at hand, and so
//  is the order: a join per label and an ORDER BY over the UNION cost
//  MariaDB about 0.6 ms of a BoxView's 0.7 ms here (bench/sql_profile.py).
//  Box states' labels are joined: box_state is small and kept by no loader.
static const char s_sql_box_history [] =
    "SELECT h.record_id, CAST(h.id AS CHAR) AS entry_id, h.changedate AS change_date,"
    " h.user_id, CASE"
    " WHEN h.changes IN ('location_id', 'product_id', 'size_id', 'display_unit_id') THEN NULL"
    " WHEN h.changes = 'box_state_id' THEN CONCAT('changed box state from ', fb.label, ' to ', tb.label)"
    " WHEN h.changes = 'items' THEN CONCAT('changed the number of items from ', h.from_int, ' to ', h.to_int)"
    " WHEN h.changes LIKE 'comments%' THEN REPLACE(h.changes, 'comments changed', 'changed comments')"
    " WHEN h.changes LIKE 'Record%' THEN CONCAT(SUBSTRING(h.changes, 8), ' box')"
    " WHEN h.changes = 'New Qr-code assigned by pdf generation.' THEN 'created QR code label for box'"
    " ELSE h.changes END AS message,"
    " CASE WHEN h.changes = 'location_id' THEN 1 WHEN h.changes = 'product_id' THEN 2"
    " WHEN h.changes = 'size_id' THEN 3 WHEN h.changes = 'display_unit_id' THEN 4 ELSE 0 END AS label_kind,"
    " h.from_int AS from_id, h.to_int AS to_id, CAST(h.changedate AS CHAR) AS sort_date,"
    " 0 AS kind, -h.id AS ord"
    " FROM history h"
    " LEFT JOIN box_state fb ON h.changes = 'box_state_id' AND fb.id = h.from_int"
    " LEFT JOIN box_state tb ON h.changes = 'box_state_id' AND tb.id = h.to_int"
    " WHERE h.tablename = 'stock' AND h.record_id IN ({keys})"
    " UNION ALL "
    "SELECT tr.object_id, CONCAT('ta', tr.id), tr.created_on, tr.created_by_id, NULL, 5, tr.tag_id,"
    " NULL, CAST(tr.created_on AS CHAR), 1, tr.id"
    " FROM tags_relations tr JOIN stock s ON s.id = tr.object_id"
    " WHERE tr.object_type = 'Stock' AND tr.object_id IN ({keys}) AND tr.created_on IS NOT NULL"
    " AND tr.created_on <> s.created"
    " UNION ALL "
    "SELECT tr.object_id, CONCAT('tr', tr.id), tr.deleted_on, tr.deleted_by_id, NULL, 5, tr.tag_id,"
    " NULL, CAST(tr.deleted_on AS CHAR), 2, tr.id"
    " FROM tags_relations tr"
    " WHERE tr.object_type = 'Stock' AND tr.object_id IN ({keys}) AND tr.deleted_on IS NOT NULL";

//  Aggregates restricted to the keys in hand (GROUP BY the key).
static const char *const s_sql_product_counts [] = {
    "stock.product_id",
    "CAST(COALESCE(SUM(CASE WHEN stock.box_state_id = 1 THEN stock.items END), 0) AS SIGNED)",
    "CAST(COALESCE(SUM(CASE WHEN stock.box_state_id IN (3, 4, 7) THEN stock.items END), 0) AS SIGNED)"
};
static const char *const s_sql_base_counts [] = {
    "locations.camp_id",
    "COUNT(stock.id)",
    "CAST(COALESCE(SUM(stock.items), 0) AS SIGNED)"
};

//  box_access: a box with the base and organisation it is in.
static const char *const s_sql_box_access [] = {
    "stock.id", "camps.id", "camps.name", "organisations.label", "stock.box_state_id",
    "(SELECT travel.source_base_id FROM shipment_detail travel_detail"
    " JOIN shipment travel ON travel.id = travel_detail.shipment_id"
    " WHERE travel_detail.box_id = stock.id AND travel_detail.removed_on IS NULL"
    " AND travel_detail.received_on IS NULL ORDER BY travel_detail.id LIMIT 1)",
    "(SELECT travel.target_base_id FROM shipment_detail travel_detail"
    " JOIN shipment travel ON travel.id = travel_detail.shipment_id"
    " WHERE travel_detail.box_id = stock.id AND travel_detail.removed_on IS NULL"
    " AND travel_detail.received_on IS NULL ORDER BY travel_detail.id LIMIT 1)"
};
_Static_assert (sizeof s_sql_box_access / sizeof s_sql_box_access [0]
                == 0 DP_COLUMNS_box_access (S_COUNT_COL),
                "box_access SQL out of step with dp_catalog.h");
_Static_assert (sizeof s_sql_tag_last_used / sizeof s_sql_tag_last_used [0]
                == 0 DP_COLUMNS_tag_last_used (S_COUNT_COL),
                "tag_last_used SQL out of step with dp_catalog.h");

//  people: its columns, then two computed flags: active (deleted is NULL or
//  the zero date: `deleted = 0` is true for the zero date) and registered.
static const char *const s_sql_people [] = {
    "people.id", "people.firstname", "people.lastname", "people.date_of_birth",
    "people.comments", "people.camp_id", "people.container", "people.gender",
    "people.parent_id", "people.deleted", "people.volunteer", "people.approvalsigned",
    "people.phone", "people.signaturefield", "people.date_of_signature", "people.created",
    "people.created_by", "people.modified", "people.modified_by",
    "(people.deleted IS NULL OR people.deleted = 0)", "(people.notregistered = 0)"
};
_Static_assert (sizeof s_sql_people / sizeof s_sql_people [0] == 0 DP_COLUMNS_people (S_COUNT_COL),
                "people SQL out of step with dp_catalog.h");
//  A beneficiary's languages as one row: the ids, ascending, comma-separated.
static const char *const s_sql_people_languages [] = {
    "x_people_languages.people_id",
    "GROUP_CONCAT(x_people_languages.language_id ORDER BY x_people_languages.language_id)"
};
//  A beneficiary's token balance: the sum of the drops of their transactions.
static const char *const s_sql_people_tokens [] = {
    "transactions.people_id",
    "CAST(COALESCE(SUM(transactions.drops), 0) AS SIGNED)"
};
static const char *const s_sql_transactions [] = {
    "transactions.id", "transactions.people_id", "transactions.product_id", "transactions.count",
    "transactions.description", "transactions.drops", "transactions.transaction_date",
    "transactions.user_id"
};
_Static_assert (sizeof s_sql_transactions / sizeof s_sql_transactions [0]
                == 0 DP_COLUMNS_transactions (S_COUNT_COL),
                "transactions SQL out of step with dp_catalog.h");

//  Standard products; instantiation_id is only known per base (below).
static const char *const s_sql_standard_product [] = {
    "standard_product.id", "standard_product.name", "standard_product.category_id",
    "standard_product.gender_id", "standard_product.size_range_id", "standard_product.version",
    "standard_product.added_on", "standard_product.added_by", "standard_product.deprecated_on",
    "standard_product.deprecated_by", "standard_product.preceded_by_product_id",
    "standard_product.superceded_by_product_id", "NULL"
};
_Static_assert (sizeof s_sql_standard_product / sizeof s_sql_standard_product [0]
                == 0 DP_COLUMNS_standard_product (S_COUNT_COL),
                "standard_product SQL out of step with dp_catalog.h");
//  The same in a base: instantiation_id is the base's live product made from it.
static const char *const s_sql_standard_product_in_base [] = {
    "standard_product.id", "standard_product.name", "standard_product.category_id",
    "standard_product.gender_id", "standard_product.size_range_id", "standard_product.version",
    "standard_product.added_on", "standard_product.added_by", "standard_product.deprecated_on",
    "standard_product.deprecated_by", "standard_product.preceded_by_product_id",
    "standard_product.superceded_by_product_id", "instantiation.id"
};
_Static_assert (sizeof s_sql_standard_product_in_base / sizeof s_sql_standard_product_in_base [0]
                == 0 DP_COLUMNS_standard_product (S_COUNT_COL),
                "standard_product SQL out of step with dp_catalog.h");
static const char *const s_sql_base_names [] = { "camps.id", "camps.name", "organisations.label" };
//  A shared link with its base's and organisation's names; expired as
//  boxtribute's resolveLink decides it (valid_until, a UTC time, before now).
static const char *const s_sql_shareable_link [] = {
    "shareable_link.id", "shareable_link.code", "shareable_link.valid_until", "shareable_link.view",
    "shareable_link.base_id", "shareable_link.url_parameters", "shareable_link.created_on",
    "shareable_link.created_by_id", "camps.name", "organisations.label",
    "IFNULL(shareable_link.valid_until < UTC_TIMESTAMP(), 0)"
};
static const char *const s_sql_standard_product_info [] = {
    "standard_product.id", "standard_product.name", "product_categories.label", "sizegroup.label",
    "standard_product.gender_id", "standard_product.version"
};
#define S_STANDARD_PRODUCT_INFO_FROM \
    "standard_product JOIN product_categories ON product_categories.id = standard_product.category_id" \
    " JOIN sizegroup ON sizegroup.id = standard_product.size_range_id"
//  A cube's dimension entries (DimensionInfo): the row's id and its name.
static const char *const s_sql_dimension_categories [] = { "product_categories.id", "product_categories.label" };
static const char *const s_sql_dimension_sizes [] = { "sizes.id", "sizes.label" };
static const char *const s_sql_dimension_locations [] = { "locations.id", "locations.label" };
static const char *const s_sql_dimension_size_ranges [] = { "sizegroup.id", "sizegroup.label" };
//  A beneficiary as a cube dimension: age at today's UTC date, gender, current tags.
static const char *const s_sql_dimension_beneficiary [] = {
    "people.id", "IF(people.date_of_birth > 0, TIMESTAMPDIFF(YEAR, people.date_of_birth, UTC_DATE()), NULL)",
    "people.gender",
    "(SELECT GROUP_CONCAT(DISTINCT tr.tag_id ORDER BY tr.tag_id) FROM tags_relations tr"
    " WHERE tr.object_type = 'People' AND tr.object_id = people.id AND tr.deleted_on IS NULL)"
};
//  boxtribute's standardProducts: every standard product of the newest version.
#define S_NEWEST_VERSION \
    "standard_product.version = (SELECT MAX(newest.version) FROM standard_product newest)"

#define S_COLS(set) s_sql_##set, sizeof s_sql_##set / sizeof s_sql_##set [0]
#define S_BY_ID(set) \
    [DP_LOADER_##set##_by_id] = { #set "_by_id", #set ".id", #set, NULL, NULL, NULL, S_COLS (set) }

static const dp_sql_loader_t s_loaders [DP_LOADER_COUNT] = {
    S_BY_ID (stock),
    S_BY_ID (products),
    S_BY_ID (product_categories),
    S_BY_ID (sizes),
    S_BY_ID (units),
    S_BY_ID (locations),
    S_BY_ID (camps),
    S_BY_ID (organisations),
    S_BY_ID (qr),
    S_BY_ID (cms_users),
    S_BY_ID (shipment),
    [DP_LOADER_active_shipment_detail_by_box] = {
        "active_shipment_detail_by_box", "shipment_detail.box_id", "shipment_detail",
        "shipment_detail.removed_on IS NULL AND shipment_detail.lost_on IS NULL"
        " AND shipment_detail.received_on IS NULL",
        NULL, NULL, S_COLS (shipment_detail) },
    [DP_LOADER_tags_by_box] = {
        "tags_by_box", "tr.object_id", "tags_relations tr JOIN tags ON tags.id = tr.tag_id",
        "tr.object_type = 'Stock' AND tr.deleted_on IS NULL"
        " AND (tags.deleted IS NULL OR tags.deleted = 0)",
        NULL, "tr.object_id, tags.id", S_COLS (tags) },
    [DP_LOADER_tag_last_used_by_tag] = {
        "tag_last_used_by_tag", "tags_relations.tag_id", "tags_relations",
        NULL, "tags_relations.tag_id", NULL, S_COLS (tag_last_used) },
    [DP_LOADER_tags_by_id] = { "tags_by_id", "tags.id", "tags", NULL, NULL, NULL, S_COLS (tags) },
    //  Constant-keyed: `0 IN (0)` selects the whole table under key 0.
    [DP_LOADER_camps_all] = { "camps_all", "0", "camps", NULL, NULL, "camps.id", S_COLS (camps) },
    [DP_LOADER_camps_by_organisation] = {
        "camps_by_organisation", "camps.organisation_id", "camps", NULL, NULL,
        "camps.organisation_id, camps.id", S_COLS (camps) },
    //  Deleted organisations are left out, as boxtribute's organisations query.
    [DP_LOADER_organisations_all] = {
        "organisations_all", "0", "organisations",
        "(organisations.deleted IS NULL OR organisations.deleted = 0)", NULL, "organisations.id",
        S_COLS (organisations) },
    [DP_LOADER_product_categories_all] = {
        "product_categories_all", "0", "product_categories", NULL, NULL, "product_categories.id",
        S_COLS (product_categories) },
    [DP_LOADER_locations_by_base] = {
        "locations_by_base", "locations.camp_id", "locations", NULL, NULL,
        "locations.camp_id, locations.id", S_COLS (locations) },
    [DP_LOADER_tags_by_base] = {
        "tags_by_base", "tags.camp_id", "tags", NULL, NULL, "tags.camp_id, tags.id", S_COLS (tags) },
    [DP_LOADER_locations_all] = {
        "locations_all", "0", "locations", NULL, NULL, "locations.id", S_COLS (locations) },
    [DP_LOADER_tags_all] = { "tags_all", "0", "tags", NULL, NULL, "tags.id", S_COLS (tags) },
    [DP_LOADER_stock_by_qr] = { "stock_by_qr", "stock.qr_id", "stock", NULL, NULL, NULL, S_COLS (stock) },
    [DP_LOADER_box_access_by_qr] = {
        "box_access_by_qr", "stock.qr_id",
        "stock JOIN locations ON locations.id = stock.location_id"
        " JOIN camps ON camps.id = locations.camp_id"
        " JOIN organisations ON organisations.id = camps.organisation_id",
        NULL, NULL, NULL, S_COLS (box_access) },
    [DP_LOADER_box_access_by_box] = {
        "box_access_by_box", "stock.id",
        "stock JOIN locations ON locations.id = stock.location_id"
        " JOIN camps ON camps.id = locations.camp_id"
        " JOIN organisations ON organisations.id = camps.organisation_id",
        NULL, NULL, NULL, S_COLS (box_access) },
    [DP_LOADER_box_history_by_box] = {
        "box_history_by_box", "h.record_id", "(history)", NULL, NULL, NULL,
        S_COLS (history_entry), s_sql_box_history },
    [DP_LOADER_shipments_by_source_base] = {
        "shipments_by_source_base", "shipment.source_base_id", "shipment", NULL, NULL,
        "shipment.source_base_id, shipment.id", S_COLS (shipment) },
    [DP_LOADER_shipments_by_target_base] = {
        "shipments_by_target_base", "shipment.target_base_id", "shipment", NULL, NULL,
        "shipment.target_base_id, shipment.id", S_COLS (shipment) },
    [DP_LOADER_shipment_details_by_shipment] = {
        "shipment_details_by_shipment", "shipment_detail.shipment_id", "shipment_detail", NULL, NULL,
        "shipment_detail.shipment_id, shipment_detail.id", S_COLS (shipment_detail) },
    [DP_LOADER_shipments_all] = {
        "shipments_all", "0", "shipment", NULL, NULL, "shipment.id", S_COLS (shipment) },
    [DP_LOADER_product_counts_by_product] = {
        "product_counts_by_product", "stock.product_id", "stock",
        "(stock.deleted IS NULL OR stock.deleted = 0)", "stock.product_id", NULL, S_COLS (product_counts) },
    [DP_LOADER_base_counts_by_base] = {
        "base_counts_by_base", "locations.camp_id",
        "stock JOIN locations ON locations.id = stock.location_id",
        "stock.box_state_id = 1 AND (stock.deleted IS NULL OR stock.deleted = 0)",
        "locations.camp_id", NULL, S_COLS (base_counts) },
    S_BY_ID (sizegroup),
    [DP_LOADER_sizegroups_all] = {
        "sizegroups_all", "0", "sizegroup", NULL, NULL, "sizegroup.id", S_COLS (sizegroup) },
    [DP_LOADER_sizes_by_sizegroup] = {
        "sizes_by_sizegroup", "sizes_sizegroup.sizegroup_id",
        "sizes_sizegroup JOIN sizes ON sizes.id = sizes_sizegroup.size_id", NULL, NULL,
        "sizes_sizegroup.sizegroup_id, sizes_sizegroup.seq, sizes.id", S_COLS (sizes) },
    [DP_LOADER_units_by_dimension] = {
        "units_by_dimension", "units.dimension_id", "units", NULL, NULL,
        "units.dimension_id, units.id", S_COLS (units) },
    [DP_LOADER_tag_links_by_box] = {
        "tag_links_by_box", "tr.object_id", "tags_relations tr FORCE INDEX (dp_tags_relations_links)",
        "tr.object_type = 'Stock' AND tr.deleted_on IS NULL", NULL, NULL, S_COLS (tag_link) },
    S_BY_ID (people),
    [DP_LOADER_people_by_base] = {
        "people_by_base", "people.camp_id", "people", NULL, NULL,
        "people.camp_id, people.id", S_COLS (people) },
    [DP_LOADER_people_all] = {
        "people_all", "0", "people", NULL, NULL, "people.id", S_COLS (people) },
    [DP_LOADER_people_languages_by_people] = {
        "people_languages_by_people", "x_people_languages.people_id", "x_people_languages", NULL,
        "x_people_languages.people_id", NULL, S_COLS (people_languages) },
    [DP_LOADER_people_tokens_by_people] = {
        "people_tokens_by_people", "transactions.people_id", "transactions", NULL,
        "transactions.people_id", NULL, S_COLS (people_tokens) },
    [DP_LOADER_transactions_by_people] = {
        "transactions_by_people", "transactions.people_id", "transactions", NULL, NULL,
        "transactions.people_id, transactions.id", S_COLS (transactions) },
    [DP_LOADER_tag_links_by_people] = {
        "tag_links_by_people", "tr.object_id", "tags_relations tr FORCE INDEX (dp_tags_relations_links)",
        "tr.object_type = 'People' AND tr.deleted_on IS NULL", NULL, NULL, S_COLS (tag_link) },
    [DP_LOADER_products_all] = {
        "products_all", "0", "products", NULL, NULL, "products.id", S_COLS (products) },
    S_BY_ID (transfer_agreement),
    [DP_LOADER_agreements_by_source_base] = {
        "agreements_by_source_base", "transfer_agreement_detail.source_base_id",
        "transfer_agreement JOIN transfer_agreement_detail"
        " ON transfer_agreement_detail.transfer_agreement_id = transfer_agreement.id",
        NULL, NULL, NULL, S_COLS (transfer_agreement) },
    [DP_LOADER_agreements_by_target_base] = {
        "agreements_by_target_base", "transfer_agreement_detail.target_base_id",
        "transfer_agreement JOIN transfer_agreement_detail"
        " ON transfer_agreement_detail.transfer_agreement_id = transfer_agreement.id",
        NULL, NULL, NULL, S_COLS (transfer_agreement) },
    [DP_LOADER_agreements_all] = {
        "agreements_all", "0", "transfer_agreement", NULL, NULL, "transfer_agreement.id",
        S_COLS (transfer_agreement) },
    [DP_LOADER_agreement_bases_by_agreement] = {
        "agreement_bases_by_agreement", "transfer_agreement_detail.transfer_agreement_id",
        "transfer_agreement_detail", NULL, NULL,
        "transfer_agreement_detail.transfer_agreement_id, transfer_agreement_detail.id",
        S_COLS (agreement_base) },
    [DP_LOADER_shipments_by_agreement] = {
        "shipments_by_agreement", "shipment.transfer_agreement_id", "shipment", NULL, NULL,
        "shipment.transfer_agreement_id, shipment.id", S_COLS (shipment) },
    [DP_LOADER_cms_users_all] = {
        "cms_users_all", "0", "cms_users", NULL, NULL, "cms_users.id", S_COLS (cms_users) },
    S_BY_ID (distro_events),
    [DP_LOADER_distro_events_by_base] = {
        "distro_events_by_base", "locations.camp_id",
        "distro_events JOIN locations ON locations.id = distro_events.location_id", NULL, NULL,
        "locations.camp_id, distro_events.id", S_COLS (distro_events) },
    [DP_LOADER_distro_events_by_location] = {
        "distro_events_by_location", "distro_events.location_id", "distro_events", NULL, NULL,
        "distro_events.location_id, distro_events.id", S_COLS (distro_events) },
    [DP_LOADER_stock_by_distro_event] = {
        "stock_by_distro_event", "stock.distro_event_id", "stock", NULL, NULL,
        "stock.distro_event_id, stock.id", S_COLS (stock) },
    [DP_LOADER_products_by_base] = {
        "products_by_base", "products.camp_id", "products", NULL, NULL,
        "products.camp_id, products.id", S_COLS (products) },
    [DP_LOADER_stock_by_location] = {
        "stock_by_location", "stock.location_id", "stock", NULL, NULL,
        "stock.location_id, stock.id", S_COLS (stock) },
    [DP_LOADER_products_by_category] = {
        "products_by_category", "products.category_id", "products", NULL, NULL,
        "products.category_id, products.id", S_COLS (products) },
    [DP_LOADER_stock_by_tag] = {
        "stock_by_tag", "tagged.tag_id",
        "tags_relations tagged JOIN stock ON stock.id = tagged.object_id",
        "tagged.object_type = 'Stock' AND tagged.deleted_on IS NULL",
        NULL, "tagged.tag_id, stock.id", S_COLS (stock) },
    [DP_LOADER_people_by_tag] = {
        "people_by_tag", "tagged.tag_id",
        "tags_relations tagged JOIN people ON people.id = tagged.object_id",
        "tagged.object_type = 'People' AND tagged.deleted_on IS NULL",
        NULL, "tagged.tag_id, people.id", S_COLS (people) },
    [DP_LOADER_auto_matching_product_by_detail] = {
        "auto_matching_product_by_detail", "detail.id",
        "shipment_detail detail"
        " JOIN shipment matching_shipment ON matching_shipment.id = detail.shipment_id"
        " JOIN products source_product ON source_product.id = detail.source_product_id"
        " JOIN products ON products.standard_product_id = source_product.standard_product_id"
        " AND products.camp_id = matching_shipment.target_base_id",
        "(products.deleted IS NULL OR products.deleted = 0)"
        //  Several matches: the lowest id (boxtribute keeps whichever row comes last).
        " AND NOT EXISTS (SELECT 1 FROM products earlier"
        " WHERE earlier.standard_product_id = products.standard_product_id"
        " AND earlier.camp_id = products.camp_id AND earlier.id < products.id"
        " AND (earlier.deleted IS NULL OR earlier.deleted = 0))",
        NULL, NULL, S_COLS (products) },
    S_BY_ID (standard_product),
    [DP_LOADER_standard_products_latest] = {
        "standard_products_latest", "0", "standard_product", S_NEWEST_VERSION, NULL,
        "standard_product.id", S_COLS (standard_product) },
    //  boxtribute's standardProducts(baseId): the newest version, and every
    //  standard product enabled in the base (a live instantiation there).
    [DP_LOADER_standard_products_by_base] = {
        "standard_products_by_base", "camps.id",
        "camps JOIN standard_product"
        " LEFT JOIN products instantiation"
        " ON instantiation.standard_product_id = standard_product.id"
        " AND instantiation.camp_id = camps.id"
        " AND (instantiation.deleted IS NULL OR instantiation.deleted = 0)",
        "(" S_NEWEST_VERSION " OR instantiation.id IS NOT NULL)", NULL,
        "camps.id, standard_product.id",
        s_sql_standard_product_in_base, sizeof s_sql_standard_product_in_base / sizeof (char *) },
    [DP_LOADER_base_names_by_id] = {
        "base_names_by_id", "camps.id",
        "camps JOIN organisations ON organisations.id = camps.organisation_id", NULL, NULL, NULL,
        S_COLS (base_names) },
    [DP_LOADER_shareable_link_by_id] = {
        "shareable_link_by_id", "shareable_link.id",
        "shareable_link LEFT JOIN camps ON camps.id = shareable_link.base_id"
        " LEFT JOIN organisations ON organisations.id = camps.organisation_id",
        NULL, NULL, NULL, S_COLS (shareable_link) },
    //  The public standardProducts: every version (boxtribute's public query
    //  filters none), with the names its StandardProductInfo shows.
    [DP_LOADER_standard_product_infos_all] = {
        "standard_product_infos_all", "0", S_STANDARD_PRODUCT_INFO_FROM,
        NULL, NULL, "standard_product.id", S_COLS (standard_product_info) },
    [DP_LOADER_standard_product_info_by_id] = {
        "standard_product_info_by_id", "standard_product.id", S_STANDARD_PRODUCT_INFO_FROM,
        NULL, NULL, NULL, S_COLS (standard_product_info) },
    [DP_LOADER_dimension_categories_all] = {
        "dimension_categories_all", "0", "product_categories", NULL, NULL, "product_categories.id",
        S_COLS (dimension_categories) },
    [DP_LOADER_dimension_sizes_by_id] = {
        "dimension_sizes_by_id", "sizes.id", "sizes", NULL, NULL, NULL, S_COLS (dimension_sizes) },
    [DP_LOADER_dimension_locations_by_id] = {
        "dimension_locations_by_id", "locations.id", "locations", NULL, NULL, NULL,
        S_COLS (dimension_locations) },
    [DP_LOADER_dimension_size_ranges_by_id] = {
        "dimension_size_ranges_by_id", "sizegroup.id", "sizegroup", NULL, NULL, NULL,
        S_COLS (dimension_size_ranges) },
    //  boxtribute's authorize_cross_organisation_access: the bases a base is linked to.
    [DP_LOADER_accepted_agreement_bases_by_base] = {
        "accepted_agreement_bases_by_base", "camps.id",
        "camps JOIN transfer_agreement_detail ON camps.id IN"
        " (transfer_agreement_detail.source_base_id, transfer_agreement_detail.target_base_id)"
        " JOIN transfer_agreement ON transfer_agreement.id = transfer_agreement_detail.transfer_agreement_id",
        "transfer_agreement.state = 'Accepted'", NULL, NULL, S_COLS (agreement_base) },
    [DP_LOADER_dimension_beneficiaries_by_id] = {
        "dimension_beneficiaries_by_id", "people.id", "people", NULL, NULL, NULL,
        S_COLS (dimension_beneficiary) },
    //  A UNION, not a join on either column: MariaDB pushes the keys into
    //  each side and reads the two bases' indexes; the join scans every
    //  shipment. ALL: a shipment within one base would come twice under
    //  it, and the resolver drops repeated ids anyway (rows_shared).
    [DP_LOADER_shipments_by_base] = {
        "shipments_by_base", "shipment_base.base_id",
        "(SELECT shipment.source_base_id AS base_id, shipment.id AS shipment_id FROM shipment"
        " UNION ALL SELECT shipment.target_base_id, shipment.id FROM shipment) shipment_base"
        " JOIN shipment ON shipment.id = shipment_base.shipment_id",
        NULL, NULL, "shipment_base.base_id, shipment.id", S_COLS (shipment) },
};

const dp_sql_loader_t *
dp_sql_loader (uint32_t id)
{
    return id < DP_LOADER_COUNT ? &s_loaders [id] : NULL;
}

static int
s_int64_cmp (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a;
    int64_t y = *(const int64_t *) b;
    return (x > y) - (x < y);
}

size_t
dp_sql_unique_keys (int64_t *keys, size_t count)
{
    if (count < 2)
        return count;
    qsort (keys, count, sizeof (int64_t), s_int64_cmp);
    size_t out = 1;
    for (size_t i = 1; i < count; i++)
        if (keys [i] != keys [out - 1])
            keys [out++] = keys [i];
    return out;
}

//  True when mask names only columns 0..n-1.
static bool
s_mask_valid (uint64_t mask, size_t n)
{
    return n >= 64 || (mask >> n) == 0;
}

//  Append ", <col sql>" for every column of mask.
static void
s_append_columns (dp_sql_t *sql, const char *const *columns, size_t n, uint64_t mask)
{
    for (size_t i = 0; i < n; i++)
        if (mask & ((uint64_t) 1 << i)) {
            dp_sql_append (sql, ", ");
            dp_sql_append (sql, columns [i]);
        }
}

//  The key list of a LOAD: its keys, or (keys_sql set) a subquery's text.
static void
s_append_keys (dp_sql_t *sql, const int64_t *keys, size_t n_keys, const char *keys_sql)
{
    if (keys_sql)
        dp_sql_append (sql, keys_sql);
    else
        dp_sql_append_ints (sql, keys, n_keys);
}

static int s_build_load (dp_sql_t *sql, const dp_sql_loader_t *loader, uint64_t mask,
                         const int64_t *keys, size_t n_keys, const char *keys_sql);

int
dp_sql_build_load (dp_sql_t *sql, const dp_sql_loader_t *loader, uint64_t mask,
                   const int64_t *keys, size_t n_keys)
{
    assert (sql);
    assert (loader);
    assert (keys && n_keys > 0);
    return s_build_load (sql, loader, mask, keys, n_keys, NULL);
}

static int
s_build_load (dp_sql_t *sql, const dp_sql_loader_t *loader, uint64_t mask,
              const int64_t *keys, size_t n_keys, const char *keys_sql)
{
    if (!s_mask_valid (mask, loader->n_columns))
        return -1;
    if (loader->sql_template) {
        //  One statement with the key list in several places; every column.
        if (mask != ((uint64_t) 1 << loader->n_columns) - 1)
            return -1;
        for (const char *p = loader->sql_template; *p; ) {
            const char *hole = strstr (p, "{keys}");
            size_t len = hole ? (size_t) (hole - p) : strlen (p);
            s_sql_append_bytes (sql, p, len);
            if (!hole)
                break;
            s_append_keys (sql, keys, n_keys, keys_sql);
            p = hole + 6;
        }
        return 0;
    }
    dp_sql_append (sql, "SELECT ");
    dp_sql_append (sql, loader->key);
    s_append_columns (sql, loader->columns, loader->n_columns, mask);
    dp_sql_printf (sql, " FROM %s WHERE %s IN (", loader->from, loader->key);
    s_append_keys (sql, keys, n_keys, keys_sql);
    dp_sql_append (sql, ")");
    if (loader->where)
        dp_sql_printf (sql, " AND %s", loader->where);
    if (loader->group_by)
        dp_sql_printf (sql, " GROUP BY %s", loader->group_by);
    if (loader->order_by)
        dp_sql_printf (sql, " ORDER BY %s", loader->order_by);
    return 0;
}

//  The lookups by a string key: the rows they answer, the column the key
//  is compared with, and for a key that is not unique the order its
//  index keeps among one key's rows (which row LIMIT 1 reads first).
static const struct {
    uint32_t query;
    dp_loader_id_t rows;
    dp_sql_key_column_t key;
    const char *then;           //  qr: code_legacy_unique (code, legacy)
    bool unique;                //  the key column is UNIQUE: keys of LOADs (by_lookup)
} s_lookups [] = {
    { DP_QUERY_box_by_label, DP_LOADER_stock_by_id, { "stock", "box_id" }, NULL, true },
    { DP_QUERY_qr_by_code, DP_LOADER_qr_by_id, { "qr", "code" }, "qr.legacy", false },
    { DP_QUERY_shareable_link_by_code, DP_LOADER_shareable_link_by_id,
      { "shareable_link", "code" }, NULL, false },
};
#define S_N_LOOKUPS (sizeof s_lookups / sizeof s_lookups [0])

//  The entry of s_lookups for query, or S_N_LOOKUPS when it is no lookup.
static size_t
s_lookup_index (uint32_t query)
{
    size_t i = 0;
    while (i < S_N_LOOKUPS && s_lookups [i].query != query)
        i++;
    return i;
}

const dp_sql_key_column_t *
dp_sql_lookup_key (uint32_t query)
{
    size_t i = s_lookup_index (query);
    return i < S_N_LOOKUPS ? &s_lookups [i].key : NULL;
}

//  Check a lookup's query, arguments and mask; sets *lookup to its entry
//  of s_lookups. Returns 0, or -1 with err filled.
static int
s_lookup_check (uint32_t query, uint64_t mask, const dp_val_t *args, uint32_t n_args,
                size_t *lookup, char *err, size_t err_len)
{
    *lookup = s_lookup_index (query);
    if (*lookup == S_N_LOOKUPS) {
        snprintf (err, err_len, "query %u is not a lookup", query);
        return -1;
    }
    const dp_sql_loader_t *table = &s_loaders [s_lookups [*lookup].rows];
    if (n_args != 1 || args [0].type != DP_VAL_STR) {
        snprintf (err, err_len, "a lookup takes one string argument");
        return -1;
    }
    if (!s_mask_valid (mask, table->n_columns) || mask == 0) {
        snprintf (err, err_len, "bad column mask 0x%llx", (unsigned long long) mask);
        return -1;
    }
    return 0;
}

//  Append a checked lookup's statement.
static void
s_append_lookup (dp_sql_t *sql, size_t lookup, uint64_t mask, const dp_val_t *key_value)
{
    const dp_sql_loader_t *table = &s_loaders [s_lookups [lookup].rows];
    const dp_sql_key_column_t *key = &s_lookups [lookup].key;
    dp_sql_append (sql, "SELECT ");
    dp_sql_append (sql, table->key);
    s_append_columns (sql, table->columns, table->n_columns, mask);
    dp_sql_printf (sql, " FROM %s WHERE %s.%s = ", table->from, key->table, key->column);
    dp_sql_append_quoted (sql, key_value->u.s.ptr, key_value->u.s.len);
    dp_sql_append (sql, " LIMIT 1");
}

int
dp_sql_build_lookup (dp_sql_t *sql, uint32_t query, uint64_t mask, const dp_val_t *args,
                     uint32_t n_args, char *err, size_t err_len)
{
    size_t lookup;
    if (s_lookup_check (query, mask, args, n_args, &lookup, err, err_len))
        return -1;
    s_append_lookup (sql, lookup, mask, &args [0]);
    return 0;
}

int
dp_sql_build_load_by_lookup (dp_sql_t *sql, const dp_sql_loader_t *loader, uint64_t mask,
                             uint32_t query, const char *arg, size_t arg_len, uint32_t column,
                             char *err, size_t err_len)
{
    assert (sql && loader && arg);
    size_t lookup = s_lookup_index (query);
    if (lookup == S_N_LOOKUPS || !s_lookups [lookup].unique) {
        snprintf (err, err_len, "query %u is not a lookup by a unique key", query);
        return -1;
    }
    const dp_sql_loader_t *table = &s_loaders [s_lookups [lookup].rows];
    const dp_catalog_entry_t *entry = dp_catalog_loader (s_lookups [lookup].rows);
    if (column >= entry->n_columns || entry->columns [column].type != DP_COLTYPE_INT) {
        snprintf (err, err_len, "key_lookup column %u is not an integer column of %s",
                  column, entry->name);
        return -1;
    }
    //  The key column is unique: the subquery finds the row the lookup's
    //  LIMIT 1 finds, or none (MariaDB takes no LIMIT in an IN subquery).
    const dp_sql_key_column_t *key = &s_lookups [lookup].key;
    dp_sql_t keys_sql;
    dp_sql_init (&keys_sql);
    dp_sql_printf (&keys_sql, "SELECT %s FROM %s WHERE %s.%s = ", table->columns [column], table->from,
                   key->table, key->column);
    dp_sql_append_quoted (&keys_sql, arg, arg_len);
    int rc = s_build_load (sql, loader, mask, NULL, 0, keys_sql.data);
    dp_sql_destroy (&keys_sql);
    if (rc)
        snprintf (err, err_len, "bad column mask 0x%llx for loader %s", (unsigned long long) mask,
                  loader->name);
    return rc;
}

int
dp_sql_build_lookups (dp_sql_t *sql, uint32_t query, uint64_t mask, const dp_val_t *const *keys,
                      size_t n_keys, char *err, size_t err_len)
{
    assert (sql && keys && n_keys > 0);
    size_t lookup;
    for (size_t i = 0; i < n_keys; i++)
        if (s_lookup_check (query, mask, keys [i], 1, &lookup, err, err_len))
            return -1;
    const dp_sql_loader_t *table = &s_loaders [s_lookups [lookup].rows];
    const dp_sql_key_column_t *key = &s_lookups [lookup].key;
    dp_sql_append (sql, "SELECT dp_keys.i, ");
    dp_sql_append (sql, table->key);
    s_append_columns (sql, table->columns, table->n_columns, mask);
    //  The keys stay string literals (coercible) through the derived
    //  table, so MariaDB converts them to the column's character set and
    //  compares under its collation, with its index, as it does a literal.
    dp_sql_printf (sql, " FROM %s JOIN (", table->from);
    for (size_t i = 0; i < n_keys; i++) {
        dp_sql_printf (sql, i? " UNION ALL SELECT %zu, ": "SELECT %zu AS i, ", i);
        dp_sql_append_quoted (sql, keys [i]->u.s.ptr, keys [i]->u.s.len);
        if (i == 0)
            dp_sql_append (sql, " AS k");
    }
    dp_sql_printf (sql, ") dp_keys ON %s.%s = dp_keys.k", key->table, key->column);
    if (s_lookups [lookup].then)
        dp_sql_printf (sql, " ORDER BY dp_keys.i, %s", s_lookups [lookup].then);
    return 0;
}

size_t
dp_sql_result_types (const dp_catalog_entry_t *entry, uint64_t mask, dp_coltype_t *types)
{
    assert (entry);
    assert (types);
    if (!s_mask_valid (mask, entry->n_columns))
        return 0;
    size_t count = 0;
    types [count++] = DP_COLTYPE_INT;
    for (size_t i = 0; i < entry->n_columns && i < 64; i++)
        if (mask & ((uint64_t) 1 << i))
            types [count++] = entry->columns [i].type;
    return count;
}


//  ==========================================================================
//  Root queries: arguments

#define S_FAIL(...) (snprintf (err, err_len, __VA_ARGS__), -1)

//  Parse a date or datetime into out as "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS".
//  Accepts "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS", "YYYY-MM-DDTHH:MM:SS" and
//  the latter followed by "Z" or "+00:00". Every other byte is refused, so
//  the result holds only digits, '-', ':' and ' '.
int
dp_sql_parse_datetime (const char *text, size_t len, char out [20])
{
    static const char *pattern = "dddd-dd-dd?dd:dd:dd";
    if (len != 10 && len != 19 && !(len == 20 && text [19] == 'Z')
    &&  !(len == 25 && memcmp (text + 19, "+00:00", 6) == 0))
        return -1;
    size_t n = len == 10 ? 10 : 19;
    for (size_t i = 0; i < n; i++) {
        char p = pattern [i];
        char c = text [i];
        if (p == 'd' && !(c >= '0' && c <= '9'))
            return -1;
        if (p == '?' && c != ' ' && c != 'T')
            return -1;
        if (p != 'd' && p != '?' && c != p)
            return -1;
    }
    memcpy (out, text, n);
    out [n] = 0;
    if (n == 19)
        out [10] = ' ';
    return 0;
}

//  An optional list of ints: nil or an array of INT.
static int
s_parse_ids (const dp_val_t *value, const char *name, dp_arena_t *arena,
             dp_sql_ids_t *ids, char *err, size_t err_len)
{
    ids->ids = NULL;
    ids->count = 0;
    if (!value || value->type == DP_VAL_NIL)
        return 0;
    if (value->type != DP_VAL_ARRAY)
        return S_FAIL ("%s must be a list of ints or nil", name);
    int64_t *array = dp_arena_alloc (arena, (value->u.a.count + 1) * sizeof (int64_t));
    for (uint32_t i = 0; i < value->u.a.count; i++) {
        if (value->u.a.items [i].type != DP_VAL_INT)
            return S_FAIL ("%s [%u] must be an int", name, i);
        array [i] = value->u.a.items [i].u.i;
    }
    ids->ids = array;
    ids->count = value->u.a.count;
    return 0;
}

//  The same for the other parsers of root-query arguments (dp_sql_catalog.h).
int
dp_sql_parse_ids (const dp_val_t *value, const char *name, dp_arena_t *arena,
                  dp_sql_ids_t *ids, char *err, size_t err_len)
{
    assert (arena && ids && name);
    return s_parse_ids (value, name, arena, ids, err, err_len);
}

static int
s_parse_date_arg (const dp_val_t *value, const char *name, char out [20],
                  char *err, size_t err_len)
{
    out [0] = 0;
    if (!value || value->type == DP_VAL_NIL)
        return 0;
    if (value->type != DP_VAL_STR
    ||  dp_sql_parse_datetime (value->u.s.ptr, value->u.s.len, out))
        return S_FAIL ("%s must be a date (YYYY-MM-DD) or datetime string", name);
    return 0;
}

int
dp_sql_boxes_parse (uint32_t query, const dp_val_t *values, uint32_t n_values,
                    dp_arena_t *arena, dp_sql_boxes_args_t *args,
                    char *err, size_t err_len)
{
    assert (args);
    assert (arena);
    memset (args, 0, sizeof *args);
    args->limit = -1;
    if (n_values > 6)
        return S_FAIL ("boxes queries take at most 6 arguments, got %u", n_values);
    const dp_val_t *arg [6] = { NULL };
    for (uint32_t i = 0; i < n_values; i++)
        arg [i] = &values [i];

    if (!arg [0] || arg [0]->type != DP_VAL_INT)
        return S_FAIL ("base_id (argument 0) must be an int");
    args->base_id = arg [0]->u.i;

    if (arg [1] && arg [1]->type != DP_VAL_NIL) {
        if (arg [1]->type != DP_VAL_ARRAY)
            return S_FAIL ("filter (argument 1) must be a list or nil");
        if (arg [1]->u.a.count > 9)
            return S_FAIL ("filter has at most 9 fields, got %u", arg [1]->u.a.count);
        const dp_val_t *f [9] = { NULL };
        for (uint32_t i = 0; i < arg [1]->u.a.count; i++)
            f [i] = &arg [1]->u.a.items [i];
        if (s_parse_ids (f [0], "filter.states", arena, &args->states, err, err_len)
        ||  s_parse_ids (f [1], "filter.location_ids", arena, &args->location_ids, err, err_len)
        ||  s_parse_date_arg (f [2], "filter.last_modified_from", args->modified_from, err, err_len)
        ||  s_parse_date_arg (f [3], "filter.last_modified_until", args->modified_until, err, err_len)
        ||  s_parse_ids (f [4], "filter.product_gender_ids", arena, &args->gender_ids, err, err_len)
        ||  s_parse_ids (f [5], "filter.product_category_ids", arena, &args->category_ids, err, err_len)
        ||  s_parse_ids (f [6], "filter.product_ids", arena, &args->product_ids, err, err_len)
        ||  s_parse_ids (f [8], "filter.tag_ids", arena, &args->tag_ids, err, err_len))
            return -1;
        if (f [7] && f [7]->type != DP_VAL_NIL) {
            if (f [7]->type != DP_VAL_INT)
                return S_FAIL ("filter.size_id must be an int or nil");
            args->has_size = true;
            args->size_id = f [7]->u.i;
        }
    }

    if (arg [2] && arg [2]->type != DP_VAL_NIL) {
        if (arg [2]->type != DP_VAL_INT || arg [2]->u.i < 0)
            return S_FAIL ("limit (argument 2) must be an int >= 0");
        args->limit = arg [2]->u.i;
    }
    if (query == DP_QUERY_boxes_page && args->limit < 0)
        return S_FAIL ("boxes_page needs a limit (argument 2)");

    bool has_modified = arg [3] && arg [3]->type != DP_VAL_NIL;
    if (has_modified
    && (arg [3]->type != DP_VAL_STR
    ||  dp_sql_parse_datetime (arg [3]->u.s.ptr, arg [3]->u.s.len, args->after_modified)))
        return S_FAIL ("after_modified (argument 3) must be a datetime string or nil");
    if (arg [4] && arg [4]->type != DP_VAL_NIL) {
        if (arg [4]->type != DP_VAL_INT)
            return S_FAIL ("after_id (argument 4) must be an int or nil");
        args->has_cursor = true;
        args->after_id = arg [4]->u.i;
        args->after_modified_nil = !has_modified;
    }
    else
    if (has_modified)
        return S_FAIL ("after_modified given without after_id");
    if (arg [5] && arg [5]->type != DP_VAL_NIL) {
        if (arg [5]->type != DP_VAL_BOOL && arg [5]->type != DP_VAL_INT)
            return S_FAIL ("backward (argument 5) must be a bool or nil");
        args->backward = arg [5]->u.i != 0;
        if (args->backward && !args->has_cursor)
            return S_FAIL ("a backward page needs a cursor (arguments 3 and 4)");
    }
    return 0;
}

bool
dp_sql_boxes_match_nothing (const dp_sql_boxes_args_t *args)
{
    assert (args);
    return args->tag_ids.ids && args->tag_ids.count == 0;
}


//  ==========================================================================
//  Root queries: SQL

#define S_NOT_DELETED "(stock.deleted IS NULL OR stock.deleted = 0)"

static void
s_append_in (dp_sql_t *sql, const char *expr, const dp_sql_ids_t *ids)
{
    if (!ids->ids || ids->count == 0)
        return;
    dp_sql_printf (sql, " AND %s IN (", expr);
    dp_sql_append_ints (sql, ids->ids, ids->count);
    dp_sql_append (sql, ")");
}

//  The filter conditions shared by the three queries, each " AND ...".
//  Locations are not included: each query restricts them its own way.
static void
s_append_filter (dp_sql_t *sql, const dp_sql_boxes_args_t *args)
{
    dp_sql_append (sql, " AND " S_NOT_DELETED);
    s_append_in (sql, "stock.box_state_id", &args->states);
    bool genders = args->gender_ids.ids && args->gender_ids.count;
    bool categories = args->category_ids.ids && args->category_ids.count;
    if (genders || categories) {
        dp_sql_append (sql, " AND stock.product_id IN (SELECT products.id FROM products WHERE 1 = 1");
        s_append_in (sql, "products.gender_id", &args->gender_ids);
        s_append_in (sql, "products.category_id", &args->category_ids);
        dp_sql_append (sql, ")");
    }
    s_append_in (sql, "stock.product_id", &args->product_ids);
    if (args->has_size)
        dp_sql_printf (sql, " AND stock.size_id = %lld", (long long) args->size_id);
    if (args->modified_from [0]) {
        dp_sql_append (sql, " AND stock.modified >= ");
        dp_sql_append_quoted (sql, args->modified_from, strlen (args->modified_from));
    }
    if (args->modified_until [0]) {
        //  The zero date reads as null (API.md section 4), so it is not "before" anything.
        dp_sql_append (sql, " AND stock.modified > 0 AND stock.modified <= ");
        dp_sql_append_quoted (sql, args->modified_until, strlen (args->modified_until));
    }
    if (args->tag_ids.ids && args->tag_ids.count) {
        dp_sql_append (sql, " AND EXISTS (SELECT 1 FROM tags_relations tr"
                            " WHERE tr.object_type = 'Stock' AND tr.object_id = stock.id"
                            " AND tr.deleted_on IS NULL AND tr.tag_id IN (");
        dp_sql_append_ints (sql, args->tag_ids.ids, args->tag_ids.count);
        dp_sql_append (sql, "))");
    }
}

//  " AND stock.location_id IN (SELECT ... camp_id = N)" plus the location filter.
static void
s_append_base_subquery (dp_sql_t *sql, const dp_sql_boxes_args_t *args)
{
    dp_sql_printf (sql, " stock.location_id IN (SELECT locations.id FROM locations"
                        " WHERE locations.camp_id = %lld)", (long long) args->base_id);
    s_append_in (sql, "stock.location_id", &args->location_ids);
}

//  The rows strictly after (after = true) or before the cursor, in the order
//  modified DESC, id DESC where NULL sorts after the zero date, which sorts
//  after every real date.
static void
s_append_cursor (dp_sql_t *sql, const dp_sql_boxes_args_t *args, bool after)
{
    long long id = (long long) args->after_id;
    if (!args->after_modified_nil) {
        dp_sql_append (sql, after? " AND (stock.modified < ": " AND (stock.modified > ");
        dp_sql_append_quoted (sql, args->after_modified, strlen (args->after_modified));
        dp_sql_append (sql, " OR (stock.modified = ");
        dp_sql_append_quoted (sql, args->after_modified, strlen (args->after_modified));
        dp_sql_printf (sql, " AND stock.id %s %lld)%s)", after? "<": ">", id,
                       after? " OR stock.modified IS NULL": "");
        return;
    }
    //  The cursor row's modified was NULL or the zero date: ask the row.
    char cursor [96];
    snprintf (cursor, sizeof cursor, "(SELECT c.modified FROM stock c WHERE c.id = %lld)", id);
    if (after)
        dp_sql_printf (sql, " AND ((stock.modified IS NULL AND stock.id < %lld)"
                            " OR (%s = 0 AND (stock.modified IS NULL"
                            " OR (stock.modified = 0 AND stock.id < %lld))))",
                       id, cursor, id);
    else
        dp_sql_printf (sql, " AND ((%s IS NULL AND (stock.modified IS NOT NULL OR stock.id > %lld))"
                            " OR (%s = 0 AND (stock.modified > 0"
                            " OR (stock.modified = 0 AND stock.id > %lld))))",
                       cursor, id, cursor, id);
}

void
dp_sql_build_base_locations (dp_sql_t *sql, const dp_sql_boxes_args_t *args)
{
    assert (sql);
    assert (args);
    dp_sql_printf (sql, "SELECT locations.id FROM locations WHERE locations.camp_id = %lld",
                   (long long) args->base_id);
}

size_t
dp_sql_filter_locations (const dp_sql_boxes_args_t *args, int64_t *ids, size_t count)
{
    assert (args);
    if (!args->location_ids.ids || args->location_ids.count == 0)
        return count;
    size_t out = 0;
    for (size_t i = 0; i < count; i++)
        for (size_t j = 0; j < args->location_ids.count; j++)
            if (ids [i] == args->location_ids.ids [j]) {
                ids [out++] = ids [i];
                break;
            }
    return out;
}

void
dp_sql_build_boxes_page (dp_sql_t *sql, const dp_sql_boxes_args_t *args, uint64_t mask,
                         const int64_t *locations, size_t n)
{
    assert (sql);
    assert (args);
    assert (locations && n > 0);
    assert (args->limit >= 0);
    size_t n_columns = sizeof s_sql_stock / sizeof s_sql_stock [0];
    assert (s_mask_valid (mask, n_columns));
    dp_sql_append (sql, "SELECT stock.id");
    s_append_columns (sql, s_sql_stock, n_columns, mask);
    dp_sql_append (sql, " FROM stock WHERE stock.location_id IN (");
    dp_sql_append_ints (sql, locations, n);
    dp_sql_append (sql, ")");
    s_append_filter (sql, args);
    if (args->has_cursor)
        s_append_cursor (sql, args, !args->backward);
    //  Backwards: the rows just before the cursor, nearest first (the caller
    //  puts them back in the page's order).
    dp_sql_printf (sql, args->backward ? " ORDER BY stock.modified ASC, stock.id ASC LIMIT %lld"
                                       : " ORDER BY stock.modified DESC, stock.id DESC LIMIT %lld",
                   (long long) args->limit);
}

void
dp_sql_build_boxes_count (dp_sql_t *sql, const dp_sql_boxes_args_t *args)
{
    assert (sql);
    assert (args);
    dp_sql_append (sql, "SELECT COUNT(*) FROM stock WHERE");
    s_append_base_subquery (sql, args);
    s_append_filter (sql, args);
}

void
dp_sql_build_boxes_has_previous (dp_sql_t *sql, const dp_sql_boxes_args_t *args)
{
    assert (sql);
    assert (args);
    assert (args->has_cursor);
    dp_sql_append (sql, "SELECT EXISTS (SELECT 1 FROM stock WHERE");
    s_append_base_subquery (sql, args);
    s_append_filter (sql, args);
    s_append_cursor (sql, args, false);
    dp_sql_append (sql, ")");
}


//  ==========================================================================
//  Root queries: the table db-svc runs them from

static int
s_parse_lookup (const dp_val_t *values, uint32_t n_values, dp_arena_t *arena,
                dp_sql_query_args_t *args, char *err, size_t err_len)
{
    size_t lookup;
    if (s_lookup_check (args->query, args->mask, values, n_values, &lookup, err, err_len))
        return -1;
    args->key = values [0];
    return 0;
}

static void
s_build_lookup (dp_sql_t *sql, const dp_sql_query_args_t *args)
{
    size_t lookup;
    char err [128];
    int rc = s_lookup_check (args->query, args->mask, &args->key, 1, &lookup, err, sizeof err);
    assert (rc == 0);           //  parsed before
    s_append_lookup (sql, lookup, args->mask, &args->key);
}

static int
s_parse_boxes (const dp_val_t *values, uint32_t n_values, dp_arena_t *arena,
               dp_sql_query_args_t *args, char *err, size_t err_len)
{
    return dp_sql_boxes_parse (args->query, values, n_values, arena, &args->boxes, err, err_len);
}

//  Known without SQL: no box passes the filter, a page of none, no cursor
//  to look before.
static bool
s_page_nothing (const dp_sql_query_args_t *args)
{
    return dp_sql_boxes_match_nothing (&args->boxes) || args->boxes.limit == 0;
}

static bool
s_count_nothing (const dp_sql_query_args_t *args)
{
    return dp_sql_boxes_match_nothing (&args->boxes);
}

static bool
s_has_previous_nothing (const dp_sql_query_args_t *args)
{
    return dp_sql_boxes_match_nothing (&args->boxes) || !args->boxes.has_cursor;
}

static void
s_build_page (dp_sql_t *sql, const dp_sql_query_args_t *args)
{
    dp_sql_build_base_locations (sql, &args->boxes);
}

static void
s_build_count (dp_sql_t *sql, const dp_sql_query_args_t *args)
{
    dp_sql_build_boxes_count (sql, &args->boxes);
}

static void
s_build_has_previous (dp_sql_t *sql, const dp_sql_query_args_t *args)
{
    dp_sql_build_boxes_has_previous (sql, &args->boxes);
}

//  One entry per root query of dp_catalog.h, as Redis keeps its command
//  table: how db-svc runs it (kind), how its arguments are read, when its
//  answer needs no SQL, and its first statement.
static const dp_sql_query_t s_queries [DP_QUERY_COUNT] = {
    [DP_QUERY_boxes_page] = { DP_SQL_QUERY_PAGE, s_parse_boxes, s_page_nothing, s_build_page },
    [DP_QUERY_boxes_count] = { DP_SQL_QUERY_SCALAR, s_parse_boxes, s_count_nothing,
                               s_build_count },
    [DP_QUERY_boxes_has_previous] = { DP_SQL_QUERY_SCALAR, s_parse_boxes,
                                      s_has_previous_nothing, s_build_has_previous },
    [DP_QUERY_box_by_label] = { DP_SQL_QUERY_LOOKUP, s_parse_lookup, NULL, s_build_lookup },
    [DP_QUERY_qr_by_code] = { DP_SQL_QUERY_LOOKUP, s_parse_lookup, NULL, s_build_lookup },
    [DP_QUERY_shareable_link_by_code] = { DP_SQL_QUERY_LOOKUP, s_parse_lookup, NULL, s_build_lookup },
    //  Statistics cubes (dp_sql_cubes.c).
    [DP_QUERY_created_boxes] = { DP_SQL_QUERY_ROWS, dp_sql_cube_parse_base, NULL,
                                 dp_sql_cube_created_boxes },
    [DP_QUERY_top_products_checked_out] = { DP_SQL_QUERY_ROWS, dp_sql_cube_parse_base, NULL,
                                            dp_sql_cube_top_products_checked_out },
    [DP_QUERY_top_products_donated] = { DP_SQL_QUERY_ROWS, dp_sql_cube_parse_base, NULL,
                                        dp_sql_cube_top_products_donated },
    //  Beneficiary statistics (dp_sql_beneficiaries.c).
    [DP_QUERY_beneficiary_demographics] = { DP_SQL_QUERY_ROWS, dp_sql_cube_parse_base, NULL,
                                            dp_sql_beneficiary_demographics },
    [DP_QUERY_beneficiary_reach] = { DP_SQL_QUERY_ROWS, dp_sql_cube_parse_base, NULL,
                                     dp_sql_beneficiary_reach },
    [DP_QUERY_beneficiary_figures] = { DP_SQL_QUERY_ROWS, dp_sql_cube_parse_base, NULL,
                                       dp_sql_beneficiary_figures },
    [DP_QUERY_families_served] = { DP_SQL_QUERY_SCALAR, dp_sql_metric_parse, NULL,
                                   dp_sql_metric_families_served },
    [DP_QUERY_number_of_sales] = { DP_SQL_QUERY_SCALAR, dp_sql_metric_parse, NULL,
                                   dp_sql_metric_number_of_sales },
    [DP_QUERY_moved_boxes] = { DP_SQL_QUERY_ROWS, dp_sql_cube_parse_base, NULL,
                               dp_sql_moved_boxes_build },
    [DP_QUERY_stock_overview] = { DP_SQL_QUERY_ROWS, dp_sql_stock_overview_parse, NULL,
                                  dp_sql_stock_overview_build },
    //  The public endpoint's totals (dp_sql_public_numbers.c).
    [DP_QUERY_boxes_created_between] = { DP_SQL_QUERY_SCALAR, dp_sql_public_parse_span, NULL,
                                         dp_sql_public_boxes_created },
    [DP_QUERY_beneficiaries_registered_between] = { DP_SQL_QUERY_SCALAR, dp_sql_public_parse_span,
                                                    NULL, dp_sql_public_beneficiaries_registered },
    [DP_QUERY_beneficiaries_reached_between] = { DP_SQL_QUERY_SCALAR, dp_sql_public_parse_span,
                                                 NULL, dp_sql_public_beneficiaries_reached },
};

const dp_sql_query_t *
dp_sql_query (uint32_t id)
{
    return id < DP_QUERY_COUNT && s_queries [id].parse? &s_queries [id]: NULL;
}

int
dp_sql_query_parse (const dp_sql_query_t *self, uint32_t query, uint64_t mask,
                    const dp_val_t *values, uint32_t n_values, dp_arena_t *arena,
                    dp_sql_query_args_t *args, char *err, size_t err_len)
{
    assert (self && args && arena);
    memset (args, 0, sizeof *args);
    args->query = query;
    args->mask = mask;
    return self->parse (values, n_values, arena, args, err, err_len);
}

bool
dp_sql_query_nothing (const dp_sql_query_t *self, const dp_sql_query_args_t *args)
{
    assert (self && args);
    return self->nothing && self->nothing (args);
}

void
dp_sql_query_build (const dp_sql_query_t *self, dp_sql_t *sql, const dp_sql_query_args_t *args)
{
    assert (self && sql && args);
    self->build (sql, args);
}
