/*  =========================================================================
    dp_arena - a bump allocator: all memory of one request, freed at once

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    An arena hands out memory from large chunks and frees every chunk in one
    call. A request's AST, variables, loaded rows and result tree live in one
    arena, so nothing inside a request is freed piecemeal.
@discuss
    Out of memory aborts (services fail fast, STYLE.md convention 8).
@end
*/
#ifndef DP_ARENA_H_INCLUDED
#define DP_ARENA_H_INCLUDED

#include <stddef.h>
#include <stdbool.h>

typedef struct _dp_arena_t dp_arena_t;

//  Create an arena whose chunks are at least chunk_size bytes (0: 64 KiB).
//  Caller owns return value and must destroy it with dp_arena_destroy.
dp_arena_t *dp_arena_new (size_t chunk_size);

//  Free every chunk and nullify the caller's reference. Accepts NULL.
void dp_arena_destroy (dp_arena_t **self_p);

//  Return size bytes aligned to 16; memory is NOT zeroed. Valid until the
//  arena is reset or destroyed.
void *dp_arena_alloc (dp_arena_t *self, size_t size);

//  Like dp_arena_alloc, zeroed.
void *dp_arena_calloc (dp_arena_t *self, size_t count, size_t size);

//  Copy len bytes of s into the arena and NUL-terminate the copy.
char *dp_arena_strndup (dp_arena_t *self, const char *s, size_t len);

//  Copy a NUL-terminated string (NULL gives NULL).
char *dp_arena_strdup (dp_arena_t *self, const char *s);

//  printf into the arena.
char *dp_arena_printf (dp_arena_t *self, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

//  Free all chunks but the first, and make the whole arena available again.
void dp_arena_reset (dp_arena_t *self);

//  Bytes handed out since creation or the last reset.
size_t dp_arena_used (dp_arena_t *self);

void dp_arena_test (bool verbose);

#endif
