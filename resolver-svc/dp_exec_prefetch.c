/*  =========================================================================
    dp_exec_prefetch - a single object's grandchildren, asked a wave early

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A wave asks for what the objects it holds need; what their children
    need waits for the children's rows, a round trip later. For one object
    (a box by its label, a QR code's box) some of that is known already:
    an FK's value is the child's id when its loader is keyed by id, and
    the parent may carry a column equal to one of the child's (the
    binding's `same`: a box's computed base_id is its location's
    camp_id). So the wave that asks for the child also asks for the
    child's relations keyed by those cells, and their children's in turn
    (Box.location, Location.base and Base.locations in one wave), with the
    columns the later wave would ask for: when the child's batch comes,
    its keys are in the cache and nothing more goes out.
@discuss
    Only for single objects (no list on the way from the root: plan_node_t
    single), so the statements a list takes stay one per loader and wave,
    and only the fields every concrete type of the child selects, so
    nothing is asked that the child's type would not ask for. A relation
    asked early may be one the child's authorisation hides in the end (a
    location of a base the user may not read): its rows are loaded and not
    written. Covered by tests/integration/test_single_object_waves.py.
@end
*/
#include "dp_exec_private.h"
#include "dp_loader.h"

//  True when every concrete type of node selects a field of this binding's
//  kind, loader and key column.
bool
dp_exec_in_every_variant (const plan_node_t *node, const dp_binding_t *bind)
{
    for (size_t v = 0; v < node->n_variants; v++) {
        const variant_t *variant = &node->variants [v];
        bool found = false;
        for (size_t f = 0; f < variant->n_fields && !found; f++) {
            const dp_binding_t *other = variant->fields [f].bind;
            found = other->kind == bind->kind && other->loader == bind->loader
                 && other->column == bind->column;
        }
        if (!found)
            return false;
    }
    return true;
}

static bool
s_is_keyed_relation (const dp_binding_t *bind)
{
    return bind->kind == BIND_FK || bind->kind == BIND_REVERSE
        || bind->kind == BIND_THROUGH || bind->kind == BIND_LOOKUP;
}

void
dp_exec_prefetch (dp_exec_t *self, const plan_field_t *pf, const row_t *parent)
{
    const dp_binding_t *bind = pf->bind;
    const dp_val_t *key = &parent->cells [bind->column];
    const dp_catalog_entry_t *entry = dp_catalog_loader (bind->loader);
    if (key->type != DP_VAL_INT || !entry || !pf->child)
        return;
    //  The child's row as far as it is known without loading it.
    row_t known = { .cells = dp_arena_calloc (self->arena, entry->n_columns, sizeof (dp_val_t)) };
    bool any = false;
    if (dp_loader_keyed_by_id (bind->loader)) {
        known.cells [0] = *key;
        any = true;
    }
    for (size_t e = 0; e < bind->n_same; e++) {
        const dp_val_t *cell = &parent->cells [bind->same [e].parent_column];
        if (cell->type == DP_VAL_INT && (size_t) bind->same [e].child_column < entry->n_columns) {
            known.cells [bind->same [e].child_column] = *cell;
            any = true;
        }
    }
    if (!any)
        return;
    const plan_node_t *node = pf->child;
    for (size_t v = 0; v < node->n_variants; v++) {
        const variant_t *variant = &node->variants [v];
        for (size_t f = 0; f < variant->n_fields; f++) {
            const plan_field_t *field = &variant->fields [f];
            const dp_binding_t *child_bind = field->bind;
            if (!s_is_keyed_relation (child_bind)
            ||  (size_t) child_bind->column >= entry->n_columns
            ||  known.cells [child_bind->column].type != DP_VAL_INT
            ||  !dp_exec_in_every_variant (node, child_bind))
                continue;
            dp_exec_collect_keys (self, field, &known);
            if (child_bind->kind == BIND_FK && dp_exec_any_base_allowed (self, child_bind))
                dp_exec_prefetch (self, field, &known);
        }
    }
}
