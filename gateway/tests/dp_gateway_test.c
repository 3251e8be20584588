/*  =========================================================================
    dp_gateway_test - the gateway actor's selftest

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The actor on a free port, a real resolver peer on the backend
    (dp_test_peer), and real HTTP/1.1 over TCP from a small client
    (dp_test_http). Built into the selftest binary only, so the gateway's
    library holds no test code.
@end
*/
#include "dp_gateway.h"
#include "dp_jwt.h"
#include "dp_http_request.h"
#include "dp_graphiql.h"
#include "dp_test_peer.h"
#include "dp_test_http.h"
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#define S_TEST_DOMAIN    "depot-test.eu.auth0.com"
#define S_TEST_AUDIENCE  "boxtribute-dev-api"
#define S_TEST_BACKEND   "inproc://dp-gateway-test-backend"

static char *
s_mint (const char *private_pem, const char *alg, int64_t exp_offset, const char *audience)
{
    int64_t now = (int64_t) time (NULL);
    char *payload = zsys_sprintf (
        "{\"sub\":\"auth0|8\",\"iss\":\"https://" S_TEST_DOMAIN "/\",\"aud\":\"%s\","
        "\"exp\":%" PRId64 ",\"iat\":%" PRId64 ","
        "\"" DP_JWT_CLAIM_PREFIX "organisation_id\":1,"
        "\"" DP_JWT_CLAIM_PREFIX "base_ids\":[1],"
        "\"" DP_JWT_CLAIM_PREFIX "roles\":[\"base_1_coordinator\"],"
        "\"" DP_JWT_CLAIM_PREFIX "permissions\":[\"base_1/stock:write\",\"base_1/location:read\"],"
        "\"" DP_JWT_CLAIM_PREFIX "beta_user\":99}", audience, now + exp_offset, now);
    char err [256];
    char *token = dp_jwt_sign (alg, private_pem, strlen (private_pem), payload, err, sizeof err);
    assert (token);
    zstr_free (&payload);
    return token;
}

static void
s_wait_resolvers (zactor_t *gateway, int n)
{
    for (int i = 0; i < 400; i++) {
        int resolvers = -1, credit, inflight, queued;
        zstr_send (gateway, "STATUS");
        zsock_recv (gateway, "iiii", &resolvers, &credit, &inflight, &queued);
        if (resolvers == n)
            return;
        zclock_sleep (5);
    }
    assert (false);
}

//  GET, Accept, 406, 414, CORS, persisted queries, /readyz, /metrics and
//  GraphiQL against the running gateway (and its echoing peer).
static void
s_more_http_test (zactor_t *gateway, int port, const char *auth, zactor_t *peer)
{
    dp_test_http_response_t response;
    char headers [4400];
    int executes = dp_test_peer_count (peer);

    //  GET: the query string reaches the resolver; a mutation is refused.
    dp_test_http_request (port, "GET", "/graphql?query=%7B%20base(id%3A%201)%20%7B%20name%20%7D%20%7D"
               "&variables=%7B%22x%22%3A1%7D", auth, NULL, &response);
    dp_test_http_expect (&response, 200, "\"queryLength\":24");
    assert (strstr (response.body, "\"variables\":\"{\\\"x\\\":1}\""));
    dp_test_http_free (&response);
    dp_test_http_request (port, "GET", "/graphql?query=mutation%20%7B%20a%20%7D", auth, NULL,
                          &response);
    dp_test_http_expect (&response, 405, "Only queries");
    assert (strncmp (dp_test_http_header (&response, "Allow"), "POST", 4) == 0);
    dp_test_http_free (&response);
    dp_test_http_request (port, "GET", "/graphql", NULL, NULL, &response);
    dp_test_http_expect (&response, 401, "authorization_header_missing");
    dp_test_http_free (&response);
    assert (dp_test_peer_count (peer) == executes + 1);

    //  Accept: the answer has the type asked for; 406 when no JSON type is.
    snprintf (headers, sizeof headers, "%sAccept: application/graphql-response+json\r\n", auth);
    dp_test_http_request (port, "POST", "/graphql", headers, "{\"query\":\"{ a }\"}", &response);
    dp_test_http_expect (&response, 200, "\"data\"");
    assert (strncmp (dp_test_http_header (&response, "Content-Type"),
                     "application/graphql-response+json; charset=utf-8", 48) == 0);
    dp_test_http_free (&response);
    snprintf (headers, sizeof headers, "%sAccept: text/plain\r\n", auth);
    dp_test_http_request (port, "POST", "/graphql", headers, "{\"query\":\"{ a }\"}", &response);
    dp_test_http_expect (&response, 406, "Not acceptable");
    dp_test_http_free (&response);
    assert (dp_test_peer_count (peer) == executes + 2);

    //  414: the request target over max_url (8192 by default), any route.
    char *long_url = (char *) malloc (10050);
    strcpy (long_url, "/graphql?query=");
    memset (long_url + 15, 'a', 10000);
    long_url [10015] = 0;
    dp_test_http_request (port, "GET", long_url, auth, NULL, &response);
    dp_test_http_expect (&response, 414, "URI too long.");
    dp_test_http_free (&response);
    free (long_url);

    //  CORS: no origins configured, no CORS headers; a plain OPTIONS says
    //  what is allowed.
    dp_test_http_request (port, "POST", "/graphql", "Origin: https://app.example\r\n", "{}", &response);
    assert (!dp_test_http_header (&response, "Access-Control-Allow-Origin"));
    dp_test_http_free (&response);
    dp_test_http_request (port, "OPTIONS", "/graphql", NULL, NULL, &response);
    assert (response.status == 204 && strncmp (dp_test_http_header (&response, "Allow"),
                                               "GET, POST", 9) == 0);
    dp_test_http_free (&response);

    //  Automatic persisted queries: the hash alone is unknown at first
    //  (PersistedQueryNotFound), then registered with its query, then
    //  enough; a hash that does not match its query is refused.
    char hash [65];
    const char *text = "{ persisted }";
    dp_http_sha256_hex (text, strlen (text), hash);
    char body [600];
    snprintf (body, sizeof body, "{\"extensions\":{\"persistedQuery\":{\"version\":1,"
              "\"sha256Hash\":\"%s\"}}}", hash);
    dp_test_http_request (port, "POST", "/graphql", auth, body, &response);
    dp_test_http_expect (&response, 200, "\"PERSISTED_QUERY_NOT_FOUND\"");
    assert (strstr (response.body, "PersistedQueryNotFound"));
    dp_test_http_free (&response);
    snprintf (body, sizeof body, "{\"query\":\"%s\",\"extensions\":{\"persistedQuery\":"
              "{\"version\":1,\"sha256Hash\":\"%s\"}}}", text, hash);
    dp_test_http_request (port, "POST", "/graphql", auth, body, &response);
    dp_test_http_expect (&response, 200, "\"queryLength\":13");
    dp_test_http_free (&response);
    char get [400];
    snprintf (get, sizeof get, "/graphql?extensions=%%7B%%22persistedQuery%%22%%3A%%7B%%22version"
              "%%22%%3A1%%2C%%22sha256Hash%%22%%3A%%22%s%%22%%7D%%7D", hash);
    dp_test_http_request (port, "GET", get, auth, NULL, &response);
    dp_test_http_expect (&response, 200, "\"queryLength\":13");
    dp_test_http_free (&response);
    snprintf (body, sizeof body, "{\"query\":\"{ other }\",\"extensions\":{\"persistedQuery\":"
              "{\"version\":1,\"sha256Hash\":\"%s\"}}}", hash);
    dp_test_http_request (port, "POST", "/graphql", auth, body, &response);
    dp_test_http_expect (&response, 400, "provided sha does not match query");
    dp_test_http_free (&response);
    assert (dp_test_peer_count (peer) == executes + 4);

    //  /readyz: the probe went through the resolver (the echo answers 200).
    dp_test_http_request (port, "GET", "/readyz", NULL, NULL, &response);
    dp_test_http_expect (&response, 200, "\"status\":\"ready\"");
    assert (strstr (response.body, "\"resolvers\":1"));
    dp_test_http_free (&response);
    assert (dp_test_peer_count (peer) == executes + 5);
    //  Within a second the answer is reused: no second probe.
    dp_test_http_request (port, "GET", "/readyz", NULL, NULL, &response);
    dp_test_http_expect (&response, 200, "\"status\":\"ready\"");
    dp_test_http_free (&response);
    assert (dp_test_peer_count (peer) == executes + 5);

    //  /metrics: Prometheus text that counted what happened above.
    dp_test_http_request (port, "GET", "/metrics", NULL, NULL, &response);
    assert (response.status == 200);
    assert (strncmp (dp_test_http_header (&response, "Content-Type"), "text/plain; version=0.0.4",
                     25) == 0);
    assert (strstr (response.body, "depot_gateway_http_requests_total{route=\"graphql\",code=\"414\","
                                   "outcome=\"uri_too_long\"} 1\n"));
    assert (strstr (response.body, "depot_gateway_http_requests_total{route=\"graphql\",code=\"406\","
                                   "outcome=\"not_acceptable\"} 1\n"));
    assert (strstr (response.body, "depot_gateway_persisted_queries_total{result=\"miss\"} 1\n"));
    assert (strstr (response.body, "depot_gateway_persisted_queries_total{result=\"registered\"} 1\n"));
    assert (strstr (response.body, "depot_gateway_persisted_queries_total{result=\"hit\"} 1\n"));
    assert (strstr (response.body, "depot_gateway_persisted_queries_total{result=\"refused\"} 1\n"));
    assert (strstr (response.body, "depot_broker_resolvers 1\n"));
    assert (strstr (response.body, "depot_gateway_ready 1\n"));
    assert (strstr (response.body, "depot_gateway_http_requests_in_flight 1\n"));    //  this one
    dp_test_http_free (&response);

    //  GraphiQL: a browser's GET gets the page; its assets are served.
    dp_test_http_request (port, "GET", "/graphql",
                          "Accept: text/html,application/xhtml+xml,*/*;q=0.8\r\n",
               NULL, &response);
    if (dp_graphiql_available ()) {
        assert (response.status == 200);
        assert (strncmp (dp_test_http_header (&response, "Content-Type"), "text/html", 9) == 0);
        assert (strstr (response.body, "/graphiql/graphiql.min.js"));
        assert (strstr (dp_test_http_header (&response, "Content-Security-Policy"),
                        "default-src 'self'"));
        dp_test_http_free (&response);
        dp_test_http_request (port, "GET", "/graphiql/depot.js", NULL, NULL, &response);
        assert (response.status == 200 && strstr (response.body, "createFetcher"));
    }
    else
        dp_test_http_expect (&response, 404, "not built into this gateway");
    dp_test_http_free (&response);
    dp_test_http_request (port, "GET", "/graphiql/nothing.js", NULL, NULL, &response);
    dp_test_http_expect (&response, 404, NULL);
    dp_test_http_free (&response);
    assert (dp_test_peer_count (peer) == executes + 5);
}

//  A second gateway: CORS for one origin, an allow-list, and a graceful
//  stop that waits for the request in flight.
static void
s_cors_allow_list_test (dp_gateway_config_t *base, const char *auth)
{
    char manifest_path [] = "/tmp/dp_gateway_test-XXXXXX";
    int fd = mkstemp (manifest_path);
    assert (fd >= 0);
    char hash [65], slow [65], manifest [400];
    dp_http_sha256_hex ("{ listed }", 10, hash);
    dp_http_sha256_hex ("{ sleep(ms: 400) }", 18, slow);
    int len = snprintf (manifest, sizeof manifest, "{\"%s\":\"{ listed }\",\"%s\":"
                        "\"{ sleep(ms: 400) }\"}", hash, slow);
    assert (write (fd, manifest, (size_t) len) == len);
    close (fd);
    dp_gateway_config_t config = *base;
    config.backend_endpoint = "inproc://dp-gateway-test-backend-3";
    config.cors_origins = "https://app.example, https://other.example";
    config.persisted_queries = manifest_path;
    int port = 0;
    zactor_t *gateway = dp_gateway_actor_new (&config, &port);
    assert (gateway);
    zactor_t *peer = zactor_new (dp_test_peer_actor, (void *) "inproc://dp-gateway-test-backend-3");
    s_wait_resolvers (gateway, 1);
    dp_test_http_response_t response;
    char headers [4400];

    //  CORS: the allowed origin is echoed; another gets nothing; the
    //  preflight answers without a token.
    snprintf (headers, sizeof headers, "%sOrigin: https://app.example\r\n", auth);
    dp_test_http_request (port, "POST", "/graphql", headers, "{\"query\":\"{ listed }\"}", &response);
    dp_test_http_expect (&response, 200, "\"queryLength\":10");
    assert (strncmp (dp_test_http_header (&response, "Access-Control-Allow-Origin"),
                     "https://app.example\r", 20) == 0);
    assert (strncmp (dp_test_http_header (&response, "Vary"), "Origin", 6) == 0);
    dp_test_http_free (&response);
    snprintf (headers, sizeof headers, "%sOrigin: https://evil.example\r\n", auth);
    dp_test_http_request (port, "POST", "/graphql", headers, "{\"query\":\"{ listed }\"}", &response);
    assert (response.status == 200 && !dp_test_http_header (&response, "Access-Control-Allow-Origin"));
    dp_test_http_free (&response);
    dp_test_http_request (port, "OPTIONS", "/graphql", "Origin: https://other.example\r\n"
               "Access-Control-Request-Method: POST\r\n"
               "Access-Control-Request-Headers: authorization, content-type\r\n", NULL, &response);
    if (response.status != 204)
        fprintf (stderr, "%s%s\n", response.head, response.body);
    assert (response.status == 204);
    assert (strncmp (dp_test_http_header (&response, "Access-Control-Allow-Origin"),
                     "https://other.example", 21) == 0);
    assert (strstr (dp_test_http_header (&response, "Access-Control-Allow-Headers"), "Authorization"));
    assert (strstr (dp_test_http_header (&response, "Access-Control-Allow-Methods"), "POST"));
    dp_test_http_free (&response);
    dp_test_http_request (port, "OPTIONS", "/graphql", "Origin: https://evil.example\r\n"
               "Access-Control-Request-Method: POST\r\n", NULL, &response);
    dp_test_http_expect (&response, 403, "Origin not allowed.");
    dp_test_http_free (&response);

    //  Allow-list: the listed operation runs by text or by hash; any other
    //  text is refused, and nothing is registered.
    dp_test_http_request (port, "POST", "/graphql", auth, "{\"query\":\"{ unlisted }\"}", &response);
    dp_test_http_expect (&response, 200, "\"PERSISTED_QUERY_NOT_IN_LIST\"");
    dp_test_http_free (&response);
    char body [400];
    snprintf (body, sizeof body, "{\"extensions\":{\"persistedQuery\":{\"version\":1,"
              "\"sha256Hash\":\"%s\"}}}", hash);
    dp_test_http_request (port, "POST", "/graphql", auth, body, &response);
    dp_test_http_expect (&response, 200, "\"queryLength\":10");
    dp_test_http_free (&response);
    assert (dp_test_peer_count (peer) == 3);

    //  Graceful stop: a request in flight when $TERM comes is answered in
    //  full before the gateway stops.
    fd = dp_test_http_connect (port);
    dp_test_http_send (fd, "POST", "/graphql", auth, "{\"query\":\"{ sleep(ms: 400) }\"}", false);
    zclock_sleep (100);
    int64_t started = zclock_mono ();
    zactor_destroy (&gateway);
    assert (zclock_mono () - started >= 200);           //  it waited for the request
    assert (dp_test_http_read (fd, &response) == 0);
    dp_test_http_expect (&response, 200, "\"queryLength\":18");
    assert (strstr (dp_test_http_header (&response, "Connection"), "close"));
    dp_test_http_free (&response);
    close (fd);
    zactor_destroy (&peer);
    remove (manifest_path);
}

void
dp_gateway_test (bool verbose)
{
    printf (" * dp_gateway: ");
    //  Keys made here: one right, one wrong.
    char *pems [2], *public_pem = NULL;
    for (int i = 0; i < 2; i++) {
        EVP_PKEY *key = EVP_RSA_gen (2048);
        assert (key);
        BIO *bio = BIO_new (BIO_s_mem ());
        PEM_write_bio_PrivateKey (bio, key, NULL, NULL, 0, NULL, NULL);
        char *data;
        long n = BIO_get_mem_data (bio, &data);
        pems [i] = strndup (data, (size_t) n);
        BIO_free (bio);
        if (i == 0) {
            bio = BIO_new (BIO_s_mem ());
            PEM_write_bio_PUBKEY (bio, key);
            n = BIO_get_mem_data (bio, &data);
            public_pem = strndup (data, (size_t) n);
            BIO_free (bio);
        }
        EVP_PKEY_free (key);
    }

    dp_gateway_config_t config;
    dp_gateway_config_defaults (&config);
    config.listen_host = "127.0.0.1";
    config.port = 0;
    config.backend_endpoint = S_TEST_BACKEND;
    config.auth0_domain = S_TEST_DOMAIN;
    config.auth0_audience = S_TEST_AUDIENCE;
    config.public_key_pem = public_pem;
    config.max_body = 2000;
    config.threads = 8;
    config.max_inflight = 3;
    config.deadline_ms = 1500;
    config.heartbeat_ms = 100;
    //  Under the deadline, so a resolver that dies is noticed by silence
    //  first (503, where the deadline would answer 504); 400 ms dropped the
    //  test's live resolver under TSan on a loaded machine (503 for a 200).
    config.liveness_ms = 1000;
    config.resolver_wait_ms = 200;  //  with no resolver, requests wait this long for one
    config.no_validation = true;    //  the fake resolver answers made-up queries ({ sleep(ms: 400) })

    //  Start-up failures are reported, not fatal: a bad key...
    dp_gateway_config_t bad = config;
    bad.public_key_pem = "nonsense";
    assert (dp_gateway_actor_new (&bad, NULL) == NULL);

    int port = 0;
    zactor_t *gateway = dp_gateway_actor_new (&config, &port);
    assert (gateway);
    assert (port > 0);
    zstr_send (gateway, "PORT");
    int asked = 0;
    zsock_recv (gateway, "i", &asked);
    assert (asked == port);
    if (verbose)
        zstr_send (gateway, "VERBOSE");

    //  ...and a port already in use.
    bad = config;
    bad.port = port;
    bad.backend_endpoint = "inproc://dp-gateway-test-backend-2";
    assert (dp_gateway_actor_new (&bad, NULL) == NULL);

    char *token = s_mint (pems [0], "RS256", 600, S_TEST_AUDIENCE);
    char auth [4096];
    snprintf (auth, sizeof auth, "Authorization: Bearer %s\r\nContent-Type: application/json\r\n",
              token);
    const char *query = "{\"query\":\"{ base(id: 1) { name } }\"}";
    dp_test_http_response_t response;

    //  No resolver connected (for longer than resolver_wait_ms since the
    //  start): 503 with Retry-After.
    dp_test_http_request (port, "POST", "/graphql", auth, query, &response);
    dp_test_http_expect (&response, 503, "The server is busy: retry later.");
    assert (dp_test_http_header (&response, "Retry-After")
            && atoi (dp_test_http_header (&response, "Retry-After")) == 1);
    dp_test_http_free (&response);

    zactor_t *peer = zactor_new (dp_test_peer_actor, (void *) S_TEST_BACKEND);
    s_wait_resolvers (gateway, 1);

    //  The 200 path: the resolver saw the verified identity and the query.
    dp_test_http_request (port, "POST", "/graphql", auth, query, &response);
    dp_test_http_expect (&response, 200, "\"user\":8");
    assert (strstr (response.body, "\"queryLength\":24"));
    assert (strstr (response.body, "\"organisation\":1"));
    assert (strstr (response.body, "\"permissions\":3"));     //  stock:write, stock:read, location:read
    assert (strstr (response.body, "\"god\":false"));
    assert (dp_test_http_header (&response, "X-Request-Id"));
    dp_test_http_free (&response);
    assert (dp_test_peer_count (peer) == 1);

    //  Operation name and variables travel; variables are compact JSON.
    dp_test_http_request (port, "POST", "/graphql", auth,
               "{\"query\":\"query A($x: Int) { a(x: $x) } query B { b }\",\"operationName\":\"A\","
               "\"variables\": { \"x\" : 5 }}", &response);
    dp_test_http_expect (&response, 200, "\"operation\":\"A\"");
    assert (strstr (response.body, "\"variables\":\"{\\\"x\\\":5}\""));
    dp_test_http_free (&response);

    //  Keep-alive: two requests on one connection; the trace id is ours to give.
    int fd = dp_test_http_connect (port);
    char traced [4200];
    snprintf (traced, sizeof traced, "%sX-Request-Id: trace-42\r\n", auth);
    for (int i = 0; i < 2; i++) {
        dp_test_http_send (fd, "POST", "/graphql", traced, query, false);
        assert (dp_test_http_read (fd, &response) == 0);
        dp_test_http_expect (&response, 200, "\"trace\":\"trace-42\"");
        assert (strstr (dp_test_http_header (&response, "Connection"), "keep-alive"));
        dp_test_http_free (&response);
    }
    close (fd);
    assert (dp_test_peer_count (peer) == 4);

    //  401s, and none of them reaches the resolver.
    dp_test_http_request (port, "POST", "/graphql", "Content-Type: application/json\r\n", query,
                          &response);
    dp_test_http_expect (&response, 401, "\"code\":\"authorization_header_missing\"");
    assert (strstr (response.body, "\"description\":\"Authorization header is expected\""));
    dp_test_http_free (&response);
    dp_test_http_request (port, "POST", "/graphql", "Authorization: Bearer abc.def.ghi\r\n",
                          query, &response);
    dp_test_http_expect (&response, 401, "\"code\":\"invalid_header\"");
    dp_test_http_free (&response);
    dp_test_http_request (port, "POST", "/graphql", "Authorization: Token x\r\n", query, &response);
    dp_test_http_expect (&response, 401, "Authorization header must start with Bearer");
    dp_test_http_free (&response);
    const char *bad_tokens [4][3] = {
        { pems [1], "RS256", "invalid_header" },        //  wrong key
        { pems [0], "RS512", "invalid_header" },        //  wrong alg
        { pems [0], "none", "invalid_header" },
        { pems [0], "RS256", "token_expired" },
    };
    for (int i = 0; i < 4; i++) {
        char *bad_token = s_mint (bad_tokens [i][0], bad_tokens [i][1], i == 3 ? -60 : 600,
                                  S_TEST_AUDIENCE);
        char header [4096];
        snprintf (header, sizeof header, "Authorization: Bearer %s\r\n", bad_token);
        dp_test_http_request (port, "POST", "/graphql", header, query, &response);
        char code [64];
        snprintf (code, sizeof code, "\"code\":\"%s\"", bad_tokens [i][2]);
        dp_test_http_expect (&response, 401, code);
        dp_test_http_free (&response);
        zstr_free (&bad_token);
    }
    char *other_audience = s_mint (pems [0], "RS256", 600, "someone-else");
    char header [4096];
    snprintf (header, sizeof header, "Authorization: Bearer %s\r\n", other_audience);
    dp_test_http_request (port, "POST", "/graphql", header, query, &response);
    dp_test_http_expect (&response, 401, "\"code\":\"invalid_claims\"");
    dp_test_http_free (&response);
    zstr_free (&other_audience);
    //  Refused before the body is read: a 401 for an oversize body, too.
    //  (5000 bytes: over max_body, within what the gateway drains, so the
    //  connection ends cleanly and the client surely reads the answer.)
    char *big = (char *) malloc (5001);
    memset (big, 'x', 5000);
    big [5000] = 0;
    dp_test_http_request (port, "POST", "/graphql", "Content-Type: application/json\r\n", big,
                          &response);
    dp_test_http_expect (&response, 401, "authorization_header_missing");
    dp_test_http_free (&response);
    assert (dp_test_peer_count (peer) == 4);

    //  413: announced too large, or growing too large in chunks.
    dp_test_http_request (port, "POST", "/graphql", auth, big, &response);
    dp_test_http_expect (&response, 413, "Request body too large.");
    dp_test_http_free (&response);
    fd = dp_test_http_connect (port);
    char head [4500];
    snprintf (head, sizeof head, "POST /graphql HTTP/1.1\r\nHost: localhost\r\n%s"
              "Transfer-Encoding: chunked\r\n\r\n", auth);
    dp_test_http_write (fd, head, strlen (head));
    for (int i = 0; i < 5; i++) {
        dp_test_http_write (fd, "3e8\r\n", 5);
        dp_test_http_write (fd, big, 1000);
        dp_test_http_write (fd, "\r\n", 2);
    }
    dp_test_http_write (fd, "0\r\n\r\n", 5);
    assert (dp_test_http_read (fd, &response) == 0);
    dp_test_http_expect (&response, 413, "Request body too large.");
    dp_test_http_free (&response);
    close (fd);
    //  A chunked body within the limit is fine.
    fd = dp_test_http_connect (port);
    dp_test_http_write (fd, head, strlen (head));
    snprintf (head, sizeof head, "%zx\r\n%s\r\n0\r\n\r\n", strlen (query), query);
    dp_test_http_write (fd, head, strlen (head));
    assert (dp_test_http_read (fd, &response) == 0);
    dp_test_http_expect (&response, 200, "\"queryLength\":24");
    dp_test_http_free (&response);
    close (fd);
    free (big);

    //  400s: JSON, syntax (with line and column), operation selection.
    dp_test_http_request (port, "POST", "/graphql", auth, "{\"query\": ", &response);
    dp_test_http_expect (&response, 400, "JSON");
    dp_test_http_free (&response);
    char graphql_auth [4200];
    snprintf (graphql_auth, sizeof graphql_auth,
              "%sAccept: application/graphql-response+json\r\n", auth);
    dp_test_http_request (port, "POST", "/graphql", graphql_auth,
                          "{\"query\":\"{\\n  base(id: 1) {\"}", &response);
    dp_test_http_expect (&response, 400, "Syntax Error: Expected Name, found <EOF>.");
    assert (strncmp (dp_test_http_header (&response, "Content-Type"),
                     "application/graphql-response+json", 33) == 0);
    assert (!strstr (response.body, "\"data\""));
    assert (strstr (response.body, "\"locations\":[{\"column\":16,\"line\":2}]"));
    dp_test_http_free (&response);
    dp_test_http_request (port, "POST", "/graphql", graphql_auth,
                          "{\"query\":\"query A { a } query B { b }\"}", &response);
    dp_test_http_expect (&response, 400, "Must provide operation name");
    dp_test_http_free (&response);
    //  With application/json (and without Accept) a GraphQL request error
    //  is 200; a malformed request stays 400 (GraphQL over HTTP, 6.4.1).
    dp_test_http_request (port, "POST", "/graphql", auth, "{\"query\":\"{\"}", &response);
    dp_test_http_expect (&response, 200, "Syntax Error");
    assert (strncmp (dp_test_http_header (&response, "Content-Type"), "application/json", 16) == 0);
    dp_test_http_free (&response);
    dp_test_http_request (port, "POST", "/graphql", graphql_auth, "{ \"not a JSON", &response);
    dp_test_http_expect (&response, 400, "invalid JSON");
    dp_test_http_free (&response);
    dp_test_http_request (port, "POST", "/graphql", auth, "{}", &response);
    dp_test_http_expect (&response, 400, "Must provide query string.");
    dp_test_http_free (&response);
    //  415: not JSON.
    snprintf (header, sizeof header, "Authorization: Bearer %s\r\nContent-Type: text/plain\r\n", token);
    dp_test_http_request (port, "POST", "/graphql", header, query, &response);
    dp_test_http_expect (&response, 415, "Content-Type");
    dp_test_http_free (&response);
    assert (dp_test_peer_count (peer) == 5);

    //  Liveness needs no token.
    dp_test_http_request (port, "GET", "/healthz", NULL, NULL, &response);
    dp_test_http_expect (&response, 200, "\"status\":\"ok\"");
    dp_test_http_free (&response);

    //  404 and 405.
    dp_test_http_request (port, "GET", "/nothing", NULL, NULL, &response);
    dp_test_http_expect (&response, 404, "Not found.");
    dp_test_http_free (&response);
    dp_test_http_request (port, "POST", "/graphql/x", auth, query, &response);
    dp_test_http_expect (&response, 404, NULL);
    dp_test_http_free (&response);
    dp_test_http_request (port, "DELETE", "/graphql", auth, NULL, &response);
    dp_test_http_expect (&response, 405, NULL);
    assert (dp_test_http_header (&response, "Allow")
            && strncmp (dp_test_http_header (&response, "Allow"), "GET, POST, OPTIONS", 18) == 0);
    dp_test_http_free (&response);
    dp_test_http_request (port, "POST", "/healthz", NULL, "{}", &response);
    dp_test_http_expect (&response, 405, NULL);
    dp_test_http_free (&response);

    s_more_http_test (gateway, port, auth, peer);

    //  A resolver slower than the deadline: 504. Its late answer reaches
    //  the same worker thread (same keep-alive connection) and is dropped:
    //  the next request gets its own answer.
    fd = dp_test_http_connect (port);
    dp_test_http_send (fd, "POST", "/graphql", auth, "{\"query\":\"{ sleep(ms: 1800) }\"}", false);
    assert (dp_test_http_read (fd, &response) == 0);
    dp_test_http_expect (&response, 504, NULL);
    dp_test_http_free (&response);
    zclock_sleep (500);             //  the late RESULT arrives meanwhile
    dp_test_http_send (fd, "POST", "/graphql", auth, query, false);
    assert (dp_test_http_read (fd, &response) == 0);
    dp_test_http_expect (&response, 200, "\"queryLength\":24");
    dp_test_http_free (&response);
    close (fd);

    //  A client's shorter deadline (X-Request-Timeout-Ms) on a request the
    //  resolver answers after 1000 ms: 504 after about 300 ms, not at the
    //  gateway's 1500. A longer one is capped, so it changes nothing; a
    //  malformed one is 400 before anything reaches a resolver.
    char timeout_headers [4400];
    snprintf (timeout_headers, sizeof timeout_headers, "%sX-Request-Timeout-Ms: 300\r\n", auth);
    int64_t asked_at = zclock_mono ();
    dp_test_http_request (port, "POST", "/graphql", timeout_headers,
                          "{\"query\":\"{ sleep(ms: 1000) }\"}",
               &response);
    int64_t asked_ms = zclock_mono () - asked_at;
    dp_test_http_expect (&response, 504, "deadline");
    dp_test_http_free (&response);
    assert (asked_ms >= 290 && asked_ms < 900);
    snprintf (timeout_headers, sizeof timeout_headers, "%sX-Request-Timeout-Ms: 99999999\r\n", auth);
    dp_test_http_request (port, "POST", "/graphql", timeout_headers, query, &response);
    dp_test_http_expect (&response, 200, "\"queryLength\":24");
    dp_test_http_free (&response);
    int before = dp_test_peer_count (peer);
    snprintf (timeout_headers, sizeof timeout_headers, "%sX-Request-Timeout-Ms: 0.5\r\n", auth);
    dp_test_http_request (port, "POST", "/graphql", timeout_headers, query, &response);
    dp_test_http_expect (&response, 400, "X-Request-Timeout-Ms");
    dp_test_http_free (&response);
    assert (dp_test_peer_count (peer) == before);
    zclock_sleep (800);             //  the late RESULT of the 504 arrives and is dropped

    //  The client goes away while its request runs: the gateway notices and
    //  the resolver gets a CANCEL for it, long before the answer was due;
    //  the gateway serves on. Also when the client sent more bytes first
    //  (a pipelined request the gateway never read).
    for (int pipelined = 0; pipelined < 2; pipelined++) {
        int cancels = dp_test_peer_cancels (peer);
        fd = dp_test_http_connect (port);
        dp_test_http_send (fd, "POST", "/graphql", auth, "{\"query\":\"{ sleep(ms: 1400) }\"}", false);
        if (pipelined)
            dp_test_http_send (fd, "POST", "/graphql", auth, query, false);
        zclock_sleep (200);
        int64_t closed_at = zclock_mono ();
        close (fd);
        while (dp_test_peer_cancels (peer) == cancels && zclock_mono () - closed_at < 1000)
            zclock_sleep (5);
        int64_t noticed_ms = zclock_mono () - closed_at;
        assert (dp_test_peer_cancels (peer) == cancels + 1);
        assert (noticed_ms < (pipelined ? 600 : 300));
        if (verbose)
            printf ("    client gone%s: CANCEL at the resolver %lld ms later\n",
                    pipelined ? " (after a pipelined request)" : "", (long long) noticed_ms);
        dp_test_http_request (port, "POST", "/graphql", auth, query, &response);
        dp_test_http_expect (&response, 200, "\"queryLength\":24");
        dp_test_http_free (&response);
    }

    //  Kept-alive connections on every one of the 8 threads: the answer
    //  that fills the last thread closes its connection, so that a ninth
    //  client, which would otherwise wait for a kept-alive one to end, is
    //  served at once.
    int held [8];
    for (int i = 0; i < 8; i++) {
        held [i] = dp_test_http_connect (port);
        dp_test_http_send (held [i], "POST", "/graphql", auth, query, false);
        assert (dp_test_http_read (held [i], &response) == 0);
        dp_test_http_expect (&response, 200, NULL);
        const char *connection = dp_test_http_header (&response, "Connection");
        assert (connection && strncmp (connection, i < 7 ? "keep-alive" : "close",
                                       i < 7 ? 10 : 5) == 0);
        dp_test_http_free (&response);
    }
    int64_t ninth_at = zclock_mono ();
    dp_test_http_request (port, "POST", "/graphql", auth, query, &response);
    dp_test_http_expect (&response, 200, "\"queryLength\":24");
    dp_test_http_free (&response);
    assert (zclock_mono () - ninth_at < 1000);
    for (int i = 0; i < 8; i++)
        close (held [i]);
    zclock_sleep (100);

    //  Admission: credit 2 and max_inflight 3; of four concurrent slow
    //  requests three are answered and one is refused with 503 at once.
    int fds [4];
    for (int i = 0; i < 4; i++) {
        fds [i] = dp_test_http_connect (port);
        dp_test_http_send (fds [i], "POST", "/graphql", auth,
                           "{\"query\":\"{ sleep(ms: 300) }\"}", true);
    }
    int ok = 0, refused = 0;
    for (int i = 0; i < 4; i++) {
        assert (dp_test_http_read (fds [i], &response) == 0);
        if (response.status == 200)
            ok++;
        else {
            dp_test_http_expect (&response, 503, "The server is busy");
            refused++;
        }
        dp_test_http_free (&response);
        close (fds [i]);
    }
    assert (ok == 3 && refused == 1);

    //  The resolver dies with a request in flight: 503 (its silence, not
    //  the deadline's 504), and with no resolver left, 503 again.
    dp_test_http_request (port, "POST", "/graphql", auth, "{\"query\":\"{ die }\"}", &response);
    dp_test_http_expect (&response, 503, "The server is busy");
    dp_test_http_free (&response);
    s_wait_resolvers (gateway, 0);
    dp_test_http_request (port, "POST", "/graphql", auth, query, &response);
    dp_test_http_expect (&response, 503, NULL);
    dp_test_http_free (&response);

    s_cors_allow_list_test (&config, auth);

    zactor_destroy (&peer);
    zactor_destroy (&gateway);
    zstr_free (&token);
    free (pems [0]);
    free (pems [1]);
    free (public_pem);
    printf ("OK\n");
}

