/*  =========================================================================
    dp_mut_bulk - what the bulk box mutations share: labels, locked boxes,
    their bases, BoxesResult, UnauthorizedForBaseError's names

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    ManageBoxes' bulk actions (deleteBoxes, moveBoxesToLocation,
    assignTagsToBoxes, unassignTagsFromBoxes) and the bulk import
    (createBoxes) take a list of box labels and answer the boxes they
    changed and, sorted, the labels they did not (boxtribute's
    BoxesResult). Each does it set-based, whatever the number of boxes:
    one SELECT ... FOR UPDATE of every box by label, one LOAD of their
    locations (for the bases), one UPDATE of all the ids, one multi-row
    INSERT of history or tag relations. The statements a mutation issues
    depend on what the request asks and how it goes (a refusal stops
    early), never on how many boxes it names.
@discuss
    boxtribute's rule for a box a bulk action may change
    (warehouse/box/mutations.py): it exists, is not deleted (deleted NULL
    or the zero date, which ROWS cells give as nil) and is in a
    "warehouse" state (InStock, Lost, Donated, Scrap).

    Everything returned lives in the request's arena.
@end
*/
#ifndef DP_MUT_BULK_H_INCLUDED
#define DP_MUT_BULK_H_INCLUDED

#include "dp_mutation.h"
#include "dp_tables.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  The mutations of this family (dp_mut_box_delete.c, dp_mut_box_move.c,
//  dp_mut_box_tags.c, dp_mut_box_create_bulk.c), bound in dp_mapping.c.
extern const dp_mutation_def_t dp_mut_delete_boxes;
extern const dp_mutation_def_t dp_mut_move_boxes;
extern const dp_mutation_def_t dp_mut_assign_tags_to_boxes;
extern const dp_mutation_def_t dp_mut_unassign_tags_from_boxes;
extern const dp_mutation_def_t dp_mut_create_boxes;

//  The labels a mutation names, each once, sorted (boxtribute answers the
//  invalid ones sorted): `text` for the answer, `values` (STR) for the
//  SELECT. A label holding U+0000 can match no box: it is answered, not
//  looked up (n_lookup <= n).
typedef struct {
    const char **text;
    size_t *len;                //  bytes of each text (it may hold U+0000)
    size_t n;
    dp_val_t *values;
    size_t n_lookup;
} dp_bulk_labels_t;

//  A box as the bulk mutations read it (DP_BULK_BOX_COLUMNS of stock).
typedef struct {
    int64_t id;
    const char *label;
    int64_t location_id;
    int64_t state;              //  box_state_id
    bool live;                  //  deleted is NULL or the zero date
    bool has_items;
    int64_t items;
    int64_t base_id;            //  its location's base, once dp_bulk_set_bases ran; else 0
    bool valid;                 //  the caller's verdict: the box is changed
} dp_bulk_box_t;

#define DP_BULK_BOX_COLUMNS (DP_TBIT (stock, id) | DP_TBIT (stock, box_id) \
    | DP_TBIT (stock, items) | DP_TBIT (stock, location_id) | DP_TBIT (stock, deleted) \
    | DP_TBIT (stock, box_state_id))

//  The labels of a [String!] argument (NULL or null: none).
void dp_bulk_labels (dp_mutation_t *m, const input_t *list, dp_bulk_labels_t *labels);

//  SELECT the boxes with these labels FOR UPDATE (DP_BULK_BOX_COLUMNS,
//  by id): the rows the mutation may change are locked before it decides.
dp_mutation_reply_t *dp_bulk_lock_boxes (dp_mutation_t *m, const dp_bulk_labels_t *labels);

//  The boxes a dp_bulk_lock_boxes reply holds, in id order. Returns their
//  number; *boxes lives in the arena.
size_t dp_bulk_boxes (dp_mutation_t *m, const dp_mutation_reply_t *reply, dp_bulk_box_t **boxes);

//  True for a box a bulk action may change: live and in a warehouse state.
bool dp_bulk_in_warehouse (const dp_bulk_box_t *box);

//  LOAD the locations (camp_id, plus extra catalog columns of locations)
//  of the boxes for which `wanted` is true (all when wanted is NULL), each
//  location once. Returns NULL when there is none (nothing issued).
dp_mutation_reply_t *dp_bulk_load_locations (dp_mutation_t *m, const dp_bulk_box_t *boxes,
                                             size_t n, const bool *wanted);

//  Set base_id of every box whose location the reply holds.
void dp_bulk_set_bases (dp_bulk_box_t *boxes, size_t n, const dp_mutation_reply_t *locations);

//  The row of key in a LOAD reply (cells of that row, key first), or NULL.
const dp_val_t *dp_bulk_loaded (const dp_mutation_reply_t *reply, int64_t key);

//  True when a DATETIME cell says "deleted": not nil (NULL or zero date).
bool dp_bulk_deleted (const dp_val_t *cell);

//  Sorted, unique copy of ids (arena). Returns the count.
size_t dp_bulk_unique_ids (dp_mutation_t *m, const int64_t *ids, size_t n, int64_t **out);

//  The ids of the boxes marked valid, in id order (arena). Returns the count.
size_t dp_bulk_valid_ids (dp_mutation_t *m, const dp_bulk_box_t *boxes, size_t n, int64_t **ids);

//  A result record of type_name (BoxesResult, BoxesTagsOperationResult):
//  updatedBoxes = the valid boxes (as Box, by stock id), and
//  invalidBoxLabelIdentifiers = the labels no valid box carries, sorted.
dp_record_t *dp_bulk_result (dp_mutation_t *m, const char *type_name, const dp_bulk_labels_t *labels,
                             const dp_bulk_box_t *boxes, size_t n);

//  qsort comparators: int64_t ids, and C strings (const char *) by strcmp,
//  which is Python's code-point order for UTF-8.
int dp_bulk_compare_id (const void *a, const void *b);
int dp_bulk_compare_text (const void *a, const void *b);

//  A new box tag relation (object_id, object_type 'Stock', tag_id,
//  created_on now, created_by_id the user): DP_BULK_RELATION_VALUES values
//  in the order of DP_BULK_RELATION_COLUMNS, written into row.
#define DP_BULK_RELATION_COLUMNS (DP_TBIT (tags_relations, object_id) \
    | DP_TBIT (tags_relations, object_type) | DP_TBIT (tags_relations, tag_id) \
    | DP_TBIT (tags_relations, created_on) | DP_TBIT (tags_relations, created_by_id))
#define DP_BULK_RELATION_VALUES 5
void dp_bulk_relation_row (dp_mutation_t *m, dp_val_t *row, int64_t box_id, int64_t tag_id);

//  Values for STMT: typed cells (arena copies of strings).
dp_val_t dp_bulk_int (int64_t value);
dp_val_t dp_bulk_str (dp_mutation_t *m, const char *text);
dp_val_t dp_bulk_nil (void);

//  A where condition on one column with n values.
dp_mutation_where_t dp_bulk_where_ids (dp_mutation_t *m, int column, const int64_t *ids, size_t n);

//  One multi-row INSERT of the history rows collected (dp_history.h);
//  nothing when there is none. Returns the reply, or NULL.
typedef struct _dp_history_t dp_history_t;
dp_mutation_reply_t *dp_bulk_insert_history (dp_mutation_t *m, dp_history_t *history);

//  -------------------------------------------------------------------------
//  UnauthorizedForBaseError carries the base's and its organisation's
//  names: two LOADs in two rounds (camps, then organisations).

typedef struct {
    dp_mutation_reply_t *camps;
    dp_mutation_reply_t *organisations;
} dp_bulk_base_names_t;

//  Round 1: LOAD the bases: cells key, name, organisation_id, deleted.
void dp_bulk_base_names_load (dp_mutation_t *m, dp_bulk_base_names_t *names,
                              const int64_t *base_ids, size_t n);
//  Round 2: LOAD their organisations (label).
void dp_bulk_base_names_load_organisations (dp_mutation_t *m, dp_bulk_base_names_t *names);
//  Then: the error for base_id (empty names when the base does not exist,
//  as boxtribute's UnauthorizedForBase).
dp_record_t *dp_bulk_unauthorized (dp_mutation_t *m, const dp_bulk_base_names_t *names,
                                   int64_t base_id);

//  The outcome of boxtribute's authorize(permission, base_id) inside a
//  union-returning resolver (handle_unauthorized).
typedef enum {
    DP_BULK_ALLOWED,
    DP_BULK_NO_PERMISSION,      //  InsufficientPermissionError { name: permission }
    DP_BULK_NOT_FOR_BASE        //  UnauthorizedForBaseError for the base
} dp_bulk_authz_t;

dp_bulk_authz_t dp_bulk_authorize (dp_mutation_t *m, const char *permission, int64_t base_id);

#endif
