/*  =========================================================================
    dp_exec_chain - a single object's reads sent with its lookup

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A box asked by its label (BoxView) is found by one statement, and what
    is keyed by the box waits for its row: a second round trip to MariaDB.
    The reads that db-svc does not keep between requests (its history,
    access row, shipment detail, tags, its product's item counts) go out
    instead with the lookup, as LOADs keyed by the lookup's row (proto
    README, LOAD's key_lookup): db-svc puts a subquery on the label where
    the keys would be. When the lookup's row is in, each one's rows are
    filed under the key the row names, as if that LOAD had been asked a
    wave later; the wave that would have asked finds them loaded. Rows
    under another key (a write between the two statements changed the
    box) are not filed: that wave asks for them by the row's key.
@discuss
    Only the fields every concrete type of the node selects, with the masks
    the later wave asks for (the same rules as dp_exec_prefetch), so a read
    sent early is exactly one the request makes anyway. Rows of a box the
    user may not see are read and never written: the access check is the
    same, on the access row read with them. Covered by
    tests/integration/test_single_object_waves.py.
@end
*/
#include "dp_exec_private.h"
#include "dp_loader.h"
#include <assert.h>
#include <string.h>

//  Add (loader, column, mask) to the set, or widen its mask.
void
dp_exec_chains_add (dp_exec_chains_t *set, dp_loader_id_t loader, int column, uint64_t mask)
{
    if (!dp_loader_read_with_lookup (loader))
        return;
    for (size_t i = 0; i < set->n; i++)
        if (set->items [i].loader == loader && set->items [i].column == column) {
            set->items [i].mask |= mask | 1;
            return;
        }
    if (set->n == DP_EXEC_MAX_CHAINS)
        return;
    set->items [set->n++] = (dp_exec_chain_t) { .loader = loader, .column = column, .mask = mask | 1 };
}

//  The reads a field of node asks for an object keyed by column `key` of
//  the lookup's row (key < 0: the field's own key column), as
//  dp_exec_collect_keys would ask them.
static void
s_collect_field (dp_exec_t *self, dp_exec_chains_t *set, const plan_field_t *pf, int key)
{
    const dp_binding_t *bind = pf->bind;
    if (!dp_exec_any_base_allowed (self, bind))
        return;
    int column = key >= 0 ? key : bind->column;
    switch (bind->kind) {
        case BIND_FK:
        case BIND_REVERSE:
            dp_exec_chains_add (set, bind->loader, column, bind->load_mask ? bind->load_mask : pf->child_mask);
            break;
        case BIND_THROUGH:
        case BIND_LOOKUP:
            dp_exec_chains_add (set, bind->loader, column, (uint64_t) 1 << bind->value_column);
            break;
        case BIND_COMPUTED:
            if (key < 0)
                for (size_t d = 0; d < bind->n_deps; d++)
                    dp_exec_chains_add (set, bind->deps [d].loader, bind->deps [d].column, bind->deps [d].mask);
            break;
        default:
            break;
    }
}

void
dp_exec_chains_collect (dp_exec_t *self, const plan_node_t *node, dp_exec_chains_t *set)
{
    for (size_t v = 0; v < node->n_variants; v++)
        for (size_t f = 0; f < node->variants [v].n_fields; f++) {
            const plan_field_t *pf = &node->variants [v].fields [f];
            const dp_binding_t *bind = pf->bind;
            if (!dp_exec_in_every_variant (node, bind))
                continue;
            s_collect_field (self, set, pf, -1);
            //  A child keyed by id (the box's product) is keyed by the row's
            //  foreign key: its own reads keyed by its id are too.
            if (bind->kind != BIND_FK || !pf->child || !dp_loader_keyed_by_id (bind->loader)
            ||  !dp_exec_any_base_allowed (self, bind))
                continue;
            const plan_node_t *child = pf->child;
            for (size_t cv = 0; cv < child->n_variants; cv++)
                for (size_t cf = 0; cf < child->variants [cv].n_fields; cf++) {
                    const plan_field_t *grand = &child->variants [cv].fields [cf];
                    if (grand->bind->column == 0 && grand->bind->kind != BIND_COMPUTED
                    &&  grand->bind->kind != BIND_COLUMN && dp_exec_in_every_variant (child, grand->bind))
                        s_collect_field (self, set, grand, bind->column);
                }
        }
}

void
dp_exec_chains_send (dp_exec_t *self, dp_exec_chains_t *set, uint32_t query, const char *arg,
                     uint32_t arg_len)
{
    //  In a transaction each read is a step of its own; outside, they go
    //  with the lookup unless many requests are in flight: then the same
    //  reads of the others share statements with them a wave later
    //  (db-svc's coalescing), which costs MariaDB far less.
    if (self->txn || self->mutation || !self->chained_reads)
        set->n = 0;
    //  A NUL is no label's (the lookup finds nothing) and no protocol
    //  string's: nothing to read with it.
    if (memchr (arg, 0, arg_len))
        set->n = 0;
    for (size_t i = 0; i < set->n; i++) {
        dp_exec_chain_t *chain = &set->items [i];
        pending_t *p = dp_exec_pending_new (self);
        p->chain = chain;
        p->loader = chain->loader;
        p->mask = chain->mask;
        dp_msg_t msg = { .type = DP_MSG_LOAD };
        msg.u.load.loader = (uint32_t) chain->loader;
        msg.u.load.columns = chain->mask;
        msg.u.load.min_gtid = self->min_gtid;
        msg.u.load.by_lookup = true;
        msg.u.load.key_query = query;
        msg.u.load.key_arg = arg;
        msg.u.load.key_arg_len = arg_len;
        msg.u.load.key_column = (uint32_t) chain->column;
        dp_exec_send (self, &msg, p);
    }
}

//  Keep a LOAD's answer until the lookup's row says its key.
void
dp_exec_chain_answered (dp_exec_chain_t *chain, const dp_msg_t *rows)
{
    chain->cells = rows->u.rows.cells;
    chain->n_rows = rows->u.rows.n_rows;
    chain->n_cols = rows->u.rows.n_cols;
    chain->answered = true;
}

//  True when every row of the answer is under key: the subquery read the
//  same row as the lookup (each is a statement of its own, so a write in
//  between could change the box's product). An answer under another key
//  is not filed: the wave that needs it asks by the row's key instead.
static bool
s_all_under (const dp_exec_chain_t *chain, int64_t key)
{
    for (uint32_t r = 0; r < chain->n_rows; r++) {
        const dp_val_t *cell = &chain->cells [(size_t) r * chain->n_cols];
        if (cell->type != DP_VAL_INT || cell->u.i != key)
            return false;
    }
    return true;
}

void
dp_exec_chains_file (dp_exec_t *self, const dp_exec_chains_t *set, const row_t *row)
{
    for (size_t i = 0; i < set->n; i++) {
        const dp_exec_chain_t *chain = &set->items [i];
        const dp_val_t *key = &row->cells [chain->column];
        if (!chain->answered || key->type != DP_VAL_INT || !s_all_under (chain, key->u.i))
            continue;           //  a NULL foreign key asks for nothing later either
        dp_exec_cache_put (self->cache, chain->loader, chain->mask, key->u.i,
                           chain->cells, chain->n_rows, chain->n_cols);
    }
}
