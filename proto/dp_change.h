/*  =========================================================================
    dp_change - the change feed's messages: CHANGE, RESYNC, FEED_STATUS

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    What the feed (feed-svc/, README "Change feed") publishes on its PUB
    socket, one msgpack frame per message, in dp_msg's envelope (version 1,
    type, id = the message's sequence number, deadline 0, trace ""), so a
    subscriber names a message with dp_msg_peek. Not in dp_msg itself: these
    messages flow one way to subscribers outside Depot, never on the
    request/reply links dp_msg serves. proto/README.md section 9 is the
    contract.
@discuss
    CHANGE and RESYNC take the next sequence number, one counter,
    continuous across restarts of the feed (it is stored with the GTID);
    FEED_STATUS carries the last one used. A subscriber drops a number it
    has seen (published again after a restart), and reloads what it keeps
    when a number is skipped (a gap) or on RESYNC.
@end
*/
#ifndef DP_CHANGE_H_INCLUDED
#define DP_CHANGE_H_INCLUDED

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DP_CHANGE_MAX_KEY      4      //  primary-key columns of one row
#define DP_CHANGE_MAX_COLUMNS  128    //  changed columns of one row

typedef enum {
    DP_CHANGE_CHANGE      = 40,       //  one committed row change
    DP_CHANGE_RESYNC      = 41,       //  reload: changes before `gtid` are not sent
    DP_CHANGE_FEED_STATUS = 42        //  every second: mode, lag, the last number
} dp_change_type_t;

typedef enum {
    DP_CHANGE_INSERT = 1,
    DP_CHANGE_UPDATE = 2,
    DP_CHANGE_DELETE = 3
} dp_change_op_t;

typedef enum {
    DP_FEED_MODE_BINLOG   = 1,        //  every committed change, from the binary log
    DP_FEED_MODE_FALLBACK = 2         //  the binary log is not usable: Depot's own writes
} dp_feed_mode_t;

//  One primary-key value: an integer, or text (str, len; not NUL-terminated).
typedef struct {
    bool is_text;
    int64_t integer;
    const char *str;
    size_t len;
} dp_change_key_t;

typedef struct {
    dp_change_type_t type;
    uint64_t seq;                     //  the sequence number (also the envelope's id)
    const char *gtid;                 //  the transaction's GTID (CHANGE), the position
                                      //  (RESYNC, FEED_STATUS); NUL-terminated
    //  CHANGE
    const char *table;
    dp_change_op_t op;
    size_t n_key;
    dp_change_key_t key [DP_CHANGE_MAX_KEY];
    size_t n_columns;
    const char *columns [DP_CHANGE_MAX_COLUMNS];
    bool has_base;
    int64_t base_id;
    //  RESYNC
    const char *reason;
    //  FEED_STATUS
    dp_feed_mode_t mode;
    uint64_t lag_ms;                  //  how old the newest change read is, 0 caught up
    uint64_t behind;                  //  transactions in the binlog not yet read
} dp_change_t;

//  Append one message to buf. Returns 0, or -1 (buf as it was) when it is
//  invalid: unknown type or op, a NULL text, too many key values or columns.
int dp_change_encode (const dp_change_t *change, msgpack_sbuffer *buf);

//  Decode one message from data (size bytes) into change; its texts point
//  into unpacked (msgpack_unpacked_init'ed by the caller, destroyed by the
//  caller after use), NUL-terminated copies made in its zone. Returns 0, or
//  -1 with err filled (malformed, another version, not a feed message).
int dp_change_decode (const void *data, size_t size, msgpack_unpacked *unpacked,
                      dp_change_t *change, char *err, size_t err_len);

//  "insert", "update", "delete"; NULL for another value.
const char *dp_change_op_name (dp_change_op_t op);

//  Selftest.
void dp_change_test (bool verbose);

#endif
