/*  =========================================================================
    depot-print - prints GraphQL documents with Depot's printer, for oracles

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    depot-print FILE...            parse each file and print it back
                                   (dp_print), one JSON line per file:
                                   {"file", "printed"} or {"file", "error",
                                   "line", "column"}
    depot-print --defaults FILE... build a schema from each SDL file and
                                   report every argument's and input
                                   field's default value as introspection
                                   prints it (dp_print_default_value):
                                   {"file", "defaults": {"Type.field(arg:)":
                                   "text" or null}} or {"file", "error"}
@discuss
    tests/oracle/print/oracle_print.mjs runs this and graphql-js over the
    same corpus and compares the lines. Exits 0 when every file was read,
    whatever the documents say; 2 on bad usage or an unreadable file.
@end
*/
#include "dp_arena.h"
#include "dp_parser.h"
#include "dp_printer.h"
#include "dp_schema.h"
#include "dp_json_writer.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  The whole file in a malloc'd buffer, or NULL.
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
    *len_p = got;
    return text;
}

static void
s_line_end (dp_json_writer_t *out)
{
    dp_json_writer_raw (out, "}\n", 2);
    fwrite (out->data, 1, out->len, stdout);
    dp_json_writer_truncate (out, 0);
}

static void
s_print_file (dp_json_writer_t *out, const char *path, const char *text, size_t len)
{
    dp_arena_t *arena = dp_arena_new (0);
    dp_parse_error_t err;
    dp_ast_document_t *doc = dp_parse (arena, text, len, NULL, &err);
    dp_json_writer_raw (out, "{\"file\":", 8);
    dp_json_writer_cstr (out, path);
    if (doc) {
        size_t printed_len;
        char *printed = dp_print (arena, doc, &printed_len);
        dp_json_writer_raw (out, ",\"printed\":", 11);
        dp_json_writer_string (out, printed, printed_len);
    }
    else {
        dp_json_writer_raw (out, ",\"error\":", 9);
        dp_json_writer_cstr (out, err.message);
        char position [64];
        int n = snprintf (position, sizeof position, ",\"line\":%u,\"column\":%u",
                          err.loc.line, err.loc.column);
        dp_json_writer_raw (out, position, (size_t) n);
    }
    s_line_end (out);
    dp_arena_destroy (&arena);
}

static void
s_default (dp_json_writer_t *out, dp_arena_t *arena, bool *first, const char *coordinate,
           const dp_input_value_t *input)
{
    if (!input->default_value)
        return;
    if (!*first)
        dp_json_writer_char (out, ',');
    *first = false;
    dp_json_writer_cstr (out, coordinate);
    dp_json_writer_char (out, ':');
    char *printed = dp_print_default_value (arena, input);
    if (printed)
        dp_json_writer_cstr (out, printed);
    else
        dp_json_writer_null (out);
}

static void
s_defaults_file (dp_json_writer_t *out, const char *path, const char *text, size_t len)
{
    char err [400];
    dp_schema_t *schema = dp_schema_new (text, len, err, sizeof err);
    dp_json_writer_raw (out, "{\"file\":", 8);
    dp_json_writer_cstr (out, path);
    if (!schema) {
        dp_json_writer_raw (out, ",\"error\":", 9);
        dp_json_writer_cstr (out, err);
        s_line_end (out);
        return;
    }
    dp_arena_t *arena = dp_arena_new (0);
    dp_json_writer_raw (out, ",\"defaults\":{", 13);
    bool first = true;
    char coordinate [400];
    for (size_t t = 0; t < dp_schema_type_count (schema); t++) {
        const dp_type_t *type = dp_schema_type_at (schema, t);
        for (size_t f = 0; f < type->n_fields; f++)
            for (size_t a = 0; a < type->fields [f].n_args; a++) {
                snprintf (coordinate, sizeof coordinate, "%s.%s(%s:)", type->name,
                          type->fields [f].name, type->fields [f].args [a].name);
                s_default (out, arena, &first, coordinate, &type->fields [f].args [a]);
            }
        for (size_t i = 0; i < type->n_input_fields; i++) {
            snprintf (coordinate, sizeof coordinate, "%s.%s", type->name, type->input_fields [i].name);
            s_default (out, arena, &first, coordinate, &type->input_fields [i]);
        }
    }
    for (size_t d = 0; d < dp_schema_directive_count (schema); d++) {
        const dp_directive_t *directive = dp_schema_directive_at (schema, d);
        for (size_t a = 0; a < directive->n_args; a++) {
            snprintf (coordinate, sizeof coordinate, "@%s(%s:)", directive->name, directive->args [a].name);
            s_default (out, arena, &first, coordinate, &directive->args [a]);
        }
    }
    dp_json_writer_char (out, '}');
    s_line_end (out);
    dp_arena_destroy (&arena);
    dp_schema_destroy (&schema);
}

int
main (int argc, char *argv [])
{
    bool defaults = argc > 1 && strcmp (argv [1], "--defaults") == 0;
    int first = defaults ? 2 : 1;
    if (argc <= first) {
        fprintf (stderr, "usage: depot-print [--defaults] FILE...\n");
        return 2;
    }
    dp_json_writer_t out;
    dp_json_writer_init (&out, 4096);
    int rc = 0;
    for (int i = first; i < argc; i++) {
        size_t len;
        char *text = s_read_file (argv [i], &len);
        if (!text) {
            fprintf (stderr, "depot-print: cannot read %s\n", argv [i]);
            rc = 2;
            continue;
        }
        if (defaults)
            s_defaults_file (&out, argv [i], text, len);
        else
            s_print_file (&out, argv [i], text, len);
        free (text);
    }
    dp_json_writer_release (&out);
    return rc;
}
