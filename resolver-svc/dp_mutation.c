/*  =========================================================================
    dp_mutation - what a mutation's step function may ask of its field's run

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The step's side of dp_mutation.h: its arguments, identity and clock;
    the statements of a round, each sent at once to the transaction's
    pinned connection with a reply the executor fills; and the outcome
    that finishes the field. The executor (dp_exec_mutation.c) calls the
    step and reads the outcome.
@end
*/
#include "dp_exec_private.h"
#include "dp_mutation.h"
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const input_t *
dp_mutation_args (dp_mutation_t *m)
{
    return m->pf->args;
}

const dp_identity_t *
dp_mutation_identity (dp_mutation_t *m)
{
    return &m->exec->identity;
}

dp_authz_t *
dp_mutation_authz (dp_mutation_t *m)
{
    return &m->exec->authz;
}

dp_arena_t *
dp_mutation_arena (dp_mutation_t *m)
{
    return m->exec->arena;
}

uint32_t
dp_mutation_round (dp_mutation_t *m)
{
    return m->round;
}

const char *
dp_mutation_now (dp_mutation_t *m)
{
    return m->now;
}

const dp_val_t *
dp_mutation_cell (const dp_mutation_reply_t *reply, uint32_t row, uint32_t col)
{
    assert (reply->answered && row < reply->n_rows && col < reply->n_cols);
    return &reply->cells [(size_t) row * reply->n_cols + col];
}

//  -------------------------------------------------------------------------
//  Statements

//  A new pending request of the step's round, with its reply.
static pending_t *
s_issue (dp_mutation_t *m)
{
    assert (m->outcome == MUT_PENDING);
    pending_t *p = dp_exec_pending_new (m->exec);
    p->reply = dp_arena_calloc (m->exec->arena, 1, sizeof (dp_mutation_reply_t));
    m->issued++;
    return p;
}

static dp_mutation_reply_t *
s_stmt (dp_mutation_t *m, uint32_t table, uint32_t op, uint64_t columns, const dp_val_t *values,
        size_t n_rows, const dp_mutation_where_t *where, size_t n_where, bool lock)
{
    assert (n_where <= DP_MUTATION_MAX_WHERE);
    pending_t *p = s_issue (m);
    p->is_txn = true;
    p->stmt_op = op;
    dp_arena_t *arena = m->exec->arena;
    dp_stmt_cond_t *conds = n_where ? dp_arena_calloc (arena, n_where, sizeof *conds) : NULL;
    for (size_t w = 0; w < n_where; w++) {
        conds [w].column = (uint32_t) where [w].column;
        conds [w].values = (dp_val_t *) where [w].values;     //  encoded before this returns
        conds [w].n_values = where [w].n_values;
    }
    dp_msg_t msg = { .type = DP_MSG_STMT };
    msg.u.stmt.txn = m->exec->mutation->txn;
    msg.u.stmt.table = table;
    msg.u.stmt.op = op;
    msg.u.stmt.columns = columns;
    msg.u.stmt.values = (dp_val_t *) values;
    msg.u.stmt.n_rows = (uint32_t) n_rows;
    msg.u.stmt.where = conds;
    msg.u.stmt.n_where = (uint32_t) n_where;
    msg.u.stmt.lock = lock;
    dp_exec_send (m->exec, &msg, p);
    return p->reply;
}

dp_mutation_reply_t *
dp_mutation_select (dp_mutation_t *m, uint32_t table, uint64_t columns,
                    const dp_mutation_where_t *where, size_t n_where, bool lock)
{
    return s_stmt (m, table, DP_STMT_SELECT, columns, NULL, 0, where, n_where, lock);
}

dp_mutation_reply_t *
dp_mutation_insert (dp_mutation_t *m, uint32_t table, uint64_t columns, const dp_val_t *values,
                    size_t n_rows)
{
    return s_stmt (m, table, DP_STMT_INSERT, columns, values, n_rows, NULL, 0, false);
}

dp_mutation_reply_t *
dp_mutation_update (dp_mutation_t *m, uint32_t table, uint64_t columns, const dp_val_t *values,
                    const dp_mutation_where_t *where, size_t n_where)
{
    assert (n_where > 0);       //  no whole-table writes
    return s_stmt (m, table, DP_STMT_UPDATE, columns, values, 1, where, n_where, false);
}

dp_mutation_reply_t *
dp_mutation_update_rows (dp_mutation_t *m, uint32_t table, uint64_t columns, const dp_val_t *values,
                         size_t n_rows, const dp_mutation_where_t *where, size_t n_where)
{
    assert (n_where > 0 && n_rows > 0 && (columns & 1ull));
    return s_stmt (m, table, DP_STMT_UPDATE, columns, values, n_rows, where, n_where, false);
}

dp_mutation_reply_t *
dp_mutation_delete (dp_mutation_t *m, uint32_t table, const dp_mutation_where_t *where,
                    size_t n_where)
{
    assert (n_where > 0);
    return s_stmt (m, table, DP_STMT_DELETE, 0, NULL, 0, where, n_where, false);
}

dp_mutation_reply_t *
dp_mutation_load (dp_mutation_t *m, dp_loader_id_t loader, uint64_t columns, const int64_t *keys,
                  size_t n_keys)
{
    pending_t *p = s_issue (m);
    p->loader = loader;
    p->mask = columns;
    dp_msg_t msg = { .type = DP_MSG_LOAD };
    msg.u.load.loader = (uint32_t) loader;
    msg.u.load.columns = columns;
    msg.u.load.keys = (int64_t *) keys;
    msg.u.load.n_keys = (uint32_t) n_keys;
    msg.u.load.txn = m->exec->mutation->txn;
    dp_exec_send (m->exec, &msg, p);
    return p->reply;
}

dp_mutation_reply_t *
dp_mutation_query (dp_mutation_t *m, dp_query_id_t query, uint64_t columns, const dp_val_t *args,
                   uint32_t n_args)
{
    pending_t *p = s_issue (m);
    p->is_query = true;
    p->mask = columns;
    dp_msg_t msg = { .type = DP_MSG_QUERY };
    msg.u.query.query = query;
    msg.u.query.columns = columns;
    msg.u.query.args = (dp_val_t *) args;
    msg.u.query.n_args = n_args;
    msg.u.query.txn = m->exec->mutation->txn;
    dp_exec_send (m->exec, &msg, p);
    return p->reply;
}

//  -------------------------------------------------------------------------
//  Outcomes

static void
s_finish (dp_mutation_t *m, mut_outcome_t outcome)
{
    assert (m->outcome == MUT_PENDING);     //  exactly one outcome per attempt
    m->outcome = outcome;
}

void
dp_mutation_return_object (dp_mutation_t *m, dp_loader_id_t loader, int64_t key)
{
    dp_mutation_return_objects (m, loader, &key, 1);
}

void
dp_mutation_return_objects (dp_mutation_t *m, dp_loader_id_t loader, const int64_t *keys,
                            size_t n_keys)
{
    s_finish (m, MUT_OBJECTS);
    m->loader = loader;
    m->keys = dp_arena_alloc (m->exec->arena, (n_keys + 1) * sizeof (int64_t));
    if (n_keys)
        memcpy (m->keys, keys, n_keys * sizeof (int64_t));
    m->n_keys = n_keys;
}

void
dp_mutation_return_record (dp_mutation_t *m, dp_record_t *record, bool commit)
{
    s_finish (m, MUT_RECORD);
    m->record = record;
    m->commit = commit;
}

void
dp_mutation_return_null (dp_mutation_t *m)
{
    s_finish (m, MUT_NULL);
}

void
dp_mutation_fail (dp_mutation_t *m, const char *code, const char *fmt, ...)
{
    s_finish (m, MUT_ERROR);
    char text [500];
    va_list args;
    va_start (args, fmt);
    vsnprintf (text, sizeof text, fmt, args);
    va_end (args);
    m->code = code;
    m->message = dp_arena_strdup (m->exec->arena, text);
}

void
dp_mutation_forbidden (dp_mutation_t *m, const char *denied)
{
    dp_mutation_fail (m, "FORBIDDEN", "You don't have access to '%s'", denied);
}

void
dp_mutation_not_found (dp_mutation_t *m)
{
    dp_mutation_fail (m, "BAD_USER_INPUT", "The requested resource does not exist in the database.");
}
