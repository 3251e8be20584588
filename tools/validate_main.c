/*  =========================================================================
    depot-validate - parse and validate GraphQL documents, one JSON line each

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The Depot side of the validation oracle (tests/oracle/): for every file
    named on the command line it prints one line of JSON,
        {"file":"...","syntaxError":{"message":"...","locations":[...]}}
    when the document does not parse, or
        {"file":"...","errors":[{"message":"...","locations":[...]}, ...]}
    with the validation errors (an empty list for a valid document), as
    graphql-js's GraphQLError.toJSON writes them. A valid document's line
    also says which operation a request would run, selected after
    validation as graphql-js's execute selects it:
        "operation":{"operation":"query","name":"A"} (name null when
    anonymous), or "operationError":{"message":"..."} when none can be.
    Among the files, --operation-name NAME sets the request's operationName
    for the files after it, and --no-operation-name clears it (the
    default).
@discuss
    Options: --schema FILE validates against that SDL instead of Depot's
    compiled-in schema; --limits applies Depot's default limits against
    hostile queries (the oracle leaves them off: they are Depot's own),
    and --max-depth, --max-aliases, --max-fields, --max-cost and
    --max-variables N set one of them (and turn the limits on), to see a
    document's figures against chosen limits;
    --repeat N validates each document N times and prints the mean time
    per document on stderr (speed is measured, never asserted).
@end
*/
#include "dp_arena.h"
#include "dp_parser.h"
#include "dp_schema.h"
#include "dp_validate.h"
#include "dp_operation.h"
#include "dp_json_writer.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *
s_read_file (const char *path, size_t *len)
{
    FILE *file = strcmp (path, "-") == 0 ? stdin : fopen (path, "rb");
    if (!file)
        return NULL;
    size_t cap = 4096, used = 0;
    char *data = malloc (cap);
    size_t got;
    while (data && (got = fread (data + used, 1, cap - used, file)) > 0) {
        used += got;
        if (used == cap) {
            cap *= 2;
            char *grown = realloc (data, cap);
            if (!grown)
                free (data);
            data = grown;
        }
    }
    if (file != stdin)
        fclose (file);
    *len = used;
    return data;
}

//  Append a string literal, unquoted.
#define S_RAW(out, literal) dp_json_writer_raw ((out), (literal), sizeof (literal) - 1)

//  The operation a request naming operation_name would run, or why none.
static void
s_write_operation (dp_json_writer_t *out, const dp_ast_document_t *doc,
                   const char *operation_name, dp_arena_t *arena)
{
    static const char *kinds [] = { "query", "mutation", "subscription" };
    dp_operation_error_t failure;
    const dp_ast_definition_t *operation = dp_operation_select (
        doc, operation_name, operation_name ? strlen (operation_name) : 0, arena, &failure);
    if (!operation) {
        S_RAW (out, ",\"operationError\":{\"message\":");
        dp_json_writer_string (out, failure.text, failure.len);
    }
    else {
        S_RAW (out, ",\"operation\":{\"operation\":");
        dp_json_writer_cstr (out, kinds [operation->operation]);
        S_RAW (out, ",\"name\":");
        if (operation->name)
            dp_json_writer_cstr (out, operation->name);
        else
            S_RAW (out, "null");
    }
    dp_json_writer_char (out, '}');
}

static double
s_now (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main (int argc, char *argv [])
{
    const char *schema_path = NULL;
    bool limits_on = false;
    long repeat = 1;
    int first = 1;
    dp_validate_limits_t limits;
    dp_validate_limits_default (&limits);
    struct {
        const char *flag;
        size_t *value;
    } limit_flags [] = {
        { "--max-depth", &limits.max_depth }, { "--max-aliases", &limits.max_aliases },
        { "--max-fields", &limits.max_fields }, { "--max-cost", &limits.max_cost },
        { "--max-variables", &limits.max_variables }
    };
    //  Options up to the first file (or the first --operation-name, which
    //  belongs among the files).
    while (first < argc && strncmp (argv [first], "--", 2) == 0
           && strcmp (argv [first], "--operation-name") != 0
           && strcmp (argv [first], "--no-operation-name") != 0) {
        if (strcmp (argv [first], "--schema") == 0 && first + 1 < argc)
            schema_path = argv [first + 1], first += 2;
        else
        if (strcmp (argv [first], "--limits") == 0)
            limits_on = true, first++;
        else
        if (strcmp (argv [first], "--repeat") == 0 && first + 1 < argc)
            repeat = atol (argv [first + 1]), first += 2;
        else {
            size_t i;
            for (i = 0; i < sizeof limit_flags / sizeof limit_flags [0]; i++)
                if (strcmp (argv [first], limit_flags [i].flag) == 0 && first + 1 < argc)
                    break;
            if (i < sizeof limit_flags / sizeof limit_flags [0]) {
                *limit_flags [i].value = (size_t) strtoull (argv [first + 1], NULL, 10);
                limits_on = true;
                first += 2;
                continue;
            }
            fprintf (stderr, "usage: depot-validate [--schema FILE] [--limits] [--max-depth N] ... "
                             "[--repeat N] [--operation-name NAME | --no-operation-name] FILE...\n");
            return 2;
        }
    }
    if (first == argc || repeat < 1) {
        fprintf (stderr, "usage: depot-validate [--schema FILE] [--limits] [--repeat N] "
                         "[--operation-name NAME | --no-operation-name] FILE...\n");
        return 2;
    }
    char err [400];
    dp_schema_t *schema = dp_schema_depot (schema_path, err, sizeof err);
    if (!schema) {
        fprintf (stderr, "depot-validate: %s\n", err);
        return 1;
    }
    dp_validation_errors_t *errors = dp_validation_errors_new ();
    dp_json_writer_t out;
    dp_json_writer_init (&out, 4096);
    double spent = 0;
    size_t validated = 0;
    int rc = 0;
    const char *operation_name = NULL;
    for (int i = first; i < argc; i++) {
        if (strcmp (argv [i], "--operation-name") == 0 && i + 1 < argc) {
            operation_name = argv [++i];
            continue;
        }
        if (strcmp (argv [i], "--no-operation-name") == 0) {
            operation_name = NULL;
            continue;
        }
        size_t len;
        char *source = s_read_file (argv [i], &len);
        if (!source) {
            fprintf (stderr, "depot-validate: cannot read %s\n", argv [i]);
            rc = 1;
            continue;
        }
        out.len = 0;
        S_RAW (&out, "{\"file\":");
        dp_json_writer_cstr (&out, argv [i]);
        dp_arena_t *arena = dp_arena_new (0);
        dp_parse_error_t parse_error;
        dp_ast_document_t *doc = dp_parse (arena, source, len, NULL, &parse_error);
        if (!doc) {
            char location [64];
            S_RAW (&out, ",\"syntaxError\":{\"message\":");
            dp_json_writer_cstr (&out, parse_error.message);
            snprintf (location, sizeof location, ",\"locations\":[{\"line\":%u,\"column\":%u}]}}",
                      parse_error.loc.line, parse_error.loc.column);
            dp_json_writer_raw (&out, location, strlen (location));
        }
        else {
            double start = s_now ();
            for (long r = 0; r < repeat; r++) {
                dp_validation_errors_reset (errors);
                dp_validate (schema, doc, limits_on ? &limits : NULL, errors);
            }
            spent += (s_now () - start) / repeat;
            validated++;
            S_RAW (&out, ",\"errors\":");
            dp_validation_errors_write (errors, &out);
            if (dp_validation_errors_size (errors) == 0)
                s_write_operation (&out, doc, operation_name, arena);
            dp_json_writer_char (&out, '}');
        }
        dp_json_writer_char (&out, '\n');
        fwrite (out.data, 1, out.len, stdout);
        dp_arena_destroy (&arena);
        free (source);
    }
    if (repeat > 1 && validated)
        fprintf (stderr, "depot-validate: %zu documents, mean validation time %.1f us\n",
                 validated, spent / validated * 1e6);
    dp_json_writer_release (&out);
    dp_validation_errors_destroy (&errors);
    dp_schema_destroy (&schema);
    return rc;
}
