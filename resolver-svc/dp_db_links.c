/*  =========================================================================
    dp_db_links - a resolver's links to its db-svc: instances, not addresses

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_db_links.h. proto/README.md section 5 ("Resolver <-> db-svc")
    is the contract this implements.
@discuss
    Every request waiting here is an entry: its correlation id, its owner,
    its encoded message (kept so that it can be sent again), whether it is
    a read, where it is (a db-svc and the instance id that db-svc had when
    it was sent, or parked) and how often it was sent again. Entries are
    found by id in an open-addressing map; owners and db-svc are found by
    scanning it (a handful of requests per owner, rare deaths).
    A death is handled in two steps: the ids at the dead instance are
    collected first, then each is looked up again and sent on or failed,
    because a failure runs the owner's callback, which may finish the
    owner and forget its other entries.
    Monitor events are read before the message that follows them on the
    DEALER, so a DISCONNECTED is seen before what the new instance says.
@end
*/
#include "dp_db_links.h"
#include "dp_poll.h"
#include "dp_link_watch.h"
#include "dp_send.h"
#include "dp_log.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define S_HEARTBEAT_MS   1000
#define S_LIVENESS_MS    3000
#define S_WAIT_MS        5000
#define S_MAX_RESENDS    2
#define S_MAX_PARKED     4096
#define S_FAST_BEAT_MS   20             //  before the first answer: a send fails until connected
#define S_RETRY_MS       20             //  parked requests are tried this often
#define S_BATCH          256            //  messages read from one DEALER per turn

typedef struct {
    uint64_t id;                //  correlation id (the same when sent again)
    void *owner;
    zframe_t *frame;            //  the encoded LOAD or QUERY
    bool read_only;             //  may be sent again
    int db;                     //  index of the db-svc holding it; -1: parked
    uint64_t instance;          //  that db-svc's instance id when sent (0: not known yet)
    uint32_t resends;           //  times sent again after its db-svc died
    int64_t parked_at;          //  zclock_mono when parked
    void *parked;               //  its handle in the parked list, or NULL
} s_entry_t;

//  The id map: open addressing, linear probing, tombstones.
#define TOMBSTONE ((s_entry_t *) 1)

typedef struct {
    uint64_t id;
    s_entry_t *entry;           //  NULL: free; TOMBSTONE: deleted
} s_slot_t;

typedef struct {
    s_slot_t *slots;
    size_t cap;
    size_t used;                //  slots not free (live and tombstones)
    size_t live;                //  slots holding an entry
} s_idmap_t;

//  The latest report a db-svc sent, kept to be forwarded to the gateway.
typedef struct {
    bool held;                  //  a report came since the db-svc was last alive
    char instance [DP_INSTANCE_MAX + 1];
    uint64_t taken_ms;
    uint64_t values [DP_REPORT_VALUES_MAX];
    uint32_t n_values;
} s_report_t;

typedef struct {
    char *endpoint;
    zsock_t *sock;              //  DEALER, ZMQ_IMMEDIATE
    dp_link_watch_t *watch;     //  the DEALER's socket monitor; NULL when none
    int64_t last_seen;          //  zclock_mono of its last message (or of the socket)
    bool alive;                 //  heard from within liveness_ms
    uint64_t instance;          //  the id its HEARTBEAT answers carry; 0: not known
    size_t outstanding;         //  entries held by it
    s_report_t report;          //  its latest figures
} s_db_t;

//  An owner's open transaction and the db-svc instance that began it:
//  every later request of it goes there, and nowhere else.
typedef struct {
    void *owner;
    uint64_t txn;
    int db;
    uint64_t instance;
} s_pin_t;

struct _dp_db_links_t {
    dp_db_links_config_t config;    //  with the defaults filled in
    s_db_t dbs [DP_DB_LINKS_MAX];
    size_t n_dbs;
    size_t next_db;             //  round robin among equals
    uint64_t next_id;           //  correlation ids
    s_idmap_t map;              //  id → entry
    zlistx_t *parked;           //  entries waiting for a db-svc, oldest first
    dp_arena_t *arena;          //  decoding HEARTBEAT answers, reset per message
    int64_t started;
    int64_t next_heartbeat;
    int64_t next_retry;
    bool heard;                 //  a db-svc answered once
    uint64_t lost;
    uint64_t resent;
    s_pin_t *pins;              //  one per owner with a transaction (malloc'd)
    size_t n_pins, cap_pins;
};


//  --------------------------------------------------------------------------
//  The id map

static uint64_t
s_mix (uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static void s_map_put (s_idmap_t *map, s_entry_t *entry);

//  Rehash: twice the size when live ids fill a quarter of it, else the
//  same size (tombstones dropped), so a long run never grows the table.
static void
s_map_rehash (s_idmap_t *map)
{
    s_slot_t *old = map->slots;
    size_t old_cap = map->cap;
    map->cap = !old_cap ? 1024 : (map->live + 1) * 4 > old_cap ? old_cap * 2 : old_cap;
    map->slots = calloc (map->cap, sizeof (s_slot_t));
    if (!map->slots)
        dp_fatal ("out of memory");
    map->used = 0;
    map->live = 0;
    for (size_t i = 0; i < old_cap; i++)
        if (old [i].entry && old [i].entry != TOMBSTONE)
            s_map_put (map, old [i].entry);
    free (old);
}

static void
s_map_put (s_idmap_t *map, s_entry_t *entry)
{
    if ((map->used + 1) * 2 > map->cap)
        s_map_rehash (map);
    size_t i = s_mix (entry->id) & (map->cap - 1);
    while (map->slots [i].entry && map->slots [i].entry != TOMBSTONE)
        i = (i + 1) & (map->cap - 1);
    if (!map->slots [i].entry)
        map->used++;
    map->slots [i].id = entry->id;
    map->slots [i].entry = entry;
    map->live++;
}

static s_slot_t *
s_map_find (s_idmap_t *map, uint64_t id)
{
    if (!map->cap)
        return NULL;
    size_t i = s_mix (id) & (map->cap - 1);
    while (map->slots [i].entry) {
        if (map->slots [i].entry != TOMBSTONE && map->slots [i].id == id)
            return &map->slots [i];
        i = (i + 1) & (map->cap - 1);
    }
    return NULL;
}

static bool
s_slot_live (const s_slot_t *slot)
{
    return slot->entry && slot->entry != TOMBSTONE;
}


//  --------------------------------------------------------------------------
//  Entries

//  Take an entry out of everything: the map slot, its db-svc's count, the
//  parked list. The caller frees it (s_entry_free) or fails it (s_fail).
static s_entry_t *
s_detach (dp_db_links_t *self, s_slot_t *slot)
{
    s_entry_t *entry = slot->entry;
    slot->entry = TOMBSTONE;
    self->map.live--;
    if (entry->db >= 0 && self->dbs [entry->db].outstanding)
        self->dbs [entry->db].outstanding--;
    if (entry->parked)
        zlistx_delete (self->parked, entry->parked);
    entry->parked = NULL;
    return entry;
}

static void
s_entry_free (s_entry_t **entry_p)
{
    s_entry_t *entry = *entry_p;
    if (!entry)
        return;
    zframe_destroy (&entry->frame);
    free (entry);
    *entry_p = NULL;
}

//  A detached entry will never be answered: its owner hears ERROR{503}.
static void
s_fail (dp_db_links_t *self, s_entry_t *entry, const char *message)
{
    self->lost++;
    dp_msg_t error = { .version = DP_PROTO_VERSION, .type = DP_MSG_ERROR, .id = entry->id,
                       .trace_id = "" };
    error.u.error.status = DP_STATUS_UNAVAILABLE;
    error.u.error.message = message;
    void *owner = entry->owner;
    s_entry_free (&entry);
    self->config.on_failed (self->config.ctx, owner, &error);
}

//  Send an entry to the live db-svc with the fewest entries (round robin
//  among equals), the next one when a send is refused. Returns 0, or -1
//  when none took it.
static int
s_dispatch (dp_db_links_t *self, s_entry_t *entry)
{
    bool tried [DP_DB_LINKS_MAX] = { false };
    while (true) {
        s_db_t *best = NULL;
        size_t best_index = 0;
        for (size_t k = 0; k < self->n_dbs; k++) {
            size_t i = (self->next_db + k) % self->n_dbs;
            s_db_t *db = &self->dbs [i];
            if (db->alive && !tried [i] && (!best || db->outstanding < best->outstanding)) {
                best = db;
                best_index = i;
            }
        }
        if (!best)
            return -1;
        tried [best_index] = true;
        if (zmq_send (zsock_resolve (best->sock), zframe_data (entry->frame),
                      zframe_size (entry->frame), ZMQ_DONTWAIT) >= 0) {
            best->outstanding++;
            self->next_db = best_index + 1;
            entry->db = (int) best_index;
            entry->instance = best->instance;
            return 0;
        }
    }
}

//  Park an entry until a db-svc can take it. Returns -1 when waiting is
//  off or the parked list is full.
static int
s_park (dp_db_links_t *self, s_entry_t *entry)
{
    if (self->config.wait_ms < 0 || zlistx_size (self->parked) >= self->config.max_parked)
        return -1;
    entry->db = -1;
    entry->parked_at = zclock_mono ();
    entry->parked = zlistx_add_end (self->parked, entry);
    return 0;
}

//  An entry whose db-svc died: a read goes out again (or waits for a
//  db-svc), within the bound; anything else fails, since it may have run.
static void
s_resend (dp_db_links_t *self, s_slot_t *slot)
{
    s_entry_t *entry = s_detach (self, slot);
    if (!entry->read_only) {
        s_fail (self, entry, "db-svc lost while a write was in flight; it is not sent again");
        return;
    }
    if (entry->resends >= self->config.max_resends) {
        dp_warn ("resolver: LOAD/QUERY %llu lost with its db-svc %u times; not sent again",
                 (unsigned long long) entry->id, entry->resends + 1);
        s_fail (self, entry, "db-svc lost every time this request was sent");
        return;
    }
    entry->resends++;
    self->resent++;
    if (s_dispatch (self, entry) && s_park (self, entry))
        s_fail (self, entry, "no db-svc reachable");
    else
        s_map_put (&self->map, entry);
}

//  The instance of db-svc index is dead: send on what waited there (all,
//  or only what went to instance `only` when it is not 0).
static void
s_rescue (dp_db_links_t *self, size_t index, uint64_t only, const char *why)
{
    s_db_t *db = &self->dbs [index];
    s_idmap_t *map = &self->map;
    size_t n = 0;
    uint64_t *ids = malloc ((map->live + 1) * sizeof (uint64_t));
    if (!ids)
        dp_fatal ("out of memory");
    for (size_t i = 0; i < map->cap; i++) {
        s_entry_t *entry = map->slots [i].entry;
        if (s_slot_live (&map->slots [i]) && entry->db == (int) index
        &&  (!only || entry->instance == only))
            ids [n++] = entry->id;
    }
    if (n)
        dp_warn ("resolver: db-svc %s %s; %zu LOAD/QUERY waiting there sent again", db->endpoint,
                 why, n);
    for (size_t i = 0; i < n; i++) {
        s_slot_t *slot = s_map_find (map, ids [i]);
        if (slot && slot->entry->db == (int) index)
            s_resend (self, slot);          //  else answered or moved meanwhile
    }
    free (ids);
}


//  --------------------------------------------------------------------------
//  Sockets

//  A DEALER to endpoint with a monitor on it, set up before it connects so
//  that no event is missed. Returns 0 or -1.
static int
s_db_connect (dp_db_links_t *self, s_db_t *db)
{
    db->sock = zsock_new (ZMQ_DEALER);
    if (!db->sock)
        return -1;
    zsock_set_sndhwm (db->sock, 0);         //  bounded by the credit, never dropped
    zsock_set_rcvhwm (db->sock, 0);
    zsock_set_linger (db->sock, 0);
    zsock_set_immediate (db->sock, 1);      //  nothing queued for a db-svc not connected
    bool useful = dp_link_watch_useful (db->endpoint);
    db->watch = useful ? dp_link_watch_new (db->sock) : NULL;
    if (!db->watch && useful)
        dp_warn ("resolver: no socket monitor on db-svc %s; restarts are seen by id and"
                 " silence only", db->endpoint);
    if (zsock_connect (db->sock, "%s", db->endpoint))
        return -1;
    db->last_seen = zclock_mono ();
    return 0;
}

static void
s_db_close (s_db_t *db)
{
    dp_link_watch_destroy (&db->watch);
    zsock_destroy (&db->sock);
}

static void
s_send_heartbeat (dp_db_links_t *self, s_db_t *db)
{
    dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = DP_MSG_HEARTBEAT, .trace_id = "" };
    msg.u.heartbeat.instance_id = self->config.instance_id;
    dp_send_msg (db->sock, &msg);
}


//  --------------------------------------------------------------------------
//  Liveness

//  Try the parked entries, oldest first, until one finds no db-svc.
static void
s_retry_parked (dp_db_links_t *self)
{
    s_entry_t *entry = zlistx_first (self->parked);
    while (entry) {
        if (s_dispatch (self, entry))
            return;
        zlistx_delete (self->parked, entry->parked);
        entry->parked = NULL;
        entry = zlistx_first (self->parked);
    }
}

//  Fail the parked entries that waited wait_ms.
static void
s_expire_parked (dp_db_links_t *self, int64_t now)
{
    s_entry_t *entry = zlistx_first (self->parked);
    while (entry && now - entry->parked_at >= self->config.wait_ms) {
        s_slot_t *slot = s_map_find (&self->map, entry->id);
        assert (slot && slot->entry == entry);
        s_fail (self, s_detach (self, slot), "no db-svc reachable");
        entry = zlistx_first (self->parked);    //  the callback may have forgotten others
    }
}

//  A db-svc stopped being reachable at its address: not used until it
//  answers again; what waited on it goes elsewhere.
static void
s_db_dead (dp_db_links_t *self, size_t index, const char *why)
{
    s_db_t *db = &self->dbs [index];
    if (db->alive && !db->outstanding)
        dp_warn ("resolver: db-svc %s %s", db->endpoint, why);
    db->alive = false;
    db->instance = 0;
    db->report.held = false;            //  its figures go stale with it
    s_rescue (self, index, 0, why);
}

//  db-svc index answered a HEARTBEAT: keep its report, and when its
//  instance id is new, what the old instance held goes out again.
static void
s_heartbeat_answer (dp_db_links_t *self, size_t index, zframe_t *frame)
{
    s_db_t *db = &self->dbs [index];
    dp_msg_t msg;
    char err [200];
    dp_arena_reset (self->arena);
    if (dp_msg_decode (zframe_data (frame), zframe_size (frame), self->arena, &msg,
                       err, sizeof err)) {
        dp_warn ("resolver: malformed HEARTBEAT from db-svc %s: %s", db->endpoint, err);
        return;
    }
    for (uint32_t i = 0; i < msg.u.heartbeat.n_reports; i++) {
        const dp_report_t *report = &msg.u.heartbeat.reports [i];
        if (report->service != DP_SERVICE_DB)
            continue;
        s_report_t *held = &db->report;
        held->held = true;
        snprintf (held->instance, sizeof held->instance, "%s", report->instance);
        held->taken_ms = report->taken_ms;
        held->n_values = report->n_values;
        if (report->n_values)
            memcpy (held->values, report->values, report->n_values * sizeof (uint64_t));
        break;
    }
    uint64_t old = db->instance;
    uint64_t id = msg.u.heartbeat.instance_id;
    if (!id)
        return;                         //  an older db-svc: known by silence only
    db->instance = id;
    if (old && old != id)
        s_rescue (self, index, old, "restarted (a new instance id)");
}

//  One monitor event of db-svc index.
static void
s_handle_monitor (dp_db_links_t *self, size_t index)
{
    s_db_t *db = &self->dbs [index];
    dp_link_event_t event = dp_link_watch_next (db->watch);
    if (event == DP_LINK_DISCONNECTED)
        s_db_dead (self, index, "disconnected");
    else
    if (event == DP_LINK_CONNECTED)
        s_send_heartbeat (self, db);    //  learn the new instance's id now
}

//  One message from db-svc index.
static void
s_handle_db (dp_db_links_t *self, size_t index, zframe_t *frame)
{
    s_db_t *db = &self->dbs [index];
    dp_msg_t head;
    char err [200];
    if (dp_msg_peek (zframe_data (frame), zframe_size (frame), &head, err, sizeof err)) {
        dp_warn ("resolver: malformed message from db-svc %s: %s", db->endpoint, err);
        return;
    }
    //  Going away on purpose (stopped, not killed): what it held goes
    //  elsewhere now, or waits for the instance that takes its place.
    if (head.type == DP_MSG_DISCONNECT) {
        s_db_dead (self, index, "is going away");
        return;
    }
    db->last_seen = zclock_mono ();
    self->heard = true;
    bool back = !db->alive;
    if (back) {
        db->alive = true;
        dp_info ("resolver: db-svc %s answers", db->endpoint);
    }
    if (head.type == DP_MSG_HEARTBEAT) {
        s_heartbeat_answer (self, index, frame);
        s_retry_parked (self);
        return;
    }
    if (back)
        s_retry_parked (self);
    if (head.type != DP_MSG_ROWS && head.type != DP_MSG_ERROR)
        return;
    s_slot_t *slot = s_map_find (&self->map, head.id);
    if (!slot)
        return;                         //  late reply of a finished request, or a second one
    s_entry_t *entry = s_detach (self, slot);
    void *owner = entry->owner;
    s_entry_free (&entry);
    self->config.on_reply (self->config.ctx, owner, &head, frame);
}


//  --------------------------------------------------------------------------
//  Public API

dp_db_links_t *
dp_db_links_new (const dp_db_links_config_t *config, char *err, size_t err_len)
{
    assert (config && config->on_reply && config->on_failed);
    if (config->n_endpoints > DP_DB_LINKS_MAX) {
        snprintf (err, err_len, "at most %d db-svc endpoints, not %zu", DP_DB_LINKS_MAX,
                  config->n_endpoints);
        return NULL;
    }
    dp_db_links_t *self = calloc (1, sizeof *self);
    if (!self)
        dp_fatal ("out of memory");
    self->config = *config;
    self->config.endpoints = NULL;      //  copied below
    dp_db_links_config_t *c = &self->config;
    c->heartbeat_ms = c->heartbeat_ms > 0 ? c->heartbeat_ms : S_HEARTBEAT_MS;
    c->liveness_ms = c->liveness_ms > 0 ? c->liveness_ms : S_LIVENESS_MS;
    c->wait_ms = c->wait_ms ? c->wait_ms : S_WAIT_MS;
    c->max_resends = c->max_resends ? c->max_resends : S_MAX_RESENDS;
    c->max_parked = c->max_parked ? c->max_parked : S_MAX_PARKED;
    self->parked = zlistx_new ();
    self->arena = dp_arena_new (4096);
    self->started = zclock_mono ();
    self->next_heartbeat = self->started;       //  ask every db-svc at once
    for (size_t i = 0; i < config->n_endpoints; i++) {
        s_db_t *db = &self->dbs [i];
        db->endpoint = strdup (config->endpoints [i]);
        if (!db->endpoint)
            dp_fatal ("out of memory");
        self->n_dbs++;
        if (s_db_connect (self, db)) {
            snprintf (err, err_len, "cannot connect to db-svc %s", config->endpoints [i]);
            dp_db_links_destroy (&self);
            return NULL;
        }
        //  Live until proven silent: requests may go to it at once (a send
        //  refused before it is connected parks them).
        db->alive = true;
    }
    return self;
}

void
dp_db_links_destroy (dp_db_links_t **self_p)
{
    assert (self_p);
    dp_db_links_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->map.cap; i++)
        if (s_slot_live (&self->map.slots [i]))
            s_entry_free (&self->map.slots [i].entry);
    free (self->map.slots);
    free (self->pins);
    zlistx_destroy (&self->parked);
    for (size_t i = 0; i < self->n_dbs; i++) {
        s_db_close (&self->dbs [i]);
        free (self->dbs [i].endpoint);
    }
    dp_arena_destroy (&self->arena);
    free (self);
    *self_p = NULL;
}

int
dp_db_links_send (dp_db_links_t *self, void *owner, dp_msg_t *msg, bool read_only)
{
    assert (self && owner && msg);
    msg->id = ++self->next_id;
    s_entry_t *entry = calloc (1, sizeof *entry);
    if (!entry)
        dp_fatal ("out of memory");
    entry->id = msg->id;
    entry->owner = owner;
    entry->read_only = read_only;
    entry->frame = dp_send_encode (msg);
    if (!entry->frame || (s_dispatch (self, entry) && s_park (self, entry))) {
        s_entry_free (&entry);
        return -1;
    }
    s_map_put (&self->map, entry);
    return 0;
}

static s_pin_t *
s_pin (dp_db_links_t *self, void *owner)
{
    for (size_t i = 0; i < self->n_pins; i++)
        if (self->pins [i].owner == owner)
            return &self->pins [i];
    return NULL;
}

static void
s_pin_set (dp_db_links_t *self, void *owner, uint64_t txn, int db)
{
    s_pin_t *pin = s_pin (self, owner);
    if (!pin) {
        if (self->n_pins == self->cap_pins) {
            size_t cap = self->cap_pins ? self->cap_pins * 2 : 16;
            s_pin_t *pins = realloc (self->pins, cap * sizeof (s_pin_t));
            if (!pins)
                dp_fatal ("out of memory");
            self->pins = pins;
            self->cap_pins = cap;
        }
        pin = &self->pins [self->n_pins++];
    }
    pin->owner = owner;
    pin->txn = txn;
    pin->db = db;
    pin->instance = self->dbs [db].instance;
}

int
dp_db_links_send_txn (dp_db_links_t *self, void *owner, dp_msg_t *msg, uint64_t txn, bool begin)
{
    assert (self && owner && msg && txn);
    msg->id = ++self->next_id;
    s_entry_t *entry = calloc (1, sizeof *entry);
    if (!entry)
        dp_fatal ("out of memory");
    entry->id = msg->id;
    entry->owner = owner;
    entry->read_only = false;           //  never sent again: it may have run
    entry->frame = dp_send_encode (msg);
    int rc = entry->frame ? 0 : -1;
    if (rc == 0 && begin) {
        rc = s_dispatch (self, entry);  //  not parked: nothing waits on a transaction
        if (rc == 0)
            s_pin_set (self, owner, txn, entry->db);
    }
    else
    if (rc == 0) {
        //  The instance that began it, while it lives: a new instance of
        //  the same endpoint knows nothing of the transaction.
        s_pin_t *pin = s_pin (self, owner);
        s_db_t *db = pin && pin->txn == txn ? &self->dbs [pin->db] : NULL;
        if (!db || !db->alive || db->instance != pin->instance
        ||  zmq_send (zsock_resolve (db->sock), zframe_data (entry->frame),
                      zframe_size (entry->frame), ZMQ_DONTWAIT) < 0)
            rc = -1;
        else {
            db->outstanding++;
            entry->db = pin->db;
            entry->instance = db->instance;
        }
    }
    if (rc) {
        s_entry_free (&entry);
        return -1;
    }
    s_map_put (&self->map, entry);
    return 0;
}

void
dp_db_links_txn_end (dp_db_links_t *self, void *owner, uint64_t rollback, const char *trace_id)
{
    assert (self);
    s_pin_t *pin = s_pin (self, owner);
    if (!pin)
        return;
    s_db_t *db = &self->dbs [pin->db];
    if (rollback && pin->txn == rollback && db->alive && db->instance == pin->instance) {
        //  CANCEL names the transaction (db-svc ends it and KILLs what it
        //  runs), and ROLLBACK queues behind what is left; answers to
        //  either are dropped as unknown ids.
        dp_msg_t cancel = { .version = DP_PROTO_VERSION, .type = DP_MSG_CANCEL,
                            .id = rollback, .trace_id = trace_id };
        dp_send_msg (db->sock, &cancel);
        dp_msg_t end = { .version = DP_PROTO_VERSION, .type = DP_MSG_TXN,
                         .id = ++self->next_id, .trace_id = trace_id };
        end.u.txn.txn = rollback;
        end.u.txn.op = DP_TXN_ROLLBACK;
        dp_send_msg (db->sock, &end);
    }
    *pin = self->pins [--self->n_pins];
}

void
dp_db_links_forget (dp_db_links_t *self, void *owner)
{
    assert (self);
    for (size_t i = 0; i < self->map.cap; i++) {
        s_slot_t *slot = &self->map.slots [i];
        if (s_slot_live (slot) && slot->entry->owner == owner) {
            s_entry_t *entry = s_detach (self, slot);
            s_entry_free (&entry);
        }
    }
}

size_t
dp_db_links_cancel (dp_db_links_t *self, void *owner, const char *trace_id)
{
    assert (self);
    size_t told = 0;
    for (size_t i = 0; i < self->map.cap; i++) {
        s_slot_t *slot = &self->map.slots [i];
        if (!s_slot_live (slot) || slot->entry->owner != owner || slot->entry->db < 0)
            continue;
        s_db_t *db = &self->dbs [slot->entry->db];
        dp_msg_t cancel = { .version = DP_PROTO_VERSION, .type = DP_MSG_CANCEL,
                            .id = slot->id, .trace_id = trace_id };
        if (db->alive && dp_send_msg (db->sock, &cancel) == 0)
            told++;
    }
    return told;
}

int
dp_db_links_pollitems (dp_db_links_t *self, zmq_pollitem_t *items)
{
    assert (self);
    int n = 0;
    for (size_t i = 0; i < self->n_dbs; i++) {
        items [n++] = (zmq_pollitem_t) { zsock_resolve (self->dbs [i].sock), 0, ZMQ_POLLIN, 0 };
        if (self->dbs [i].watch)
            items [n++] = (zmq_pollitem_t) { zsock_resolve (dp_link_watch_sock (self->dbs [i].watch)), 0,
                                             ZMQ_POLLIN, 0 };
    }
    return n;
}

void
dp_db_links_handle (dp_db_links_t *self, const zmq_pollitem_t *items)
{
    assert (self);
    const zmq_pollitem_t *item = items;
    for (size_t i = 0; i < self->n_dbs; i++) {
        s_db_t *db = &self->dbs [i];
        bool readable = item++->revents & ZMQ_POLLIN;
        bool watched = db->watch && (item++->revents & ZMQ_POLLIN);
        //  Its monitor's events first (a DISCONNECTED before what the new
        //  instance says): they came before the poll that saw the messages.
        if (watched)
            while (dp_link_watch_pending (db->watch))
                s_handle_monitor (self, i);
        //  Up to a turn's worth, until none waits (dp_poll_recv).
        zmsg_t *msg;
        for (int n = 0; n < S_BATCH && readable && (msg = dp_poll_recv (db->sock)); n++) {
            zframe_t *frame = zmsg_last (msg);
            if (frame)
                s_handle_db (self, i, frame);
            zmsg_destroy (&msg);
        }
    }
}

long
dp_db_links_timers (dp_db_links_t *self)
{
    assert (self);
    const dp_db_links_config_t *c = &self->config;
    int64_t now = zclock_mono ();
    if (now >= self->next_heartbeat) {
        for (size_t i = 0; i < self->n_dbs; i++)
            s_send_heartbeat (self, &self->dbs [i]);
        bool starting = !self->heard && now < self->started + c->liveness_ms;
        self->next_heartbeat = now + (starting && c->heartbeat_ms > S_FAST_BEAT_MS
                                      ? S_FAST_BEAT_MS : c->heartbeat_ms);
    }
    int64_t next = self->next_heartbeat - now;
    for (size_t i = 0; i < self->n_dbs; i++) {
        s_db_t *db = &self->dbs [i];
        if (!db->alive)
            continue;
        int64_t left = db->last_seen + c->liveness_ms - now;
        if (left < 0 && dp_poll_readable (db->sock))
            left = 0;                   //  it spoke; we were busy: read first
        else
        if (left < 0) {
            //  Silent: a new DEALER drops what was queued for it.
            s_db_close (db);
            if (s_db_connect (self, db))
                dp_fatal ("resolver: cannot reconnect to db-svc %s", db->endpoint);
            s_db_dead (self, i, "is silent");
        }
        else
        if (left < next)
            next = left;
    }
    if (zlistx_size (self->parked)) {
        if (now >= self->next_retry) {
            s_retry_parked (self);
            self->next_retry = now + S_RETRY_MS;
        }
        s_expire_parked (self, now);
        s_entry_t *oldest = zlistx_first (self->parked);
        if (oldest) {
            int64_t left = oldest->parked_at + c->wait_ms - now;
            if (left < next)
                next = left;
            if (self->next_retry - now < next)
                next = self->next_retry - now;
        }
    }
    return next < 0 ? 0 : (long) next;
}

bool
dp_db_links_heard (dp_db_links_t *self)
{
    assert (self);
    return self->heard;
}

void
dp_db_links_stats (dp_db_links_t *self, dp_db_links_stats_t *stats)
{
    assert (self && stats);
    memset (stats, 0, sizeof *stats);
    stats->waiting = self->map.live;
    stats->parked = zlistx_size (self->parked);
    stats->lost = self->lost;
    stats->resent = self->resent;
    stats->configured = (uint32_t) self->n_dbs;
    for (size_t i = 0; i < self->n_dbs; i++)
        stats->live += self->dbs [i].alive;
}

uint32_t
dp_db_links_reports (dp_db_links_t *self, dp_report_t *out, uint32_t max)
{
    assert (self);
    uint32_t n = 0;
    for (size_t i = 0; i < self->n_dbs && n < max; i++) {
        s_report_t *held = &self->dbs [i].report;
        if (self->dbs [i].alive && held->held)
            out [n++] = (dp_report_t) { .service = DP_SERVICE_DB, .instance = held->instance,
                                        .taken_ms = held->taken_ms, .values = held->values,
                                        .n_values = held->n_values };
    }
    return n;
}


//  --------------------------------------------------------------------------
//  Selftest: the links between the test and fake db-svc ROUTERs it drives
//  itself. Each fake answers HEARTBEAT with the instance id the test gives
//  it (a restart is a new id), keeps every LOAD it gets, and records the
//  CANCELs. Owners are the test's own markers.

#define S_TEST_MAX 32

typedef struct {
    dp_db_links_t *links;
    zsock_t *dbs [2];               //  fake db-svc; NULL: down
    uint64_t instance [2];          //  id in their HEARTBEAT answers; 0: no answer
    bool restart_on_load [2];       //  a LOAD arriving kills the instance (a new id)
    //  LOADs the fakes got: where, their id, the requester's routing id
    int got_db [S_TEST_MAX];
    uint64_t got_id [S_TEST_MAX];
    zframe_t *got_routing [S_TEST_MAX];
    int n_got;
    uint64_t cancel_id [S_TEST_MAX];
    int cancel_db [S_TEST_MAX];
    int n_cancels;
    //  What the links handed back: the id, and the message of a failure
    uint64_t replied [S_TEST_MAX];
    int n_replied;
    uint64_t failed [S_TEST_MAX];
    char failed_message [S_TEST_MAX][100];
    int n_failed;
    dp_arena_t *arena;
} s_test_t;

static void
s_test_on_reply (void *ctx, void *owner, const dp_msg_t *head, zframe_t *frame)
{
    s_test_t *t = ctx;
    assert (owner == t && head->type == DP_MSG_ROWS && zframe_size (frame) > 0);
    assert (t->n_replied < S_TEST_MAX);
    t->replied [t->n_replied++] = head->id;
}

static void
s_test_on_failed (void *ctx, void *owner, const dp_msg_t *error)
{
    s_test_t *t = ctx;
    assert (owner == t && error->type == DP_MSG_ERROR);
    assert (error->u.error.status == DP_STATUS_UNAVAILABLE && t->n_failed < S_TEST_MAX);
    snprintf (t->failed_message [t->n_failed], sizeof t->failed_message [0], "%s",
              error->u.error.message);
    t->failed [t->n_failed++] = error->id;
}

static void
s_test_send (zsock_t *router, zframe_t *routing, const dp_msg_t *msg)
{
    zframe_t *copy = zframe_dup (routing);
    zframe_send (&copy, router, ZFRAME_MORE);
    zframe_t *frame = dp_send_encode (msg);
    assert (frame);
    zframe_send (&frame, router, 0);
}

//  One message to fake db d.
static void
s_test_fake (s_test_t *t, int d)
{
    zmsg_t *msg = zmsg_recv (t->dbs [d]);
    assert (msg && zmsg_size (msg) == 2);
    zframe_t *routing = zmsg_pop (msg);
    zframe_t *payload = zmsg_pop (msg);
    dp_msg_t in;
    char err [200];
    dp_arena_reset (t->arena);
    int rc = dp_msg_decode (zframe_data (payload), zframe_size (payload), t->arena, &in,
                            err, sizeof err);
    assert (rc == 0);
    if (in.type == DP_MSG_HEARTBEAT && t->instance [d]) {
        in.u.heartbeat.instance_id = t->instance [d];
        s_test_send (t->dbs [d], routing, &in);
    }
    else
    if (in.type == DP_MSG_CANCEL) {
        assert (t->n_cancels < S_TEST_MAX);
        t->cancel_id [t->n_cancels] = in.id;
        t->cancel_db [t->n_cancels++] = d;
    }
    else
    if (in.type == DP_MSG_LOAD || in.type == DP_MSG_TXN) {
        assert (t->n_got < S_TEST_MAX);
        t->got_db [t->n_got] = d;
        t->got_id [t->n_got] = in.id;
        t->got_routing [t->n_got++] = zframe_dup (routing);
        if (t->restart_on_load [d])
            t->instance [d]++;
    }
    zframe_destroy (&routing);
    zframe_destroy (&payload);
    zmsg_destroy (&msg);
}

//  Run the links and the fakes for ms milliseconds.
static void
s_test_pump (s_test_t *t, int ms)
{
    int64_t until = zclock_mono () + ms;
    while (true) {
        long timeout = dp_db_links_timers (t->links);
        int64_t now = zclock_mono ();
        if (now >= until)
            break;
        zmq_pollitem_t items [2 + 2 * DP_DB_LINKS_MAX];
        int n = dp_db_links_pollitems (t->links, items);
        for (int d = 0; d < 2; d++)
            if (t->dbs [d])
                items [n++] = (zmq_pollitem_t) { zsock_resolve (t->dbs [d]), 0, ZMQ_POLLIN, 0 };
        if (timeout > 5)
            timeout = 5;
        dp_poll (items, n, timeout);
        for (int d = 0; d < 2; d++)
            while (t->dbs [d] && dp_poll_readable (t->dbs [d]))
                s_test_fake (t, d);
        dp_db_links_handle (t->links, items);
    }
}

//  Answer the n-th LOAD the fakes got (no rows), from the fake it went to.
static void
s_test_answer (s_test_t *t, int n)
{
    dp_msg_t rows = { .version = DP_PROTO_VERSION, .type = DP_MSG_ROWS, .id = t->got_id [n],
                      .trace_id = "" };
    rows.u.rows.n_cols = 1;
    s_test_send (t->dbs [t->got_db [n]], t->got_routing [n], &rows);
}

static uint64_t
s_test_load (s_test_t *t, bool read_only)
{
    static int64_t key = 1;
    dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = DP_MSG_LOAD, .trace_id = "t" };
    msg.u.load.columns = 1;
    msg.u.load.keys = &key;
    msg.u.load.n_keys = 1;
    int rc = dp_db_links_send (t->links, t, &msg, read_only);
    assert (rc == 0 && msg.id);
    return msg.id;
}

static void
s_test_start (s_test_t *t, const char **endpoints, size_t n, int wait_ms)
{
    dp_db_links_config_t config = {
        .endpoints = endpoints, .n_endpoints = n, .heartbeat_ms = 50, .liveness_ms = 400,
        .wait_ms = wait_ms, .instance_id = 7, .on_reply = s_test_on_reply,
        .on_failed = s_test_on_failed, .ctx = t
    };
    char err [200];
    t->links = dp_db_links_new (&config, err, sizeof err);
    assert (t->links);
}

static void
s_test_stop (s_test_t *t)
{
    dp_db_links_destroy (&t->links);
    for (int d = 0; d < 2; d++)
        zsock_destroy (&t->dbs [d]);
    for (int i = 0; i < t->n_got; i++)
        zframe_destroy (&t->got_routing [i]);
    dp_arena_t *arena = t->arena;
    memset (t, 0, sizeof *t);
    t->arena = arena;
}

//  Pump until cond holds (at most ms); returns the ms it took.
#define S_TEST_UNTIL(t, cond, ms) do { \
    int64_t _until = zclock_mono () + (ms); \
    while (!(cond) && zclock_mono () < _until) \
        s_test_pump ((t), 5); \
    assert (cond); \
} while (0)

static uint64_t
s_test_stat (s_test_t *t, int which)
{
    dp_db_links_stats_t stats;
    dp_db_links_stats (t->links, &stats);
    uint64_t values [] = { stats.waiting, stats.parked, stats.lost, stats.resent, stats.live };
    return values [which];
}

enum { S_WAITING, S_PARKED, S_LOST, S_RESENT, S_LIVE };

void
dp_db_links_test (bool verbose)
{
    printf (" * dp_db_links: ");
    if (verbose)
        printf ("\n");
    s_test_t t;
    memset (&t, 0, sizeof t);
    t.arena = dp_arena_new (0);
    char err [200];

    //  Too many endpoints, or an invalid one: an error, no links.
    const char *many [DP_DB_LINKS_MAX + 1];
    for (int i = 0; i <= DP_DB_LINKS_MAX; i++)
        many [i] = "inproc://dp-db-links-test-none";
    dp_db_links_config_t config = { .endpoints = many, .n_endpoints = DP_DB_LINKS_MAX + 1,
                                    .on_reply = s_test_on_reply, .on_failed = s_test_on_failed };
    assert (dp_db_links_new (&config, err, sizeof err) == NULL && strstr (err, "at most"));
    const char *bad [] = { "nonsense://x" };
    config.endpoints = bad;
    config.n_endpoints = 1;
    assert (dp_db_links_new (&config, err, sizeof err) == NULL && strstr (err, "nonsense"));

    //  (a) A db-svc that answers with a new instance id restarted: the
    //  LOADs its old instance held arrive again (same ids) at a live
    //  db-svc and are answered; an answer to the old copy is dropped.
    const char *inproc [] = { "inproc://dp-db-links-test-0", "inproc://dp-db-links-test-1" };
    t.dbs [0] = zsock_new_router (inproc [0]);
    t.dbs [1] = zsock_new_router (inproc [1]);
    t.instance [0] = 100;
    t.instance [1] = 200;
    s_test_start (&t, inproc, 2, 0);
    S_TEST_UNTIL (&t, dp_db_links_heard (t.links) && s_test_stat (&t, S_LIVE) == 2, 1000);
    s_test_pump (&t, 60);                       //  both ids learnt
    uint64_t first = s_test_load (&t, true);
    uint64_t second = s_test_load (&t, true);
    S_TEST_UNTIL (&t, t.n_got == 2, 1000);
    assert (t.got_db [0] != t.got_db [1]);      //  the less loaded one, in turn
    int restarted = t.got_db [0];
    t.instance [restarted] = 101;               //  the db-svc holding `first` restarts
    S_TEST_UNTIL (&t, t.n_got == 3, 1000);
    assert (t.got_id [2] == first && s_test_stat (&t, S_RESENT) == 1);
    assert (t.n_failed == 0 && t.n_replied == 0);
    s_test_answer (&t, 2);
    s_test_answer (&t, 1);
    S_TEST_UNTIL (&t, t.n_replied == 2, 1000);
    assert ((t.replied [0] == first && t.replied [1] == second)
         || (t.replied [0] == second && t.replied [1] == first));
    s_test_answer (&t, 0);                      //  the old instance "after all": dropped
    s_test_pump (&t, 30);
    assert (t.n_replied == 2 && s_test_stat (&t, S_WAITING) == 0);
    //  A request that is not a read is never sent again: it fails at once.
    uint64_t write = s_test_load (&t, false);
    S_TEST_UNTIL (&t, t.n_got == 4, 1000);
    t.instance [t.got_db [3]]++;
    S_TEST_UNTIL (&t, t.n_failed == 1, 1000);
    assert (t.failed [0] == write && strstr (t.failed_message [0], "write"));
    s_test_pump (&t, 30);
    assert (t.n_got == 4 && s_test_stat (&t, S_LOST) == 1);

    //  (d) The re-send bound: a LOAD that "kills" every db-svc it reaches
    //  is sent again twice, then fails 503.
    t.restart_on_load [0] = t.restart_on_load [1] = true;
    uint64_t poison = s_test_load (&t, true);
    S_TEST_UNTIL (&t, t.n_failed == 2, 2000);
    assert (t.failed [1] == poison && strstr (t.failed_message [1], "every time"));
    assert (t.n_got == 4 + 3);                  //  sent once, then again twice
    assert (s_test_stat (&t, S_RESENT) == 1 + 2 && s_test_stat (&t, S_LOST) == 2);
    //  Forgetting an owner forgets its requests: their answers are dropped.
    t.restart_on_load [0] = t.restart_on_load [1] = false;
    s_test_load (&t, true);
    S_TEST_UNTIL (&t, t.n_got == 8, 1000);
    dp_db_links_forget (t.links, &t);
    assert (s_test_stat (&t, S_WAITING) == 0);
    s_test_answer (&t, 7);
    s_test_pump (&t, 30);
    assert (t.n_replied == 2);

    //  (e) A db-svc going away on purpose (DISCONNECT, as a stopped db-svc
    //  answers what it holds): the LOAD it held goes to the other one at
    //  once, and is answered there.
    uint64_t held_there = s_test_load (&t, true);
    S_TEST_UNTIL (&t, t.n_got == 9, 1000);
    int leaving = t.got_db [8];
    dp_msg_t bye = { .version = DP_PROTO_VERSION, .type = DP_MSG_DISCONNECT, .trace_id = "" };
    s_test_send (t.dbs [leaving], t.got_routing [8], &bye);
    S_TEST_UNTIL (&t, t.n_got == 10, 1000);
    assert (t.got_id [9] == held_there && t.got_db [9] == 1 - leaving);
    s_test_answer (&t, 9);
    S_TEST_UNTIL (&t, t.n_replied == 3, 1000);
    assert (t.replied [2] == held_there && t.n_failed == 2);

    //  (f) A transaction: BEGIN goes to a live db-svc and pins it; the
    //  transaction's later requests all go there, whatever the load. Its
    //  instance restarting fails them 503 at once, none sent again, and
    //  nothing more can be sent in it.
    dp_msg_t begin = { .version = DP_PROTO_VERSION, .type = DP_MSG_TXN, .trace_id = "" };
    begin.u.txn.txn = 77;
    begin.u.txn.op = DP_TXN_BEGIN;
    assert (dp_db_links_send_txn (t.links, &t, &begin, 77, true) == 0);
    S_TEST_UNTIL (&t, t.n_got == 11, 1000);
    int pinned = t.got_db [10];
    uint64_t in_txn [3];
    for (int i = 0; i < 3; i++) {
        dp_msg_t load = { .version = DP_PROTO_VERSION, .type = DP_MSG_LOAD, .trace_id = "" };
        load.u.load.txn = 77;
        assert (dp_db_links_send_txn (t.links, &t, &load, 77, false) == 0);
        in_txn [i] = load.id;
    }
    S_TEST_UNTIL (&t, t.n_got == 14, 1000);
    for (int i = 11; i < 14; i++)
        assert (t.got_db [i] == pinned);
    s_test_answer (&t, 10);                     //  BEGIN answered
    S_TEST_UNTIL (&t, t.n_replied == 4, 1000);
    t.instance [pinned]++;                      //  the pinned instance restarts
    S_TEST_UNTIL (&t, t.n_failed == 5, 1000);
    for (int i = 0; i < 3; i++)
        assert (t.failed [2 + i] == in_txn [0] || t.failed [2 + i] == in_txn [1]
             || t.failed [2 + i] == in_txn [2]);
    s_test_pump (&t, 30);
    assert (t.n_got == 14);                     //  none sent again
    dp_msg_t late = { .version = DP_PROTO_VERSION, .type = DP_MSG_LOAD, .trace_id = "" };
    late.u.load.txn = 77;
    assert (dp_db_links_send_txn (t.links, &t, &late, 77, false) == -1);
    //  Ended: the pin is forgotten; a request of it has nowhere to go.
    dp_db_links_txn_end (t.links, &t, 0, "");
    assert (dp_db_links_send_txn (t.links, &t, &late, 77, false) == -1);
    s_test_stop (&t);

    //  (b) A tcp db-svc whose socket goes away and comes back on the same
    //  port within 0.5 s (a new instance): the LOAD it held and those sent
    //  meanwhile are all answered once it is back; none fails. CANCEL goes
    //  where a LOAD is now.
    t.dbs [0] = zsock_new (ZMQ_ROUTER);
    int port = zsock_bind (t.dbs [0], "tcp://127.0.0.1:*");
    assert (port > 0);
    char endpoint [64];
    snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
    const char *tcp [] = { endpoint };
    t.instance [0] = 300;
    s_test_start (&t, tcp, 1, 0);
    S_TEST_UNTIL (&t, dp_db_links_heard (t.links), 2000);
    s_test_pump (&t, 60);
    uint64_t held = s_test_load (&t, true);
    S_TEST_UNTIL (&t, t.n_got == 1, 1000);
    assert (t.got_id [0] == held);
    int64_t gone = zclock_mono ();
    zsock_destroy (&t.dbs [0]);                 //  kill -9: the connection drops
    s_test_pump (&t, 100);
    uint64_t meanwhile [3];
    for (int i = 0; i < 3; i++)
        meanwhile [i] = s_test_load (&t, true);
    s_test_pump (&t, 50);
    assert (s_test_stat (&t, S_PARKED) == 4 && s_test_stat (&t, S_RESENT) == 1);
    int64_t down_ms = zclock_mono () - gone;
    assert (down_ms < 500);
    t.dbs [0] = zsock_new (ZMQ_ROUTER);
    int rc = zsock_bind (t.dbs [0], "%s", endpoint);
    assert (rc == port);
    t.instance [0] = 301;
    S_TEST_UNTIL (&t, t.n_got == 5, 2000);
    int64_t back_ms = zclock_mono () - gone;
    assert (s_test_stat (&t, S_PARKED) == 0);
    //  CANCELs reach the new instance, where the LOADs are now.
    size_t told = dp_db_links_cancel (t.links, &t, "t");
    assert (told == 4);
    S_TEST_UNTIL (&t, t.n_cancels == 4, 1000);
    for (int i = 1; i < 5; i++)
        s_test_answer (&t, i);
    S_TEST_UNTIL (&t, t.n_replied == 4, 1000);
    assert (t.n_failed == 0 && s_test_stat (&t, S_LOST) == 0);
    for (int i = 0; i < 3; i++) {
        bool answered = false;
        for (int r = 0; r < t.n_replied; r++)
            answered |= t.replied [r] == meanwhile [i];
        assert (answered);
    }
    s_test_stop (&t);

    //  (c) No db-svc at all for longer than wait_ms: the LOAD fails 503
    //  "no db-svc reachable" after wait_ms, not at once and not later. The
    //  one db-svc is there but never answers: given up after liveness_ms.
    const char *mute [] = { "inproc://dp-db-links-test-mute" };
    t.dbs [0] = zsock_new_router (mute [0]);
    s_test_start (&t, mute, 1, 200);
    S_TEST_UNTIL (&t, s_test_stat (&t, S_LIVE) == 0, 2000);
    int64_t asked = zclock_mono ();
    uint64_t stranded = s_test_load (&t, true);
    s_test_pump (&t, 100);
    assert (t.n_failed == 0 && s_test_stat (&t, S_PARKED) == 1);
    S_TEST_UNTIL (&t, t.n_failed == 1, 2000);
    int64_t failed_ms = zclock_mono () - asked;
    assert (t.failed [0] == stranded && strstr (t.failed_message [0], "no db-svc reachable"));
    assert (failed_ms >= 190 && failed_ms < 1000);
    assert (s_test_stat (&t, S_WAITING) == 0 && s_test_stat (&t, S_PARKED) == 0);
    s_test_stop (&t);
    //  Waiting switched off: no db-svc to take it, no send.
    t.dbs [0] = zsock_new_router (mute [0]);
    s_test_start (&t, mute, 1, -1);
    S_TEST_UNTIL (&t, s_test_stat (&t, S_LIVE) == 0, 2000);
    dp_msg_t load = { .version = DP_PROTO_VERSION, .type = DP_MSG_LOAD, .trace_id = "t" };
    load.u.load.columns = 1;
    assert (dp_db_links_send (t.links, &t, &load, true) == -1);
    assert (s_test_stat (&t, S_WAITING) == 0);
    s_test_stop (&t);

    dp_arena_destroy (&t.arena);
    if (verbose)
        printf ("    tcp db-svc down %lld ms, its LOADs all sent at %lld ms; none waited"
                " past wait_ms (%lld ms)\n", (long long) down_ms, (long long) back_ms,
                (long long) failed_ms);
    printf ("OK\n");
}
