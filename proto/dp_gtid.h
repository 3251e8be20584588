/*  =========================================================================
    dp_gtid - MariaDB GTID positions: read-your-writes' token

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A GTID position is what MariaDB's @@gtid_binlog_pos and @@last_gtid
    print: one or more `domain-server-sequence` triples, comma-separated,
    at most one per replication domain. The gateway answers a mutation with
    the primary's position after its last COMMIT; a client sends it back on
    its reads, and db-svc reads on the replica only once the replica has
    applied it (README, "Read your own writes").
@discuss
    The text travels to db-svc and into MASTER_GTID_WAIT('...'), so only
    what dp_gtid_valid accepts may be used: decimal digits, '-' and ','.
    Positions of one domain are ordered by sequence number alone (the
    server id says who wrote it, not when).
@end
*/
#ifndef DP_GTID_H_INCLUDED
#define DP_GTID_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DP_GTID_MAX      255    //  bytes of a position (a header's value)
#define DP_GTID_DOMAINS  16     //  domains in one position

//  True when text (len bytes, no NUL needed) is a GTID position: 1 to
//  DP_GTID_DOMAINS triples `D-S-N` of decimal numbers (D and S below 2^32,
//  N below 2^64, no sign, no space), comma-separated, each domain once,
//  at most DP_GTID_MAX bytes.
bool dp_gtid_valid (const char *text, size_t len);

//  True when position reached includes wanted: every domain of wanted is in
//  reached with a sequence number at least as high. Both NUL-terminated;
//  false when either is not valid.
bool dp_gtid_covers (const char *reached, const char *wanted);

//  Write into out (len bytes) the position that includes both a and b
//  (per domain the higher sequence number; a NULL or "" a is none).
//  Returns 0, or -1 when b is not valid, a is set and not valid, or
//  out is too small (out is then "").
int dp_gtid_merge (const char *a, const char *b, char *out, size_t len);

//  How many transactions position end has that reached has not: per domain
//  of end, its sequence number minus reached's (0 when reached is ahead),
//  summed; a domain missing from reached counts from 0. An empty or NULL
//  reached is at 0 everywhere. 0 when end is not valid or empty.
//  (Sequence numbers of a domain count its transactions: the change feed's
//  distance to the end of the binary log.)
uint64_t dp_gtid_behind (const char *reached, const char *end);

//  Selftest.
void dp_gtid_test (bool verbose);

#endif
