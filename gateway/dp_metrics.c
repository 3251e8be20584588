/*  =========================================================================
    dp_metrics - the gateway's counters, written as Prometheus text

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Relaxed atomics: a scrape may see one counter of a request updated and
    another not yet, which Prometheus tolerates (every series is
    monotonic on its own).
@end
*/
#include "dp_metrics.h"
#include "dp_log.h"
#include <czmq.h>
#include <assert.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  The status codes the gateway answers with; anything else is "other".
static const int s_codes [] = {
    200, 204, 400, 401, 403, 404, 405, 406, 408, 413, 414, 415, 431, 500, 502, 503, 504
};
#define S_CODES (sizeof s_codes / sizeof s_codes [0] + 1)

static const char *s_routes [DP_ROUTE_COUNT] = {
    "graphql", "graphiql", "healthz", "readyz", "metrics", "other", "public"
};

//  The result labels of persisted-query outcomes, and the one each
//  outcome is counted under (-1: not counted).
static const char *s_persisted [] = { "hit", "miss", "registered", "refused" };
#define S_PERSISTED (sizeof s_persisted / sizeof s_persisted [0])
static const int s_persisted_result [DP_PERSISTED_COUNT] = {
    [DP_PERSISTED_HIT] = 0, [DP_PERSISTED_MISS] = 1, [DP_PERSISTED_REGISTERED] = 2,
    [DP_PERSISTED_NOT_IN_LIST] = 3, [DP_PERSISTED_MISMATCH] = 3,
    [DP_PERSISTED_UNUSED] = -1, [DP_PERSISTED_OFF] = -1
};

//  Upper bounds of the latency buckets, in microseconds.
static const int64_t s_buckets [] = {
    500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
    1000000, 2500000, 5000000, 10000000, 30000000
};
#define S_BUCKETS (sizeof s_buckets / sizeof s_buckets [0])

typedef atomic_uint_fast64_t s_counter_t;

//  The routes that serve GraphQL, each with a latency histogram of its own.
static const dp_route_t s_histograms [] = { DP_ROUTE_GRAPHQL, DP_ROUTE_PUBLIC };
#define S_HISTOGRAMS (sizeof s_histograms / sizeof s_histograms [0])

struct _dp_metrics_t {
    atomic_int inflight;                            //  requests being handled
    atomic_int ready;                               //  last readiness answer, -1 before any
    s_counter_t requests [DP_ROUTE_COUNT][S_CODES]; //  by route and status
    //  GraphQL latency per GraphQL route (s_histograms), per bucket (last: +Inf), and summed
    s_counter_t buckets [S_HISTOGRAMS][S_BUCKETS + 1];
    s_counter_t latency_sum_us [S_HISTOGRAMS];
    s_counter_t statements;                         //  SQL statements reported in RESULT
    s_counter_t persisted [S_PERSISTED];            //  by result label
    atomic_int feed_mode;                           //  the feed's last status; 0: none
    s_counter_t feed_lag_ms, feed_behind, feed_seq;
    atomic_int_fast64_t feed_seen_ms;               //  when it came (monotonic ms)
};

#define S_FEED_LIVENESS_MS 3000

dp_metrics_t *
dp_metrics_new (void)
{
    dp_metrics_t *self = (dp_metrics_t *) calloc (1, sizeof (dp_metrics_t));
    if (!self)
        dp_fatal ("dp_metrics: out of memory");
    //  calloc's zero bytes are a valid zero for lock-free atomics on every
    //  platform Depot builds on; initialise anyway, as C11 asks.
    atomic_init (&self->inflight, 0);
    atomic_init (&self->ready, -1);
    for (size_t r = 0; r < DP_ROUTE_COUNT; r++)
        for (size_t c = 0; c < S_CODES; c++)
            atomic_init (&self->requests [r][c], 0);
    for (size_t h = 0; h < S_HISTOGRAMS; h++) {
        for (size_t b = 0; b <= S_BUCKETS; b++)
            atomic_init (&self->buckets [h][b], 0);
        atomic_init (&self->latency_sum_us [h], 0);
    }
    atomic_init (&self->statements, 0);
    for (size_t p = 0; p < S_PERSISTED; p++)
        atomic_init (&self->persisted [p], 0);
    atomic_init (&self->feed_mode, 0);
    atomic_init (&self->feed_lag_ms, 0);
    atomic_init (&self->feed_behind, 0);
    atomic_init (&self->feed_seq, 0);
    atomic_init (&self->feed_seen_ms, 0);
    return self;
}

void
dp_metrics_destroy (dp_metrics_t **self_p)
{
    assert (self_p);
    free (*self_p);
    *self_p = NULL;
}

static size_t
s_code_index (int status)
{
    for (size_t i = 0; i < S_CODES - 1; i++)
        if (s_codes [i] == status)
            return i;
    return S_CODES - 1;
}

void
dp_metrics_begin (dp_metrics_t *self)
{
    assert (self);
    atomic_fetch_add_explicit (&self->inflight, 1, memory_order_relaxed);
}

void
dp_metrics_end (dp_metrics_t *self, dp_route_t route, int status, int64_t usecs)
{
    assert (self);
    assert (route < DP_ROUTE_COUNT);
    atomic_fetch_sub_explicit (&self->inflight, 1, memory_order_relaxed);
    atomic_fetch_add_explicit (&self->requests [route][s_code_index (status)], 1,
                               memory_order_relaxed);
    size_t h = 0;
    while (h < S_HISTOGRAMS && s_histograms [h] != route)
        h++;
    if (h == S_HISTOGRAMS)
        return;
    if (usecs < 0)
        usecs = 0;
    size_t bucket = 0;
    while (bucket < S_BUCKETS && usecs > s_buckets [bucket])
        bucket++;
    atomic_fetch_add_explicit (&self->buckets [h][bucket], 1, memory_order_relaxed);
    atomic_fetch_add_explicit (&self->latency_sum_us [h], (uint64_t) usecs, memory_order_relaxed);
}

int
dp_metrics_inflight (dp_metrics_t *self)
{
    assert (self);
    return atomic_load_explicit (&self->inflight, memory_order_relaxed);
}

void
dp_metrics_statements (dp_metrics_t *self, uint32_t statements)
{
    assert (self);
    atomic_fetch_add_explicit (&self->statements, statements, memory_order_relaxed);
}

void
dp_metrics_persisted (dp_metrics_t *self, dp_persisted_outcome_t outcome)
{
    assert (self);
    assert (outcome < DP_PERSISTED_COUNT);
    int result = s_persisted_result [outcome];
    if (result >= 0)
        atomic_fetch_add_explicit (&self->persisted [result], 1, memory_order_relaxed);
}

void
dp_metrics_feed (dp_metrics_t *self, int mode, uint64_t lag_ms, uint64_t behind, uint64_t seq)
{
    atomic_store (&self->feed_lag_ms, lag_ms);
    atomic_store (&self->feed_behind, behind);
    atomic_store (&self->feed_seq, seq);
    atomic_store (&self->feed_mode, mode);
    atomic_store (&self->feed_seen_ms, zclock_mono ());
}

void
dp_metrics_ready (dp_metrics_t *self, bool ready)
{
    assert (self);
    atomic_store_explicit (&self->ready, ready ? 1 : 0, memory_order_relaxed);
}

const char *
dp_metrics_outcome (int status)
{
    switch (status) {
        case 200: case 204: return "ok";
        case 400: return "bad_request";
        case 401: return "unauthorized";
        case 403: return "forbidden";
        case 404: return "not_found";
        case 405: return "method_not_allowed";
        case 406: return "not_acceptable";
        case 408: return "request_timeout";
        case 413: return "body_too_large";
        case 414: return "uri_too_long";
        case 415: return "unsupported_media_type";
        case 431: return "headers_too_large";
        case 502: return "bad_gateway";
        case 503: return "unavailable";
        case 504: return "timeout";
        default:
            return status >= 500 ? "error" : status >= 400 ? "client_error" : "other";
    }
}


//  --------------------------------------------------------------------------
//  Rendering

typedef struct {
    char *data;
    size_t len, cap;
} s_text_t;

static void
s_append (s_text_t *text, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
s_append (s_text_t *text, const char *fmt, ...)
{
    while (true) {
        va_list args;
        va_start (args, fmt);
        int n = vsnprintf (text->data + text->len, text->cap - text->len, fmt, args);
        va_end (args);
        assert (n >= 0);
        if (text->len + (size_t) n < text->cap) {
            text->len += (size_t) n;
            return;
        }
        text->cap = (text->cap + (size_t) n + 1) * 2;
        text->data = (char *) realloc (text->data, text->cap);
        if (!text->data)
            dp_fatal ("dp_metrics: out of memory");
    }
}

//  The per-instance series: one row per figure of a report, rows of one
//  family together, the family's HELP on its first row.
typedef struct {
    uint32_t service;               //  dp_service_t
    uint32_t value;                 //  index in the report's values
    const char *name;
    const char *type;               //  "gauge" or "counter"
    const char *help;               //  NULL: same family as the row above
    const char *label;              //  a label besides service_instance, or NULL
} s_series_t;

static const s_series_t s_series [] = {
    { DP_SERVICE_RESOLVER, DP_STAT_RESOLVER_INFLIGHT, "depot_resolver_requests_in_flight", "gauge",
      "GraphQL requests a resolver is resolving.", NULL },
    { DP_SERVICE_RESOLVER, DP_STAT_RESOLVER_CREDIT, "depot_resolver_credit", "gauge",
      "GraphQL requests a resolver takes at once (DEPOT_CREDIT).", NULL },
    { DP_SERVICE_RESOLVER, DP_STAT_RESOLVER_DB_WAITING, "depot_resolver_db_requests_waiting", "gauge",
      "LOADs and QUERYs a resolver waits on db-svc for.", NULL },
    { DP_SERVICE_RESOLVER, DP_STAT_RESOLVER_ANSWERED, "depot_resolver_requests_total", "counter",
      "GraphQL requests a resolver answered.", NULL },
    { DP_SERVICE_RESOLVER, DP_STAT_RESOLVER_DB_LOST, "depot_resolver_db_requests_lost_total", "counter",
      "LOADs and QUERYs a resolver failed because no db-svc would answer them.", NULL },
    { DP_SERVICE_RESOLVER, DP_STAT_RESOLVER_DBS_LIVE, "depot_resolver_db_services_live", "gauge",
      "db-svc a resolver hears from.", NULL },
    { DP_SERVICE_RESOLVER, DP_STAT_RESOLVER_DBS, "depot_resolver_db_services", "gauge",
      "db-svc a resolver is configured with (DEPOT_DB_CONNECT).", NULL },
    { DP_SERVICE_RESOLVER, DP_STAT_RESOLVER_DB_RESENT, "depot_resolver_db_requests_resent_total",
      "counter", "LOADs and QUERYs a resolver sent again because their db-svc died.", NULL },
    { DP_SERVICE_RESOLVER, DP_STAT_RESOLVER_DB_PARKED, "depot_resolver_db_requests_parked", "gauge",
      "LOADs and QUERYs a resolver holds until a db-svc can take them (DEPOT_DB_WAIT_MS).", NULL },
    { DP_SERVICE_DB, DP_STAT_DB_POOL_SIZE, "depot_db_pool_size", "gauge",
      "Most MariaDB connections a db-svc keeps (DEPOT_DB_POOL).", NULL },
    { DP_SERVICE_DB, DP_STAT_DB_POOL_TARGET, "depot_db_pool_target", "gauge",
      "MariaDB connections a db-svc's pool wants now, from the latency and queueing it sees.", NULL },
    { DP_SERVICE_DB, DP_STAT_DB_BUSY, "depot_db_pool_connections", "gauge",
      "A db-svc's MariaDB connections by state.", "state=\"busy\"" },
    { DP_SERVICE_DB, DP_STAT_DB_IDLE, "depot_db_pool_connections", "gauge", NULL, "state=\"idle\"" },
    { DP_SERVICE_DB, DP_STAT_DB_CONNECTING, "depot_db_pool_connections", "gauge", NULL,
      "state=\"connecting\"" },
    { DP_SERVICE_DB, DP_STAT_DB_DOWN, "depot_db_pool_connections", "gauge", NULL, "state=\"down\"" },
    { DP_SERVICE_DB, DP_STAT_DB_QUEUED, "depot_db_queue_depth", "gauge",
      "Statements waiting in a db-svc for a connection.", NULL },
    { DP_SERVICE_DB, DP_STAT_DB_QUEUE_LIMIT, "depot_db_queue_limit", "gauge",
      "Statements a db-svc lets wait before it refuses requests (DEPOT_DB_MAX_QUEUE).", NULL },
    { DP_SERVICE_DB, DP_STAT_DB_STATEMENTS, "depot_db_statements_total", "counter",
      "SQL statements a db-svc ran.", NULL },
    { DP_SERVICE_DB, DP_STAT_DB_ROUND_TRIPS, "depot_db_round_trips_total", "counter",
      "Texts a db-svc sent to MariaDB: statements batched together count once (DEPOT_DB_BATCH).",
      NULL },
    { DP_SERVICE_DB, DP_STAT_DB_COALESCED, "depot_db_statements_coalesced_total", "counter",
      "LOAD statements a db-svc merged into another one (DEPOT_DB_COALESCE).", NULL },
    { DP_SERVICE_DB, DP_STAT_DB_CANCELLED, "depot_db_statements_cancelled_total", "counter",
      "Statements a db-svc cancelled with KILL QUERY at their deadline.", NULL },
    { DP_SERVICE_DB, DP_STAT_DB_ANSWERED, "depot_db_requests_total", "counter",
      "LOADs and QUERYs a db-svc answered.", NULL },
    { DP_SERVICE_DB, DP_STAT_DB_ERRORS, "depot_db_request_errors_total", "counter",
      "LOADs and QUERYs a db-svc answered with an error.", NULL },
    { DP_SERVICE_DB, DP_STAT_DB_REFUSED, "depot_db_requests_refused_total", "counter",
      "LOADs and QUERYs a db-svc refused at once because its queue was full.", NULL },
};
#define S_SERIES (sizeof s_series / sizeof s_series [0])

static uint64_t
s_load (const s_counter_t *counter)
{
    return atomic_load_explicit (counter, memory_order_relaxed);
}

//  A label value as the text format wants it: backslash, quote and
//  newline escaped.
static void
s_append_label_value (s_text_t *text, const char *value)
{
    for (const char *c = value; *c; c++)
        if (*c == '\\' || *c == '"')
            s_append (text, "\\%c", *c);
        else
        if (*c == '\n')
            s_append (text, "\\n");
        else
            s_append (text, "%c", *c);
}

//  The instances by service, then every per-instance series of s_series
//  whose service has an entry.
static void
s_render_fleet (s_text_t *text, const dp_fleet_entry_t *entries, size_t n_entries)
{
    size_t resolvers = 0, dbs = 0;
    for (size_t e = 0; e < n_entries; e++) {
        resolvers += entries [e].service == DP_SERVICE_RESOLVER;
        dbs += entries [e].service == DP_SERVICE_DB;
    }
    s_append (text, "# HELP depot_service_instances Resolver and db-svc instances that reported "
                    "within the liveness window.\n"
                    "# TYPE depot_service_instances gauge\n"
                    "depot_service_instances{service=\"resolver-svc\"} %zu\n"
                    "depot_service_instances{service=\"db-svc\"} %zu\n", resolvers, dbs);
    for (size_t r = 0; r < S_SERIES; r++) {
        const s_series_t *series = &s_series [r];
        if ((series->service == DP_SERVICE_RESOLVER ? resolvers : dbs) == 0)
            continue;
        if (series->help)
            s_append (text, "# HELP %s %s\n# TYPE %s %s\n", series->name, series->help,
                      series->name, series->type);
        for (size_t e = 0; e < n_entries; e++) {
            const dp_fleet_entry_t *entry = &entries [e];
            if (entry->service != series->service || entry->n_values <= series->value)
                continue;
            s_append (text, "%s{service_instance=\"", series->name);
            s_append_label_value (text, entry->instance);
            s_append (text, "\"%s%s} %llu\n", series->label ? "," : "",
                      series->label ? series->label : "",
                      (unsigned long long) entry->values [series->value]);
        }
    }
}

char *
dp_metrics_render (dp_metrics_t *self, const dp_broker_stats_t *broker,
                   const dp_fleet_entry_t *entries, size_t n_entries, size_t *len_p)
{
    assert (self);
    s_text_t text = { NULL, 0, 0 };
    text.cap = 8192;
    text.data = (char *) malloc (text.cap);
    if (!text.data)
        dp_fatal ("dp_metrics: out of memory");
    text.data [0] = 0;

    s_append (&text, "# HELP depot_gateway_http_requests_total HTTP requests answered, by route, "
                     "status code and outcome.\n"
                     "# TYPE depot_gateway_http_requests_total counter\n");
    for (size_t r = 0; r < DP_ROUTE_COUNT; r++)
        for (size_t c = 0; c < S_CODES; c++) {
            uint64_t n = s_load (&self->requests [r][c]);
            if (n == 0 && !(r == DP_ROUTE_GRAPHQL && c == 0))
                continue;           //  graphql 200 is always there
            if (c == S_CODES - 1)
                s_append (&text, "depot_gateway_http_requests_total{route=\"%s\",code=\"other\","
                                 "outcome=\"other\"} %llu\n", s_routes [r], (unsigned long long) n);
            else
                s_append (&text, "depot_gateway_http_requests_total{route=\"%s\",code=\"%d\","
                                 "outcome=\"%s\"} %llu\n", s_routes [r], s_codes [c],
                          dp_metrics_outcome (s_codes [c]), (unsigned long long) n);
        }

    s_append (&text, "# HELP depot_gateway_http_request_duration_seconds Time from reading a "
                     "GraphQL request to its last byte written.\n"
                     "# TYPE depot_gateway_http_request_duration_seconds histogram\n");
    for (size_t h = 0; h < S_HISTOGRAMS; h++) {
        const char *route = s_routes [s_histograms [h]];
        uint64_t cumulative = 0;
        for (size_t b = 0; b < S_BUCKETS; b++) {
            cumulative += s_load (&self->buckets [h][b]);
            s_append (&text, "depot_gateway_http_request_duration_seconds_bucket{route=\"%s\","
                             "le=\"%g\"} %llu\n", route, (double) s_buckets [b] / 1e6,
                      (unsigned long long) cumulative);
        }
        cumulative += s_load (&self->buckets [h][S_BUCKETS]);
        s_append (&text, "depot_gateway_http_request_duration_seconds_bucket{route=\"%s\","
                         "le=\"+Inf\"} %llu\n", route, (unsigned long long) cumulative);
        s_append (&text, "depot_gateway_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n",
                  route, (double) s_load (&self->latency_sum_us [h]) / 1e6);
        s_append (&text, "depot_gateway_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                  route, (unsigned long long) cumulative);
    }

    s_append (&text, "# HELP depot_gateway_http_requests_in_flight HTTP requests being handled, "
                     "this scrape included.\n"
                     "# TYPE depot_gateway_http_requests_in_flight gauge\n"
                     "depot_gateway_http_requests_in_flight %d\n",
              atomic_load_explicit (&self->inflight, memory_order_relaxed));
    s_append (&text, "# HELP depot_gateway_sql_statements_total SQL statements the resolvers "
                     "ran for the gateway's requests.\n"
                     "# TYPE depot_gateway_sql_statements_total counter\n"
                     "depot_gateway_sql_statements_total %llu\n",
              (unsigned long long) s_load (&self->statements));
    s_append (&text, "# HELP depot_gateway_persisted_queries_total Persisted-query lookups by "
                     "result.\n"
                     "# TYPE depot_gateway_persisted_queries_total counter\n");
    for (size_t p = 0; p < S_PERSISTED; p++)
        s_append (&text, "depot_gateway_persisted_queries_total{result=\"%s\"} %llu\n",
                  s_persisted [p], (unsigned long long) s_load (&self->persisted [p]));
    int ready = atomic_load_explicit (&self->ready, memory_order_relaxed);
    if (ready >= 0)
        s_append (&text, "# HELP depot_gateway_ready The last /readyz answer: 1 ready, 0 not.\n"
                         "# TYPE depot_gateway_ready gauge\n"
                         "depot_gateway_ready %d\n", ready);

    if (broker) {
        s_append (&text,
            "# HELP depot_broker_resolvers Live resolvers connected to the broker.\n"
            "# TYPE depot_broker_resolvers gauge\n"
            "depot_broker_resolvers %d\n"
            "# HELP depot_broker_credit Requests the live resolvers take at once, summed.\n"
            "# TYPE depot_broker_credit gauge\n"
            "depot_broker_credit %d\n"
            "# HELP depot_broker_requests_in_flight Requests at resolvers.\n"
            "# TYPE depot_broker_requests_in_flight gauge\n"
            "depot_broker_requests_in_flight %d\n"
            "# HELP depot_broker_queue_depth Requests waiting in the broker for resolver credit.\n"
            "# TYPE depot_broker_queue_depth gauge\n"
            "depot_broker_queue_depth %d\n"
            "# HELP depot_broker_requests_total Requests the broker saw, by result.\n"
            "# TYPE depot_broker_requests_total counter\n"
            "depot_broker_requests_total{result=\"accepted\"} %llu\n"
            "depot_broker_requests_total{result=\"rejected\"} %llu\n"
            "depot_broker_requests_total{result=\"expired\"} %llu\n"
            "depot_broker_requests_total{result=\"lost\"} %llu\n"
            "# HELP depot_broker_requests_resent_total Reads sent again to a live resolver "
            "after theirs died.\n"
            "# TYPE depot_broker_requests_resent_total counter\n"
            "depot_broker_requests_resent_total %llu\n"
            "# HELP depot_broker_admission_limit Requests the broker holds at once now "
            "(the limit that follows latency).\n"
            "# TYPE depot_broker_admission_limit gauge\n"
            "depot_broker_admission_limit %d\n"
            "# HELP depot_broker_admission_waiting Requests waiting for an admission slot.\n"
            "# TYPE depot_broker_admission_waiting gauge\n"
            "depot_broker_admission_waiting %d\n"
            "# HELP depot_broker_admission_refused_total Requests answered 503 by the admission "
            "limit (no slot within the wait).\n"
            "# TYPE depot_broker_admission_refused_total counter\n"
            "depot_broker_admission_refused_total %llu\n",
            atomic_load (&broker->resolvers), atomic_load (&broker->credit),
            atomic_load (&broker->inflight), atomic_load (&broker->queued),
            (unsigned long long) atomic_load (&broker->accepted),
            (unsigned long long) atomic_load (&broker->rejected),
            (unsigned long long) atomic_load (&broker->expired),
            (unsigned long long) atomic_load (&broker->lost),
            (unsigned long long) atomic_load (&broker->resent),
            atomic_load (&broker->limit), atomic_load (&broker->waiting),
            (unsigned long long) atomic_load (&broker->busy));
    }
    int feed_mode = atomic_load (&self->feed_mode);
    if (feed_mode && zclock_mono () - atomic_load (&self->feed_seen_ms) <= S_FEED_LIVENESS_MS)
        s_append (&text,
            "# HELP depot_feed_mode The change feed's source: binlog (every committed change)"
            " or fallback (the binary log is not usable).\n"
            "# TYPE depot_feed_mode gauge\n"
            "depot_feed_mode{mode=\"binlog\"} %d\n"
            "depot_feed_mode{mode=\"fallback\"} %d\n"
            "# HELP depot_feed_lag_seconds How old the newest change the feed read is, while it"
            " is behind (0: caught up).\n"
            "# TYPE depot_feed_lag_seconds gauge\n"
            "depot_feed_lag_seconds %.3f\n"
            "# HELP depot_feed_transactions_behind Transactions in the binary log the feed has"
            " not read yet.\n"
            "# TYPE depot_feed_transactions_behind gauge\n"
            "depot_feed_transactions_behind %llu\n"
            "# HELP depot_feed_sequence The feed's last sequence number.\n"
            "# TYPE depot_feed_sequence gauge\n"
            "depot_feed_sequence %llu\n",
            feed_mode == 1, feed_mode == 2, (double) atomic_load (&self->feed_lag_ms) / 1000.0,
            (unsigned long long) atomic_load (&self->feed_behind),
            (unsigned long long) atomic_load (&self->feed_seq));
    s_render_fleet (&text, entries, n_entries);
    if (len_p)
        *len_p = text.len;
    return text.data;
}


//  --------------------------------------------------------------------------
//  Selftest

//  The value of the sample whose line starts with prefix; -1 when absent.
static double
s_sample (const char *text, const char *prefix)
{
    size_t len = strlen (prefix);
    for (const char *line = text; line && *line; line = strchr (line, '\n') ? strchr (line, '\n') + 1 : NULL)
        if (strncmp (line, prefix, len) == 0 && line [len] == ' ')
            return strtod (line + len + 1, NULL);
    return -1;
}

void
dp_metrics_test (bool verbose)
{
    printf (" * dp_metrics: ");
    dp_metrics_t *metrics = dp_metrics_new ();
    char *text = dp_metrics_render (metrics, NULL, NULL, 0, NULL);
    //  Before any request: the always-present series, at zero.
    assert (s_sample (text, "depot_gateway_http_requests_total{route=\"graphql\",code=\"200\","
                            "outcome=\"ok\"}") == 0);
    assert (s_sample (text, "depot_gateway_http_request_duration_seconds_count{route=\"graphql\"}") == 0);
    assert (s_sample (text, "depot_gateway_http_requests_in_flight") == 0);
    assert (!strstr (text, "depot_gateway_ready"));
    assert (!strstr (text, "depot_broker_"));
    assert (!strstr (text, "depot_feed_"));         //  no feed heard of
    free (text);
    dp_metrics_feed (metrics, 2, 1500, 7, 42);
    text = dp_metrics_render (metrics, NULL, NULL, 0, NULL);
    assert (s_sample (text, "depot_feed_mode{mode=\"fallback\"}") == 1);
    assert (s_sample (text, "depot_feed_mode{mode=\"binlog\"}") == 0);
    assert (s_sample (text, "depot_feed_lag_seconds") == 1.5);
    assert (s_sample (text, "depot_feed_transactions_behind") == 7);
    assert (s_sample (text, "depot_feed_sequence") == 42);
    //  No reports: no instances, and no per-instance families.
    assert (s_sample (text, "depot_service_instances{service=\"db-svc\"}") == 0);
    assert (s_sample (text, "depot_service_instances{service=\"resolver-svc\"}") == 0);
    assert (!strstr (text, "depot_db_") && !strstr (text, "depot_resolver_"));
    free (text);

    //  Requests: begin/end move the gauge, the counters and the histogram.
    dp_metrics_begin (metrics);
    dp_metrics_begin (metrics);
    assert (dp_metrics_inflight (metrics) == 2);
    dp_metrics_end (metrics, DP_ROUTE_GRAPHQL, 200, 700);           //  bucket 0.001
    dp_metrics_begin (metrics);
    dp_metrics_end (metrics, DP_ROUTE_GRAPHQL, 400, 40000000);      //  past the last bucket
    dp_metrics_end (metrics, DP_ROUTE_HEALTHZ, 200, 10);            //  no histogram
    dp_metrics_begin (metrics);
    dp_metrics_end (metrics, DP_ROUTE_OTHER, 418, 10);              //  code "other"
    assert (dp_metrics_inflight (metrics) == 0);
    dp_metrics_statements (metrics, 16);
    dp_metrics_statements (metrics, 3);
    dp_metrics_persisted (metrics, DP_PERSISTED_MISS);
    dp_metrics_ready (metrics, true);
    dp_broker_stats_t broker;
    memset (&broker, 0, sizeof broker);
    atomic_store (&broker.resolvers, 2);
    atomic_store (&broker.queued, 5);
    atomic_store (&broker.accepted, 7);
    atomic_store (&broker.resent, 3);
    atomic_store (&broker.limit, 61);
    atomic_store (&broker.waiting, 4);
    atomic_store (&broker.busy, 9);

    //  Two db-svc (one with a name to escape, one with an older report of
    //  fewer values) and a resolver, as dp_fleet_snapshot gives them.
    dp_fleet_entry_t entries [3];
    memset (entries, 0, sizeof entries);
    entries [0].service = DP_SERVICE_RESOLVER;
    strcpy (entries [0].instance, "r:1/0");
    entries [0].n_values = DP_STAT_RESOLVER_COUNT;
    entries [0].values [DP_STAT_RESOLVER_INFLIGHT] = 3;
    entries [0].values [DP_STAT_RESOLVER_CREDIT] = 64;
    entries [0].values [DP_STAT_RESOLVER_DB_RESENT] = 4;
    entries [0].values [DP_STAT_RESOLVER_DB_PARKED] = 2;
    entries [1].service = DP_SERVICE_DB;
    strcpy (entries [1].instance, "db:2");
    entries [1].n_values = DP_STAT_DB_COUNT;
    entries [1].values [DP_STAT_DB_POOL_SIZE] = 8;
    entries [1].values [DP_STAT_DB_POOL_TARGET] = 6;
    entries [1].values [DP_STAT_DB_BUSY] = 5;
    entries [1].values [DP_STAT_DB_IDLE] = 3;
    entries [1].values [DP_STAT_DB_QUEUED] = 12;
    entries [1].values [DP_STAT_DB_QUEUE_LIMIT] = 2048;
    entries [1].values [DP_STAT_DB_STATEMENTS] = 123456789012ull;
    entries [2].service = DP_SERVICE_DB;
    strcpy (entries [2].instance, "we\"ird\\");
    entries [2].n_values = 2;
    entries [2].values [DP_STAT_DB_POOL_SIZE] = 1;
    entries [2].values [DP_STAT_DB_BUSY] = 1;

    size_t len;
    text = dp_metrics_render (metrics, &broker, entries, 3, &len);
    assert (len == strlen (text) && text [len - 1] == '\n');
    if (verbose)
        printf ("\n%s", text);
    assert (s_sample (text, "depot_gateway_http_requests_total{route=\"graphql\",code=\"200\","
                            "outcome=\"ok\"}") == 1);
    assert (s_sample (text, "depot_gateway_http_requests_total{route=\"graphql\",code=\"400\","
                            "outcome=\"bad_request\"}") == 1);
    assert (s_sample (text, "depot_gateway_http_requests_total{route=\"healthz\",code=\"200\","
                            "outcome=\"ok\"}") == 1);
    assert (s_sample (text, "depot_gateway_http_requests_total{route=\"other\",code=\"other\","
                            "outcome=\"other\"}") == 1);
    assert (s_sample (text, "depot_gateway_http_request_duration_seconds_bucket{route=\"graphql\","
                            "le=\"0.0005\"}") == 0);
    assert (s_sample (text, "depot_gateway_http_request_duration_seconds_bucket{route=\"graphql\","
                            "le=\"0.001\"}") == 1);
    assert (s_sample (text, "depot_gateway_http_request_duration_seconds_bucket{route=\"graphql\","
                            "le=\"30\"}") == 1);
    assert (s_sample (text, "depot_gateway_http_request_duration_seconds_bucket{route=\"graphql\","
                            "le=\"+Inf\"}") == 2);
    assert (s_sample (text, "depot_gateway_http_request_duration_seconds_count{route=\"graphql\"}") == 2);
    double sum = s_sample (text, "depot_gateway_http_request_duration_seconds_sum{route=\"graphql\"}");
    assert (sum > 40.0006 && sum < 40.0008);
    assert (s_sample (text, "depot_gateway_sql_statements_total") == 19);
    assert (s_sample (text, "depot_gateway_persisted_queries_total{result=\"miss\"}") == 1);
    assert (s_sample (text, "depot_gateway_persisted_queries_total{result=\"hit\"}") == 0);
    assert (s_sample (text, "depot_gateway_ready") == 1);
    assert (s_sample (text, "depot_broker_resolvers") == 2);
    assert (s_sample (text, "depot_broker_queue_depth") == 5);
    assert (s_sample (text, "depot_broker_requests_total{result=\"accepted\"}") == 7);
    assert (s_sample (text, "depot_broker_requests_resent_total") == 3);
    assert (s_sample (text, "depot_broker_admission_limit") == 61);
    assert (s_sample (text, "depot_broker_admission_waiting") == 4);
    assert (s_sample (text, "depot_broker_admission_refused_total") == 9);
    assert (s_sample (text, "depot_service_instances{service=\"db-svc\"}") == 2);
    assert (s_sample (text, "depot_service_instances{service=\"resolver-svc\"}") == 1);
    assert (s_sample (text, "depot_resolver_requests_in_flight{service_instance=\"r:1/0\"}") == 3);
    assert (s_sample (text, "depot_resolver_credit{service_instance=\"r:1/0\"}") == 64);
    assert (s_sample (text, "depot_resolver_db_requests_resent_total{service_instance=\"r:1/0\"}") == 4);
    assert (s_sample (text, "depot_resolver_db_requests_parked{service_instance=\"r:1/0\"}") == 2);
    assert (s_sample (text, "depot_db_pool_size{service_instance=\"db:2\"}") == 8);
    assert (s_sample (text, "depot_db_pool_target{service_instance=\"db:2\"}") == 6);
    assert (s_sample (text, "depot_db_pool_connections{service_instance=\"db:2\",state=\"busy\"}") == 5);
    assert (s_sample (text, "depot_db_pool_connections{service_instance=\"db:2\",state=\"idle\"}") == 3);
    assert (s_sample (text, "depot_db_pool_connections{service_instance=\"db:2\",state=\"down\"}") == 0);
    assert (s_sample (text, "depot_db_queue_depth{service_instance=\"db:2\"}") == 12);
    assert (s_sample (text, "depot_db_queue_limit{service_instance=\"db:2\"}") == 2048);
    assert (strstr (text, "\ndepot_db_statements_total{service_instance=\"db:2\"} 123456789012\n"));
    //  The escaped name, and only the values its report has.
    assert (s_sample (text, "depot_db_pool_connections{service_instance=\"we\\\"ird\\\\\","
                            "state=\"busy\"}") == 1);
    assert (s_sample (text, "depot_db_queue_depth{service_instance=\"we\\\"ird\\\\\"}") == -1);
    //  A family's samples are together, after its one HELP and TYPE.
    char *first = strstr (text, "\ndepot_db_pool_connections{");
    char *type = strstr (text, "# TYPE depot_db_pool_connections gauge\n");
    assert (first && type && type < first);
    assert (!strstr (type + 1, "# TYPE depot_db_pool_connections"));
    char *next_family = strstr (first, "# HELP");
    for (char *line = first + 1; line < next_family; line = strchr (line, '\n') + 1)
        assert (strncmp (line, "depot_db_pool_connections{", 26) == 0);
    //  Every line is a comment or "name{labels} value"; each family has
    //  its HELP and TYPE before its samples.
    for (char *line = text; *line; ) {
        char *end = strchr (line, '\n');
        assert (end);
        if (line [0] != '#') {
            char *space = memchr (line, ' ', (size_t) (end - line));
            assert (space && space > line);
            char *number_end;
            strtod (space + 1, &number_end);
            assert (number_end == end);
        }
        line = end + 1;
    }
    assert (strcmp (dp_metrics_outcome (503), "unavailable") == 0);
    assert (strcmp (dp_metrics_outcome (599), "error") == 0);
    free (text);
    dp_metrics_destroy (&metrics);
    assert (metrics == NULL);
    dp_metrics_destroy (&metrics);
    printf ("OK\n");
}
