/*  =========================================================================
    dp_feed_actor - the change feed: MariaDB's binary log as ZeroMQ messages

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@discuss
    Two connections: the stream (COM_BINLOG_DUMP from a GTID position,
    nothing else can run on it) and a side one for the position, the
    tables' columns and the binlog's end. A transaction's changes wait in
    `pending` from its GTID event to its XID (or COMMIT) event and are
    published then: a rolled-back InnoDB transaction never reaches the
    binary log, and one cut off by a lost connection is read again from the
    position. The heartbeat MariaDB sends every half second while idle
    wakes the blocking read, so $TERM is seen within that time.
@end
*/
#include "dp_feed_actor.h"
#include "dp_feed_position.h"
#include "dp_feed_rows.h"
#include "dp_feed_tables.h"
#include "dp_change.h"
#include "dp_gtid.h"
#include "dp_db_conn.h"
#include "dp_log.h"
#include "dp_thread_name.h"
#include "dp_poll.h"
#include <inttypes.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <mariadb_rpl.h>

#define S_RETRY_MS          500       //  between attempts to reach MariaDB
#define S_MAX_TABLE_MAPS    64        //  tables one transaction touches
#define S_HEARTBEAT_NS      "500000000"
#define S_DEPOT_TABLE       "depot_"  //  Depot's own tables: not published

typedef struct {
    const dp_feed_config_t *config;
    zsock_t *pipe;
    zsock_t *pub;
    zsock_t *writes;                  //  PULL: Depot's own committed writes (db-svc), or NULL
    MYSQL *side;                      //  position, columns, the binlog's end
    MYSQL *stream;                    //  the binlog dump
    MARIADB_RPL *rpl;
    dp_feed_tables_t *tables;
    dp_feed_mode_t mode;
    char why_fallback [200];
    bool have_position;               //  position and seq hold what is published
    char position [DP_GTID_MAX + 1];  //  the last published transaction's position
    uint64_t seq;                     //  the last sequence number used
    bool unstored;                    //  published beyond what is stored
    bool have_checkpoint;             //  a position published a status interval ago,
    char checkpoint [DP_GTID_MAX + 1];//  stored at the next status (ZeroMQ has sent it by
    uint64_t checkpoint_seq;          //  then; a kill -9 loses what it has not sent)
    //  The transaction being read
    char txn_gtid [64];
    bool in_txn;
    bool standalone;                  //  a group without COMMIT (DDL)
    bool rowless;                     //  a statement of it changed tables without row
                                      //  events (DDL, a session's statement-format binlog)
    zmsg_t *pending;                  //  its CHANGEs, published at its commit
    MARIADB_RPL_EVENT *maps [S_MAX_TABLE_MAPS];
    size_t n_maps;
    //  Status
    uint32_t last_event_time;         //  when the newest event read was written (s)
    uint64_t lag_ms;
    uint64_t behind;
    int64_t next_status;
    bool warned_down;
    bool no_grant;                    //  the dump was refused: fallback until restart
    bool resync_at_end;               //  the position is no longer in the binlog
    bool terminated;
} s_self_t;

static void
s_forget_maps (s_self_t *self)
{
    for (size_t i = 0; i < self->n_maps; i++)
        mariadb_free_rpl_event (self->maps [i]);
    self->n_maps = 0;
}

static void
s_drop_transaction (s_self_t *self)
{
    s_forget_maps (self);
    zmsg_destroy (&self->pending);
    self->pending = zmsg_new ();
    self->in_txn = false;
    self->rowless = false;
}

static void
s_disconnect (s_self_t *self)
{
    s_drop_transaction (self);
    if (self->rpl) {
        mariadb_rpl_close (self->rpl);
        self->rpl = NULL;
    }
    if (self->stream) {
        mysql_close (self->stream);
        self->stream = NULL;
    }
    if (self->side) {
        mysql_close (self->side);
        self->side = NULL;
    }
    dp_feed_tables_set_connection (self->tables, NULL);
}

static MYSQL *
s_connect_one (s_self_t *self, const char *user, const char *password, char *err, size_t err_len)
{
    const dp_db_config_t *db = self->config->db;
    MYSQL *mysql = mysql_init (NULL);
    if (!mysql)
        dp_fatal ("out of memory in mysql_init");
    unsigned int connect_timeout = 2, io_timeout = 30;
    mysql_options (mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    mysql_options (mysql, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
    mysql_options (mysql, MYSQL_OPT_READ_TIMEOUT, &io_timeout);
    mysql_options (mysql, MYSQL_OPT_WRITE_TIMEOUT, &io_timeout);
    const char *host = db->host && !streq (db->host, "localhost") ? db->host : NULL;
    if (!mysql_real_connect (mysql, host, user, password, db->database,
                             (unsigned) db->port, host ? NULL : db->socket, 0)) {
        snprintf (err, err_len, "%s", mysql_error (mysql));
        mysql_close (mysql);
        return NULL;
    }
    return mysql;
}

//  The binary log's settings and end; -1 with err when they could not be read.
static int
s_read_binlog_state (s_self_t *self, bool *usable, char *end, char *err, size_t err_len)
{
    MYSQL_RES *res;
    if (mysql_query (self->side, "SELECT @@log_bin, @@binlog_format, @@binlog_row_image,"
                                 " @@gtid_binlog_pos")
    ||  !(res = mysql_store_result (self->side))) {
        snprintf (err, err_len, "%s", mysql_error (self->side));
        return -1;
    }
    MYSQL_ROW row = mysql_fetch_row (res);
    *usable = false;
    if (!row)
        snprintf (err, err_len, "no answer");
    else
    if (!streq (row [0], "1"))
        snprintf (self->why_fallback, sizeof self->why_fallback, "log_bin is off");
    else
    if (!streq (row [1], "ROW"))
        snprintf (self->why_fallback, sizeof self->why_fallback,
                  "binlog_format is %s, not ROW", row [1]);
    else
    if (!streq (row [2], "FULL"))
        snprintf (self->why_fallback, sizeof self->why_fallback,
                  "binlog_row_image is %s, not FULL", row [2]);
    else
        *usable = true;
    if (row)
        snprintf (end, DP_GTID_MAX + 1, "%s", row [3] ? row [3] : "");
    mysql_free_result (res);
    return row ? 0 : -1;
}

static void
s_publish (s_self_t *self, const dp_change_t *message)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    if (dp_change_encode (message, &buf) == 0)
        zmq_send (zsock_resolve (self->pub), buf.data, buf.size, 0);
    msgpack_sbuffer_destroy (&buf);
}

static void
s_store_at (s_self_t *self, const char *position, uint64_t seq)
{
    char err [300];
    if (dp_feed_position_store (self->side, position, seq, err, sizeof err))
        dp_warn ("feed: %s (a restart would publish again what follows the stored position)", err);
}

static void
s_store (s_self_t *self)
{
    s_store_at (self, self->position, self->seq);
}

//  Once a status interval: store the position published an interval ago,
//  and remember the one published now. Not at once: zmq_send only queues,
//  and a position stored before its messages left a feed killed then would
//  lose them; stored later, a restart publishes them again, with the same
//  numbers, which subscribers drop.
static void
s_checkpoint (s_self_t *self)
{
    if (self->have_checkpoint && self->side)
        s_store_at (self, self->checkpoint, self->checkpoint_seq);
    self->have_checkpoint = self->unstored;
    if (self->unstored) {
        memcpy (self->checkpoint, self->position, sizeof self->checkpoint);
        self->checkpoint_seq = self->seq;
        self->unstored = false;
    }
}

static void
s_set_mode (s_self_t *self, dp_feed_mode_t mode)
{
    if (mode == self->mode)
        return;
    self->mode = mode;
    if (mode == DP_FEED_MODE_FALLBACK)
        dp_warn ("feed: the binary log is not usable (%s): the feed publishes Depot's own"
                 " committed writes only (mode fallback)", self->why_fallback);
    else
        dp_info ("feed: following the binary log from %s (sequence %" PRIu64 ")",
                 *self->position ? self->position : "its start", self->seq);
}

//  Where to start: the stored position, or at the first start the binlog's
//  end, announced by a RESYNC (what came before is not sent).
static int
s_load_position (s_self_t *self, const char *end, char *err, size_t err_len)
{
    if (self->resync_at_end) {
        self->resync_at_end = false;
        snprintf (self->position, sizeof self->position, "%s", end);
        dp_change_t resync = { .type = DP_CHANGE_RESYNC, .seq = ++self->seq,
                               .gtid = self->position,
                               .reason = "the feed's position is no longer in the binary log" };
        s_publish (self, &resync);
        s_store (self);
        return 0;
    }
    if (self->have_position)
        return 0;
    int found = dp_feed_position_load (self->side, self->position, &self->seq, err, err_len);
    if (found < 0)
        return -1;
    self->have_position = true;
    if (found == 0) {
        snprintf (self->position, sizeof self->position, "%s", end);
        dp_change_t resync = { .type = DP_CHANGE_RESYNC, .seq = ++self->seq,
                               .gtid = self->position,
                               .reason = "first start: changes before this position are not sent" };
        s_publish (self, &resync);
        s_store (self);
    }
    return 0;
}

static int
s_open_stream (s_self_t *self, char *err, size_t err_len)
{
    const dp_feed_config_t *config = self->config;
    const char *user = config->user ? config->user : config->db->user;
    const char *password = config->user ? config->password : config->db->password;
    if (!(self->stream = s_connect_one (self, user, password, err, err_len)))
        return -1;
    //  MariaDB's GTID dump: the slave's position and capabilities are user
    //  variables of the dumping session; the heartbeat wakes an idle read.
    char sql [DP_GTID_MAX + 300];
    snprintf (sql, sizeof sql,
        "SET @master_binlog_checksum = @@global.binlog_checksum,"
        " @slave_connect_state = '%s', @slave_gtid_strict_mode = 0,"
        " @slave_gtid_ignore_duplicates = 0, @mariadb_slave_capability = 4,"
        " @master_heartbeat_period = " S_HEARTBEAT_NS, self->position);
    if (mysql_query (self->stream, sql)) {
        snprintf (err, err_len, "%s", mysql_error (self->stream));
        return -1;
    }
    if (!(self->rpl = mariadb_rpl_init (self->stream))) {
        snprintf (err, err_len, "mariadb_rpl_init failed");
        return -1;
    }
    mariadb_rpl_optionsv (self->rpl, MARIADB_RPL_SERVER_ID, (uint32_t) config->server_id);
    mariadb_rpl_optionsv (self->rpl, MARIADB_RPL_FILENAME, "", (size_t) 0);
    mariadb_rpl_optionsv (self->rpl, MARIADB_RPL_START, (unsigned long) 4);
    mariadb_rpl_optionsv (self->rpl, MARIADB_RPL_FLAGS, (uint32_t) 0);
    if (mariadb_rpl_open (self->rpl)) {
        snprintf (err, err_len, "%s", mysql_error (self->stream));
        return -1;
    }
    return 0;
}

static int
s_connect (s_self_t *self, char *err, size_t err_len)
{
    if (!(self->side = s_connect_one (self, self->config->db->user, self->config->db->password,
                                      err, err_len)))
        return -1;
    //  The position's writes are the feed's own bookkeeping; a user without
    //  the right to this gets them in the binlog, and the feed skips them.
    if (mysql_query (self->side, "SET SESSION sql_log_bin = 0"))
        dp_debug ("feed: position writes go to the binary log: %s", mysql_error (self->side));
    dp_feed_tables_set_connection (self->tables, self->side);
    bool usable;
    char end [DP_GTID_MAX + 1] = "";
    if (s_read_binlog_state (self, &usable, end, err, err_len)
    ||  s_load_position (self, end, err, err_len))
        return -1;
    if (self->no_grant)
        usable = false;
    if (!usable) {
        s_set_mode (self, DP_FEED_MODE_FALLBACK);
        return 0;
    }
    if (s_open_stream (self, err, err_len))
        return -1;
    s_set_mode (self, DP_FEED_MODE_BINLOG);
    return 0;
}

static void
s_commit (s_self_t *self)
{
    char merged [DP_GTID_MAX + 1];
    if (*self->txn_gtid && dp_gtid_merge (self->position, self->txn_gtid, merged, sizeof merged) == 0)
        memcpy (self->position, merged, sizeof merged);
    size_t published = zmsg_size (self->pending);
    zframe_t *frame;
    while ((frame = zmsg_pop (self->pending))) {
        zmq_send (zsock_resolve (self->pub), zframe_data (frame), zframe_size (frame), 0);
        zframe_destroy (&frame);
    }
    //  What a statement without row events changed is not known: those
    //  who keep rows or counts reload (a RESYNC at the position after it).
    if (self->rowless) {
        dp_change_t resync = { .type = DP_CHANGE_RESYNC, .seq = ++self->seq, .gtid = self->position,
                               .reason = "a statement changed tables without row events"
                                         " (DDL, or a session's statement-format binary log)" };
        s_publish (self, &resync);
        published++;
        self->rowless = false;
    }
    //  A transaction with nothing published (Depot's own tables) is not
    //  stored: storing it would write another one.
    if (published)
        self->unstored = true;
    s_forget_maps (self);
    self->in_txn = false;
}

static MARIADB_RPL_EVENT *
s_table_map (s_self_t *self, uint64_t table_id)
{
    for (size_t i = 0; i < self->n_maps; i++)
        if (self->maps [i]->event.table_map.table_id == table_id)
            return self->maps [i];
    return NULL;
}

//  Returns true when the event is kept (a table map), false when it may be freed.
static bool
s_on_event (s_self_t *self, MARIADB_RPL_EVENT *event)
{
    if (event->timestamp)
        self->last_event_time = event->timestamp;
    switch (event->event_type) {
        case GTID_EVENT: {
            s_drop_transaction (self);
            snprintf (self->txn_gtid, sizeof self->txn_gtid, "%u-%u-%" PRIu64,
                      event->event.gtid.domain_id, event->server_id, event->event.gtid.sequence_nr);
            self->in_txn = true;
            self->standalone = event->event.gtid.flags & FL_STANDALONE;
            if (self->standalone)
                dp_feed_tables_forget (self->tables);     //  DDL: columns may change
            return false;
        }
        case TABLE_MAP_EVENT:
            if (s_table_map (self, event->event.table_map.table_id))
                return false;
            if (self->n_maps == S_MAX_TABLE_MAPS) {
                dp_error ("feed: %s maps more than %d tables: the changes of the others are not"
                          " published (a RESYNC follows it)", self->txn_gtid, S_MAX_TABLE_MAPS);
                self->rowless = true;
                return false;
            }
            self->maps [self->n_maps++] = event;
            return true;
        case XID_EVENT:
            s_commit (self);
            return false;
        case QUERY_EVENT: {
            const MARIADB_STRING *statement = &event->event.query.statement;
            if (statement->length == 6 && strncasecmp (statement->str, "COMMIT", 6) == 0)
                s_commit (self);                          //  non-transactional tables
            else
            if (statement->length == 8 && strncasecmp (statement->str, "ROLLBACK", 8) == 0)
                s_drop_transaction (self);
            else
            if (self->in_txn) {
                self->rowless = true;                     //  DDL, or statement-format DML
                if (self->standalone)
                    s_commit (self);                      //  DDL: advance the position
            }
            return false;
        }
        case HEARTBEAT_LOG_EVENT:
            return false;
        default:
            break;
    }
    if (!IS_ROW_EVENT (event) || !self->in_txn)
        return false;
    MARIADB_RPL_EVENT *map = s_table_map (self, event->event.rows.table_id);
    if (!map)
        return false;
    const MARIADB_STRING *db = &map->event.table_map.database;
    const MARIADB_STRING *name = &map->event.table_map.table;
    const char *ours = self->config->db->database;
    if (db->length != strlen (ours) || memcmp (db->str, ours, db->length) != 0
    ||  (name->length >= strlen (S_DEPOT_TABLE) && memcmp (name->str, S_DEPOT_TABLE, strlen (S_DEPOT_TABLE)) == 0)
    ||  name->length > 64)
        return false;
    char table_name [65];
    memcpy (table_name, name->str, name->length);
    table_name [name->length] = 0;
    char err [300];
    const dp_feed_table_t *table = dp_feed_tables_get (self->tables, table_name,
                                                       map->event.table_map.column_count, err, sizeof err);
    if (!table || dp_feed_rows_changes (self->rpl, map, event, table, self->txn_gtid,
                                        &self->seq, self->pending, err, sizeof err) < 0) {
        dp_error ("feed: %s %s: its change is not published (a RESYNC follows it): %s",
                  self->txn_gtid, table_name, err);
        self->rowless = true;
    }
    return false;
}

static void
s_publish_status (s_self_t *self)
{
    if (self->side) {
        bool usable;
        char end [DP_GTID_MAX + 1] = "", err [300];
        if (s_read_binlog_state (self, &usable, end, err, sizeof err))
            s_disconnect (self);                          //  reconnect, and look again
        else {
            self->behind = dp_gtid_behind (self->position, end);
            int64_t now_s = zclock_time () / 1000;
            self->lag_ms = self->behind && now_s > self->last_event_time
                         ? (uint64_t) (now_s - self->last_event_time) * 1000 : 0;
        }
    }
    dp_change_t status = { .type = DP_CHANGE_FEED_STATUS, .seq = self->seq, .gtid = self->position,
                           .mode = self->mode, .lag_ms = self->lag_ms, .behind = self->behind };
    s_publish (self, &status);
    s_checkpoint (self);
    self->next_status = zclock_mono () + self->config->status_ms;
}

//  One committed transaction of Depot's own (dp_db_own_writes): its GTID
//  frame, then its CHANGEs. Published, numbered, in fallback mode only:
//  with the binary log the same changes come from there.
static void
s_own_writes (s_self_t *self)
{
    zmsg_t *msg = zmsg_recv_nowait (self->writes);
    if (!msg)
        return;
    char *gtid = zmsg_popstr (msg);
    char merged [DP_GTID_MAX + 1];
    size_t published = 0;
    if (self->mode == DP_FEED_MODE_FALLBACK && gtid) {
        zframe_t *frame;
        while ((frame = zmsg_pop (msg))) {
            msgpack_unpacked unpacked;
            msgpack_unpacked_init (&unpacked);
            dp_change_t change;
            char err [200];
            if (dp_change_decode (zframe_data (frame), zframe_size (frame), &unpacked, &change,
                                  err, sizeof err) == 0 && change.type == DP_CHANGE_CHANGE) {
                change.seq = ++self->seq;
                change.gtid = gtid;
                s_publish (self, &change);
                published++;
            }
            else
                dp_warn ("feed: a write from db-svc is not a change: %s", err);
            msgpack_unpacked_destroy (&unpacked);
            zframe_destroy (&frame);
        }
        if (*gtid && dp_gtid_merge (self->position, gtid, merged, sizeof merged) == 0)
            memcpy (self->position, merged, sizeof merged);
        if (published)
            self->unstored = true;
    }
    free (gtid);
    zmsg_destroy (&msg);
}

//  Handle the pipe's commands and Depot's own writes; wait up to
//  timeout_ms for either.
static void
s_check_pipe (s_self_t *self, int timeout_ms)
{
    zmq_pollitem_t items [] = { { zsock_resolve (self->pipe), 0, ZMQ_POLLIN, 0 },
                                { self->writes ? zsock_resolve (self->writes) : NULL, 0, ZMQ_POLLIN, 0 } };
    if (zmq_poll (items, self->writes ? 2 : 1, timeout_ms) <= 0)
        return;
    if (items [1].revents & ZMQ_POLLIN)
        s_own_writes (self);
    if (!(items [0].revents & ZMQ_POLLIN))
        return;
    char *command = zstr_recv (self->pipe);
    if (!command || streq (command, "$TERM"))
        self->terminated = true;
    free (command);
}

static void
s_follow (s_self_t *self)
{
    MARIADB_RPL_EVENT *event = mariadb_rpl_fetch (self->rpl, NULL);
    if (!event) {
        unsigned int code = mysql_errno (self->stream);
        if (code == ER_SPECIFIC_ACCESS_DENIED_ERROR || code == ER_ACCESS_DENIED_ERROR
        ||  code == ER_DBACCESS_DENIED_ERROR) {
            snprintf (self->why_fallback, sizeof self->why_fallback,
                      "no REPLICATION SLAVE grant: %s", mysql_error (self->stream));
            self->no_grant = true;
            s_set_mode (self, DP_FEED_MODE_FALLBACK);
        }
        else
        if (code == ER_MASTER_FATAL_ERROR_READING_BINLOG) {
            dp_warn ("feed: %s is no longer in the binary log (%s): a RESYNC, then on from"
                     " the binlog's end", self->position, mysql_error (self->stream));
            self->resync_at_end = true;
        }
        else
            dp_warn ("feed: the binary log stream ended at %s: %s; reconnecting",
                     self->position, mysql_error (self->stream));
        s_disconnect (self);
        s_check_pipe (self, S_RETRY_MS);
        return;
    }
    if (!s_on_event (self, event))
        mariadb_free_rpl_event (event);
}

void
dp_feed_actor (zsock_t *pipe, void *args)
{
    dp_thread_name ("dp-feed");
    s_self_t *self = zmalloc (sizeof *self);
    self->config = (const dp_feed_config_t *) args;
    self->pipe = pipe;
    self->pending = zmsg_new ();
    self->tables = dp_feed_tables_new (self->config->db->database);
    self->pub = zsock_new (ZMQ_PUB);
    //  A burst of changes must not be dropped at the default 1,000 queued.
    zsock_set_sndhwm (self->pub, 1000000);
    zsock_set_linger (self->pub, 1000);     //  on $TERM: sent before the position is stored
    int bound = 0;
    if (self->config->bind && *self->config->bind)
        bound = zsock_attach (self->pub, self->config->bind, true);
    if (bound == 0 && self->config->inproc)
        bound = zsock_bind (self->pub, "%s", self->config->inproc) == -1 ? -1 : 0;
    if (bound == 0 && self->config->writes) {
        self->writes = zsock_new (ZMQ_PULL);
        bound = zsock_attach (self->writes, self->config->writes, true);
    }
    zsock_signal (pipe, 0);
    zsock_send (pipe, "i", bound);
    if (bound == 0) {
        dp_db_conn_thread_init ();
        dp_info ("feed: publishing on %s", self->config->bind ? self->config->bind : self->config->inproc);
        //  Publish nothing for a status interval: the subscribers of a feed that
        //  restarted reconnect meanwhile (ZeroMQ retries every 100 ms), so
        //  they miss none of the transactions it publishes again.
        s_check_pipe (self, self->config->status_ms);
        while (!self->terminated) {
            if (!self->side) {
                char err [400];
                if (s_connect (self, err, sizeof err)) {
                    if (!self->warned_down)
                        dp_warn ("feed: cannot follow the binary log yet: %s (retrying)", err);
                    self->warned_down = true;
                    s_disconnect (self);
                    s_check_pipe (self, S_RETRY_MS);
                    continue;
                }
                self->warned_down = false;
            }
            if (self->rpl)
                s_follow (self);
            else
                s_check_pipe (self, 200);         //  fallback: statuses only
            if (zclock_mono () >= self->next_status)
                s_publish_status (self);
            if (dp_poll_readable (pipe) || dp_poll_readable (self->writes))
                s_check_pipe (self, 0);
        }
        //  Everything published leaves (linger), then is stored.
        zsock_destroy (&self->pub);
        if (self->side && (self->unstored || self->have_checkpoint))
            s_store (self);
        s_disconnect (self);
        dp_db_conn_thread_end ();
    }
    else
        dp_error ("feed: cannot bind %s: %s", self->config->bind ? self->config->bind : self->config->inproc,
                  zmq_strerror (errno));
    zmsg_destroy (&self->pending);
    dp_feed_tables_destroy (&self->tables);
    zsock_destroy (&self->pub);
    zsock_destroy (&self->writes);
    free (self);
}

zactor_t *
dp_feed_actor_new (const dp_feed_config_t *config)
{
    zactor_t *actor = zactor_new (dp_feed_actor, (void *) config);
    int bound = -1;
    if (actor && (zsock_recv (actor, "i", &bound) != 0 || bound != 0))
        zactor_destroy (&actor);
    return actor;
}
