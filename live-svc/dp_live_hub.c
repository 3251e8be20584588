/*  =========================================================================
    dp_live_hub - live updates' core: subscribers, groups, fan-out

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_live_hub.h"
#include "dp_live_query.h"
#include "dp_change.h"
#include "dp_http_request.h"
#include "dp_json_writer.h"
#include "dp_log.h"
#include "dp_msg_variables.h"
#include <inttypes.h>
#include <time.h>

#define S_INIT_WAIT_MS  3000

typedef struct _group_t group_t;

typedef struct {
    dp_live_conn_t *conn;
    char *id;
} member_t;

typedef enum { S_IDLE, S_VIEW, S_CHANGED, S_STATE } stage_t;

struct _group_t {
    char *key;
    dp_arena_t *arena;              //  the compiled document and the identity
    dp_live_query_t query;
    const char *operation_name;
    const char *variables;          //  JSON as the client sent it, or NULL
    dp_identity_t identity;
    zlistx_t *members;              //  member_t*
    stage_t stage;
    uint64_t request;               //  the EXECUTE in flight
    bool ready;                     //  the first resolution is done
    bool dirty;                     //  changed since the last resolution began
    zhashx_t *view;                 //  boxesChanged: box id -> label in the view
    zhashx_t *next_view;            //  the view being compared
    zhashx_t *changed;              //  box ids changed since the last resolution
    zlistx_t *removed;              //  ids that left the view, for the event
    char **labels;                  //  the boxes read for the event
    size_t n_labels;
    char *last;                     //  box, shipment: the last state sent
};

struct _dp_live_hub_t {
    dp_live_config_t *config;
    struct lws_context *lws;
    zsock_t *feed, *broker;
    zhashx_t *groups;               //  key -> group_t*
    zhashx_t *requests;             //  "id" -> group_t* (borrowed)
    zlistx_t *conns;                //  dp_live_conn_t* (borrowed: lws owns the session)
    uint64_t next_request;
    uint64_t last_seq;
    lws_sorted_usec_list_t flush;
    bool flush_armed;
    msgpack_sbuffer sbuf;
};


//  --------------------------------------------------------------------------
//  Fan-out

static void
s_group_broadcast (group_t *group, const char *type, const char *payload, size_t len)
{
    for (member_t *m = zlistx_first (group->members); m; m = zlistx_next (group->members))
        dp_live_conn_message (m->conn, m->id, type, payload, len);
}


//  --------------------------------------------------------------------------
//  Groups: subscribers sharing document, variables and identity

//  The identity's permissions as a key: who may read what.
static char *
s_scope (const dp_identity_t *id)
{
    dp_json_writer_t out;
    dp_json_writer_init (&out, 256);
    char head [128];
    snprintf (head, sizeof head, "u%" PRId64 " o%" PRId64 " g%d b%d [", id->user_id,
              id->organisation_id, id->god, id->beta_user);
    dp_json_writer_raw (&out, head, strlen (head));
    for (uint32_t i = 0; i < id->n_base_ids; i++)
        dp_json_writer_int (&out, id->base_ids [i]);
    for (uint32_t p = 0; p < id->n_permissions; p++) {
        dp_json_writer_raw (&out, " ", 1);
        dp_json_writer_cstr (&out, id->permissions [p].name);
        for (uint32_t i = 0; i < id->permissions [p].n_base_ids; i++) {
            dp_json_writer_char (&out, ',');
            dp_json_writer_int (&out, id->permissions [p].base_ids [i]);
        }
    }
    dp_json_writer_char (&out, 0);
    return dp_json_writer_steal (&out, NULL);
}

static void
s_labels_free (group_t *group)
{
    for (size_t i = 0; i < group->n_labels; i++)
        free (group->labels [i]);
    free (group->labels);
    group->labels = NULL;
    group->n_labels = 0;
}

static void
s_group_destroy (group_t **group_p)
{
    group_t *group = *group_p;
    if (!group)
        return;
    zlistx_destroy (&group->members);
    zhashx_destroy (&group->view);
    zhashx_destroy (&group->next_view);
    zhashx_destroy (&group->changed);
    zlistx_destroy (&group->removed);
    s_labels_free (group);
    free (group->last);
    free (group->key);
    dp_arena_destroy (&group->arena);
    free (group);
    *group_p = NULL;
}

static zhashx_t *
s_string_set (void)
{
    zhashx_t *set = zhashx_new ();
    zhashx_set_destructor (set, (zhashx_destructor_fn *) zstr_free);
    zhashx_set_duplicator (set, (zhashx_duplicator_fn *) strdup);
    return set;
}

static void
s_member_destroy (member_t **member_p)
{
    if (*member_p) {
        free ((*member_p)->id);
        free (*member_p);
        *member_p = NULL;
    }
}

//  Drop a group without members, unless its answer is awaited (then the
//  answer drops it).
static void
s_group_release (dp_live_hub_t *self, group_t *group)
{
    if (zlistx_size (group->members) == 0 && group->stage == S_IDLE)
        zhashx_delete (self->groups, group->key);
}

static void
s_member_remove (dp_live_hub_t *self, group_t *group, dp_live_conn_t *conn, const char *id)
{
    for (member_t *m = zlistx_first (group->members); m; m = zlistx_next (group->members))
        if (m->conn == conn && strcmp (m->id, id) == 0) {
            zlistx_delete (group->members, zlistx_cursor (group->members));
            break;
        }
    s_group_release (self, group);
}

//  A group's resolution failed: each subscriber gets `error` and is dropped.
static void
s_group_fail (dp_live_hub_t *self, group_t *group, const char *errors_json)
{
    s_group_broadcast (group, "error", errors_json, strlen (errors_json));
    for (member_t *m = zlistx_first (group->members); m; m = zlistx_next (group->members))
        zhashx_delete (m->conn->subs, m->id);
    zlistx_purge (group->members);
}


//  --------------------------------------------------------------------------
//  Resolving through the broker, as a query of the subscribers' user

//  Parse, select and coerce the group's query text as the gateway does for
//  POST /graphql. Returns 0, or -1 with *errors_json (the errors' array;
//  caller frees it).
static int
s_prepare (dp_live_hub_t *self, group_t *group, const char *text, size_t len,
           dp_arena_t *arena, dp_http_request_t *request, char **errors_json)
{
    *request = (dp_http_request_t) {
        .query = text, .query_len = len,
        .operation_name = group->operation_name,
        .operation_name_len = group->operation_name ? strlen (group->operation_name) : 0,
        .variables_json = group->variables,
        .variables_len = group->variables ? strlen (group->variables) : 0
    };
    dp_http_error_t error;
    if (dp_http_request_prepare (request, NULL, arena, &error)
    ||  dp_http_request_select (request, arena, &error)
    ||  dp_http_request_coerce (request, self->config->schema, arena, &error)) {
        //  {"errors":[...]} -> the array
        const char *array = strchr (error.body, '[');
        *errors_json = strndup (array, error.body_len - (size_t) (array - error.body) - 1);
        return -1;
    }
    return 0;
}

static int
s_execute (dp_live_hub_t *self, group_t *group, const char *text, size_t len, stage_t stage)
{
    dp_arena_t *arena = dp_arena_new (4096);
    dp_http_request_t request;
    char *errors = NULL;
    int rc = -1;
    if (s_prepare (self, group, text, len, arena, &request, &errors)) {
        s_group_fail (self, group, errors);
        free (errors);
        goto done;
    }
    dp_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.version = DP_PROTO_VERSION;
    msg.type = DP_MSG_EXECUTE;
    msg.id = ++self->next_request;
    msg.deadline_ms = (uint64_t) (zclock_time () + self->config->deadline_ms);
    char trace [32];
    snprintf (trace, sizeof trace, "live-%" PRIu64, msg.id);
    msg.trace_id = trace;
    msg.u.execute.identity = group->identity;
    msg.u.execute.query = request.query;
    msg.u.execute.query_len = (uint32_t) request.query_len;
    msg.u.execute.operation_name = request.operation_name;
    msg.u.execute.flags = DP_EXECUTE_READ_ONLY;
    msg.u.execute.prepared = true;
    msg.u.execute.operation = request.operation_index;
    if (dp_msg_variables_encode (request.variables,
                                 &request.document->defs [request.operation_index], arena,
                                 &msg.u.execute.variables, &msg.u.execute.n_variables))
        dp_fatal ("live: variables do not match their operation");
    msgpack_sbuffer_clear (&self->sbuf);
    if (dp_msg_encode (&msg, &self->sbuf)
    ||  zmq_send (zsock_resolve (self->broker), self->sbuf.data, self->sbuf.size, ZMQ_DONTWAIT) == -1) {
        dp_warn ("live: cannot send a resolution to the broker; the group waits for the next change");
        group->dirty = true;
        goto done;
    }
    group->stage = stage;
    group->request = msg.id;
    zhashx_insert (self->requests, trace, group);
    rc = 0;
done:
    dp_arena_destroy (&arena);
    return rc;
}

//  Begin a group's resolution: its view (boxesChanged) or its state.
static void
s_group_start (dp_live_hub_t *self, group_t *group)
{
    group->dirty = false;
    s_execute (self, group, group->query.query, group->query.query_len,
               group->query.kind == DP_LIVE_BOXES_CHANGED ? S_VIEW : S_STATE);
}

static void
s_flush (lws_sorted_usec_list_t *sul)
{
    dp_live_hub_t *self = lws_container_of (sul, dp_live_hub_t, flush);
    self->flush_armed = false;
    for (group_t *g = zhashx_first (self->groups); g; g = zhashx_next (self->groups))
        if (g->dirty && g->stage == S_IDLE && g->ready)
            s_group_start (self, g);
    dp_live_hub_drain (self);
}

static void
s_arm_flush (dp_live_hub_t *self)
{
    if (self->flush_armed)
        return;
    self->flush_armed = true;
    lws_sul_schedule (self->lws, 0, &self->flush, s_flush,
                      (lws_usec_t) self->config->coalesce_ms * LWS_US_PER_MS);
}

//  The view's answer: {"data":{"view":{"elements":[{"id","labelIdentifier"}...]}}}.
static int
s_read_view (json_t *answer, zhashx_t *view)
{
    json_t *elements = json_object_get (json_object_get (json_object_get (answer, "data"), "view"),
                                        "elements");
    if (!json_is_array (elements))
        return -1;
    size_t i;
    json_t *box;
    json_array_foreach (elements, i, box) {
        const char *id = json_string_value (json_object_get (box, "id"));
        const char *label = json_string_value (json_object_get (box, "labelIdentifier"));
        if (id && label)
            zhashx_update (view, id, (void *) label);
    }
    return 0;
}

//  The event of a boxesChanged group, in the subscribers' selection.
static void
s_write_event (group_t *group, const dp_ast_selection_set_t *set, json_t *data,
               dp_json_writer_t *out, size_t *field, bool *first)
{
    for (size_t i = 0; i < set->n_items; i++) {
        const dp_ast_selection_t *item = &set->items [i];
        if (item->kind != DP_AST_FIELD) {
            const dp_ast_selection_set_t *inner = item->selection_set;
            if (item->kind == DP_AST_FRAGMENT_SPREAD)
                for (size_t d = 0; d < group->query.document->n_defs; d++) {
                    const dp_ast_definition_t *def = &group->query.document->defs [d];
                    if (def->kind == DP_AST_FRAGMENT && strcmp (def->name, item->name) == 0)
                        inner = def->selection_set;
                }
            if (inner)
                s_write_event (group, inner, data, out, field, first);
            continue;
        }
        if (!*first)
            dp_json_writer_char (out, ',');
        *first = false;
        dp_json_writer_cstr (out, item->alias ? item->alias : item->name);
        dp_json_writer_char (out, ':');
        if (strcmp (item->name, "changed") == 0) {
            dp_json_writer_char (out, '[');
            bool none = true;
            for (size_t j = 0; j < group->n_labels; j++) {
                char alias [48];
                snprintf (alias, sizeof alias, "c%zu_%zu", *field, j);
                json_t *box = json_object_get (data, alias);
                if (!json_is_object (box))
                    continue;       //  not readable (any more): not in the event
                char *text = json_dumps (box, JSON_COMPACT);
                if (!none)
                    dp_json_writer_char (out, ',');
                none = false;
                dp_json_writer_raw (out, text, strlen (text));
                free (text);
            }
            dp_json_writer_char (out, ']');
            (*field)++;
        }
        else
        if (strcmp (item->name, "removedBoxIds") == 0) {
            dp_json_writer_char (out, '[');
            for (char *id = zlistx_first (group->removed); id; id = zlistx_next (group->removed)) {
                if (id != zlistx_first (group->removed))
                    dp_json_writer_char (out, ',');
                dp_json_writer_cstr (out, id);
            }
            dp_json_writer_char (out, ']');
        }
        else
            dp_json_writer_cstr (out, "BoxesChangedEvent");
    }
}

static void
s_send_event (group_t *group, json_t *data)
{
    const dp_ast_selection_t *root = group->query.root;
    dp_json_writer_t out;
    dp_json_writer_init (&out, 1024);
    dp_json_writer_raw (&out, "{\"data\":{", 9);
    dp_json_writer_cstr (&out, root->alias ? root->alias : root->name);
    dp_json_writer_raw (&out, ":{", 2);
    size_t field = 0;
    bool first = true;
    s_write_event (group, root->selection_set, data, &out, &field, &first);
    dp_json_writer_raw (&out, "}}}", 3);
    s_group_broadcast (group, "next", out.data, out.len);
    dp_json_writer_release (&out);
}

//  The view came back: which boxes entered or changed, which left.
static void
s_view_answered (dp_live_hub_t *self, group_t *group, json_t *answer)
{
    zhashx_purge (group->next_view);
    if (s_read_view (answer, group->next_view)) {
        char *errors = json_dumps (json_object_get (answer, "errors"), JSON_COMPACT);
        s_group_fail (self, group, errors ? errors : "[{\"message\":\"The view could not be read.\"}]");
        free (errors);
        return;
    }
    //  next_view holds borrowed labels of answer: keep copies in view.
    zhashx_t *view = s_string_set ();
    for (const char *label = zhashx_first (group->next_view); label;
         label = zhashx_next (group->next_view))
        zhashx_insert (view, zhashx_cursor (group->next_view), (void *) label);
    zhashx_purge (group->next_view);
    bool first = !group->ready;
    group->ready = true;
    zlistx_purge (group->removed);
    s_labels_free (group);
    if (!first) {
        for (const char *l = zhashx_first (group->view); l; l = zhashx_next (group->view))
            if (!zhashx_lookup (view, zhashx_cursor (group->view)))
                zlistx_add_end (group->removed, strdup (zhashx_cursor (group->view)));
        group->labels = calloc (zhashx_size (view) + 1, sizeof *group->labels);
        for (const char *label = zhashx_first (view); label; label = zhashx_next (view)) {
            const char *id = zhashx_cursor (view);
            if (!zhashx_lookup (group->view, id) || zhashx_lookup (group->changed, id))
                group->labels [group->n_labels++] = strdup (label);
        }
    }
    zhashx_destroy (&group->view);
    group->view = view;
    zhashx_purge (group->changed);
    if (group->n_labels) {
        dp_arena_t *arena = dp_arena_new (4096);
        size_t len;
        char *text = dp_live_query_changed (&group->query, (const char *const *) group->labels,
                                            group->n_labels, arena, &len);
        s_execute (self, group, text, len, S_CHANGED);
        dp_arena_destroy (&arena);
    }
    else
    if (zlistx_size (group->removed))
        s_send_event (group, NULL);
}

static void
s_answered (dp_live_hub_t *self, group_t *group, const char *json, size_t len)
{
    stage_t stage = group->stage;
    group->stage = S_IDLE;
    if (stage == S_STATE) {
        //  The resolver's answer is the event as it is; sent when it differs.
        if (!group->last || strlen (group->last) != len || memcmp (group->last, json, len)) {
            free (group->last);
            group->last = strndup (json, len);
            s_group_broadcast (group, "next", json, len);
        }
        group->ready = true;
        return;
    }
    json_t *answer = json_loadb (json, len, 0, NULL);
    if (!answer) {
        s_group_fail (self, group, "[{\"message\":\"Bad gateway: malformed reply.\"}]");
        return;
    }
    if (stage == S_VIEW)
        s_view_answered (self, group, answer);
    else
        s_send_event (group, json_object_get (answer, "data"));
    json_decref (answer);
}

static void
s_broker_message (dp_live_hub_t *self, zmq_msg_t *frame)
{
    dp_arena_t *arena = dp_arena_new (1024);
    dp_msg_t answer;
    char err [128];
    if (dp_msg_decode (zmq_msg_data (frame), zmq_msg_size (frame), arena, &answer, err, sizeof err)) {
        dp_warn ("live: malformed answer from the broker: %s", err);
        dp_arena_destroy (&arena);
        return;
    }
    char trace [32];
    snprintf (trace, sizeof trace, "live-%" PRIu64, answer.id);
    group_t *group = (group_t *) zhashx_lookup (self->requests, trace);
    zhashx_delete (self->requests, trace);
    if (group && group->request == answer.id) {
        if (answer.type == DP_MSG_RESULT)
            s_answered (self, group, answer.u.result.json, answer.u.result.json_len);
        else {
            //  Busy or lost: tried again at the next tick.
            dp_warn ("live: a resolution failed (%s); trying again", answer.u.error.message);
            group->stage = S_IDLE;
            group->dirty = true;
            s_arm_flush (self);
        }
        if (group->stage == S_IDLE && group->dirty)
            s_arm_flush (self);
        s_group_release (self, group);
    }
    dp_arena_destroy (&arena);
}


//  --------------------------------------------------------------------------
//  The change feed

static void
s_feed_message (dp_live_hub_t *self, zmq_msg_t *frame)
{
    msgpack_unpacked unpacked;
    msgpack_unpacked_init (&unpacked);
    dp_change_t change;
    char err [128];
    if (dp_change_decode (zmq_msg_data (frame), zmq_msg_size (frame), &unpacked, &change,
                          err, sizeof err)) {
        msgpack_unpacked_destroy (&unpacked);
        return;
    }
    bool everything = false;
    if (change.type == DP_CHANGE_FEED_STATUS)
        everything = self->last_seq && change.seq > self->last_seq;   //  a missed tail
    else {
        if (change.seq <= self->last_seq) {         //  published again after a restart
            msgpack_unpacked_destroy (&unpacked);
            return;
        }
        everything = change.type == DP_CHANGE_RESYNC
                  || (self->last_seq && change.seq > self->last_seq + 1);
        self->last_seq = change.seq;
    }
    if (change.type == DP_CHANGE_FEED_STATUS && !everything) {
        msgpack_unpacked_destroy (&unpacked);
        return;
    }
    if (change.type == DP_CHANGE_FEED_STATUS)
        self->last_seq = change.seq;
    const char *table = change.type == DP_CHANGE_CHANGE ? change.table : "";
    bool stock = strcmp (table, "stock") == 0;
    bool box = stock || strcmp (table, "tags_relations") == 0 || strcmp (table, "qr") == 0;
    bool shipment = strcmp (table, "shipment") == 0 || strcmp (table, "shipment_detail") == 0;
    char id [32] = "";
    if (stock && change.n_key == 1 && !change.key [0].is_text)
        snprintf (id, sizeof id, "%" PRId64, change.key [0].integer);
    for (group_t *g = zhashx_first (self->groups); g; g = zhashx_next (self->groups)) {
        dp_live_kind_t kind = g->query.kind;
        if (everything
        ||  (kind == DP_LIVE_BOXES_CHANGED && stock)
        ||  (kind == DP_LIVE_BOX && box)
        ||  (kind == DP_LIVE_SHIPMENT && shipment)) {
            g->dirty = true;
            if (kind == DP_LIVE_BOXES_CHANGED && *id)
                zhashx_update (g->changed, id, "");
            s_arm_flush (self);
        }
    }
    msgpack_unpacked_destroy (&unpacked);
}

void
dp_live_hub_drain (dp_live_hub_t *self)
{
    zmq_msg_t frame;
    zmq_msg_init (&frame);
    //  Until each socket has nothing: their descriptors only signal that
    //  something arrived since the last read.
    while (zmq_msg_recv (&frame, zsock_resolve (self->feed), ZMQ_DONTWAIT) >= 0)
        s_feed_message (self, &frame);
    while (zmq_msg_recv (&frame, zsock_resolve (self->broker), ZMQ_DONTWAIT) >= 0)
        s_broker_message (self, &frame);
    zmq_msg_close (&frame);
}

void
dp_live_hub_tick (dp_live_hub_t *self)
{
    int64_t now = (int64_t) time (NULL), mono = zclock_mono ();
    for (dp_live_conn_t *c = zlistx_first (self->conns); c; c = zlistx_next (self->conns)) {
        if (c->acked && now > c->refused_after)
            dp_live_conn_close (c, 4403, "Forbidden: the token expired");
        if (!c->init_seen && mono - c->opened_ms > S_INIT_WAIT_MS)
            dp_live_conn_close (c, 4408, "Connection initialisation timeout");
    }
    dp_live_hub_drain (self);
}


//  --------------------------------------------------------------------------
//  Subscribers

void
dp_live_hub_conn_open (dp_live_hub_t *self, dp_live_conn_t *conn, struct lws *wsi,
                       const dp_live_protocol_t *protocol)
{
    memset (conn, 0, sizeof *conn);
    conn->hub = self;
    conn->protocol = protocol;
    conn->wsi = wsi;
    conn->opened_ms = zclock_mono ();
    conn->arena = dp_arena_new (2048);
    conn->subs = zhashx_new ();
    conn->out = zlistx_new ();
    zlistx_set_destructor (conn->out, (zlistx_destructor_fn *) zstr_free);
    zlistx_add_end (self->conns, conn);
}

void
dp_live_hub_conn_gone (dp_live_conn_t *conn)
{
    if (!conn || !conn->hub)
        return;
    dp_live_hub_t *self = conn->hub;
    for (group_t *g = zhashx_first (conn->subs); g; g = zhashx_next (conn->subs)) {
        const char *id = zhashx_cursor (conn->subs);
        for (member_t *m = zlistx_first (g->members); m; m = zlistx_next (g->members))
            if (m->conn == conn && strcmp (m->id, id) == 0) {
                zlistx_delete (g->members, zlistx_cursor (g->members));
                break;
            }
    }
    //  Release after the walk, each group once: several ids may share one.
    zlistx_t *groups = zlistx_new ();
    for (group_t *g = zhashx_first (conn->subs); g; g = zhashx_next (conn->subs))
        if (!zlistx_find (groups, g))
            zlistx_add_end (groups, g);
    for (group_t *g = zlistx_first (groups); g; g = zlistx_next (groups))
        s_group_release (self, g);
    zlistx_destroy (&groups);
    zhashx_destroy (&conn->subs);
    void *handle = zlistx_find (self->conns, conn);
    if (handle)
        zlistx_delete (self->conns, handle);
    zlistx_destroy (&conn->out);
    dp_arena_destroy (&conn->arena);
    free (conn->scope);
    free (conn->rx);
    conn->hub = NULL;
}

int
dp_live_hub_verify (dp_live_conn_t *conn, const char *token)
{
    if (!token)
        return -1;
    dp_jwt_error_t error;
    if (dp_jwt_verify_until (conn->hub->config->jwt, token, strlen (token), (int64_t) time (NULL),
                             conn->arena, &conn->identity, &conn->refused_after, &error)) {
        dp_info ("live: a token was refused: %s", error.code);
        return -1;
    }
    conn->scope = s_scope (&conn->identity);
    return 0;
}

//  A new group for key, its document compiled and its first text checked
//  as the broker would run it. Returns NULL with *errors_json set.
static group_t *
s_group_new (dp_live_hub_t *self, dp_live_conn_t *conn, const char *key, const char *query,
             const char *operation, const char *vars, char **errors_json)
{
    group_t *group = (group_t *) calloc (1, sizeof *group);
    assert (group);
    group->key = strdup (key);
    group->arena = dp_arena_new (8192);
    group->members = zlistx_new ();
    zlistx_set_destructor (group->members, (zlistx_destructor_fn *) s_member_destroy);
    group->view = s_string_set ();
    group->next_view = zhashx_new ();
    group->changed = s_string_set ();
    group->removed = zlistx_new ();
    zlistx_set_destructor (group->removed, (zlistx_destructor_fn *) zstr_free);
    group->operation_name = operation ? dp_arena_strdup (group->arena, operation) : NULL;
    group->variables = vars ? dp_arena_strdup (group->arena, vars) : NULL;
    dp_identity_copy (&group->identity, &conn->identity, group->arena);
    const char *errors = NULL;
    if (dp_live_query_compile (self->config->schema, &self->config->limits,
                               dp_arena_strdup (group->arena, query), operation, group->arena,
                               &group->query, &errors)
    ||  group->query.kind == DP_LIVE_ONCE) {
        *errors_json = strdup (errors ? errors
                               : "[{\"message\":\"live-svc serves subscriptions; send queries and "
                                 "mutations to POST /graphql.\"}]");
        s_group_destroy (&group);
        return NULL;
    }
    //  The variables, checked before anyone waits for an event.
    dp_arena_t *arena = dp_arena_new (4096);
    dp_http_request_t request;
    if (s_prepare (self, group, group->query.query, group->query.query_len, arena, &request,
                   errors_json))
        s_group_destroy (&group);
    dp_arena_destroy (&arena);
    return group;
}

int
dp_live_hub_subscribe (dp_live_conn_t *conn, const char *id, json_t *payload, char **errors_json)
{
    dp_live_hub_t *self = conn->hub;
    assert (self && !zhashx_lookup (conn->subs, id));
    const char *query = json_string_value (json_object_get (payload, "query"));
    const char *operation = json_string_value (json_object_get (payload, "operationName"));
    json_t *variables = json_object_get (payload, "variables");
    if (!query || (variables && !json_is_object (variables) && !json_is_null (variables))) {
        *errors_json = strdup ("[{\"message\":\"A subscription is {query, variables, "
                               "operationName}: query a string, variables an object.\"}]");
        return -1;
    }
    char *vars = json_is_object (variables) ? json_dumps (variables, JSON_COMPACT | JSON_SORT_KEYS)
                                            : NULL;
    char *key = zsys_sprintf ("%s\n%s\n%s\n%s", conn->scope, operation ? operation : "",
                              vars ? vars : "", query);
    group_t *group = (group_t *) zhashx_lookup (self->groups, key);
    if (!group) {
        group = s_group_new (self, conn, key, query, operation, vars, errors_json);
        if (group)
            zhashx_insert (self->groups, group->key, group);
    }
    else
    if (group->ready && group->last)     //  box, shipment: the state at once
        dp_live_conn_message (conn, id, "next", group->last, strlen (group->last));
    free (key);
    free (vars);
    if (!group)
        return -1;
    member_t *member = (member_t *) calloc (1, sizeof *member);
    assert (member);
    member->conn = conn;
    member->id = strdup (id);
    zlistx_add_end (group->members, member);
    zhashx_insert (conn->subs, id, group);
    if (!group->ready && group->stage == S_IDLE) {
        s_group_start (self, group);
        s_group_release (self, group);  //  a start that failed dropped its members
    }
    return 0;
}

void
dp_live_hub_unsubscribe (dp_live_conn_t *conn, const char *id)
{
    group_t *group = (group_t *) zhashx_lookup (conn->subs, id);
    if (group) {
        zhashx_delete (conn->subs, id);
        s_member_remove (conn->hub, group, conn, id);
    }
}


//  --------------------------------------------------------------------------
//  The hub

dp_live_hub_t *
dp_live_hub_new (dp_live_config_t *config)
{
    assert (config);
    dp_live_hub_t *self = (dp_live_hub_t *) calloc (1, sizeof *self);
    assert (self);
    self->config = config;
    msgpack_sbuffer_init (&self->sbuf);
    self->groups = zhashx_new ();
    zhashx_set_destructor (self->groups, (zhashx_destructor_fn *) s_group_destroy);
    self->requests = zhashx_new ();
    self->conns = zlistx_new ();
    self->feed = zsock_new_sub (config->feed_endpoint, "");
    self->broker = zsock_new (ZMQ_DEALER);
    if (!self->feed || !self->broker
    ||  zsock_connect (self->broker, "%s", config->execute_endpoint))
        dp_live_hub_destroy (&self);
    return self;
}

void
dp_live_hub_destroy (dp_live_hub_t **self_p)
{
    assert (self_p);
    dp_live_hub_t *self = *self_p;
    if (!self)
        return;
    zhashx_destroy (&self->groups);
    zhashx_destroy (&self->requests);
    zlistx_destroy (&self->conns);
    zsock_destroy (&self->feed);
    zsock_destroy (&self->broker);
    msgpack_sbuffer_destroy (&self->sbuf);
    free (self);
    *self_p = NULL;
}

void
dp_live_hub_set_loop (dp_live_hub_t *self, struct lws_context *lws)
{
    self->lws = lws;
}

void
dp_live_hub_fds (dp_live_hub_t *self, int *feed_fd, int *broker_fd)
{
    *feed_fd = zsock_fd (self->feed);
    *broker_fd = zsock_fd (self->broker);
}
