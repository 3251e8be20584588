/*  =========================================================================
    dp_live_actor - live updates: GraphQL subscriptions over WebSocket

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_live_actor.h"
#include "dp_live_query.h"
#include "dp_change.h"
#include "dp_http_request.h"
#include "dp_json_writer.h"
#include "dp_log.h"
#include "dp_msg.h"
#include "dp_msg_variables.h"
#include <libwebsockets.h>
#include <jansson.h>
#include <inttypes.h>
#include <time.h>
#include <unistd.h>

#define S_PROTOCOL      "graphql-transport-ws"
#define S_MAX_MESSAGE   (1024 * 1024)
#define S_INIT_WAIT_MS  3000
#define S_TICK_US       (100 * LWS_US_PER_MS)

typedef struct _self_t self_t;
typedef struct _group_t group_t;

typedef struct {
    self_t *owner;
    struct lws *wsi;
    int64_t opened_ms;
    bool init_seen, acked;
    int64_t refused_after;          //  the token's expiry (seconds since the epoch)
    dp_arena_t *arena;              //  the identity
    dp_identity_t identity;
    char *scope;                    //  the identity as a group key
    zhashx_t *subs;                 //  subscription id -> group_t* (borrowed)
    zlistx_t *out;                  //  frames to write, each LWS_PRE + text, NUL at its end
    int close_code;                 //  set: close once out is written
    char close_reason [96];
    char *rx;                       //  a message being received
    size_t rx_len;
    bool sse;                       //  graphql-sse, distinct connections: one subscription
    int http_status;                //  SSE: the status to answer; 0 once headers are written
} conn_t;

typedef struct {
    conn_t *conn;
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

struct _self_t {
    zsock_t *pipe;
    dp_live_config_t *config;
    struct lws_context *lws;
    struct lws_vhost *vhost;
    zsock_t *feed, *broker;
    zhashx_t *groups;               //  key -> group_t*
    zhashx_t *requests;             //  "id" -> group_t* (borrowed)
    zlistx_t *conns;                //  conn_t* (borrowed: lws owns the session)
    uint64_t next_request;
    uint64_t last_seq;
    lws_sorted_usec_list_t tick, flush;
    bool flush_armed, stopping;
    msgpack_sbuffer sbuf;
};

static void s_drain (self_t *self);


//  --------------------------------------------------------------------------
//  Writing to a subscriber

static void
s_conn_send (conn_t *conn, const char *text, size_t len)
{
    char *frame = (char *) malloc (LWS_PRE + len + 1);
    assert (frame);
    memcpy (frame + LWS_PRE, text, len);
    frame [LWS_PRE + len] = 0;
    zlistx_add_end (conn->out, frame);
    lws_callback_on_writable (conn->wsi);
}

static void
s_conn_close (conn_t *conn, int code, const char *reason)
{
    if (conn->close_code)
        return;
    if (conn->sse) {                            //  the stream ends with its complete event
        const char complete [] = "event: complete\ndata:\n\n";
        s_conn_send (conn, complete, sizeof complete - 1);
    }
    conn->close_code = code;
    snprintf (conn->close_reason, sizeof conn->close_reason, "%s", reason);
    lws_callback_on_writable (conn->wsi);
}

//  {"id":id,"type":type,"payload":payload} (payload raw JSON, or none).
static void
s_conn_message (conn_t *conn, const char *id, const char *type, const char *payload, size_t len)
{
    dp_json_writer_t out;
    dp_json_writer_init (&out, 64 + len);
    if (conn->sse) {
        //  graphql-sse: an event per result; errors are a result that ends the stream.
        bool error = streq (type, "error");
        dp_json_writer_raw (&out, "event: next\ndata: ", 18);
        if (error)
            dp_json_writer_raw (&out, "{\"errors\":", 10);
        dp_json_writer_raw (&out, payload, len);
        if (error)
            dp_json_writer_char (&out, '}');
        dp_json_writer_raw (&out, "\n\n", 2);
        s_conn_send (conn, out.data, out.len);
        dp_json_writer_release (&out);
        if (error)
            s_conn_close (conn, 1000, "complete");
        return;
    }
    dp_json_writer_raw (&out, "{\"id\":", 6);
    dp_json_writer_cstr (&out, id);
    dp_json_writer_raw (&out, ",\"type\":", 8);
    dp_json_writer_cstr (&out, type);
    if (payload) {
        dp_json_writer_raw (&out, ",\"payload\":", 11);
        dp_json_writer_raw (&out, payload, len);
    }
    dp_json_writer_char (&out, '}');
    s_conn_send (conn, out.data, out.len);
    dp_json_writer_release (&out);
}

static void
s_group_broadcast (group_t *group, const char *type, const char *payload, size_t len)
{
    for (member_t *m = zlistx_first (group->members); m; m = zlistx_next (group->members))
        s_conn_message (m->conn, m->id, type, payload, len);
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
s_identity_copy (dp_identity_t *to, const dp_identity_t *from, dp_arena_t *arena)
{
    *to = *from;
    to->base_ids = dp_arena_calloc (arena, from->n_base_ids + 1, sizeof *to->base_ids);
    memcpy (to->base_ids, from->base_ids, from->n_base_ids * sizeof *to->base_ids);
    to->permissions = dp_arena_calloc (arena, from->n_permissions + 1, sizeof *to->permissions);
    for (uint32_t p = 0; p < from->n_permissions; p++) {
        dp_permission_t *perm = &to->permissions [p];
        *perm = from->permissions [p];
        perm->name = dp_arena_strdup (arena, from->permissions [p].name);
        perm->base_ids = dp_arena_calloc (arena, perm->n_base_ids + 1, sizeof *perm->base_ids);
        memcpy (perm->base_ids, from->permissions [p].base_ids,
                perm->n_base_ids * sizeof *perm->base_ids);
    }
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
s_group_release (self_t *self, group_t *group)
{
    if (zlistx_size (group->members) == 0 && group->stage == S_IDLE)
        zhashx_delete (self->groups, group->key);
}

static void
s_member_remove (self_t *self, group_t *group, conn_t *conn, const char *id)
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
s_group_fail (self_t *self, group_t *group, const char *errors_json)
{
    s_group_broadcast (group, "error", errors_json, strlen (errors_json));
    for (member_t *m = zlistx_first (group->members); m; m = zlistx_next (group->members))
        zhashx_delete (m->conn->subs, m->id);
    zlistx_purge (group->members);
}


//  --------------------------------------------------------------------------
//  Resolving through the broker, as a query of the subscribers' user

static int
s_execute (self_t *self, group_t *group, const char *text, size_t len, stage_t stage)
{
    dp_arena_t *arena = dp_arena_new (4096);
    dp_http_request_t request = {
        .query = text, .query_len = len,
        .operation_name = group->operation_name,
        .operation_name_len = group->operation_name ? strlen (group->operation_name) : 0,
        .variables_json = group->variables,
        .variables_len = group->variables ? strlen (group->variables) : 0
    };
    dp_http_error_t error;
    int rc = -1;
    if (dp_http_request_prepare (&request, NULL, arena, &error)
    ||  dp_http_request_select (&request, arena, &error)
    ||  dp_http_request_coerce (&request, self->config->schema, arena, &error)) {
        //  {"errors":[...]} -> the array
        const char *array = strchr (error.body, '[');
        char *errors = strndup (array, error.body_len - (size_t) (array - error.body) - 1);
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
s_group_start (self_t *self, group_t *group)
{
    group->dirty = false;
    s_execute (self, group, group->query.query, group->query.query_len,
               group->query.kind == DP_LIVE_BOXES_CHANGED ? S_VIEW : S_STATE);
}

static void
s_flush (lws_sorted_usec_list_t *sul)
{
    self_t *self = lws_container_of (sul, self_t, flush);
    self->flush_armed = false;
    for (group_t *g = zhashx_first (self->groups); g; g = zhashx_next (self->groups))
        if (g->dirty && g->stage == S_IDLE && g->ready)
            s_group_start (self, g);
    s_drain (self);
}

static void
s_arm_flush (self_t *self)
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
s_view_answered (self_t *self, group_t *group, json_t *answer)
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
s_answered (self_t *self, group_t *group, const char *json, size_t len)
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
s_broker_message (self_t *self, zmq_msg_t *frame)
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
s_feed_message (self_t *self, zmq_msg_t *frame)
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

//  Read every socket until it has nothing: their file descriptors only
//  signal that something arrived since the last read.
static void
s_drain (self_t *self)
{
    zmq_msg_t frame;
    zmq_msg_init (&frame);
    while (zmq_msg_recv (&frame, zsock_resolve (self->feed), ZMQ_DONTWAIT) >= 0)
        s_feed_message (self, &frame);
    while (zmq_msg_recv (&frame, zsock_resolve (self->broker), ZMQ_DONTWAIT) >= 0)
        s_broker_message (self, &frame);
    zmq_msg_close (&frame);
    while (zsock_events (self->pipe) & ZMQ_POLLIN) {
        char *command = zstr_recv (self->pipe);
        if (!command || streq (command, "$TERM"))
            self->stopping = true;
        zstr_free (&command);
        if (self->stopping)
            break;
    }
    if (self->stopping)
        lws_cancel_service (self->lws);
}


//  --------------------------------------------------------------------------
//  graphql-transport-ws

static int
s_verify (self_t *self, conn_t *conn, const char *token)
{
    if (!token)
        return -1;
    dp_jwt_error_t error;
    if (dp_jwt_verify_until (self->config->jwt, token, strlen (token), (int64_t) time (NULL),
                             conn->arena, &conn->identity, &conn->refused_after, &error)) {
        dp_info ("live: connection_init refused: %s", error.code);
        return -1;
    }
    conn->scope = s_scope (&conn->identity);
    return 0;
}

static const char *
s_bearer (const char *header)
{
    return header && strncmp (header, "Bearer ", 7) == 0 ? header + 7 : NULL;
}

//  connection_init's payload: {"token": t} or {"Authorization": "Bearer t"}.
static int
s_authenticate (self_t *self, conn_t *conn, json_t *payload)
{
    const char *token = json_string_value (json_object_get (payload, "token"));
    const char *header = json_string_value (json_object_get (payload, "Authorization"));
    if (!header)
        header = json_string_value (json_object_get (payload, "authorization"));
    return s_verify (self, conn, token ? token : s_bearer (header));
}

static void
s_subscribe (self_t *self, conn_t *conn, const char *id, json_t *payload)
{
    const char *query = json_string_value (json_object_get (payload, "query"));
    const char *operation = json_string_value (json_object_get (payload, "operationName"));
    json_t *variables = json_object_get (payload, "variables");
    if (!query || (variables && !json_is_object (variables) && !json_is_null (variables))) {
        s_conn_close (conn, 4400, "Invalid message received");
        return;
    }
    char *vars = json_is_object (variables) ? json_dumps (variables, JSON_COMPACT | JSON_SORT_KEYS)
                                            : NULL;
    char *key = zsys_sprintf ("%s\n%s\n%s\n%s", conn->scope, operation ? operation : "",
                              vars ? vars : "", query);
    group_t *group = (group_t *) zhashx_lookup (self->groups, key);
    if (!group) {
        group = (group_t *) calloc (1, sizeof *group);
        group->key = key;
        key = NULL;
        group->arena = dp_arena_new (8192);
        const char *errors = NULL;
        if (dp_live_query_compile (self->config->schema, &self->config->limits,
                                   dp_arena_strdup (group->arena, query), operation, group->arena,
                                   &group->query, &errors)
        ||  group->query.kind == DP_LIVE_ONCE) {
            if (!errors)
                errors = "[{\"message\":\"live-svc serves subscriptions; send queries and "
                         "mutations to POST /graphql.\"}]";
            s_conn_message (conn, id, "error", errors, strlen (errors));
            s_group_destroy (&group);
            free (vars);
            return;
        }
        group->operation_name = operation ? dp_arena_strdup (group->arena, operation) : NULL;
        group->variables = vars ? dp_arena_strdup (group->arena, vars) : NULL;
        s_identity_copy (&group->identity, &conn->identity, group->arena);
        group->members = zlistx_new ();
        zlistx_set_destructor (group->members, (zlistx_destructor_fn *) s_member_destroy);
        group->view = s_string_set ();
        group->next_view = zhashx_new ();
        group->changed = s_string_set ();
        group->removed = zlistx_new ();
        zlistx_set_destructor (group->removed, (zlistx_destructor_fn *) zstr_free);
        zhashx_insert (self->groups, group->key, group);
    }
    else
    if (group->ready && group->last)     //  box, shipment: the state at once
        s_conn_message (conn, id, "next", group->last, strlen (group->last));
    free (key);
    free (vars);
    member_t *member = (member_t *) calloc (1, sizeof *member);
    member->conn = conn;
    member->id = strdup (id);
    zlistx_add_end (group->members, member);
    zhashx_insert (conn->subs, id, group);
    if (!group->ready && group->stage == S_IDLE) {
        s_group_start (self, group);
        s_group_release (self, group);  //  a start that failed dropped its members
    }
}

static void
s_message (self_t *self, conn_t *conn, const char *text, size_t len)
{
    json_t *message = json_loadb (text, len, 0, NULL);
    const char *type = json_string_value (json_object_get (message, "type"));
    const char *id = json_string_value (json_object_get (message, "id"));
    json_t *payload = json_object_get (message, "payload");
    if (!type)
        s_conn_close (conn, 4400, "Invalid message received");
    else
    if (streq (type, "connection_init")) {
        if (conn->init_seen)
            s_conn_close (conn, 4429, "Too many initialisation requests");
        else {
            conn->init_seen = true;
            if (s_authenticate (self, conn, payload))
                s_conn_close (conn, 4403, "Forbidden");
            else {
                conn->acked = true;
                const char ack [] = "{\"type\":\"connection_ack\"}";
                s_conn_send (conn, ack, sizeof ack - 1);
            }
        }
    }
    else
    if (streq (type, "ping")) {
        const char pong [] = "{\"type\":\"pong\"}";
        s_conn_send (conn, pong, sizeof pong - 1);
    }
    else
    if (streq (type, "pong"))
        ;
    else
    if (streq (type, "subscribe")) {
        if (!conn->acked)
            s_conn_close (conn, 4401, "Unauthorized");
        else
        if (!id || !json_is_object (payload))
            s_conn_close (conn, 4400, "Invalid message received");
        else
        if (zhashx_lookup (conn->subs, id)) {
            char reason [96];
            snprintf (reason, sizeof reason, "Subscriber for %.60s already exists", id);
            s_conn_close (conn, 4409, reason);
        }
        else
            s_subscribe (self, conn, id, payload);
    }
    else
    if (streq (type, "complete") && id) {
        group_t *group = (group_t *) zhashx_lookup (conn->subs, id);
        if (group) {
            zhashx_delete (conn->subs, id);
            s_member_remove (self, group, conn, id);
        }
    }
    else
        s_conn_close (conn, 4400, "Invalid message received");
    json_decref (message);
}

static void
s_conn_gone (self_t *self, conn_t *conn)
{
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
}

static void
s_conn_open (self_t *self, conn_t *conn, struct lws *wsi)
{
    memset (conn, 0, sizeof *conn);
    conn->owner = self;
    conn->wsi = wsi;
    conn->opened_ms = zclock_mono ();
    conn->arena = dp_arena_new (2048);
    conn->subs = zhashx_new ();
    conn->out = zlistx_new ();
    zlistx_set_destructor (conn->out, (zlistx_destructor_fn *) zstr_free);
    zlistx_add_end (self->conns, conn);
}

//  Append a received piece; returns -1 past the largest message.
static int
s_conn_receive (conn_t *conn, const void *in, size_t len)
{
    if (conn->rx_len + len > S_MAX_MESSAGE)
        return -1;
    conn->rx = (char *) realloc (conn->rx, conn->rx_len + len + 1);
    memcpy (conn->rx + conn->rx_len, in, len);
    conn->rx_len += len;
    return 0;
}

//  Write the next queued frame; returns -1 to close the connection.
static int
s_conn_writable (conn_t *conn, struct lws *wsi, enum lws_write_protocol protocol)
{
    char *frame = (char *) zlistx_first (conn->out);
    if (frame) {
        size_t n = strlen (frame + LWS_PRE);
        if (lws_write (wsi, (unsigned char *) frame + LWS_PRE, n, protocol) < (int) n)
            return -1;
        zlistx_delete (conn->out, zlistx_cursor (conn->out));
        if (zlistx_size (conn->out) || conn->close_code)
            lws_callback_on_writable (wsi);
        return 0;
    }
    if (conn->close_code && !conn->sse)
        lws_close_reason (wsi, (enum lws_close_status) conn->close_code,
                          (unsigned char *) conn->close_reason, strlen (conn->close_reason));
    return conn->close_code ? -1 : 0;
}

//  An SSE request refused before its stream: the status and why, then close.
static int
s_sse_refuse (struct lws *wsi, unsigned int status, const char *why)
{
    lws_return_http_status (wsi, status, why);
    return -1;
}

//  graphql-sse, distinct connections mode: POST / with Accept: text/event-stream, the token
//  as Authorization: Bearer, the body {query, variables, operationName}. Returns -1 to close.
static int
s_sse_request (self_t *self, conn_t *conn, struct lws *wsi)
{
    s_conn_open (self, conn, wsi);
    conn->sse = true;
    conn->init_seen = true;
    char header [4096];
    if (lws_hdr_total_length (wsi, WSI_TOKEN_POST_URI) <= 0)
        return s_sse_refuse (wsi, HTTP_STATUS_METHOD_NOT_ALLOWED,
                             "Subscriptions over Server-Sent Events are POSTed.");
    if (lws_hdr_copy (wsi, header, sizeof header, WSI_TOKEN_HTTP_ACCEPT) <= 0
    ||  !strstr (header, "text/event-stream"))
        return s_sse_refuse (wsi, HTTP_STATUS_NOT_ACCEPTABLE,
                             "Send Accept: text/event-stream (graphql-sse, distinct connections).");
    if (lws_hdr_copy (wsi, header, sizeof header, WSI_TOKEN_HTTP_AUTHORIZATION) <= 0
    ||  s_verify (self, conn, s_bearer (header)))
        return s_sse_refuse (wsi, HTTP_STATUS_UNAUTHORIZED,
                             "A valid token is required: Authorization: Bearer <token>.");
    return 0;
}

//  The body is in: answer 200 and subscribe, or 400.
static int
s_sse_subscribe (self_t *self, conn_t *conn, struct lws *wsi)
{
    json_t *payload = json_loadb (conn->rx ? conn->rx : "", conn->rx_len, 0, NULL);
    bool valid = json_is_object (payload) && json_is_string (json_object_get (payload, "query"));
    json_t *variables = json_object_get (payload, "variables");
    valid = valid && (!variables || json_is_object (variables) || json_is_null (variables));
    if (!valid) {
        json_decref (payload);
        return s_sse_refuse (wsi, HTTP_STATUS_BAD_REQUEST,
                             "The body must be JSON: {\"query\": ..., \"variables\": {...}}.");
    }
    conn->http_status = HTTP_STATUS_OK;
    conn->acked = true;                 //  the stream begins: its token's expiry ends it
    lws_callback_on_writable (wsi);
    s_subscribe (self, conn, "sse", payload);
    json_decref (payload);
    s_drain (self);
    return 0;
}

static int
s_sse_headers (conn_t *conn, struct lws *wsi)
{
    unsigned char buffer [LWS_PRE + 512];
    unsigned char *start = buffer + LWS_PRE, *p = start, *end = buffer + sizeof buffer - 1;
    const char no_cache [] = "no-cache";
    if (lws_add_http_common_headers (wsi, (unsigned int) conn->http_status, "text/event-stream",
                                     LWS_ILLEGAL_HTTP_CONTENT_LEN, &p, end)
    ||  lws_add_http_header_by_token (wsi, WSI_TOKEN_HTTP_CACHE_CONTROL,
                                      (const unsigned char *) no_cache, sizeof no_cache - 1, &p, end)
    ||  lws_finalize_write_http_header (wsi, start, &p, end))
        return -1;
    conn->http_status = 0;
    lws_callback_on_writable (wsi);
    return 0;
}

static int
s_ws_callback (struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    self_t *self = (self_t *) lws_context_user (lws_get_context (wsi));
    conn_t *conn = (conn_t *) user;
    switch (reason) {
        case LWS_CALLBACK_ESTABLISHED:
            s_conn_open (self, conn, wsi);
            break;
        case LWS_CALLBACK_RECEIVE:
            if (conn->close_code)
                break;
            if (s_conn_receive (conn, in, len)) {
                s_conn_close (conn, 4400, "Message too large");
                break;
            }
            if (lws_is_final_fragment (wsi) && lws_remaining_packet_payload (wsi) == 0) {
                s_message (self, conn, conn->rx, conn->rx_len);
                conn->rx_len = 0;
                s_drain (self);         //  a send may have taken the broker's signal
            }
            break;
        case LWS_CALLBACK_SERVER_WRITEABLE:
            return s_conn_writable (conn, wsi, LWS_WRITE_TEXT);
        case LWS_CALLBACK_HTTP:
            return s_sse_request (self, conn, wsi);
        case LWS_CALLBACK_HTTP_BODY:
            if (s_conn_receive (conn, in, len))
                return s_sse_refuse (wsi, HTTP_STATUS_REQ_ENTITY_TOO_LARGE, "The body is too large.");
            break;
        case LWS_CALLBACK_HTTP_BODY_COMPLETION:
            return s_sse_subscribe (self, conn, wsi);
        case LWS_CALLBACK_HTTP_WRITEABLE:
            if (conn->http_status)
                return s_sse_headers (conn, wsi);
            return s_conn_writable (conn, wsi, LWS_WRITE_HTTP);
        case LWS_CALLBACK_CLOSED:
        case LWS_CALLBACK_CLOSED_HTTP:
            if (conn && conn->owner)
                s_conn_gone (self, conn);
            if (conn)
                conn->owner = NULL;
            break;
        default:
            break;
    }
    return 0;
}

//  The ZeroMQ sockets' descriptors (duplicates: lws closes what it adopts).
static int
s_zmq_callback (struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    if (reason == LWS_CALLBACK_RAW_RX_FILE)
        s_drain ((self_t *) lws_context_user (lws_get_context (wsi)));
    return 0;
}

static void
s_tick (lws_sorted_usec_list_t *sul)
{
    self_t *self = lws_container_of (sul, self_t, tick);
    int64_t now = (int64_t) time (NULL), mono = zclock_mono ();
    for (conn_t *c = zlistx_first (self->conns); c; c = zlistx_next (self->conns)) {
        if (c->acked && now > c->refused_after)
            s_conn_close (c, 4403, "Forbidden: the token expired");
        if (!c->init_seen && mono - c->opened_ms > S_INIT_WAIT_MS)
            s_conn_close (c, 4408, "Connection initialisation timeout");
    }
    s_drain (self);
    lws_sul_schedule (self->lws, 0, &self->tick, s_tick, S_TICK_US);
}

static const struct lws_protocols s_protocols [] = {
    { S_PROTOCOL, s_ws_callback, sizeof (conn_t), 4096, 0, NULL, 0 },
    { "dp-zmq", s_zmq_callback, 0, 0, 0, NULL, 0 },
    { NULL, NULL, 0, 0, 0, NULL, 0 }
};

static int
s_adopt (self_t *self, int fd)
{
    lws_sock_file_fd_type desc = { .filefd = dup (fd) };
    return lws_adopt_descriptor_vhost (self->vhost, LWS_ADOPT_RAW_FILE_DESC, desc, "dp-zmq", NULL)
           ? 0 : -1;
}

static void
s_actor (zsock_t *pipe, void *args)
{
    self_t self_ = { .pipe = pipe, .config = (dp_live_config_t *) args };
    self_t *self = &self_;
    msgpack_sbuffer_init (&self->sbuf);
    self->groups = zhashx_new ();
    zhashx_set_destructor (self->groups, (zhashx_destructor_fn *) s_group_destroy);
    self->requests = zhashx_new ();
    self->conns = zlistx_new ();
    self->feed = zsock_new_sub (self->config->feed_endpoint, "");
    self->broker = zsock_new (ZMQ_DEALER);
    int ok = self->feed && self->broker
          && zsock_connect (self->broker, "%s", self->config->execute_endpoint) == 0;

    lws_set_log_level (LLL_ERR, NULL);
    struct lws_context_creation_info info;
    memset (&info, 0, sizeof info);
    info.port = self->config->port;
    info.iface = self->config->listen_host;
    info.protocols = s_protocols;
    info.user = self;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
    self->lws = ok ? lws_create_context (&info) : NULL;
    self->vhost = self->lws ? lws_get_vhost_by_name (self->lws, "default") : NULL;
    if (!self->vhost
    ||  s_adopt (self, zsock_fd (self->feed)) || s_adopt (self, zsock_fd (self->broker))
    ||  s_adopt (self, zsock_fd (pipe))) {
        dp_error ("live: cannot listen on port %d or reach %s and %s", self->config->port,
                  self->config->feed_endpoint, self->config->execute_endpoint);
        zsock_signal (pipe, 0);         //  zactor_new's
        zsock_signal (pipe, 1);         //  dp_live_actor_new's: failed
        goto done;
    }
    zsock_signal (pipe, 0);
    zsock_signal (pipe, 0);
    dp_info ("live: serving ws://localhost:%d/ (graphql-transport-ws)", self->config->port);
    lws_sul_schedule (self->lws, 0, &self->tick, s_tick, S_TICK_US);
    s_drain (self);
    while (!self->stopping && lws_service (self->lws, 0) >= 0)
        ;
done:
    if (self->lws)
        lws_context_destroy (self->lws);    //  closes every connection (s_conn_gone)
    zhashx_destroy (&self->groups);
    zhashx_destroy (&self->requests);
    zlistx_destroy (&self->conns);
    zsock_destroy (&self->feed);
    zsock_destroy (&self->broker);
    msgpack_sbuffer_destroy (&self->sbuf);
}

zactor_t *
dp_live_actor_new (dp_live_config_t *config)
{
    assert (config && config->jwt && config->schema);
    zactor_t *actor = zactor_new (s_actor, config);
    //  zactor_new waits for the signal; a 1 means the start failed.
    if (actor && zsock_wait (actor) != 0)
        zactor_destroy (&actor);
    return actor;
}
