/*  =========================================================================
    dp_mut_box - what createBox, updateBox and createBoxFromBox share

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The stock row a box mutation reads (always FOR UPDATE, so a concurrent
    change waits instead of being silently undone), boxtribute's box states
    and label identifiers, the cells of LOAD and SELECT replies by catalog
    column, the columns an UPDATE sets (only changed ones), the comparison
    of a box before and after with its history rows (boxtribute's
    update_box field list, in its order), and the tags: new tags from
    newTagNames and the tag relations of a box.
@end
*/
#ifndef DP_MUT_BOX_H_INCLUDED
#define DP_MUT_BOX_H_INCLUDED

#include "dp_mutation.h"
#include "dp_history.h"
#include "dp_tables.h"

//  A box as the stock table holds it. Nullable columns are dp_val_t (NIL,
//  INT, DOUBLE or STR).
typedef struct {
    int64_t id;
    const char *label;
    int64_t product_id;
    dp_val_t size_id;
    int64_t weight_display_unit_id;
    dp_val_t weight;
    dp_val_t monetary_value;
    dp_val_t display_unit_id;
    dp_val_t measure_value;     //  in the dimension's base unit (kg, l)
    dp_val_t items;
    int64_t location_id;
    dp_val_t qr_id;
    dp_val_t comments;
    bool deleted;
    int64_t state;              //  box_state_id
} dp_box_t;

//  The columns dp_box_select reads.
#define DP_BOX_COLUMNS \
    (DP_TBIT (stock, id) | DP_TBIT (stock, box_id) | DP_TBIT (stock, product_id) \
     | DP_TBIT (stock, size_id) | DP_TBIT (stock, weight_display_unit_id) | DP_TBIT (stock, weight) \
     | DP_TBIT (stock, monetary_value) | DP_TBIT (stock, display_unit_id) \
     | DP_TBIT (stock, measure_value) | DP_TBIT (stock, items) | DP_TBIT (stock, location_id) \
     | DP_TBIT (stock, qr_id) | DP_TBIT (stock, comments) | DP_TBIT (stock, deleted) \
     | DP_TBIT (stock, box_state_id))

//  boxtribute's BoxState ids.
enum {
    DP_BOX_IN_STOCK = 1, DP_BOX_LOST, DP_BOX_MARKED_FOR_SHIPMENT, DP_BOX_RECEIVING,
    DP_BOX_DONATED, DP_BOX_SCRAP, DP_BOX_IN_TRANSIT, DP_BOX_NOT_DELIVERED
};

//  SELECT the box whose `column` (DP_TCOL_stock_box_id, _qr_id) is value,
//  FOR UPDATE. Returns the reply (dp_box_parse reads it).
dp_mutation_reply_t *dp_box_select (dp_mutation_t *m, int column, dp_val_t value);

//  The same without a lock.
dp_mutation_reply_t *dp_box_select_unlocked (dp_mutation_t *m, int column, dp_val_t value);

//  Parse row 0 of a dp_box_select reply into box; false when there is none.
//  Strings are borrowed from the reply (request arena).
bool dp_box_parse (const dp_mutation_reply_t *reply, dp_box_t *box);

//  True for the states in which boxtribute lets a box be updated
//  (WAREHOUSE_BOX_STATES: InStock, Donated, Scrap, Lost).
bool dp_box_state_in_warehouse (int64_t state);

//  The BoxState enum name of a state id ("MarkedForShipment"), or "?".
const char *dp_box_state_name (int64_t state);

//  A new label identifier as boxtribute makes it: 8 random digits (label
//  must hold 9 bytes).
void dp_box_new_label (char *label);

//  How often boxtribute draws a label before it gives up
//  (RANDOM_SEQUENCE_GENERATION_ATTEMPTS), and its message then.
#define DP_BOX_LABEL_ATTEMPTS 10
#define DP_BOX_CREATION_FAILED "The box could not be added to the database."

//  Draw a new label into label (9 bytes) and SELECT the box holding it,
//  without a lock: the label is free when the reply has no row. (A locking
//  read of a free label would lock the index gap it falls in, and two
//  transactions inserting into one gap would deadlock.) A label taken
//  between this and the INSERT is a duplicate key: the field runs again.
dp_mutation_reply_t *dp_box_try_label (dp_mutation_t *m, char *label);

//  True when a label could be stored in stock.box_id at all: ASCII only
//  (anything else matches no box, and a four-byte character would make
//  MariaDB refuse the comparison against a utf8mb3 column).
bool dp_box_label_usable (const char *label, size_t len);

//  A field of an input object, or NULL when absent or null (boxtribute
//  treats both as "not given").
const input_t *dp_box_given (const input_t *input, const char *name);

//  Fail the field BAD_USER_INPUT with message (boxtribute's exceptions'
//  description). Returns false, for `return dp_box_bad_input (...)`.
bool dp_box_bad_input (dp_mutation_t *m, const char *message);

//  -------------------------------------------------------------------------
//  Reply cells by catalog column

//  The row of a LOAD reply answering key, or -1.
int dp_load_row (const dp_mutation_reply_t *reply, int64_t key);

//  A LOAD row's cell of catalog column col, loaded with mask.
const dp_val_t *dp_load_cell (const dp_mutation_reply_t *reply, int row, uint64_t mask, int col);

//  A STMT SELECT row's cell of table column col, selected with mask.
const dp_val_t *dp_select_cell (const dp_mutation_reply_t *reply, uint32_t row, uint64_t mask, int col);

//  A LOAD cell's integer, or fallback when nil.
int64_t dp_cell_int (const dp_val_t *cell, int64_t fallback);

//  A LOAD cell's text, or "" when nil.
const char *dp_cell_text (const dp_val_t *cell);

//  The units columns dp_box_unit reads, and one unit of a units_by_id reply
//  (symbol, factor; dimension in *dimension when not NULL). A unit the
//  reply lacks is "" with factor 1.
#define DP_BOX_UNIT_COLUMNS \
    ((1ull << DP_COL_units_symbol) | (1ull << DP_COL_units_conversion_factor) \
     | (1ull << DP_COL_units_dimension_id))
dp_history_unit_t dp_box_unit (const dp_mutation_reply_t *units, int64_t id, int64_t *dimension);

//  The locations and products columns the box mutations read.
#define DP_BOX_LOCATION_COLUMNS \
    ((1ull << DP_COL_locations_label) | (1ull << DP_COL_locations_camp_id) \
     | (1ull << DP_COL_locations_deleted) | (1ull << DP_COL_locations_box_state_id))
#define DP_BOX_PRODUCT_COLUMNS \
    ((1ull << DP_COL_products_name) | (1ull << DP_COL_products_camp_id) \
     | (1ull << DP_COL_products_deleted) | (1ull << DP_COL_products_sizegroup_id))

//  boxtribute's is_measure_product: the Mass (28) and Volume (29) size ranges.
bool dp_box_is_measure (int64_t sizegroup);

//  True when a sizes_by_sizegroup reply (sizes.id loaded) holds size_id.
bool dp_box_size_in_range (const dp_mutation_reply_t *sizes, int64_t size_id);

//  -------------------------------------------------------------------------
//  Writing a box

//  Columns of a stock UPDATE or INSERT, set one by one in any order.
typedef struct {
    dp_val_t values [DP_TCOL_stock_source_box_id + 1];
    uint64_t columns;
} dp_box_set_t;

void dp_box_set (dp_box_set_t *set, int column, dp_val_t value);

//  The set values in column order, in the request's arena (for
//  dp_mutation_update / dp_mutation_insert with set->columns).
dp_val_t *dp_box_set_values (dp_mutation_t *m, const dp_box_set_t *set);

//  What the client sent for the numbers whose history text rounds them
//  (NIL when not sent): measureValue in its display unit, weight, monetaryValue.
typedef struct {
    dp_val_t measure;
    dp_val_t weight;
    dp_val_t money;
} dp_box_shown_t;

//  Compare before and after over boxtribute's update_box fields in its
//  order (box_id, product_id, size_id, items, location_id, comments,
//  box_state_id, display_unit_id, measure_value, weight, monetary_value):
//  each changed one gets its history row for after->id and its column in
//  set. units: a units_by_id reply (DP_BOX_UNIT_COLUMNS) with the boxes'
//  display and weight units. Returns the number of changed fields.
size_t dp_box_changes (const dp_box_t *before, const dp_box_t *after, const dp_box_shown_t *shown,
                       const dp_mutation_reply_t *units, dp_history_t *history, dp_box_set_t *set);

//  Values helpers.
dp_val_t dp_val_int (int64_t value);
dp_val_t dp_val_double (double value);
dp_val_t dp_val_str (const char *text);
dp_val_t dp_val_nil (void);

//  -------------------------------------------------------------------------
//  Permissions (boxtribute's authorize: FORBIDDEN, the field null)

//  True when the caller holds permission for base_id; else fails the field
//  FORBIDDEN "You don't have access to '<permission or base=N>'".
bool dp_box_require (dp_mutation_t *m, const char *permission, int64_t base_id);

//  tag_relation:assign anywhere, then tag:read in the base of each tag of
//  a tags_by_id reply (NULL: none), as createBox and updateBox check them.
bool dp_box_require_tags (dp_mutation_t *m, const dp_mutation_reply_t *tags);

//  -------------------------------------------------------------------------
//  Tags

//  The tags columns the box mutations read (label, camp_id, deleted, type).
#define DP_BOX_TAG_COLUMNS \
    ((1ull << DP_COL_tags_label) | (1ull << DP_COL_tags_camp_id) | (1ull << DP_COL_tags_deleted) \
     | (1ull << DP_COL_tags_type))

//  Lock the tags tagIds names (SELECT FOR UPDATE by id; tag_ids may be
//  NULL or empty: nothing is sent). Issue it before any other read of the
//  transaction: a deleteTag of one of them then either waits for this
//  field's COMMIT and removes the relation it adds, or has committed, and
//  the field's reads, whose snapshot begins after the lock, see the tag
//  deleted. Tags are locked before boxes, as every tag mutation does.
void dp_box_lock_tags (dp_mutation_t *m, const input_t *tag_ids);

//  Checks of the tags of a tags_by_id reply for a box in base_id, in
//  boxtribute's order (_validate_base_of_tags: "bases of tags not
//  matching", then "bases of 'location' and 'tag' not matching"), then
//  Depot's (deleted tags, beneficiary tags). Returns true, or false after
//  failing the field with the message.
bool dp_box_check_tags (dp_mutation_t *m, const dp_mutation_reply_t *tags, int64_t base_id);

//  INSERT each new tag name (deduplicated, in the order given) as a Box tag
//  of base_id, one INSERT each (their ids come from each reply's
//  last_insert_id). Returns the replies in the arena, *n set.
dp_mutation_reply_t **dp_box_insert_new_tags (dp_mutation_t *m, const input_t *names, int64_t base_id,
                                              size_t *n);

//  INSERT the relations of box_id to n tag ids (each once).
void dp_box_insert_relations (dp_mutation_t *m, int64_t box_id, const int64_t *tag_ids, size_t n);

#endif
