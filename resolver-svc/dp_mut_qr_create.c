/*  =========================================================================
    dp_mut_qr_create - Mutation.createQrCode

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's createQrCode (business_logic/warehouse/qr_code): qr:create
    in some base, else FORBIDDEN 'qr:create'; with boxLabelIdentifier, the
    box must exist (else BAD_USER_INPUT) and the caller hold stock:write
    for it (authorize_for_accessing_box, action "write": FORBIDDEN
    'stock:write', 'base=<id>' or 'bases=[s, t]'). Then a qr row created
    now, its code the MD5 hex digest of its id, and for a box: its qr_id set
    to the new code (no other column, as boxtribute saves only that one)
    and one history row "New Qr-code assigned by pdf generation." at the
    same time. All in the field's one transaction, answered as read inside
    it; a refused call writes nothing.
@discuss
    Rounds, with a box: SELECT the box by label FOR UPDATE (its qr_id is
    written below; the lock keeps a concurrent change of it from being lost);
    LOAD its box_access facts; INSERT the qr row; UPDATE the code (it needs
    the id), the box, and INSERT the history row, pipelined; answer the
    code. Without a box the first two rounds are skipped.
@end
*/
#include "dp_mut_qr_create.h"
#include "dp_box_access.h"
#include "dp_md5.h"
#include "dp_tables.h"
#include <stdio.h>
#include <string.h>

#define HISTORY_TEXT "New Qr-code assigned by pdf generation."

//  The facts of a box the rule reads (box_access_by_box).
#define ACCESS_COLUMNS ((1ull << DP_COL_box_access_base_id) | (1ull << DP_COL_box_access_box_state_id) \
                      | (1ull << DP_COL_box_access_shipment_source_base_id) \
                      | (1ull << DP_COL_box_access_shipment_target_base_id))

typedef enum { INSERT_QR, CHECK_BOX, WRITE, ANSWER } step_t;

typedef struct {
    step_t next;
    int64_t box_id;             //  0: no box
    dp_mutation_reply_t *box;   //  SELECT stock.id by label
    dp_mutation_reply_t *access;
    dp_mutation_reply_t *qr;    //  the INSERT
} create_state_t;

static dp_val_t
s_int (int64_t value)
{
    return (dp_val_t) { .type = DP_VAL_INT, .u.i = value };
}

static dp_val_t
s_str (const char *text)
{
    return (dp_val_t) { .type = DP_VAL_STR, .u.s = { text, (uint32_t) strlen (text) } };
}

//  Column `column` of row 0 of a LOAD reply of `mask` (the key comes first,
//  then the masked columns in column order).
static const dp_val_t *
s_load_cell (const dp_mutation_reply_t *reply, uint64_t mask, int column)
{
    uint32_t before = (uint32_t) __builtin_popcountll (mask & ((1ull << column) - 1));
    return dp_mutation_cell (reply, 0, 1 + before);
}

static int64_t
s_load_int (const dp_mutation_reply_t *reply, uint64_t mask, int column)
{
    const dp_val_t *cell = s_load_cell (reply, mask, column);
    return cell->type == DP_VAL_INT ? cell->u.i : 0;
}

static void
s_find_box (dp_mutation_t *m, create_state_t *state, const char *label)
{
    dp_val_t key = s_str (label);
    dp_mutation_where_t where = { .column = DP_COL_stock_box_id, .values = &key, .n_values = 1 };
    state->box = dp_mutation_select (m, DP_TABLE_stock, DP_TBIT (stock, id), &where, 1, true);
}

//  authorize_for_accessing_box (box, action="write"): true when granted,
//  else the field has its error.
static bool
s_may_write_box (dp_mutation_t *m, create_state_t *state)
{
    if (state->access->n_rows == 0) {
        dp_mutation_not_found (m);
        return false;
    }
    const dp_mutation_reply_t *row = state->access;
    dp_box_facts_t facts = {
        .base_id = s_load_int (row, ACCESS_COLUMNS, DP_COL_box_access_base_id),
        .box_state_id = s_load_int (row, ACCESS_COLUMNS, DP_COL_box_access_box_state_id),
        .in_shipment = s_load_cell (row, ACCESS_COLUMNS, DP_COL_box_access_shipment_source_base_id)->type
                       == DP_VAL_INT,
        .source_base_id = s_load_int (row, ACCESS_COLUMNS, DP_COL_box_access_shipment_source_base_id),
        .target_base_id = s_load_int (row, ACCESS_COLUMNS, DP_COL_box_access_shipment_target_base_id),
    };
    char denied [80];
    switch (dp_box_access_check (dp_mutation_authz (m), "stock:write", &facts, denied, sizeof denied)) {
        case BOX_ACCESS_GRANTED:
            return true;
        case BOX_ACCESS_NOT_FOUND:
            dp_mutation_not_found (m);
            return false;
        default:
            dp_mutation_forbidden (m, denied);
            return false;
    }
}

static void
s_insert_qr (dp_mutation_t *m, create_state_t *state)
{
    dp_val_t row [] = { s_str (dp_mutation_now (m)) };
    state->qr = dp_mutation_insert (m, DP_TABLE_qr, DP_TBIT (qr, created), row, 1);
}

//  The code (it needs the new id), and for a box its qr_id and history row.
static void
s_write (dp_mutation_t *m, create_state_t *state)
{
    int64_t qr_id = state->qr->last_insert_id;
    char digits [24];
    snprintf (digits, sizeof digits, "%lld", (long long) qr_id);
    char *code = dp_arena_alloc (dp_mutation_arena (m), 33);
    dp_md5_hex (digits, strlen (digits), code);
    dp_val_t code_value = s_str (code), qr_key = s_int (qr_id);
    dp_mutation_where_t qr_where = { .column = DP_COL_qr_id, .values = &qr_key, .n_values = 1 };
    dp_mutation_update (m, DP_TABLE_qr, DP_TBIT (qr, code), &code_value, &qr_where, 1);
    if (!state->box_id)
        return;
    dp_val_t box_key = s_int (state->box_id);
    dp_mutation_where_t box_where = { .column = DP_COL_stock_id, .values = &box_key, .n_values = 1 };
    dp_mutation_update (m, DP_TABLE_stock, DP_TBIT (stock, qr_id), &qr_key, &box_where, 1);
    dp_val_t history [] = {
        s_str ("stock"), s_int (state->box_id), s_str (HISTORY_TEXT),
        s_int (dp_mutation_identity (m)->user_id), s_str (dp_mutation_now (m)),
    };
    uint64_t columns = DP_TBIT (history, tablename) | DP_TBIT (history, record_id)
                     | DP_TBIT (history, changes) | DP_TBIT (history, user_id)
                     | DP_TBIT (history, changedate);
    dp_mutation_insert (m, DP_TABLE_history, columns, history, 1);
}

static void
s_create_step (dp_mutation_t *m, void *state_)
{
    create_state_t *state = state_;
    if (dp_mutation_round (m) == 0) {
        if (!dp_authz_any_base (dp_mutation_authz (m), "qr:create")) {
            dp_mutation_forbidden (m, "qr:create");
            return;
        }
        const input_t *label = input_field (dp_mutation_args (m), "boxLabelIdentifier");
        if (label && label->kind == IN_STRING) {
            //  A label holding U+0000 names no box (as reads answer it).
            if (!dp_input_text (label)) {
                dp_mutation_not_found (m);
                return;
            }
            s_find_box (m, state, label->s);
            state->next = CHECK_BOX;
            return;
        }
        state->next = INSERT_QR;
    }
    switch (state->next) {
        case CHECK_BOX:
            if (state->box->n_rows == 0) {
                dp_mutation_not_found (m);
                return;
            }
            state->box_id = dp_mutation_cell (state->box, 0, 0)->u.i;
            state->access = dp_mutation_load (m, DP_LOADER_box_access_by_box, ACCESS_COLUMNS,
                                              &state->box_id, 1);
            state->next = INSERT_QR;
            return;
        case INSERT_QR:
            if (state->access && !s_may_write_box (m, state))
                return;
            s_insert_qr (m, state);
            state->next = WRITE;
            return;
        case WRITE:
            s_write (m, state);
            state->next = ANSWER;
            return;
        default:
            dp_mutation_return_object (m, DP_LOADER_qr_by_id, state->qr->last_insert_id);
            return;
    }
}

const dp_mutation_def_t dp_mut_create_qr_code = {
    .name = "createQrCode", .state_size = sizeof (create_state_t), .step = s_create_step
};
