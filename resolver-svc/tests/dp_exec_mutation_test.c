/*  =========================================================================
    dp_exec_mutation_test - the selftest of the mutation executor

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Runs mutation operations through dp_exec on a small hand-bound schema,
    without a database: every TXN, STMT and LOAD the executor sends is
    captured and answered here by hand with ROWS or ERROR, so each stage's
    outcome (commit, rollback, conflict retried, conflict given up, a lost
    COMMIT, a failed statement) is checked message by message and in the
    final answer. Linked into the selftest binary only.
@end
*/
#include "dp_exec_private.h"
#include "dp_tables.h"
#include "dp_log.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *s_test_sdl =
    "type Query { x: Int }\n"
    "type Mutation { make(n: Int!, fail: Boolean): Tag  made(n: Int!): Tag!  unserved: Int }\n"
    "type Tag { id: ID! name: String }\n";

//  -------------------------------------------------------------------------
//  The mutation under test: round 0 inserts a tag, round 1 answers the tag
//  made (id 10 + n), or fails at the field when fail is true.

typedef struct {
    dp_mutation_reply_t *insert;
} make_state_t;

static void
s_make_step (dp_mutation_t *m, void *state_)
{
    make_state_t *state = state_;
    int64_t n = input_field (dp_mutation_args (m), "n")->i;
    if (dp_mutation_round (m) == 0) {
        dp_val_t row [] = { { .type = DP_VAL_INT, .u.i = n } };
        state->insert = dp_mutation_insert (m, DP_TABLE_tags, DP_TBIT (tags, seq), row, 1);
        return;
    }
    assert (state->insert->answered && state->insert->affected == 1);
    const input_t *fail = input_field (dp_mutation_args (m), "fail");
    if (fail && fail->kind == IN_BOOL && fail->i) {
        dp_mutation_forbidden (m, "tag:write");
        return;
    }
    dp_mutation_return_object (m, DP_LOADER_tags_by_id, state->insert->last_insert_id);
}

static const dp_mutation_def_t s_make = {
    .name = "make", .state_size = sizeof (make_state_t), .step = s_make_step
};
static const dp_binding_t s_make_bind = DP_MUTATION_BIND (&s_make);
static const dp_binding_t s_id = { .kind = BIND_COLUMN, .column = DP_COL_tags_id, .conv = CONV_ID };
static const dp_binding_t s_name = { .kind = BIND_COLUMN, .column = DP_COL_tags_label, .conv = CONV_STRING };
static const type_binding_t s_tag_type = { .loader = DP_LOADER_tags_by_id };

//  -------------------------------------------------------------------------
//  The captured messages

typedef struct {
    dp_msg_type_t type;
    uint64_t id;
    uint64_t txn;
    uint32_t op;                //  TXN op, STMT op
    uint64_t columns;           //  LOAD
    int64_t key;                //  LOAD: its first key
} sent_t;

#define S_MAX_SENT 64

typedef struct {
    sent_t sent [S_MAX_SENT];
    size_t n_sent, next;        //  captured, and the next one not answered yet
    uint64_t next_id;
    bool refuse;                //  sends fail
} capture_t;

static int
s_capture (void *ctx, dp_exec_t *exec, dp_msg_t *msg)
{
    (void) exec;
    capture_t *c = ctx;
    if (c->refuse)
        return -1;
    assert (c->n_sent < S_MAX_SENT);
    sent_t *s = &c->sent [c->n_sent++];
    memset (s, 0, sizeof *s);
    msg->id = ++c->next_id;
    s->type = msg->type;
    s->id = msg->id;
    if (msg->type == DP_MSG_TXN) {
        s->txn = msg->u.txn.txn;
        s->op = msg->u.txn.op;
    }
    else
    if (msg->type == DP_MSG_STMT) {
        s->txn = msg->u.stmt.txn;
        s->op = msg->u.stmt.op;
    }
    else
    if (msg->type == DP_MSG_LOAD) {
        s->txn = msg->u.load.txn;
        s->columns = msg->u.load.columns;
        s->key = msg->u.load.n_keys ? msg->u.load.keys [0] : -1;
    }
    return 0;
}

//  The next message sent, which must be of type (and TXN/STMT op).
static sent_t *
s_expect (capture_t *c, dp_msg_type_t type, uint32_t op)
{
    if (c->next >= c->n_sent) {
        fprintf (stderr, "expected message %d/%u, none sent\n", type, op);
        assert (false);
    }
    sent_t *s = &c->sent [c->next++];
    if (s->type != type || (op && s->op != op)) {
        fprintf (stderr, "expected message %d/%u, got %d/%u\n", type, op, s->type, s->op);
        assert (false);
    }
    return s;
}

static void
s_rows (dp_exec_t *exec, const sent_t *s, dp_val_t *cells, uint32_t n_rows, uint32_t n_cols)
{
    dp_msg_t reply = { .version = DP_PROTO_VERSION, .type = DP_MSG_ROWS, .id = s->id, .trace_id = "" };
    reply.u.rows.cells = cells;
    reply.u.rows.n_rows = n_rows;
    reply.u.rows.n_cols = n_cols;
    reply.u.rows.statements = 1;
    dp_exec_on_reply (exec, &reply);
}

static void
s_error (dp_exec_t *exec, const sent_t *s, uint32_t status)
{
    dp_msg_t reply = { .version = DP_PROTO_VERSION, .type = DP_MSG_ERROR, .id = s->id, .trace_id = "" };
    reply.u.error.status = status;
    reply.u.error.message = "by the test";
    dp_exec_on_reply (exec, &reply);
}

//  Answer the next TXN op with ROWS 0 x 0.
static uint64_t
s_txn_ok (capture_t *c, dp_exec_t *exec, uint32_t op)
{
    sent_t *s = s_expect (c, DP_MSG_TXN, op);
    s_rows (exec, s, NULL, 0, 0);
    return s->txn;
}

//  Answer the next STMT INSERT with [1, id].
static void
s_insert_ok (capture_t *c, dp_exec_t *exec, uint64_t txn, int64_t id)
{
    sent_t *s = s_expect (c, DP_MSG_STMT, DP_STMT_INSERT);
    assert (s->txn == txn);
    dp_val_t cells [] = { { .type = DP_VAL_INT, .u.i = 1 }, { .type = DP_VAL_INT, .u.i = id } };
    s_rows (exec, s, cells, 1, 2);
}

//  Answer the next LOAD of tags_by_id, in txn, with the tag (label "t<id>").
static void
s_load_tag (capture_t *c, dp_exec_t *exec, uint64_t txn, int64_t id)
{
    sent_t *s = s_expect (c, DP_MSG_LOAD, 0);
    assert (s->txn == txn && s->key == id);
    dp_val_t cells [16];
    uint32_t n = 0;
    cells [n++] = (dp_val_t) { .type = DP_VAL_INT, .u.i = id };
    char *label = malloc (16);
    snprintf (label, 16, "t%lld", (long long) id);
    for (int col = 0; col < 64; col++) {
        if (!(s->columns & (1ull << col)))
            continue;
        if (col == DP_COL_tags_id)
            cells [n++] = (dp_val_t) { .type = DP_VAL_INT, .u.i = id };
        else
        if (col == DP_COL_tags_label)
            cells [n++] = row_text_cell (dp_arena_strdup (dp_exec_arena (exec), label));
        else
            cells [n++] = (dp_val_t) { .type = DP_VAL_NIL };
    }
    free (label);
    s_rows (exec, s, cells, 1, n);
}

static dp_exec_t *
s_start (dp_exec_env_t *env, const char *query)
{
    dp_exec_t *exec = dp_exec_new (env);
    dp_msg_t execute = { .version = DP_PROTO_VERSION, .type = DP_MSG_EXECUTE, .id = 1, .trace_id = "t" };
    execute.u.execute.query = query;
    execute.u.execute.query_len = (uint32_t) strlen (query);
    execute.u.execute.flags = DP_EXECUTE_DEBUG;
    execute.u.execute.identity.beta_user = -1;
    dp_exec_start (exec, &execute);
    return exec;
}

static void
s_check_answer (dp_exec_t *exec, const char *expected)
{
    assert (dp_exec_done (exec));
    size_t len;
    const char *json = dp_exec_json (exec, &len);
    if (strlen (expected) != len || memcmp (json, expected, len) != 0) {
        fprintf (stderr, "expected: %s\nwritten:  %.*s\n", expected, (int) len, json);
        assert (false);
    }
}

//  One field run to its commit: BEGIN, INSERT, LOAD, COMMIT.
static void
s_field_ok (capture_t *c, dp_exec_t *exec, int64_t id)
{
    uint64_t txn = s_txn_ok (c, exec, DP_TXN_BEGIN);
    assert (txn && dp_exec_open_txn (exec) == txn);
    s_insert_ok (c, exec, txn, id);
    s_load_tag (c, exec, txn, id);
    assert (s_txn_ok (c, exec, DP_TXN_COMMIT) == txn);
}

void
dp_exec_mutation_test (bool verbose)
{
    (void) verbose;
    printf (" * dp_exec_mutation: ");
    const dp_plan_test_binding_t bindings [] = {
        { "Mutation.make", &s_make_bind }, { "Mutation.made", &s_make_bind },
        { "Tag.id", &s_id }, { "Tag.name", &s_name }, { NULL, NULL },
    };
    dp_schema_t *schema = dp_plan_test_schema (s_test_sdl, bindings);
    dp_schema_type (schema, "Tag")->binding = &s_tag_type;
    capture_t c = { 0 };
    dp_exec_env_t env = { .schema = schema, .max_page_size = 100, .send = s_capture, .send_ctx = &c,
                          .max_tokens = 1000, .max_depth = 20 };

    //  Three fields, one transaction each, one after another: the second
    //  fails at the field (rolled back, null with its error) and the third
    //  still runs; each field's payload is read in its own transaction; the
    //  statements of all three are counted.
    dp_exec_t *exec = s_start (&env, "mutation { a: make(n: 1) { id name } "
                                     "b: make(n: 2, fail: true) { id } c: make(n: 3) { name } }");
    s_field_ok (&c, exec, 11);
    uint64_t txn = s_txn_ok (&c, exec, DP_TXN_BEGIN);
    s_insert_ok (&c, exec, txn, 12);
    assert (s_txn_ok (&c, exec, DP_TXN_ROLLBACK) == txn);
    assert (!dp_exec_done (exec));
    s_field_ok (&c, exec, 13);
    s_check_answer (exec, "{\"data\":{\"a\":{\"id\":\"11\",\"name\":\"t11\"},\"b\":null,\"c\":{\"name\":\"t13\"}},"
                    "\"errors\":[{\"message\":\"You don't have access to 'tag:write'\","
                    "\"locations\":[{\"line\":1,\"column\":38}],\"path\":[\"b\"],"
                    "\"extensions\":{\"code\":\"FORBIDDEN\",\"description\":\"You don't have access to 'tag:write'\"}}],"
                    "\"extensions\":{\"debug\":{\"sqlStatements\":11,\"waves\":5,\"roundTrips\":11}}}");
    assert (c.next == c.n_sent);
    dp_exec_destroy (&exec);

    //  __typename and a field not served need no transaction: answered at
    //  once, between the fields that run.
    exec = s_start (&env, "mutation { t: __typename unserved make(n: 1) { id } }");
    s_field_ok (&c, exec, 51);
    s_check_answer (exec, "{\"data\":{\"t\":\"Mutation\",\"unserved\":null,\"make\":{\"id\":\"51\"}},"
                    "\"errors\":[{\"message\":\"Field \\\"Mutation.unserved\\\" is not served by this version "
                    "of Depot.\",\"locations\":[{\"line\":1,\"column\":26}],\"path\":[\"unserved\"],"
                    "\"extensions\":{\"code\":\"NOT_IMPLEMENTED\"}}],"
                    "\"extensions\":{\"debug\":{\"sqlStatements\":4,\"waves\":3,\"roundTrips\":4}}}");
    dp_exec_destroy (&exec);

    //  A conflict (409) on the INSERT: db-svc ended the transaction; the
    //  field pauses on a timer, then runs again from BEGIN with a new
    //  transaction and a fresh state, and commits.
    exec = s_start (&env, "mutation { make(n: 1) { id } }");
    txn = s_txn_ok (&c, exec, DP_TXN_BEGIN);
    s_error (exec, s_expect (&c, DP_MSG_STMT, DP_STMT_INSERT), DP_STATUS_CONFLICT);
    assert (c.next == c.n_sent);            //  nothing more sent: no ROLLBACK
    assert (dp_exec_wake_at (exec) > 0 && dp_exec_open_txn (exec) == 0 && !dp_exec_done (exec));
    dp_exec_wake (exec);
    uint64_t again = s_txn_ok (&c, exec, DP_TXN_BEGIN);
    assert (again != txn);
    s_insert_ok (&c, exec, again, 21);
    s_load_tag (&c, exec, again, 21);
    s_txn_ok (&c, exec, DP_TXN_COMMIT);
    s_check_answer (exec, "{\"data\":{\"make\":{\"id\":\"21\"}},\"extensions\":{\"debug\":{\"sqlStatements\":5,\"waves\":3,\"roundTrips\":6}}}");
    dp_exec_destroy (&exec);

    //  Three conflicts in a row (the last one on COMMIT): the field gives up
    //  with an error saying the database was busy, and no data.
    exec = s_start (&env, "mutation { make(n: 1) { id } }");
    for (int attempt = 1; attempt <= 3; attempt++) {
        txn = s_txn_ok (&c, exec, DP_TXN_BEGIN);
        if (attempt < 3)
            s_error (exec, s_expect (&c, DP_MSG_STMT, DP_STMT_INSERT), DP_STATUS_CONFLICT);
        else {
            s_insert_ok (&c, exec, txn, 31);
            s_load_tag (&c, exec, txn, 31);
            s_error (exec, s_expect (&c, DP_MSG_TXN, DP_TXN_COMMIT), DP_STATUS_CONFLICT);
        }
        if (attempt < 3)
            dp_exec_wake (exec);
    }
    assert (c.next == c.n_sent && dp_exec_done (exec));
    size_t len;
    const char *json = dp_exec_json (exec, &len);
    assert (strstr (json, "{\"data\":{\"make\":null},\"errors\":[{\"message\":\"The database was busy"));
    assert (strstr (json, "\"path\":[\"make\"],\"extensions\":{\"code\":\"DATABASE_BUSY\""));
    dp_exec_destroy (&exec);

    //  COMMIT's answer lost (its db-svc died: 503): whether it committed is
    //  unknown, and said so; a non-null field's null makes data null.
    exec = s_start (&env, "mutation { made(n: 1) { id } }");
    txn = s_txn_ok (&c, exec, DP_TXN_BEGIN);
    s_insert_ok (&c, exec, txn, 41);
    s_load_tag (&c, exec, txn, 41);
    s_error (exec, s_expect (&c, DP_MSG_TXN, DP_TXN_COMMIT), DP_STATUS_UNAVAILABLE);
    json = dp_exec_json (exec, &len);
    assert (strncmp (json, "{\"data\":null,\"errors\":[{\"message\":\"The database service was lost before it "
                     "confirmed the commit", 95) == 0);
    assert (strstr (json, "outcome unknown"));
    dp_exec_destroy (&exec);

    //  A statement that fails (502): db-svc rolled back and ended the
    //  transaction; the field is null with the database's error, nothing
    //  more is sent for it.
    exec = s_start (&env, "mutation { make(n: 1) { id } }");
    txn = s_txn_ok (&c, exec, DP_TXN_BEGIN);
    s_error (exec, s_expect (&c, DP_MSG_STMT, DP_STMT_INSERT), DP_STATUS_DB_ERROR);
    assert (c.next == c.n_sent && dp_exec_done (exec));
    json = dp_exec_json (exec, &len);
    assert (strstr (json, "{\"data\":{\"make\":null},\"errors\":[{\"message\":\"The database failed to perform "
                    "the requested action; nothing was changed.\""));
    dp_exec_destroy (&exec);

    //  The deadline passes in the second field's transaction: the first,
    //  committed, keeps its value; the second and third are null with a
    //  TIMEOUT error; the open transaction is what the actor rolls back.
    exec = s_start (&env, "mutation { a: make(n: 1) { id } b: make(n: 2) { id } c: make(n: 3) { id } }");
    s_field_ok (&c, exec, 61);
    txn = s_txn_ok (&c, exec, DP_TXN_BEGIN);
    assert (dp_exec_open_txn (exec) == txn);
    dp_exec_abort (exec, 504, "The request took longer than its deadline.");
    assert (dp_exec_done (exec) && dp_exec_http_status (exec) == 200);
    assert (dp_exec_open_txn (exec) == txn);
    json = dp_exec_json (exec, &len);
    assert (strncmp (json, "{\"data\":{\"a\":{\"id\":\"61\"},\"b\":null,\"c\":null},\"errors\":[{\"message\":"
                     "\"The request took longer than its deadline; nothing was changed.\"", 118) == 0);
    assert (strstr (json, "\"path\":[\"c\"],\"extensions\":{\"code\":\"TIMEOUT\""));
    dp_exec_destroy (&exec);
    c.next = c.n_sent;

    //  The deadline passes while COMMIT is under way: outcome unknown.
    exec = s_start (&env, "mutation { make(n: 1) { id } }");
    txn = s_txn_ok (&c, exec, DP_TXN_BEGIN);
    s_insert_ok (&c, exec, txn, 71);
    s_load_tag (&c, exec, txn, 71);
    s_expect (&c, DP_MSG_TXN, DP_TXN_COMMIT);
    dp_exec_abort (exec, 504, "The request took longer than its deadline.");
    json = dp_exec_json (exec, &len);
    assert (strstr (json, "whether this change was saved is unknown"));
    dp_exec_destroy (&exec);

    //  No db-svc to send BEGIN to: the field fails 503-style, the next runs.
    c.refuse = true;
    exec = s_start (&env, "mutation { make(n: 1) { id } }");
    assert (dp_exec_done (exec));
    json = dp_exec_json (exec, &len);
    assert (strstr (json, "{\"data\":{\"make\":null},\"errors\":[{\"message\":\"The database service is not reachable"));
    dp_exec_destroy (&exec);

    dp_schema_destroy (&schema);
    printf ("OK\n");
}
