/*  =========================================================================
    prepare_bench - parse a document again, or ship its tree? (issue 11)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The gateway parses, validates and prepares each request; the resolver
    needs the document's tree too. It can parse the text again or receive
    the tree in EXECUTE. This tool times both, by hand (never in a test):
    dp_parse of the text, against packing the tree's executable parts
    (operations and fragments: selections, aliases, arguments and their
    values, directives, variable definitions, locations) with msgpack and
    unpacking it. The unpacking stops at msgpack's own objects, before any
    dp_ast node would be rebuilt from them, so the tree's side is a lower
    bound of what shipping it would cost.

    Usage: depot-prepare-bench FILE.graphql... (a Release build is the one
    to read)
@end
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <msgpack.h>
#include "dp_arena.h"
#include "dp_parser.h"

#define ROUNDS 5000

static double
s_now_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void
s_pack_cstr (msgpack_packer *pk, const char *text)
{
    if (!text) {
        msgpack_pack_nil (pk);
        return;
    }
    size_t len = strlen (text);
    msgpack_pack_str (pk, len);
    msgpack_pack_str_body (pk, text, len);
}

static void
s_pack_loc (msgpack_packer *pk, dp_loc_t loc)
{
    msgpack_pack_array (pk, 2);
    msgpack_pack_uint32 (pk, loc.line);
    msgpack_pack_uint32 (pk, loc.column);
}

static void
s_pack_value (msgpack_packer *pk, const dp_ast_value_t *value)
{
    msgpack_pack_array (pk, 5);
    msgpack_pack_uint32 (pk, value->kind);
    s_pack_loc (pk, value->loc);
    if (value->text) {
        msgpack_pack_str (pk, value->text_len);
        msgpack_pack_str_body (pk, value->text, value->text_len);
    }
    else
        msgpack_pack_nil (pk);
    msgpack_pack_array (pk, value->n_items);
    for (size_t i = 0; i < value->n_items; i++)
        s_pack_value (pk, value->items [i]);
    msgpack_pack_array (pk, 2 * value->n_fields);
    for (size_t i = 0; i < value->n_fields; i++) {
        s_pack_cstr (pk, value->fields [i].name);
        s_pack_value (pk, value->fields [i].value);
    }
}

static void
s_pack_arguments (msgpack_packer *pk, const dp_ast_argument_t *args, size_t n)
{
    msgpack_pack_array (pk, n);
    for (size_t i = 0; i < n; i++) {
        msgpack_pack_array (pk, 3);
        s_pack_cstr (pk, args [i].name);
        s_pack_loc (pk, args [i].loc);
        s_pack_value (pk, args [i].value);
    }
}

static void
s_pack_directives (msgpack_packer *pk, const dp_ast_directive_t *directives, size_t n)
{
    msgpack_pack_array (pk, n);
    for (size_t i = 0; i < n; i++) {
        msgpack_pack_array (pk, 3);
        s_pack_cstr (pk, directives [i].name);
        s_pack_loc (pk, directives [i].loc);
        s_pack_arguments (pk, directives [i].args, directives [i].n_args);
    }
}

static void
s_pack_type (msgpack_packer *pk, const dp_ast_type_t *type)
{
    msgpack_pack_array (pk, 3);
    msgpack_pack_uint32 (pk, type->kind);
    s_pack_cstr (pk, type->name);
    if (type->of)
        s_pack_type (pk, type->of);
    else
        msgpack_pack_nil (pk);
}

static void
s_pack_selections (msgpack_packer *pk, const dp_ast_selection_set_t *set)
{
    if (!set) {
        msgpack_pack_nil (pk);
        return;
    }
    msgpack_pack_array (pk, set->n_items);
    for (size_t i = 0; i < set->n_items; i++) {
        const dp_ast_selection_t *selection = &set->items [i];
        msgpack_pack_array (pk, 9);
        msgpack_pack_uint32 (pk, selection->kind);
        s_pack_loc (pk, selection->loc);
        s_pack_cstr (pk, selection->alias);
        s_pack_cstr (pk, selection->name);
        s_pack_loc (pk, selection->name_loc);
        s_pack_arguments (pk, selection->args, selection->n_args);
        s_pack_directives (pk, selection->directives, selection->n_directives);
        s_pack_cstr (pk, selection->type_condition);
        s_pack_selections (pk, selection->selection_set);
    }
}

static void
s_pack_document (msgpack_packer *pk, const dp_ast_document_t *doc)
{
    msgpack_pack_array (pk, doc->n_defs);
    for (size_t d = 0; d < doc->n_defs; d++) {
        const dp_ast_definition_t *def = &doc->defs [d];
        msgpack_pack_array (pk, 6);
        msgpack_pack_uint32 (pk, def->kind);
        s_pack_cstr (pk, def->name);
        s_pack_loc (pk, def->loc);
        msgpack_pack_array (pk, def->n_variables);
        for (size_t v = 0; v < def->n_variables; v++) {
            msgpack_pack_array (pk, 3);
            s_pack_cstr (pk, def->variables [v].name);
            s_pack_loc (pk, def->variables [v].loc);
            s_pack_type (pk, def->variables [v].type);
        }
        s_pack_directives (pk, def->directives, def->n_directives);
        s_pack_selections (pk, def->selection_set);
    }
}

int
main (int argc, char *argv [])
{
    if (argc < 2) {
        fprintf (stderr, "usage: depot-prepare-bench FILE.graphql...\n");
        return 2;
    }
    printf ("%-28s %8s %8s %12s %12s %12s\n", "document", "text B", "tree B", "parse us",
            "pack us", "unpack us");
    for (int f = 1; f < argc; f++) {
        FILE *file = fopen (argv [f], "rb");
        if (!file) {
            fprintf (stderr, "depot-prepare-bench: cannot read %s\n", argv [f]);
            return 1;
        }
        static char text [1 << 20];
        size_t len = fread (text, 1, sizeof text - 1, file);
        fclose (file);
        text [len] = 0;
        dp_arena_t *arena = dp_arena_new (64 * 1024);
        dp_parse_error_t error;
        const dp_ast_document_t *doc = NULL;
        double started = s_now_us ();
        for (int round = 0; round < ROUNDS; round++) {
            dp_arena_reset (arena);
            doc = dp_parse (arena, text, len, NULL, &error);
            if (!doc) {
                fprintf (stderr, "%s: %s\n", argv [f], error.message);
                return 1;
            }
        }
        double parse_us = (s_now_us () - started) / ROUNDS;
        msgpack_sbuffer buf;
        msgpack_sbuffer_init (&buf);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &buf, msgpack_sbuffer_write);
        started = s_now_us ();
        for (int round = 0; round < ROUNDS; round++) {
            msgpack_sbuffer_clear (&buf);
            s_pack_document (&pk, doc);
        }
        double pack_us = (s_now_us () - started) / ROUNDS;
        msgpack_unpacked unpacked;
        msgpack_unpacked_init (&unpacked);
        started = s_now_us ();
        for (int round = 0; round < ROUNDS; round++) {
            size_t offset = 0;
            if (msgpack_unpack_next (&unpacked, buf.data, buf.size, &offset) != MSGPACK_UNPACK_SUCCESS)
                return 1;
        }
        double unpack_us = (s_now_us () - started) / ROUNDS;
        const char *name = strrchr (argv [f], '/');
        printf ("%-28s %8zu %8zu %12.1f %12.1f %12.1f\n", name ? name + 1 : argv [f], len, buf.size,
                parse_us, pack_us, unpack_us);
        msgpack_unpacked_destroy (&unpacked);
        msgpack_sbuffer_destroy (&buf);
        dp_arena_destroy (&arena);
    }
    return 0;
}
