/*  =========================================================================
    dp_exec_write_test - the selftest of dp_exec_write

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Runs whole requests through dp_exec (plan, cache, writer) on a small
    hand-bound schema; kept apart from dp_exec_write.c so the writer does
    not call the executor that calls it. Linked into the selftest binary only.
@end
*/
#include "dp_exec_private.h"
#include "dp_log.h"
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  -------------------------------------------------------------------------
//  Selftest: a small schema whose fields are bound by hand, a plan built
//  from a document, rows put in the cache as a LOAD's answer would, and
//  the answer compared whole.

static const char *s_test_sdl =
    "type Query { boxes: [Box] box: Box }\n"
    "type Box { id: ID! label: String items: Int! size: Size sizeLabel: String }\n"
    "type Size { id: ID! label: String! }\n";

//  Query.boxes and Query.box: the objects the test puts in s_test_boxes.
static obj_t s_test_boxes [3];
static size_t s_test_n_boxes;

static void
s_test_boxes_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                       obj_t **children, size_t *n_children)
{
    (void) exec, (void) pf, (void) obj;
    *children = s_test_boxes;
    *n_children = s_test_n_boxes;
}

static const dp_binding_t s_test_root_list = {
    .kind = BIND_ROOT, .children = s_test_boxes_children, .list = true };
static const dp_binding_t s_test_root_one = {
    .kind = BIND_ROOT, .children = s_test_boxes_children, .list = false };
static const dp_binding_t s_test_id = { .kind = BIND_COLUMN, .column = DP_COL_stock_id, .conv = CONV_ID };
static const dp_binding_t s_test_label = {
    .kind = BIND_COLUMN, .column = DP_COL_stock_box_id, .conv = CONV_STRING };
static const dp_binding_t s_test_items = {
    .kind = BIND_COLUMN, .column = DP_COL_stock_items, .conv = CONV_INT };
static const dp_binding_t s_test_size = {
    .kind = BIND_FK, .column = DP_COL_stock_size_id, .loader = DP_LOADER_sizes_by_id };
static const dp_binding_t s_test_size_label = {
    .kind = BIND_LOOKUP, .column = DP_COL_stock_size_id, .loader = DP_LOADER_sizes_by_id,
    .value_column = DP_COL_sizes_label, .conv = CONV_STRING };
static const dp_binding_t s_test_size_id = { .kind = BIND_COLUMN, .column = DP_COL_sizes_id, .conv = CONV_ID };
static const dp_binding_t s_test_size_name = {
    .kind = BIND_COLUMN, .column = DP_COL_sizes_label, .conv = CONV_STRING };

//  A stock row: id, label (NULL: null), items (-1: null), size id (0: null).
static row_t *
s_test_stock (dp_arena_t *arena, int64_t id, const char *label, int64_t items, int64_t size_id)
{
    row_t *row = dp_arena_calloc (arena, 1, sizeof *row);
    row->cells = dp_arena_calloc (arena, dp_catalog_loader (DP_LOADER_stock_by_id)->n_columns,
                                  sizeof (dp_val_t));
    row->cells [DP_COL_stock_id] = (dp_val_t) { .type = DP_VAL_INT, .u.i = id };
    if (label)
        row->cells [DP_COL_stock_box_id] = (dp_val_t) {
            .type = DP_VAL_STR, .u.s = { label, (uint32_t) strlen (label) } };
    if (items >= 0)
        row->cells [DP_COL_stock_items] = (dp_val_t) { .type = DP_VAL_INT, .u.i = items };
    if (size_id)
        row->cells [DP_COL_stock_size_id] = (dp_val_t) { .type = DP_VAL_INT, .u.i = size_id };
    return row;
}

//  Plan `query` over schema in a new request, write its answer and check it
//  is `expected`.
static void
s_test_answer (dp_exec_env_t *env, const char *query, const char *expected)
{
    dp_exec_t *exec = dp_exec_new (env);
    dp_plan_error_t plan_error;
    exec->root = dp_plan_build_text (exec->arena, env->schema, query, NULL, &plan_error);
    assert (exec->root);
    exec->root_obj.type = exec->root->type;

    //  Sizes 5 and 6 as a LOAD's answer (key, id, label); 7 was asked, has none.
    int64_t keys [] = { 5, 6, 7 };
    for (size_t k = 0; k < 3; k++)
        dp_exec_cache_need (exec->cache, DP_LOADER_sizes_by_id, keys [k],
                            (uint64_t) 1 << DP_COL_sizes_label, 1);
    int64_t *asked;
    uint64_t mask;
    size_t n_asked = dp_exec_cache_take (exec->cache, DP_LOADER_sizes_by_id, &asked, &mask);
    dp_val_t cells [] = {
        { .type = DP_VAL_INT, .u.i = 5 }, { .type = DP_VAL_INT, .u.i = 5 },
        { .type = DP_VAL_STR, .u.s = { "S", 1 } },
        { .type = DP_VAL_INT, .u.i = 6 }, { .type = DP_VAL_INT, .u.i = 6 },
        { .type = DP_VAL_NIL },
    };
    dp_exec_cache_store (exec->cache, DP_LOADER_sizes_by_id, mask, asked, n_asked, cells, 2, 3);
    free (asked);

    dp_exec_write_result (exec);
    size_t len;
    const char *json = dp_exec_json (exec, &len);
    if (strlen (expected) != len || memcmp (json, expected, len) != 0) {
        fprintf (stderr, "query:    %s\nexpected: %s\nwritten:  %.*s\n", query, expected, (int) len, json);
        assert (false);
    }
    assert (dp_exec_done (exec) && dp_exec_http_status (exec) == 200);
    dp_exec_destroy (&exec);
}

void
dp_exec_write_test (bool verbose)
{
    (void) verbose;
    printf (" * dp_exec_write: ");
    const dp_plan_test_binding_t bindings [] = {
        { "Query.boxes", &s_test_root_list }, { "Query.box", &s_test_root_one },
        { "Box.id", &s_test_id }, { "Box.label", &s_test_label }, { "Box.items", &s_test_items },
        { "Box.size", &s_test_size }, { "Box.sizeLabel", &s_test_size_label },
        { "Size.id", &s_test_size_id }, { "Size.label", &s_test_size_name }, { NULL, NULL },
    };
    dp_schema_t *schema = dp_plan_test_schema (s_test_sdl, bindings);
    dp_exec_env_t env = { .schema = schema, .max_page_size = 100 };
    dp_arena_t *arena = dp_arena_new (0);
    const dp_type_t *box = dp_schema_type (schema, "Box");
    s_test_boxes [0] = (obj_t) { box, s_test_stock (arena, 1, "A1", 3, 5), NULL };
    s_test_boxes [1] = (obj_t) { box, s_test_stock (arena, 2, NULL, 4, 0), NULL };
    s_test_boxes [2] = (obj_t) { box, s_test_stock (arena, 3, "C3", 5, 7), NULL };
    s_test_n_boxes = 3;

    //  In query order, aliases as keys, scalars converted, nulls as null;
    //  a foreign key and a lookup read from the cache (7: no row, null).
    s_test_answer (&env, "{ boxes { label n: items id size { label } sizeLabel __typename } }",
        "{\"data\":{\"boxes\":["
        "{\"label\":\"A1\",\"n\":3,\"id\":\"1\",\"size\":{\"label\":\"S\"},\"sizeLabel\":\"S\",\"__typename\":\"Box\"},"
        "{\"label\":null,\"n\":4,\"id\":\"2\",\"size\":null,\"sizeLabel\":null,\"__typename\":\"Box\"},"
        "{\"label\":\"C3\",\"n\":5,\"id\":\"3\",\"size\":null,\"sizeLabel\":null,\"__typename\":\"Box\"}]}}");

    //  A null non-null field nulls its object (a nullable list item) and
    //  says so with the path through the list index.
    s_test_boxes [1].row->cells [DP_COL_stock_items].type = DP_VAL_NIL;
    s_test_answer (&env, "{ boxes { id items } }",
        "{\"data\":{\"boxes\":[{\"id\":\"1\",\"items\":3},null,{\"id\":\"3\",\"items\":5}]},"
        "\"errors\":[{\"message\":\"Cannot return null for non-nullable field Box.items.\","
        "\"locations\":[{\"line\":1,\"column\":14}],\"path\":[\"boxes\",1,\"items\"]}]}");

    //  Through a nullable object; two levels down (Size.label: String!,
    //  size 6 has none), the nearest nullable parent is Box.size.
    s_test_boxes [0].row->cells [DP_COL_stock_size_id].u.i = 6;
    s_test_answer (&env, "{ box { id size { id label } } }",
        "{\"data\":{\"box\":{\"id\":\"1\",\"size\":null}},"
        "\"errors\":[{\"message\":\"Cannot return null for non-nullable field Size.label.\","
        "\"locations\":[{\"line\":1,\"column\":22}],\"path\":[\"box\",\"size\",\"label\"]}]}");

    //  An answer without data: request errors, one or several.
    dp_exec_t *exec = dp_exec_new (&env);
    dp_exec_write_errors_begin (exec);
    dp_loc_t loc = { .line = 2, .column = 7 };
    dp_exec_write_request_error (exec, "first \"one\"", &loc, NULL);
    dp_exec_write_request_error (exec, "second", NULL, "TIMEOUT");
    dp_exec_write_errors_end (exec, 400);
    size_t len;
    const char *json = dp_exec_json (exec, &len);
    const char *expected = "{\"errors\":[{\"message\":\"first \\\"one\\\"\",\"locations\":"
                           "[{\"line\":2,\"column\":7}]},{\"message\":\"second\","
                           "\"extensions\":{\"code\":\"TIMEOUT\"}}]}";
    assert (len == strlen (expected) && memcmp (json, expected, len) == 0);
    assert (dp_exec_done (exec) && dp_exec_http_status (exec) == 400);
    dp_exec_destroy (&exec);

    dp_arena_destroy (&arena);
    dp_schema_destroy (&schema);
    printf ("OK\n");
}
