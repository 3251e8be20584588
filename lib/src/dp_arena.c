/*  =========================================================================
    dp_arena - a bump allocator: all memory of one request, freed at once

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_arena.h"
#include "dp_log.h"
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <assert.h>

typedef struct _chunk_t {
    struct _chunk_t *next;      //  older chunk
    size_t size;                //  usable bytes after the header
    size_t used;                //  bytes handed out
    max_align_t data [];
} chunk_t;

struct _dp_arena_t {
    chunk_t *head;              //  newest chunk, allocation happens here
    size_t chunk_size;          //  default size of a new chunk
    size_t total_used;          //  bytes handed out since the last reset
};

static chunk_t *
s_chunk_new (size_t size)
{
    chunk_t *chunk = malloc (sizeof (chunk_t) + size);
    if (!chunk)
        dp_fatal ("out of memory allocating %zu bytes", size);
    chunk->next = NULL;
    chunk->size = size;
    chunk->used = 0;
    return chunk;
}

dp_arena_t *
dp_arena_new (size_t chunk_size)
{
    dp_arena_t *self = calloc (1, sizeof (dp_arena_t));
    if (!self)
        dp_fatal ("out of memory");
    self->chunk_size = chunk_size ? chunk_size : 64 * 1024;
    self->head = s_chunk_new (self->chunk_size);
    return self;
}

void
dp_arena_destroy (dp_arena_t **self_p)
{
    assert (self_p);
    dp_arena_t *self = *self_p;
    if (!self)
        return;
    chunk_t *chunk = self->head;
    while (chunk) {
        chunk_t *next = chunk->next;
        free (chunk);
        chunk = next;
    }
    free (self);
    *self_p = NULL;
}

void *
dp_arena_alloc (dp_arena_t *self, size_t size)
{
    assert (self);
    size = (size + 15) & ~(size_t) 15;
    if (size == 0)
        size = 16;
    chunk_t *chunk = self->head;
    if (chunk->size - chunk->used < size) {
        //  A large request gets a chunk of its own, placed behind the head
        //  so the head's free space is not wasted.
        if (size > self->chunk_size / 4) {
            chunk_t *big = s_chunk_new (size);
            big->used = size;
            big->next = chunk->next;
            chunk->next = big;
            self->total_used += size;
            return big->data;
        }
        chunk = s_chunk_new (self->chunk_size);
        chunk->next = self->head;
        self->head = chunk;
    }
    void *ptr = (char *) chunk->data + chunk->used;
    chunk->used += size;
    self->total_used += size;
    return ptr;
}

void *
dp_arena_calloc (dp_arena_t *self, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        dp_fatal ("arena allocation overflow");
    void *ptr = dp_arena_alloc (self, count * size);
    memset (ptr, 0, count * size);
    return ptr;
}

char *
dp_arena_strndup (dp_arena_t *self, const char *s, size_t len)
{
    char *copy = dp_arena_alloc (self, len + 1);
    if (len)
        memcpy (copy, s, len);
    copy [len] = 0;
    return copy;
}

char *
dp_arena_strdup (dp_arena_t *self, const char *s)
{
    return s ? dp_arena_strndup (self, s, strlen (s)) : NULL;
}

char *
dp_arena_printf (dp_arena_t *self, const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    int len = vsnprintf (NULL, 0, fmt, args);
    va_end (args);
    assert (len >= 0);
    char *out = dp_arena_alloc (self, (size_t) len + 1);
    va_start (args, fmt);
    vsnprintf (out, (size_t) len + 1, fmt, args);
    va_end (args);
    return out;
}

void
dp_arena_reset (dp_arena_t *self)
{
    assert (self);
    //  Keep the oldest chunk of the default size; free the rest.
    chunk_t *keep = NULL;
    chunk_t *chunk = self->head;
    while (chunk) {
        chunk_t *next = chunk->next;
        if (!keep && chunk->size == self->chunk_size)
            keep = chunk;
        else
            free (chunk);
        chunk = next;
    }
    if (!keep)
        keep = s_chunk_new (self->chunk_size);
    keep->next = NULL;
    keep->used = 0;
    self->head = keep;
    self->total_used = 0;
}

size_t
dp_arena_used (dp_arena_t *self)
{
    return self->total_used;
}

void
dp_arena_test (bool verbose)
{
    dp_arena_t *arena = dp_arena_new (1024);
    //  Small allocations are aligned and distinct.
    char *a = dp_arena_alloc (arena, 3);
    char *b = dp_arena_alloc (arena, 5);
    assert (((uintptr_t) a & 15) == 0 && ((uintptr_t) b & 15) == 0);
    assert (a != b);
    //  A large allocation does not lose the head chunk's room.
    char *big = dp_arena_alloc (arena, 100000);
    memset (big, 1, 100000);
    char *c = dp_arena_alloc (arena, 16);
    assert (c == b + 16);
    assert (strcmp (dp_arena_strdup (arena, "depot"), "depot") == 0);
    assert (strcmp (dp_arena_printf (arena, "%d-%s", 7, "x"), "7-x") == 0);
    int *zeros = dp_arena_calloc (arena, 100, sizeof (int));
    for (int i = 0; i < 100; i++)
        assert (zeros [i] == 0);
    for (int i = 0; i < 1000; i++)
        dp_arena_alloc (arena, 100);
    dp_arena_reset (arena);
    assert (dp_arena_used (arena) == 0);
    dp_arena_destroy (&arena);
    assert (arena == NULL);
    dp_arena_destroy (&arena);
    if (verbose)
        printf (" * dp_arena: OK\n");
}
