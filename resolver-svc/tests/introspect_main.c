/*  =========================================================================
    depot-introspect - runs introspection queries without a database

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    depot-introspect --selftest           dp_introspection_hooks's selftest
    depot-introspect SCHEMA QUERY...      execute each query file against
                                          the schema and print each response
                                          on its own line
    SCHEMA is "depot" (Depot's schema with its mapping table bound, as the
    resolver loads it) or an SDL file (introspection bound alone). The
    requests run through the resolver's real plan, waves and writer; an
    introspection query never reaches db-svc, so none is needed. It lives
    with the resolver because it drives the resolver's execution: the
    answers themselves come from lib's dp_introspection.
@discuss
    tests/oracle/introspection/oracle_introspection.mjs compares these
    responses with graphql-js's execution of the same queries over the
    same SDL. Exits 2 on bad usage or an unreadable file, 1 when the
    schema does not build.
@end
*/
#include "dp_resolver_actor.h"
#include "dp_introspection_hooks.h"
#include "dp_exec.h"
#include "dp_log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
s_refuse_send (void *ctx, dp_exec_t *exec, dp_msg_t *msg)
{
    return -1;                  //  no db-svc here: such a request fails with 503
}

static char *
s_read_file (const char *path, size_t *len_p)
{
    FILE *file = fopen (path, "rb");
    if (!file)
        return NULL;
    fseek (file, 0, SEEK_END);
    long size = ftell (file);
    fseek (file, 0, SEEK_SET);
    char *text = size >= 0 ? malloc ((size_t) size + 1) : NULL;
    size_t got = text ? fread (text, 1, (size_t) size, file) : 0;
    fclose (file);
    if (text)
        text [got] = 0;
    *len_p = got;
    return text;
}

int
main (int argc, char *argv [])
{
    if (argc == 2 && strcmp (argv [1], "--selftest") == 0) {
        dp_introspection_hooks_test (true);
        return 0;
    }
    if (argc < 3) {
        fprintf (stderr, "usage: depot-introspect --selftest | depot-introspect depot|SDL-FILE QUERY-FILE...\n");
        return 2;
    }
    dp_log_init ("depot-introspect", DP_LOG_WARN);
    char err [400];
    dp_schema_t *schema;
    if (strcmp (argv [1], "depot") == 0)
        schema = dp_resolver_schema_load (NULL, err, sizeof err);
    else {
        schema = dp_schema_load (argv [1], err, sizeof err);
        if (schema && dp_introspection_hooks_bind (schema, err, sizeof err))
            dp_schema_destroy (&schema);
    }
    if (!schema) {
        fprintf (stderr, "depot-introspect: %s\n", err);
        return 1;
    }
    dp_exec_env_t env = { .schema = schema, .max_page_size = 100000, .max_tokens = 50000,
                          .max_depth = 64, .send = s_refuse_send };
    int rc = 0;
    for (int i = 2; i < argc; i++) {
        size_t len;
        char *query = s_read_file (argv [i], &len);
        if (!query) {
            fprintf (stderr, "depot-introspect: cannot read %s\n", argv [i]);
            rc = 2;
            continue;
        }
        dp_exec_t *exec = dp_exec_new (&env);
        dp_msg_t msg = { .type = DP_MSG_EXECUTE, .id = (uint64_t) i, .trace_id = "" };
        msg.u.execute.identity.beta_user = -1;
        msg.u.execute.query = query;
        msg.u.execute.query_len = (uint32_t) len;
        dp_exec_start (exec, &msg);
        size_t json_len = 0;
        const char *json = dp_exec_done (exec) ? dp_exec_json (exec, &json_len) : "";
        fwrite (json, 1, json_len, stdout);
        fputc ('\n', stdout);
        dp_exec_destroy (&exec);
        free (query);
    }
    dp_schema_destroy (&schema);
    return rc;
}
