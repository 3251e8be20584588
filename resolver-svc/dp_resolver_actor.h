/*  =========================================================================
    dp_resolver_actor - executes many GraphQL requests at once, never waiting

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#ifndef DP_RESOLVER_ACTOR_H_INCLUDED
#define DP_RESOLVER_ACTOR_H_INCLUDED

#include <czmq.h>
#include <stdint.h>
#include "dp_schema.h"
#include "dp_options.h"

typedef struct {
    const char *gateway_endpoint;   //  the gateway's backend ROUTER, to connect to
    const char **db_endpoints;      //  every db-svc ROUTER, to connect to
    size_t n_db_endpoints;
    dp_schema_t *schema;            //  bound with dp_mapping_bind; shared, read-only
    dp_schema_t *public_schema;     //  /public's, bound with dp_mapping_bind_public; NULL: none
    uint32_t credit;                //  requests in flight at once (default 64)
    int64_t max_page_size;          //  default 100,000
    int heartbeat_ms;               //  HEARTBEAT to the gateway and each db-svc (0: 1000)
    int liveness_ms;                //  silence after which a peer is dead (0: 3000)
    const char *instance;           //  name in heartbeat reports; NULL: "<hostname>:<pid>"
    size_t large_answer_rows;       //  answers of more rows are written by the low-priority
                                    //  writer thread (dp_writer); 0: all by the actor
    int db_wait_ms;                 //  how long a LOAD/QUERY waits for a db-svc that can take
                                    //  it (0: 5000; negative: not at all, 503 at once)
    uint32_t db_max_resends;        //  times a LOAD/QUERY is sent again after its db-svc
                                    //  died (0: 2)
} dp_resolver_config_t;

//  The actor: zactor_new (dp_resolver_actor, &config). Its HEARTBEATs to
//  the gateway carry its own report (requests in flight, credit, LOADs and
//  QUERYs waiting, ...) and the latest report of every live db-svc. config must stay
//  valid until the actor has signalled (the actor copies the endpoints).
//  Signals 0 when connected, 1 when an endpoint is invalid or there are
//  more than 32 db-svc endpoints. Pipe commands: $TERM; STATS → "88"
//  (requests answered, requests in flight); DBS → "ii" (db-svc live,
//  db-svc configured); LOST → "8" (LOADs and QUERYs failed because no
//  db-svc would answer them); RESENT → "8" (LOADs and QUERYs sent again
//  after their db-svc died); CANCELLED → "8" (requests the gateway
//  cancelled).
void dp_resolver_actor (zsock_t *pipe, void *args);

//  Selftest: liveness, db-svc choice, credit and deadlines against fake
//  peers over inproc://.
void dp_resolver_actor_test (bool verbose);

//  The settings a binary turns into resolver actors (the endpoints are
//  the binary's own).
#define DP_RESOLVERS_MAX 64
typedef struct {
    int resolvers;                  //  DEPOT_RESOLVERS, actors in the process, 1
    int credit;                     //  DEPOT_CREDIT, requests in flight per actor, 64
    int max_page;                   //  DEPOT_MAX_PAGE, largest boxes page, 100000
    const char *schema;             //  DEPOT_SCHEMA, SDL file; NULL: the built-in schema
    bool introspection;             //  DEPOT_INTROSPECTION, serve __schema/__type, true
    int large_answer_rows;          //  DEPOT_LARGE_ANSWER_ROWS, 5000; 0: no writer thread use
    int db_wait_ms;                 //  DEPOT_DB_WAIT_MS, 5000; 0: a LOAD/QUERY with no db-svc
                                    //  to take it fails at once
} dp_resolver_options_t;

//  Fill opts with the defaults above.
void dp_resolver_options_init (dp_resolver_options_t *opts);

//  Write the resolver settings (flag, environment variable, target in
//  opts, help) into out, at most max entries, and return how many; the
//  table is dp_resolver_options.c's, shared by the resolver-svc and depot
//  binaries. Asserts when max is too small.
size_t dp_resolver_options (dp_resolver_options_t *opts, dp_option_t *out, size_t max);

//  Check the parsed settings: resolvers in [1, DP_RESOLVERS_MAX], credit
//  and max_page positive. Returns 0, or -1 with err filled, naming the
//  setting.
int dp_resolver_options_check (const dp_resolver_options_t *opts, char *err, size_t err_len);

//  Selftest of the settings (dp_resolver_options.c).
void dp_resolver_options_test (bool verbose);

//  Load the schema embedded in the binary (schema/depot.graphql at build
//  time), or the file at path when path is not NULL, and bind the mapping.
//  Returns NULL with err filled. Caller owns the schema.
dp_schema_t *dp_resolver_schema_load (const char *path, char *err, size_t err_len);

//  The public schema (schema/public.graphql, compiled in), bound the same
//  way; its introspection is always on (boxtribute's public API has it on).
dp_schema_t *dp_resolver_public_schema_load (char *err, size_t err_len);

#endif
