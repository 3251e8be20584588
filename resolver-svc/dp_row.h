/*  =========================================================================
    dp_row - a loaded row and the object it backs

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Rows live in the request's cache (dp_exec_cache); objects are what
    the plan's fields are resolved on: a row or a synthetic value (a page).
@end
*/
#ifndef DP_ROW_H_INCLUDED
#define DP_ROW_H_INCLUDED

#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include "dp_msg.h"
#include "dp_schema.h"

//  A row of a loader's column set; cells are full width (one per catalog
//  column), only the columns in `mask` are meaningful.
typedef struct {
    dp_val_t *cells;
    uint64_t mask;
    uint32_t stamp;             //  last batch that listed this row (dedup)
} row_t;

//  An object being resolved: its concrete type and where its data is.
typedef struct {
    const dp_type_t *type;
    row_t *row;                 //  table-backed objects
    void *synthetic;            //  e.g. a page (BoxPage, PageInfo)
} obj_t;

//  A row's cell as an int (0 when nil).
static inline int64_t
row_int (const row_t *row, int column)
{
    return row->cells [column].type == DP_VAL_INT ? row->cells [column].u.i : 0;
}

static inline bool
row_is_nil (const row_t *row, int column)
{
    return row->cells [column].type == DP_VAL_NIL;
}

//  A string cell over text (borrowed; NULL: nil), as ROWS decodes one;
//  for rows written by hand (selftests).
static inline dp_val_t
row_text_cell (const char *text)
{
    if (!text)
        return (dp_val_t) { .type = DP_VAL_NIL };
    return (dp_val_t) { .type = DP_VAL_STR, .u.s = { text, (uint32_t) strlen (text) } };
}

#endif
