/*  =========================================================================
    dp_tagged - Tag.taggedResources: the boxes and beneficiaries carrying a tag

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    As boxtribute's ResourcesForTagLoader: the caller needs
    tag_relation:read (in any base) and beneficiary:read (in any base: the
    loader builds its beneficiary filter on every call), else FORBIDDEN.
    The tag's current assignments (tags_relations.deleted_on NULL) list
    every box, deleted ones included and whatever its base (the Box
    fields check their own access), and the beneficiaries of the bases the
    caller may read with beneficiary:read; boxes and beneficiaries mixed,
    by id (a box first when a box and a beneficiary share an id).
@discuss
    Two list loaders keyed by tag id (stock_by_tag, people_by_tag) fetch
    the rows of every tag of the wave in two statements; each loader asks
    for the columns of its own union member's selections only.

    Covered by tests/integration/test_read_relations.py and
    test_read_exact_more.py.
@end
*/
#include "dp_tagged.h"
#include "dp_exec_hooks.h"
#include "dp_authz.h"
#include <stdio.h>
#include <string.h>

//  The concrete member `name` of the field's union, and the columns its
//  selections read (0 when the query selects nothing on it).
static const dp_type_t *
s_member (const plan_field_t *pf, const char *name, uint64_t *mask)
{
    const dp_type_t *type = NULL;
    for (size_t i = 0; i < pf->child->type->n_possible; i++)
        if (strcmp (pf->child->type->possible [i]->name, name) == 0)
            type = pf->child->type->possible [i];
    *mask = 1;
    for (size_t v = 0; v < pf->child->n_variants; v++)
        if (pf->child->variants [v].object == type)
            *mask |= pf->child->variants [v].mask;
    return type;
}

//  The permission the caller lacks, or NULL.
static const char *
s_denied (dp_exec_t *exec)
{
    dp_authz_t *authz = dp_exec_authz (exec);
    if (!dp_authz_any_base (authz, "tag_relation:read"))
        return "tag_relation:read";
    if (!dp_authz_any_base (authz, "beneficiary:read"))
        return "beneficiary:read";
    return NULL;
}

void
dp_tagged_collect (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    if (s_denied (exec))
        return;
    uint64_t box_mask, people_mask;
    s_member (pf, "Box", &box_mask);
    s_member (pf, "Beneficiary", &people_mask);
    int64_t tag_id = row_int (obj->row, DP_COL_tags_id);
    dp_exec_need (exec, DP_LOADER_stock_by_tag, tag_id, box_mask);
    dp_exec_need (exec, DP_LOADER_people_by_tag, tag_id,
                  people_mask | ((uint64_t) 1 << DP_COL_people_camp_id));
}

void
dp_tagged_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                    obj_t **children, size_t *n_children)
{
    *n_children = 0;
    if (s_denied (exec))
        return;
    uint64_t unused;
    const dp_type_t *box = s_member (pf, "Box", &unused);
    const dp_type_t *beneficiary = s_member (pf, "Beneficiary", &unused);
    int64_t tag_id = row_int (obj->row, DP_COL_tags_id);
    row_t **boxes, **people;
    size_t n_boxes = dp_exec_cached_rows (exec, DP_LOADER_stock_by_tag, tag_id, &boxes);
    size_t n_people = dp_exec_cached_rows (exec, DP_LOADER_people_by_tag, tag_id, &people);
    obj_t *objs = dp_arena_calloc (dp_exec_arena (exec), n_boxes + n_people + 1, sizeof (obj_t));
    //  Both lists come ordered by id: merge them.
    size_t b = 0, p = 0, n = 0;
    dp_authz_t *authz = dp_exec_authz (exec);
    while (b < n_boxes || p < n_people) {
        if (p < n_people) {
            char denied [80];
            if (!dp_authz_base (authz, "beneficiary:read", row_int (people [p], DP_COL_people_camp_id),
                                denied, sizeof denied)) {
                p++;
                continue;
            }
        }
        bool take_box = b < n_boxes
                     && (p == n_people || row_int (boxes [b], DP_COL_stock_id) <= row_int (people [p], DP_COL_people_id));
        if (take_box) {
            objs [n].type = box;
            objs [n++].row = boxes [b++];
        }
        else {
            objs [n].type = beneficiary;
            objs [n++].row = people [p++];
        }
    }
    *children = objs;
    *n_children = n;
}

int
dp_tagged_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    const char *denied = s_denied (exec);
    if (denied)
        return dp_exec_forbidden (exec, pf, denied);
    obj_t *children;
    size_t n;
    dp_tagged_children (exec, pf, obj, &children, &n);
    return dp_exec_write_children (exec, pf, children, n, true);
}
