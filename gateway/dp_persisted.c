/*  =========================================================================
    dp_persisted - persisted queries: Apollo's APQ cache and an allow-list

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A zhashx from hash to a heap copy of the text, and a zlistx of hashes
    in the order they were stored, for dropping the oldest. Both only ever
    touched under the mutex.
@end
*/
#include "dp_persisted.h"
#include "dp_http_request.h"
#include "dp_log.h"
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <czmq.h>
#include <jansson.h>

typedef struct {
    char *text;                     //  the document, NUL-terminated
    size_t len;
} s_entry_t;

struct _dp_persisted_t {
    pthread_mutex_t mutex;
    zhashx_t *entries;              //  hash -> s_entry_t (owned)
    zlistx_t *order;                //  hashes (owned copies), oldest first
    size_t max_entries;
    bool allow_list;
};

static void
s_entry_destroy (void **item)
{
    s_entry_t *entry = (s_entry_t *) *item;
    if (entry) {
        free (entry->text);
        free (entry);
        *item = NULL;
    }
}

dp_persisted_t *
dp_persisted_new (size_t max_entries)
{
    dp_persisted_t *self = (dp_persisted_t *) calloc (1, sizeof (dp_persisted_t));
    if (!self)
        dp_fatal ("dp_persisted: out of memory");
    pthread_mutex_init (&self->mutex, NULL);
    self->entries = zhashx_new ();
    zhashx_set_destructor (self->entries, s_entry_destroy);
    self->order = zlistx_new ();
    zlistx_set_destructor (self->order, (zlistx_destructor_fn *) zstr_free);
    self->max_entries = max_entries ? max_entries : 1;
    return self;
}

void
dp_persisted_destroy (dp_persisted_t **self_p)
{
    assert (self_p);
    dp_persisted_t *self = *self_p;
    if (self) {
        zlistx_destroy (&self->order);
        zhashx_destroy (&self->entries);
        pthread_mutex_destroy (&self->mutex);
        free (self);
        *self_p = NULL;
    }
}

//  Insert without locking or checks; drops the oldest beyond max_entries
//  (never in allow-list mode, which holds the whole manifest).
static void
s_insert (dp_persisted_t *self, const char *hash, const char *query, size_t len)
{
    if (zhashx_lookup (self->entries, hash))
        return;
    s_entry_t *entry = (s_entry_t *) malloc (sizeof (s_entry_t));
    char *text = (char *) malloc (len + 1);
    if (!entry || !text)
        dp_fatal ("dp_persisted: out of memory");
    memcpy (text, query, len);
    text [len] = 0;
    entry->text = text;
    entry->len = len;
    zhashx_insert (self->entries, hash, entry);
    zlistx_add_end (self->order, strdup (hash));
    while (!self->allow_list && zlistx_size (self->order) > self->max_entries) {
        char *oldest = (char *) zlistx_first (self->order);
        zhashx_delete (self->entries, oldest);
        zlistx_delete (self->order, zlistx_cursor (self->order));
    }
}

int
dp_persisted_load_manifest (dp_persisted_t *self, const char *path, char *err, size_t err_len)
{
    assert (self);
    assert (path);
    json_error_t json_error;
    json_t *root = json_load_file (path, 0, &json_error);
    if (!root) {
        snprintf (err, err_len, "persisted queries %s: %s (line %d)", path, json_error.text,
                  json_error.line);
        return -1;
    }
    //  Collect (id, body) pairs from either format, then check them all
    //  before anything is stored.
    json_t *pairs = json_array ();
    const char *problem = NULL;
    json_t *operations = json_object_get (root, "operations");
    if (json_is_array (operations)) {
        size_t index;
        json_t *operation;
        json_array_foreach (operations, index, operation) {
            json_t *id = json_object_get (operation, "id");
            json_t *body = json_object_get (operation, "body");
            if (!json_is_string (id) || !json_is_string (body)) {
                problem = "every operation needs a string id and body";
                break;
            }
            json_array_append_new (pairs, json_pack ("[O,O]", id, body));
        }
    }
    else
    if (json_is_object (root) && !json_object_get (root, "format")) {
        const char *key;
        json_t *value;
        json_object_foreach (root, key, value) {
            if (!json_is_string (value)) {
                problem = "every value must be a query string";
                break;
            }
            json_array_append_new (pairs, json_pack ("[s,O]", key, value));
        }
    }
    else
        problem = "not an Apollo persisted query manifest nor an object {hash: query}";
    size_t index;
    json_t *pair;
    if (!problem)
        json_array_foreach (pairs, index, pair) {
            const char *id = json_string_value (json_array_get (pair, 0));
            json_t *body = json_array_get (pair, 1);
            char hex [65];
            dp_http_sha256_hex (json_string_value (body), json_string_length (body), hex);
            if (strcmp (id, hex) != 0) {
                snprintf (err, err_len, "persisted queries %s: id %.70s is not the SHA-256 of "
                          "its body (%s)", path, id, hex);
                json_decref (pairs);
                json_decref (root);
                return -1;
            }
        }
    if (problem) {
        snprintf (err, err_len, "persisted queries %s: %s", path, problem);
        json_decref (pairs);
        json_decref (root);
        return -1;
    }
    pthread_mutex_lock (&self->mutex);
    self->allow_list = true;
    zhashx_purge (self->entries);
    zlistx_purge (self->order);
    json_array_foreach (pairs, index, pair) {
        json_t *body = json_array_get (pair, 1);
        s_insert (self, json_string_value (json_array_get (pair, 0)), json_string_value (body),
                  json_string_length (body));
    }
    int loaded = (int) zhashx_size (self->entries);
    pthread_mutex_unlock (&self->mutex);
    json_decref (pairs);
    json_decref (root);
    return loaded;
}

bool
dp_persisted_allow_list (dp_persisted_t *self)
{
    assert (self);
    pthread_mutex_lock (&self->mutex);
    bool allow_list = self->allow_list;
    pthread_mutex_unlock (&self->mutex);
    return allow_list;
}

const char *
dp_persisted_lookup (dp_persisted_t *self, const char *hash, dp_arena_t *arena, size_t *len_p)
{
    assert (self);
    assert (hash);
    assert (arena);
    assert (len_p);
    const char *copy = NULL;
    pthread_mutex_lock (&self->mutex);
    s_entry_t *entry = (s_entry_t *) zhashx_lookup (self->entries, hash);
    if (entry) {
        copy = dp_arena_strndup (arena, entry->text, entry->len);
        *len_p = entry->len;
    }
    pthread_mutex_unlock (&self->mutex);
    return copy;
}

int
dp_persisted_store (dp_persisted_t *self, const char *hash, const char *query, size_t len)
{
    assert (self);
    assert (hash);
    assert (query);
    pthread_mutex_lock (&self->mutex);
    int rc = -1;
    if (!self->allow_list) {
        s_insert (self, hash, query, len);
        rc = 0;
    }
    pthread_mutex_unlock (&self->mutex);
    return rc;
}

dp_persisted_outcome_t
dp_persisted_resolve (dp_persisted_t *self, const char *hash, const char **query_p,
                      size_t *len_p, dp_arena_t *arena)
{
    assert (query_p);
    assert (len_p);
    assert (*query_p || hash);
    if (!self)
        return hash ? DP_PERSISTED_OFF : DP_PERSISTED_UNUSED;
    size_t len = 0;
    if (*query_p) {
        char text_hash [65];
        dp_http_sha256_hex (*query_p, *len_p, text_hash);
        if (hash && strcmp (text_hash, hash) != 0)
            return DP_PERSISTED_MISMATCH;
        if (self->allow_list)
            return dp_persisted_lookup (self, text_hash, arena, &len) ? DP_PERSISTED_HIT
                                                                      : DP_PERSISTED_NOT_IN_LIST;
        if (!hash)
            return DP_PERSISTED_UNUSED;
        dp_persisted_store (self, text_hash, *query_p, *len_p);
        return DP_PERSISTED_REGISTERED;
    }
    const char *query = dp_persisted_lookup (self, hash, arena, &len);
    if (!query)
        return DP_PERSISTED_MISS;
    *query_p = query;
    *len_p = len;
    return DP_PERSISTED_HIT;
}

size_t
dp_persisted_size (dp_persisted_t *self)
{
    assert (self);
    pthread_mutex_lock (&self->mutex);
    size_t size = zhashx_size (self->entries);
    pthread_mutex_unlock (&self->mutex);
    return size;
}


//  --------------------------------------------------------------------------
//  Selftest

static void
s_write_file (const char *path, const char *text)
{
    FILE *file = fopen (path, "w");
    assert (file);
    fputs (text, file);
    fclose (file);
}

static void *
s_hammer (void *args)
{
    dp_persisted_t *store = (dp_persisted_t *) args;
    dp_arena_t *arena = dp_arena_new (0);
    for (int i = 0; i < 2000; i++) {
        char query [32], hash [65];
        int len = snprintf (query, sizeof query, "{ f%d }", i % 50);
        dp_http_sha256_hex (query, (size_t) len, hash);
        dp_persisted_store (store, hash, query, (size_t) len);
        size_t found_len = 0;
        const char *found = dp_persisted_lookup (store, hash, arena, &found_len);
        assert (!found || (found_len == (size_t) len && strcmp (found, query) == 0));
        if (i % 100 == 0)
            dp_arena_reset (arena);
    }
    dp_arena_destroy (&arena);
    return NULL;
}

void
dp_persisted_test (bool verbose)
{
    printf (" * dp_persisted: ");
    dp_arena_t *arena = dp_arena_new (0);
    char h1 [65], h2 [65], h3 [65];
    dp_http_sha256_hex ("{ a }", 5, h1);
    dp_http_sha256_hex ("{ b }", 5, h2);
    dp_http_sha256_hex ("{ c }", 5, h3);

    //  Automatic mode: store, find, and drop the oldest beyond the bound.
    dp_persisted_t *store = dp_persisted_new (2);
    assert (!dp_persisted_allow_list (store));
    size_t len = 0;
    assert (dp_persisted_lookup (store, h1, arena, &len) == NULL);
    assert (dp_persisted_store (store, h1, "{ a }", 5) == 0);
    assert (dp_persisted_store (store, h1, "{ a }", 5) == 0);         //  again: no duplicate
    assert (dp_persisted_size (store) == 1);
    const char *text = dp_persisted_lookup (store, h1, arena, &len);
    assert (text && len == 5 && strcmp (text, "{ a }") == 0);
    assert (dp_persisted_store (store, h2, "{ b }", 5) == 0);
    assert (dp_persisted_store (store, h3, "{ c }", 5) == 0);
    assert (dp_persisted_size (store) == 2);
    assert (dp_persisted_lookup (store, h1, arena, &len) == NULL);   //  the oldest went
    assert (dp_persisted_lookup (store, h3, arena, &len) != NULL);

    //  Four threads storing and looking up at once: every lookup finds
    //  either nothing or the right text (a sanitizer build checks the rest).
    pthread_t threads [4];
    for (int i = 0; i < 4; i++)
        pthread_create (&threads [i], NULL, s_hammer, store);
    for (int i = 0; i < 4; i++)
        pthread_join (threads [i], NULL);
    assert (dp_persisted_size (store) == 2);
    dp_persisted_destroy (&store);
    assert (store == NULL);

    //  Allow-list mode from an Apollo manifest: listed hashes only, and
    //  nothing is stored.
    char path [] = "/tmp/dp_persisted_test-XXXXXX";
    int fd = mkstemp (path);
    assert (fd >= 0);
    close (fd);
    char manifest [1024];
    snprintf (manifest, sizeof manifest,
              "{\"format\":\"apollo-persisted-query-manifest\",\"version\":1,\"operations\":["
              "{\"id\":\"%s\",\"name\":\"A\",\"type\":\"query\",\"body\":\"{ a }\"},"
              "{\"id\":\"%s\",\"name\":\"B\",\"type\":\"query\",\"body\":\"{ b }\"}]}", h1, h2);
    s_write_file (path, manifest);
    store = dp_persisted_new (1);
    char err [300];
    assert (dp_persisted_load_manifest (store, path, err, sizeof err) == 2);
    assert (dp_persisted_allow_list (store));
    assert (dp_persisted_size (store) == 2);     //  the bound does not apply to the list
    text = dp_persisted_lookup (store, h2, arena, &len);
    assert (text && strcmp (text, "{ b }") == 0);
    assert (dp_persisted_store (store, h3, "{ c }", 5) == -1);
    assert (dp_persisted_lookup (store, h3, arena, &len) == NULL);
    //  The policy in allow-list mode: listed texts and hashes run, others
    //  are refused, and nothing is registered.
    const char *query = "{ a }";
    len = 5;
    assert (dp_persisted_resolve (store, NULL, &query, &len, arena) == DP_PERSISTED_HIT);
    query = "{ c }";
    assert (dp_persisted_resolve (store, NULL, &query, &len, arena) == DP_PERSISTED_NOT_IN_LIST);
    assert (dp_persisted_resolve (store, h3, &query, &len, arena) == DP_PERSISTED_NOT_IN_LIST);
    query = NULL;
    assert (dp_persisted_resolve (store, h2, &query, &len, arena) == DP_PERSISTED_HIT);
    assert (query && len == 5 && strcmp (query, "{ b }") == 0);
    assert (dp_persisted_size (store) == 2);
    dp_persisted_destroy (&store);

    //  The policy in automatic mode (Apollo's APQ): a hash alone is unknown
    //  at first, then registered with its text, then enough; a hash that is
    //  not its text's is refused; a text alone runs as sent.
    store = dp_persisted_new (10);
    query = "{ a }";
    len = 5;
    assert (dp_persisted_resolve (store, NULL, &query, &len, arena) == DP_PERSISTED_UNUSED);
    assert (dp_persisted_size (store) == 0);
    query = NULL;
    assert (dp_persisted_resolve (store, h1, &query, &len, arena) == DP_PERSISTED_MISS);
    assert (query == NULL);
    query = "{ a }";
    assert (dp_persisted_resolve (store, h1, &query, &len, arena) == DP_PERSISTED_REGISTERED);
    assert (dp_persisted_size (store) == 1);
    query = NULL;
    len = 0;
    assert (dp_persisted_resolve (store, h1, &query, &len, arena) == DP_PERSISTED_HIT);
    assert (query && len == 5 && strcmp (query, "{ a }") == 0);
    query = "{ b }";
    assert (dp_persisted_resolve (store, h1, &query, &len, arena) == DP_PERSISTED_MISMATCH);
    assert (dp_persisted_lookup (store, h2, arena, &len) == NULL);
    assert (dp_persisted_size (store) == 1);
    dp_persisted_destroy (&store);

    //  Persisted queries off (no store): a hash is not supported, a text
    //  alone runs.
    query = NULL;
    assert (dp_persisted_resolve (NULL, h1, &query, &len, arena) == DP_PERSISTED_OFF);
    query = "{ a }";
    assert (dp_persisted_resolve (NULL, NULL, &query, &len, arena) == DP_PERSISTED_UNUSED);

    //  The plain {hash: query} form.
    snprintf (manifest, sizeof manifest, "{\"%s\": \"{ c }\"}", h3);
    s_write_file (path, manifest);
    store = dp_persisted_new (10);
    assert (dp_persisted_load_manifest (store, path, err, sizeof err) == 1);
    assert (dp_persisted_lookup (store, h3, arena, &len) != NULL);

    //  Bad manifests are refused and leave the store as it was.
    const char *bad [] = {
        "[1, 2]",
        "{\"format\":\"apollo-persisted-query-manifest\",\"operations\":[{\"id\":1}]}",
        "{\"0000000000000000000000000000000000000000000000000000000000000000\": \"{ a }\"}",
        "{\"x\": 1}",
        "not json",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        s_write_file (path, bad [i]);
        err [0] = 0;
        assert (dp_persisted_load_manifest (store, path, err, sizeof err) == -1);
        assert (strstr (err, path));
        assert (dp_persisted_size (store) == 1);
    }
    assert (strstr (err, "line 1"));
    remove (path);
    assert (dp_persisted_load_manifest (store, path, err, sizeof err) == -1);
    dp_persisted_destroy (&store);
    dp_arena_destroy (&arena);
    printf ("OK\n");
}
