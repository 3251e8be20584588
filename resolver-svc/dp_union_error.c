/*  =========================================================================
    dp_union_error - error members of a query's result union

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Covered by tests/integration/test_read_exact_more.py (qrCode) and
    test_standard_products.py.
@end
*/
#include "dp_union_error.h"
#include "dp_exec_hooks.h"
#include "dp_mutation.h"
#include <string.h>

const dp_type_t *
dp_union_member (const plan_field_t *pf, const char *name)
{
    for (size_t v = 0; v < pf->child->n_variants; v++)
        if (strcmp (pf->child->variants [v].object->name, name) == 0)
            return pf->child->variants [v].object;
    return NULL;
}

obj_t *
dp_union_error (dp_exec_t *exec, const plan_field_t *pf, const char *type, const char *name,
                bool has_id, int64_t id, const char *organisation_name)
{
    dp_arena_t *arena = dp_exec_arena (exec);
    dp_record_t *error = dp_record_new_in (arena, type);
    dp_record_set_string (error, "name", name);
    if (has_id)
        dp_record_set_id (error, "id", id);
    if (organisation_name)
        dp_record_set_string (error, "organisationName", organisation_name);
    obj_t *obj = dp_arena_calloc (arena, 1, sizeof *obj);
    obj->type = dp_union_member (pf, type);
    obj->synthetic = error;
    return obj;
}
