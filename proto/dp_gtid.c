/*  =========================================================================
    dp_gtid - MariaDB GTID positions: read-your-writes' token

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A strict parser (the text ends up inside SQL) and the two operations
    db-svc needs: does a position include another, and their union.
@end
*/
#include "dp_gtid.h"
#include <assert.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    uint32_t domain;
    uint32_t server;
    uint64_t seq;
} s_gtid_t;

typedef struct {
    s_gtid_t items [DP_GTID_DOMAINS];
    int count;
} s_position_t;

//  A decimal number of at most max at *at (advanced); false when there is
//  no digit or it is too large.
static bool
s_number (const char **at, const char *end, uint64_t max, uint64_t *value)
{
    const char *p = *at;
    uint64_t n = 0;
    while (p < end && *p >= '0' && *p <= '9') {
        unsigned digit = (unsigned) (*p - '0');
        if (n > (max - digit) / 10)
            return false;
        n = n * 10 + digit;
        p++;
    }
    if (p == *at || p - *at > 20)
        return false;
    *at = p;
    *value = n;
    return true;
}

static bool
s_parse (const char *text, size_t len, s_position_t *position)
{
    position->count = 0;
    if (!text || len == 0 || len > DP_GTID_MAX)
        return false;
    const char *p = text, *end = text + len;
    while (true) {
        uint64_t domain, server, seq;
        if (!s_number (&p, end, UINT32_MAX, &domain) || p == end || *p++ != '-'
        ||  !s_number (&p, end, UINT32_MAX, &server) || p == end || *p++ != '-'
        ||  !s_number (&p, end, UINT64_MAX, &seq))
            return false;
        if (position->count == DP_GTID_DOMAINS)
            return false;
        for (int i = 0; i < position->count; i++)
            if (position->items [i].domain == domain)
                return false;
        position->items [position->count++] = (s_gtid_t) {
            (uint32_t) domain, (uint32_t) server, seq };
        if (p == end)
            return true;
        if (*p++ != ',')
            return false;
    }
}

bool
dp_gtid_valid (const char *text, size_t len)
{
    s_position_t position;
    return s_parse (text, len, &position);
}

bool
dp_gtid_covers (const char *reached, const char *wanted)
{
    s_position_t have, want;
    if (!reached || !wanted
    ||  !s_parse (reached, strlen (reached), &have) || !s_parse (wanted, strlen (wanted), &want))
        return false;
    for (int i = 0; i < want.count; i++) {
        bool found = false;
        for (int j = 0; j < have.count && !found; j++)
            found = have.items [j].domain == want.items [i].domain
                 && have.items [j].seq >= want.items [i].seq;
        if (!found)
            return false;
    }
    return true;
}

int
dp_gtid_merge (const char *a, const char *b, char *out, size_t len)
{
    assert (out && len);
    *out = 0;
    s_position_t sum, more;
    if (!b || !s_parse (b, strlen (b), &more))
        return -1;
    if (a && *a) {
        if (!s_parse (a, strlen (a), &sum))
            return -1;
    }
    else
        sum.count = 0;
    for (int i = 0; i < more.count; i++) {
        int j = 0;
        while (j < sum.count && sum.items [j].domain != more.items [i].domain)
            j++;
        if (j == sum.count) {
            if (sum.count == DP_GTID_DOMAINS)
                return -1;
            sum.items [sum.count++] = more.items [i];
        }
        else
        if (more.items [i].seq > sum.items [j].seq)
            sum.items [j] = more.items [i];
    }
    size_t used = 0;
    for (int i = 0; i < sum.count; i++) {
        int n = snprintf (out + used, len - used, "%s%" PRIu32 "-%" PRIu32 "-%" PRIu64,
                          i? ",": "", sum.items [i].domain, sum.items [i].server, sum.items [i].seq);
        if (n < 0 || (size_t) n >= len - used) {
            *out = 0;
            return -1;
        }
        used += (size_t) n;
    }
    return 0;
}


//  --------------------------------------------------------------------------
//  Selftest

uint64_t
dp_gtid_behind (const char *reached, const char *end)
{
    s_position_t have = { .count = 0 }, want;
    if (!end || !s_parse (end, strlen (end), &want))
        return 0;
    if (reached && *reached && !s_parse (reached, strlen (reached), &have))
        return 0;
    uint64_t behind = 0;
    for (int i = 0; i < want.count; i++) {
        uint64_t at = 0;
        for (int j = 0; j < have.count; j++)
            if (have.items [j].domain == want.items [i].domain)
                at = have.items [j].seq;
        if (want.items [i].seq > at)
            behind += want.items [i].seq - at;
    }
    return behind;
}

static bool
s_valid (const char *text)
{
    return dp_gtid_valid (text, strlen (text));
}

void
dp_gtid_test (bool verbose)
{
    printf (" * dp_gtid: ");
    if (verbose)
        printf ("\n");

    //  What MariaDB prints, and nothing that could leave a SQL string.
    assert (s_valid ("0-1-1234"));
    assert (s_valid ("0-1-18446744073709551615"));
    assert (s_valid ("4294967295-4294967295-0,1-2-3"));
    const char *bad [] = {
        "", "0", "0-1", "0-1-", "-0-1-2", "0-1-2,", ",0-1-2", "0-1-2,,1-1-1", "0-1-2 ",
        " 0-1-2", "0-1-2;", "0-1-2' OR '1", "0-1-x", "+0-1-2", "0--1-2", "0-1-2-3",
        "0-1-18446744073709551616", "4294967296-1-2", "0-4294967296-2", "0-1-2,0-2-3",
        "0-1-00000000000000000000000001", "0x1-1-1"
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++)
        assert (!s_valid (bad [i]));
    assert (!dp_gtid_valid ("0-1-2\0", 6));
    assert (!dp_gtid_valid (NULL, 0));
    //  The feed's distance to the end of the binary log.
    assert (dp_gtid_behind ("0-1-10", "0-1-15") == 5);
    assert (dp_gtid_behind ("0-1-20", "0-1-15") == 0);
    assert (dp_gtid_behind ("0-1-10", "0-2-12,1-1-3") == 5);
    assert (dp_gtid_behind ("", "0-1-7") == 7);
    assert (dp_gtid_behind (NULL, "0-1-7") == 7);
    assert (dp_gtid_behind ("0-1-7", "") == 0);
    assert (dp_gtid_behind ("junk", "0-1-7") == 0);
    //  Sixteen domains, not seventeen; 255 bytes, not 256.
    char many [400] = "";
    for (int d = 0; d < DP_GTID_DOMAINS; d++)
        sprintf (many + strlen (many), "%s%d-1-1", d? ",": "", d);
    assert (s_valid (many));
    strcat (many, ",99-1-1");
    assert (!s_valid (many));
    char longest [DP_GTID_MAX + 2];
    memset (longest, '0', sizeof longest);
    memcpy (longest, "0-1-", 4);
    longest [DP_GTID_MAX] = 0;
    assert (!s_valid (longest));        //  a sequence of more than 20 digits
    assert (!dp_gtid_valid ("0-1-1,1-1-1,2-1-1", DP_GTID_MAX + 1));

    //  Covers: per domain, by sequence number; the server id plays no part.
    assert (dp_gtid_covers ("0-1-10", "0-1-10"));
    assert (dp_gtid_covers ("0-1-11", "0-1-10"));
    assert (dp_gtid_covers ("0-2-11", "0-1-10"));
    assert (!dp_gtid_covers ("0-1-9", "0-1-10"));
    assert (dp_gtid_covers ("0-1-5,1-1-7", "1-1-7"));
    assert (!dp_gtid_covers ("0-1-5", "0-1-5,1-1-1"));
    assert (!dp_gtid_covers ("", "0-1-1"));
    assert (!dp_gtid_covers (NULL, "0-1-1"));
    assert (!dp_gtid_covers ("0-1-5", "junk"));

    //  Merge: the higher of each domain, new domains appended.
    char out [DP_GTID_MAX + 1];
    assert (dp_gtid_merge (NULL, "0-1-5", out, sizeof out) == 0 && !strcmp (out, "0-1-5"));
    assert (dp_gtid_merge ("", "0-1-5", out, sizeof out) == 0 && !strcmp (out, "0-1-5"));
    assert (dp_gtid_merge ("0-1-7", "0-1-5", out, sizeof out) == 0 && !strcmp (out, "0-1-7"));
    assert (dp_gtid_merge ("0-1-3", "0-2-5,1-1-1", out, sizeof out) == 0
            && !strcmp (out, "0-2-5,1-1-1"));
    assert (dp_gtid_merge ("0-1-3", "bad", out, sizeof out) == -1 && !*out);
    assert (dp_gtid_merge ("bad", "0-1-3", out, sizeof out) == -1);
    char tiny [4];
    assert (dp_gtid_merge (NULL, "0-1-12345", tiny, sizeof tiny) == -1 && !*tiny);
    printf ("OK\n");
}
