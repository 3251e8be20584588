/*  =========================================================================
    dp_error - a GraphQL error as a value, and its one serialiser

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_error.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>

static void
s_write_message (const dp_error_t *self, dp_json_writer_t *out)
{
    dp_json_writer_raw (out, "\"message\":", 10);
    const char *message = self->message ? self->message : "";
    dp_json_writer_string (out, message, self->message_len ? self->message_len : strlen (message));
}

static void
s_write_locations (const dp_error_t *self, dp_error_keys_t keys, dp_json_writer_t *out)
{
    char text [64];                 //  {"line":N,"column":N} with 32-bit numbers
    dp_json_writer_raw (out, "\"locations\":[", 13);
    for (size_t i = 0; i < self->n_locations; i++) {
        const dp_loc_t *loc = &self->locations [i];
        int n = keys == DP_ERROR_KEYS_SORTED
              ? snprintf (text, sizeof text, "%s{\"column\":%u,\"line\":%u}", i ? "," : "",
                          loc->column, loc->line)
              : snprintf (text, sizeof text, "%s{\"line\":%u,\"column\":%u}", i ? "," : "",
                          loc->line, loc->column);
        dp_json_writer_raw (out, text, (size_t) n);
    }
    dp_json_writer_char (out, ']');
}

static void
s_write_path (const dp_error_t *self, dp_json_writer_t *out)
{
    if (self->path_json) {
        dp_json_writer_raw (out, "\"path\":", 7);
        dp_json_writer_raw (out, self->path_json, strlen (self->path_json));
        return;
    }
    dp_json_writer_raw (out, "\"path\":[", 8);
    for (size_t i = 0; i < self->path_len; i++) {
        if (i)
            dp_json_writer_char (out, ',');
        if (self->path [i].key)
            dp_json_writer_cstr (out, self->path [i].key);
        else
            dp_json_writer_int (out, (int64_t) self->path [i].index);
    }
    dp_json_writer_char (out, ']');
}

static void
s_write_extensions (const dp_error_t *self, dp_json_writer_t *out)
{
    dp_json_writer_raw (out, "\"extensions\":{\"code\":", 21);
    dp_json_writer_cstr (out, self->code);
    if (self->description) {
        dp_json_writer_raw (out, ",\"description\":", 15);
        dp_json_writer_cstr (out, self->description);
    }
    dp_json_writer_char (out, '}');
}

//  --------------------------------------------------------------------------
//  Write one error as a JSON object.

void
dp_error_write (const dp_error_t *self, dp_error_keys_t keys, dp_json_writer_t *out)
{
    assert (self);
    assert (out);
    bool locations = self->n_locations > 0;
    bool path = self->path != NULL || self->path_json != NULL;
    bool extensions = self->code != NULL;
    dp_json_writer_char (out, '{');
    if (keys == DP_ERROR_KEYS_SORTED) {
        if (extensions) {
            s_write_extensions (self, out);
            dp_json_writer_char (out, ',');
        }
        if (locations) {
            s_write_locations (self, keys, out);
            dp_json_writer_char (out, ',');
        }
        s_write_message (self, out);
        if (path) {
            dp_json_writer_char (out, ',');
            s_write_path (self, out);
        }
    }
    else {
        s_write_message (self, out);
        if (locations) {
            dp_json_writer_char (out, ',');
            s_write_locations (self, keys, out);
        }
        if (path) {
            dp_json_writer_char (out, ',');
            s_write_path (self, out);
        }
        if (extensions) {
            dp_json_writer_char (out, ',');
            s_write_extensions (self, out);
        }
    }
    dp_json_writer_char (out, '}');
}

//  --------------------------------------------------------------------------
//  Write [error, ...].

void
dp_errors_write (const dp_error_t *errors, size_t n, dp_error_keys_t keys, dp_json_writer_t *out)
{
    dp_json_writer_char (out, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            dp_json_writer_char (out, ',');
        dp_error_write (&errors [i], keys, out);
    }
    dp_json_writer_char (out, ']');
}

//  --------------------------------------------------------------------------
//  Write {"errors":[...]}.

void
dp_errors_response (const dp_error_t *errors, size_t n, dp_error_keys_t keys, dp_json_writer_t *out)
{
    dp_json_writer_raw (out, "{\"errors\":", 10);
    dp_errors_write (errors, n, keys, out);
    dp_json_writer_char (out, '}');
}

//  --------------------------------------------------------------------------
//  Self test

static void
s_expect (dp_json_writer_t *out, const char *expected)
{
    if (out->len != strlen (expected) || memcmp (out->data, expected, out->len) != 0) {
        fprintf (stderr, "dp_error: wrote %.*s\n        expected %s\n", (int) out->len, out->data,
                 expected);
        assert (false);
    }
    dp_json_writer_truncate (out, 0);
}

void
dp_error_test (bool verbose)
{
    if (verbose)
        printf (" * dp_error: ");
    dp_json_writer_t out;
    dp_json_writer_init (&out, 64);

    //  The message alone; a message of a given length keeps its NULs.
    dp_error_t plain = { .message = "Must provide an operation." };
    dp_errors_response (&plain, 1, DP_ERROR_KEYS_GRAPHQL_JS, &out);
    s_expect (&out, "{\"errors\":[{\"message\":\"Must provide an operation.\"}]}");
    static const char unknown [] = "Unknown operation named \"Q\0\".";
    dp_error_t nul = { .message = unknown, .message_len = sizeof unknown - 1 };
    dp_error_write (&nul, DP_ERROR_KEYS_GRAPHQL_JS, &out);
    s_expect (&out, "{\"message\":\"Unknown operation named \\\"Q\\u0000\\\".\"}");

    //  Every part, in graphql-js's order and sorted.
    dp_loc_t locations [] = { { 1, 3 }, { 2, 10 } };
    dp_error_path_t path [] = { { "boxes", 0 }, { NULL, 2 }, { "product", 0 } };
    dp_error_t full = { .message = "You don't have access to 'base=2'", .locations = locations,
                        .n_locations = 2, .path = path, .path_len = 3, .code = "FORBIDDEN",
                        .description = "You don't have access to 'base=2'" };
    dp_error_write (&full, DP_ERROR_KEYS_GRAPHQL_JS, &out);
    s_expect (&out, "{\"message\":\"You don't have access to 'base=2'\","
                    "\"locations\":[{\"line\":1,\"column\":3},{\"line\":2,\"column\":10}],"
                    "\"path\":[\"boxes\",2,\"product\"],\"extensions\":{\"code\":\"FORBIDDEN\","
                    "\"description\":\"You don't have access to 'base=2'\"}}");
    dp_error_write (&full, DP_ERROR_KEYS_SORTED, &out);
    s_expect (&out, "{\"extensions\":{\"code\":\"FORBIDDEN\","
                    "\"description\":\"You don't have access to 'base=2'\"},"
                    "\"locations\":[{\"column\":3,\"line\":1},{\"column\":10,\"line\":2}],"
                    "\"message\":\"You don't have access to 'base=2'\",\"path\":[\"boxes\",2,\"product\"]}");

    //  An empty path is written (a root error has one key at least, but the
    //  value decides, not the writer); no errors is an empty list.
    dp_error_t coded = { .message = "m", .path = path, .path_len = 0, .code = "X" };
    dp_errors_write (&coded, 1, DP_ERROR_KEYS_SORTED, &out);
    s_expect (&out, "[{\"extensions\":{\"code\":\"X\"},\"message\":\"m\",\"path\":[]}]");
    dp_errors_response (NULL, 0, DP_ERROR_KEYS_GRAPHQL_JS, &out);
    s_expect (&out, "{\"errors\":[]}");

    dp_json_writer_release (&out);
    if (verbose)
        printf ("OK\n");
}
