/*  =========================================================================
    dp_json_writer - a growable byte buffer that writes JSON fast

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The resolver writes a whole response (5.9 MB for 8,201 boxes) into one
    buffer in one pass. Callers write punctuation themselves; the writer
    escapes strings and formats numbers. dp_json_writer_truncate rewinds
    to an earlier length, which is how a field's output is replaced by null
    when a non-null error propagates.
@end
*/
#ifndef DP_JSON_WRITER_H_INCLUDED
#define DP_JSON_WRITER_H_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef struct {
    char *data;                 //  the JSON; not NUL-terminated
    size_t len;
    size_t cap;                 //  bytes at data
    size_t headroom;            //  bytes allocated in front of data (a header's room)
} dp_json_writer_t;

//  Embedded-struct init/release (msgpack-c style, the caller owns the struct).
void dp_json_writer_init (dp_json_writer_t *self, size_t initial_cap);

//  The same, with headroom bytes kept free in front of the JSON, where a
//  message header can be written to send the JSON without copying it
//  (dp_json_writer_steal_block).
void dp_json_writer_init_headroom (dp_json_writer_t *self, size_t initial_cap, size_t headroom);
void dp_json_writer_release (dp_json_writer_t *self);

//  Make sure n more bytes fit.
void dp_json_writer_reserve (dp_json_writer_t *self, size_t n);

//  Raw bytes, as they are.
void dp_json_writer_raw (dp_json_writer_t *self, const char *bytes, size_t len);

static inline void
dp_json_writer_char (dp_json_writer_t *self, char c)
{
    if (self->len == self->cap)
        dp_json_writer_reserve (self, 1);
    self->data [self->len++] = c;
}

//  A quoted, escaped JSON string from len bytes of UTF-8. Invalid UTF-8
//  bytes are replaced by U+FFFD so the output is always valid JSON.
void dp_json_writer_string (dp_json_writer_t *self, const char *s, size_t len);

//  A NUL-terminated string, quoted and escaped.
void dp_json_writer_cstr (dp_json_writer_t *self, const char *s);

void dp_json_writer_int (dp_json_writer_t *self, int64_t value);

//  The shortest text that reads back as the same double; non-finite → null.
void dp_json_writer_double (dp_json_writer_t *self, double value);

void dp_json_writer_bool (dp_json_writer_t *self, bool value);
void dp_json_writer_null (dp_json_writer_t *self);

//  Rewind to an earlier length.
void dp_json_writer_truncate (dp_json_writer_t *self, size_t len);

//  Hand the buffer to the caller (who frees it with free()); the writer is
//  left empty and reusable. Only for a writer without headroom.
char *dp_json_writer_steal (dp_json_writer_t *self, size_t *len_p);

//  Hand the whole allocation, headroom included, to the caller, who frees
//  it with free() once done with data (read data, len and cap first); the
//  writer is left empty and reusable, with the same headroom.
void *dp_json_writer_steal_block (dp_json_writer_t *self);

void dp_json_writer_test (bool verbose);

#endif
