/*  =========================================================================
    dp_msg - the one codec for every message between Depot's services

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Every message is one msgpack array
        [version, type, id, deadline_ms, trace_id, payload]
    carried in one ZeroMQ frame (after any ROUTER routing frames).
    proto/README.md documents each type's payload field by field.
@discuss
    Decoders treat input as hostile: every read is bounds- and type-checked;
    malformed input returns -2 with a message, never asserts. Decoded
    strings and arrays are copied into the caller's arena and
    NUL-terminated, except RESULT's json, which points into the input
    buffer (the gateway copies those bytes straight to the socket).
    ROWS is encoded in a streaming way (dp_rows_writer) so db-svc never
    builds an intermediate array of values.
    This module depends on msgpack-c only (no ZeroMQ, no MariaDB).
@end
*/
#ifndef DP_MSG_H_INCLUDED
#define DP_MSG_H_INCLUDED

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <msgpack.h>
#include "dp_arena.h"

#define DP_PROTO_VERSION 1

//  Limits on hostile input (proto/README.md, "Limits"): the encoder
//  refuses what the decoder would refuse, so a peer never sends a message
//  its reader must reject.
#define DP_MSG_MAX_INTS          1000000u        //  keys, base ids
#define DP_MSG_MAX_VALUES        1000000u        //  items of one QUERY array value
#define DP_MSG_MAX_CELLS         50000000u       //  ROWS cells
#define DP_MSG_MAX_STR           (64u << 20)     //  any str
#define DP_MSG_MAX_BIN           (1024u << 20)   //  RESULT json
#define DP_MSG_MAX_PERMISSIONS   1000u
#define DP_MSG_MAX_VALUE_DEPTH   4               //  arrays nested in one QUERY argument
#define DP_MSG_MAX_VARIABLE_DEPTH 12            //  arrays nested in one EXECUTE variable
#define DP_MSG_MAX_VARIABLES     200u            //  EXECUTE variables entries (index, value pairs)
#define DP_MSG_MAX_DEPTH         16              //  msgpack nesting of a whole frame
#define DP_MSG_MAX_STMT_VALUES   1000000u        //  STMT values: rows x columns, and one condition's

typedef enum {
    DP_MSG_READY      = 1,      //  resolver -> gateway: I take `credit` requests at once
    DP_MSG_HEARTBEAT  = 2,      //  either way, liveness
    DP_MSG_DISCONNECT = 3,      //  either way, going away
    DP_MSG_CANCEL     = 4,      //  requester -> its peer: abandon request `id` (no reply)
    DP_MSG_EXECUTE    = 10,     //  gateway -> resolver: run one GraphQL operation
    DP_MSG_RESULT     = 11,     //  resolver -> gateway: the HTTP status and JSON body
    DP_MSG_LOAD       = 20,     //  resolver -> db: rows of a loader by keys
    DP_MSG_QUERY      = 21,     //  resolver -> db: rows of a root query by typed args
    DP_MSG_ROWS       = 22,     //  db -> resolver: the answer to LOAD, QUERY, TXN or STMT
    DP_MSG_TXN        = 23,     //  resolver -> db: begin, commit or roll back a transaction
    DP_MSG_STMT       = 24,     //  resolver -> db: one table statement inside a transaction
    DP_MSG_ERROR      = 30      //  any reply that failed: status + message
} dp_msg_type_t;

//  Status codes (Malamute style): 2xx ok, 4xx the request's fault,
//  5xx the service's fault.
#define DP_STATUS_OK             200
#define DP_STATUS_BAD_REQUEST    400    //  malformed or unknown message
#define DP_STATUS_TIMEOUT        408    //  deadline passed before done
#define DP_STATUS_CONFLICT       409    //  deadlock, lock wait timeout or duplicate key:
                                        //  the transaction was rolled back; run it again
#define DP_STATUS_GONE           410    //  the transaction is not open (never begun,
                                        //  ended, or rolled back by db-svc)
#define DP_STATUS_CANCELLED      499    //  the requester cancelled it (CANCEL)
#define DP_STATUS_INTERNAL       500
#define DP_STATUS_DB_ERROR       502    //  MariaDB answered with an error
#define DP_STATUS_UNAVAILABLE    503    //  no connection / overloaded

//  The longest Idempotency-Key EXECUTE carries, in bytes.
#define DP_IDEMPOTENCY_KEY_MAX   255

//  A typed value (QUERY arguments, ROWS cells).
typedef enum {
    DP_VAL_NIL,
    DP_VAL_INT,
    DP_VAL_DOUBLE,
    DP_VAL_STR,
    DP_VAL_BOOL,
    DP_VAL_ARRAY                //  QUERY arguments only: a list of values
} dp_val_type_t;

typedef struct _dp_val_t dp_val_t;
struct _dp_val_t {
    dp_val_type_t type;
    union {
        int64_t i;              //  INT, BOOL (0/1)
        double d;               //  DOUBLE
        struct {
            const char *ptr;    //  STR: NUL-terminated copy
            uint32_t len;
        } s;
        struct {
            dp_val_t *items;    //  ARRAY
            uint32_t count;
        } a;
    } u;
};

//  One permission of the verified identity: a name such as "stock:read"
//  and the base ids it applies to.
typedef struct {
    const char *name;
    int64_t *base_ids;
    uint32_t n_base_ids;
} dp_permission_t;

//  The identity the gateway verified. Resolvers trust nothing else.
typedef struct {
    int64_t user_id;
    int64_t organisation_id;    //  0 when none (god users)
    bool god;                   //  role boxtribute_god
    int32_t beta_user;          //  -1 when the claim is absent
    int64_t *base_ids;          //  the base_ids claim
    uint32_t n_base_ids;
    dp_permission_t *permissions;   //  write/create/edit/delete already imply read
    uint32_t n_permissions;
} dp_identity_t;

//  Copy from into to, its arrays and names allocated in arena (an identity
//  kept past the request whose arena it was decoded or verified into).
void dp_identity_copy (dp_identity_t *to, const dp_identity_t *from, dp_arena_t *arena);

//  A service instance's figures, carried in HEARTBEAT (proto/README.md,
//  section 4): db-svc reports to each resolver that heartbeats it, and a
//  resolver forwards its own report and the latest of each live db-svc to
//  the gateway, whose /metrics prints them.
typedef enum {
    DP_SERVICE_RESOLVER = 1,    //  one resolver actor
    DP_SERVICE_DB       = 2     //  one db-svc actor
} dp_service_t;

#define DP_REPORTS_MAX          256     //  reports in one HEARTBEAT
#define DP_REPORT_VALUES_MAX    64      //  values in one report
#define DP_INSTANCE_MAX         255     //  bytes of an instance name

//  The values of a db-svc report, in wire order. Only ever appended to:
//  a reader ignores values beyond those it knows.
typedef enum {
    DP_STAT_DB_POOL_SIZE,       //  most MariaDB connections (DEPOT_DB_POOL)
    DP_STAT_DB_BUSY,            //  connections running a statement
    DP_STAT_DB_IDLE,            //  connections up, waiting for one
    DP_STAT_DB_CONNECTING,      //  connections being set up
    DP_STAT_DB_DOWN,            //  connections down (waiting to reconnect)
    DP_STAT_DB_STATEMENTS,      //  statements run, total
    DP_STAT_DB_QUEUED,          //  statements waiting for a connection
    DP_STAT_DB_QUEUE_LIMIT,     //  most statements that may wait (DEPOT_DB_MAX_QUEUE)
    DP_STAT_DB_REFUSED,         //  LOADs and QUERYs refused with 503: queue full, total
    DP_STAT_DB_COALESCED,       //  LOAD statements merged into another one, total
    DP_STAT_DB_ANSWERED,        //  LOADs and QUERYs answered (ROWS or ERROR), total
    DP_STAT_DB_ERRORS,          //  of those, answered with ERROR, total
    DP_STAT_DB_CANCELLED,       //  statements cancelled with KILL QUERY, total
    DP_STAT_DB_POOL_TARGET,     //  connections the pool wants now (dp_db_pool_limit)
    DP_STAT_DB_ROUND_TRIPS,     //  texts sent to MariaDB, total: a batch of statements
                                //  sent together counts once (DEPOT_DB_BATCH)
    DP_STAT_DB_COUNT
} dp_stat_db_t;

//  The values of a resolver report, in wire order; appended to only.
typedef enum {
    DP_STAT_RESOLVER_INFLIGHT,  //  GraphQL requests being resolved
    DP_STAT_RESOLVER_CREDIT,    //  requests it takes at once (its READY credit)
    DP_STAT_RESOLVER_DB_WAITING,//  LOADs and QUERYs waiting for db-svc's answer
    DP_STAT_RESOLVER_ANSWERED,  //  requests answered, total
    DP_STAT_RESOLVER_DB_LOST,   //  LOADs and QUERYs failed because their db-svc died, total
    DP_STAT_RESOLVER_DBS_LIVE,  //  db-svc it hears from
    DP_STAT_RESOLVER_DBS,       //  db-svc it is configured with
    DP_STAT_RESOLVER_DB_RESENT, //  LOADs and QUERYs sent again after their db-svc died, total
    DP_STAT_RESOLVER_DB_PARKED, //  LOADs and QUERYs waiting for a db-svc that can take them
    DP_STAT_RESOLVER_COUNT
} dp_stat_resolver_t;

typedef struct {
    uint32_t service;           //  dp_service_t; readers skip services they do not know
    const char *instance;       //  who: "host:pid" (db-svc), "host:pid/n" (resolver actor n)
    uint64_t taken_ms;          //  when the figures were read, ms since the Unix epoch
    uint64_t *values;           //  dp_stat_db_t or dp_stat_resolver_t order
    uint32_t n_values;
} dp_report_t;

//  TXN operations.
typedef enum {
    DP_TXN_BEGIN    = 1,        //  pin a primary connection, START TRANSACTION
    DP_TXN_COMMIT   = 2,
    DP_TXN_ROLLBACK = 3
} dp_txn_op_t;

//  STMT operations: the only four a transaction's statement can be.
typedef enum {
    DP_STMT_SELECT = 1,         //  masked columns of the rows matching where, by id
    DP_STMT_INSERT = 2,         //  rows of values; answers [affected, first id]
    DP_STMT_UPDATE = 3,         //  SET masked columns = the one row of values
    DP_STMT_DELETE = 4          //  the rows matching where
} dp_stmt_op_t;

#define DP_STMT_WHERE_MAX 16    //  conditions in one STMT's where

//  One condition of a STMT's where: `column IN (values)`, a nil among the
//  values adding `OR column IS NULL`; no values matches nothing.
typedef struct {
    uint32_t column;            //  column index in the table (dp_tables.h)
    dp_val_t *values;           //  scalars (no arrays); NULL when n_values is 0
    uint32_t n_values;
} dp_stmt_cond_t;

//  STMT's payload (proto/README.md, section 4).
typedef struct {
    uint64_t txn;               //  an open transaction of the requester: non-zero
    uint32_t table;             //  dp_table_id_t (proto/dp_tables.h)
    uint32_t op;                //  dp_stmt_op_t
    uint64_t columns;           //  bit i = table column i: what SELECT reads,
                                //  INSERT and UPDATE write
    dp_val_t *values;           //  n_rows rows of popcount(columns) scalars,
                                //  row-major; NULL when there are none
    uint32_t n_rows;            //  INSERT: the rows; UPDATE: 1; SELECT, DELETE: 0
    dp_stmt_cond_t *where;      //  ANDed; NULL when n_where is 0
    uint32_t n_where;           //  at most DP_STMT_WHERE_MAX
    bool lock;                  //  SELECT ... FOR UPDATE
} dp_stmt_t;

//  EXECUTE flags
#define DP_EXECUTE_DEBUG  1u    //  add extensions.debug (SQL statement count) to the response
#define DP_EXECUTE_READ_ONLY 2u //  the operation only reads (a query): it may be sent again
                                //  to another resolver when the one running it dies
#define DP_EXECUTE_PUBLIC 4u    //  a request of /public: the public schema, no identity

typedef struct {
    uint8_t version;
    dp_msg_type_t type;
    uint64_t id;                //  correlation id, echoed by the reply
    uint64_t deadline_ms;       //  absolute, ms since the Unix epoch; 0 = none
    const char *trace_id;       //  request id for logs; "" when none
    union {
        struct {
            uint32_t credit;
            uint64_t instance_id;       //  the sender's identity, new at every start; 0 = unknown
            const char *instance;       //  the sender's name (dp_instance_name); NULL = unknown
        } ready;
        struct {
            dp_report_t *reports;       //  may be NULL when n_reports is 0
            uint32_t n_reports;
            uint64_t instance_id;       //  the sender's identity; 0 = unknown (older sender)
        } heartbeat;
        struct {
            dp_identity_t identity;
            const char *query;          //  the GraphQL document, already validated
            uint32_t query_len;
            const char *operation_name; //  NULL when absent
            const char *variables_json; //  JSON object text; NULL when absent or prepared
            uint32_t variables_len;
            uint32_t flags;             //  DP_EXECUTE_*
            //  Set when the gateway prepared the request (proto/README.md):
            bool prepared;              //  operation and variables are given
            uint32_t operation;         //  index of the operation in the document's definitions
            dp_val_t *variables;        //  [definition index, value, ...]: the coerced
                                        //  variables (dp_msg_variables); NULL when none
            uint32_t n_variables;       //  values in variables: twice the variables
            const char *idempotency_key;    //  the client's Idempotency-Key (a mutation's,
                                            //  1..DP_IDEMPOTENCY_KEY_MAX bytes); NULL: none
            const char *min_gtid;       //  the GTID position its reads must see
                                        //  (dp_gtid_valid); NULL when none
        } execute;
        struct {
            uint32_t http_status;
            const char *json;           //  the response body; points into the input
            uint32_t json_len;
            uint32_t statements;        //  SQL statements the request took; 0 when unknown
            const char *gtid;           //  the primary's GTID position after the request's
                                        //  last COMMIT; NULL when none
        } result;
        struct {
            uint32_t loader;            //  dp_loader_id_t
            uint64_t columns;           //  bit i = catalog column i
            int64_t *keys;
            uint32_t n_keys;
            uint64_t txn;               //  the transaction it reads in; 0 = none
            const char *min_gtid;       //  outside a transaction: the GTID position it
                                        //  must see; NULL = none
            //  by_lookup: the keys (keys empty) are column key_column of the rows
            //  the lookup QUERY key_query finds for key_arg (README, LOAD).
            bool by_lookup;
            uint32_t key_query;         //  dp_query_id_t of a lookup (box_by_label, ...)
            const char *key_arg;
            uint32_t key_arg_len;
            uint32_t key_column;        //  a column of that query's column set
        } load;
        struct {
            uint32_t query;             //  dp_query_id_t
            uint64_t columns;
            dp_val_t *args;
            uint32_t n_args;
            uint64_t txn;               //  the transaction it reads in; 0 = none
            const char *min_gtid;       //  as LOAD's
        } query;
        struct {
            uint64_t txn;               //  the requester's id for it: non-zero
            uint32_t op;                //  dp_txn_op_t
        } txn;
        dp_stmt_t stmt;
        struct {
            uint32_t n_cols;            //  per row: 1 key + popcount(columns)
            uint32_t n_rows;
            uint32_t statements;        //  SQL statements this answer took
            dp_val_t *cells;            //  n_rows * n_cols, row-major
        } rows;
        struct {
            uint32_t status;            //  DP_STATUS_*
            const char *message;
        } error;
    } u;
} dp_msg_t;

//  Encode msg into buf (appended). Returns 0, or -1 if msg is invalid
//  (unknown type; a programmer error the caller should log).
int dp_msg_encode (const dp_msg_t *msg, msgpack_sbuffer *buf);

//  Bytes a RESULT's envelope and payload take before its JSON, at most,
//  for trace ids of up to 160 bytes: the room to leave in front of the
//  JSON for dp_msg_encode_result_in_place.
#define DP_MSG_RESULT_HEADROOM 256

//  Encode a RESULT around its JSON without copying the JSON: the caller
//  wrote msg->u.result.json with `before` bytes free in front of it and
//  `after` bytes free behind it, and the message is written into them.
//  Returns the message's first byte (json - before at the earliest) and its
//  size in *size_p: the same bytes dp_msg_encode writes. Returns NULL, with
//  nothing written, when msg is not a valid RESULT over json or the room
//  around is too small (encode it with dp_msg_encode then).
char *dp_msg_encode_result_in_place (const dp_msg_t *msg, char *json, size_t before,
                                     size_t after, size_t *size_p);

//  Decode size bytes of data. Returns 0 with *msg filled (strings and
//  arrays in arena; result.json pointing into data), or -2 when the input
//  is malformed, truncated, of another protocol version or of unknown type,
//  with err filled. Never asserts on input.
int dp_msg_decode (const void *data, size_t size, dp_arena_t *arena,
                   dp_msg_t *msg, char *err, size_t err_len);

//  Decode only the envelope (version, type, id, deadline, trace_id), for
//  routing without decoding the payload. trace_id is set to "" (not copied).
//  Returns 0 or -2 as dp_msg_decode.
int dp_msg_peek (const void *data, size_t size, dp_msg_t *msg, char *err, size_t err_len);

//  Human name of a type ("EXECUTE"), or "?".
const char *dp_msg_type_name (dp_msg_type_t type);

//  -------------------------------------------------------------------------
//  Streaming ROWS encoder for db-svc: begin, then exactly n_rows * n_cols
//  cells, then end. The envelope fields come from the header msg (its u.rows
//  n_cols, n_rows, statements are used; cells is ignored).

typedef struct {
    msgpack_packer pk;
    msgpack_sbuffer *buf;
    uint64_t expected;          //  cells still to write
} dp_rows_writer_t;

void dp_rows_writer_begin (dp_rows_writer_t *w, msgpack_sbuffer *buf, const dp_msg_t *header);
void dp_rows_writer_nil (dp_rows_writer_t *w);
void dp_rows_writer_int (dp_rows_writer_t *w, int64_t value);
void dp_rows_writer_double (dp_rows_writer_t *w, double value);
void dp_rows_writer_str (dp_rows_writer_t *w, const char *ptr, size_t len);
//  Returns 0 when exactly the announced number of cells was written, else -1.
int dp_rows_writer_end (dp_rows_writer_t *w);

//  Pack a msgpack str of len bytes from ptr (none read when len is 0).
void dp_msg_pack_str (msgpack_packer *pk, const char *ptr, size_t len);

void dp_msg_test (bool verbose);

#endif
