/*  =========================================================================
    dp_mut_tag_assign - assignTag and unassignTag: a tag on a box or beneficiary

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    As boxtribute's resolve_assign_tag/assign_tag and resolve_unassign_tag/
    unassign_tag, with top-level errors (these fields have no union): an
    unknown tag or resource is BAD_USER_INPUT "does not exist", a user
    without tag_relation:assign in the tag's base FORBIDDEN, a tag whose
    type does not fit the resource BAD_USER_INPUT (boxtribute's message).
    Depot also refuses a deleted tag and a tag of another base than the
    resource (the box's location's base, the beneficiary's), on both fields,
    and checks the type on unassignTag too (README, Deliberate choices).

    assignTag adds a relation (created_on/by) unless a live one exists;
    unassignTag soft-deletes the live ones (deleted_on/by); either sets the
    resource's modified/modified_by when it wrote a relation, and nothing
    at all otherwise. No history row: boxtribute reads assignments from
    tags_relations.

    Rounds: lock the tag; check it, lock the resource and its live
    relations to the tag (so a concurrent assignment of the same pair waits,
    and no pair is assigned twice); for a box, load its location's base;
    then write; then answer the resource.
@end
*/
#include "dp_mut_tags.h"
#include "dp_tables.h"
#include "dp_mut_values.h"
#include "dp_tag_rules.h"
#include "dp_enums.h"
#include <string.h>

#define S_TAG_COLUMNS (DP_TBIT (tags, id) | DP_TBIT (tags, camp_id) | DP_TBIT (tags, deleted) \
                       | DP_TBIT (tags, type))
enum { S_TAG_ID, S_TAG_CAMP, S_TAG_DELETED, S_TAG_TYPE };

typedef enum { S_LOCK_TAG, S_CHECK_TAG, S_CHECK_RESOURCE, S_CHECK_LOCATION, S_ANSWER } s_phase_t;

typedef struct {
    s_phase_t phase;
    int64_t tag_id;
    int64_t resource_id;
    bool box;                   //  the resource is a box (else a beneficiary)
    int64_t tag_base;
    dp_mutation_reply_t *tag, *resource, *links, *location;
} tag_op_state_t;

static const char *
s_resource_name (const tag_op_state_t *state)
{
    return state->box ? "Box" : "Beneficiary";
}

//  The tag's checks; then lock the resource and the pair's live relations.
static void
s_check_tag (dp_mutation_t *m, tag_op_state_t *state)
{
    if (state->tag->n_rows == 0) {
        dp_mutation_not_found (m);
        return;
    }
    state->tag_base = dp_mutation_cell (state->tag, 0, S_TAG_CAMP)->u.i;
    char denied [64];
    if (!dp_authz_base (dp_mutation_authz (m), "tag_relation:assign", state->tag_base, denied, sizeof denied)) {
        dp_mutation_forbidden (m, denied);
        return;
    }
    if (dp_mutation_cell (state->tag, 0, S_TAG_DELETED)->type != DP_VAL_NIL) {
        dp_mutation_fail (m, "BAD_USER_INPUT", "The tag with ID %lld is deleted.", (long long) state->tag_id);
        return;
    }
    const dp_val_t *type = dp_mutation_cell (state->tag, 0, S_TAG_TYPE);
    const char *tag_type = type->type == DP_VAL_STR ? type->u.s.ptr : NULL;
    const char *resource_type = dp_enums_tag_type_value (s_resource_name (state));
    if (!dp_tag_type_fits (tag_type, resource_type)) {
        //  boxtribute's IncompatibleTagTypeAndResourceType, with TagType's name.
        const char *type_name = tag_type;
        for (size_t i = 0; dp_enums_tag_types [i]; i += 2)
            if (strcmp (dp_enums_tag_types [i], tag_type) == 0)
                type_name = dp_enums_tag_types [i + 1];
        dp_mutation_fail (m, "BAD_USER_INPUT", "The tag with ID %lld and type '%s' cannot be applied to the "
                          "resource of type '%s'", (long long) state->tag_id, type_name, s_resource_name (state));
        return;
    }
    dp_val_t resource_id = dp_mut_int (state->resource_id);
    if (state->box) {
        dp_mutation_where_t by_id = { DP_TCOL_stock_id, &resource_id, 1 };
        state->resource = dp_mutation_select (m, DP_TABLE_stock, DP_TBIT (stock, id) | DP_TBIT (stock, location_id),
                                              &by_id, 1, true);
    }
    else {
        dp_mutation_where_t by_id = { DP_TCOL_people_id, &resource_id, 1 };
        state->resource = dp_mutation_select (m, DP_TABLE_people, DP_TBIT (people, id) | DP_TBIT (people, camp_id),
                                              &by_id, 1, true);
    }
    dp_val_t tag_id = dp_mut_int (state->tag_id);
    dp_val_t object_type = dp_mut_text (resource_type);
    dp_val_t live = dp_mut_nil ();
    dp_mutation_where_t pair [] = {
        { DP_TCOL_tags_relations_object_id, &resource_id, 1 },
        { DP_TCOL_tags_relations_tag_id, &tag_id, 1 },
        { DP_TCOL_tags_relations_object_type, &object_type, 1 },
        { DP_TCOL_tags_relations_deleted_on, &live, 1 },
    };
    state->links = dp_mutation_select (m, DP_TABLE_tags_relations, DP_TBIT (tags_relations, id), pair, 4, true);
    state->phase = S_CHECK_RESOURCE;
}

//  Set the resource's modified/modified_by to the field's time and user.
static void
s_touch_resource (dp_mutation_t *m, tag_op_state_t *state, dp_val_t now, dp_val_t user)
{
    dp_val_t id = dp_mut_int (state->resource_id);
    dp_val_t values [] = { now, user };
    if (state->box) {
        dp_mutation_where_t by_id = { DP_TCOL_stock_id, &id, 1 };
        dp_mutation_update (m, DP_TABLE_stock, DP_TBIT (stock, modified) | DP_TBIT (stock, modified_by),
                            values, &by_id, 1);
    }
    else {
        dp_mutation_where_t by_id = { DP_TCOL_people_id, &id, 1 };
        dp_mutation_update (m, DP_TABLE_people, DP_TBIT (people, modified) | DP_TBIT (people, modified_by),
                            values, &by_id, 1);
    }
}

//  The resource's base is known: refuse another base's tag, or write.
static void
s_write (dp_mutation_t *m, tag_op_state_t *state, int64_t resource_base, bool assign)
{
    if (resource_base != state->tag_base) {
        dp_mutation_fail (m, "BAD_USER_INPUT", "The tag with ID %lld belongs to another base than the resource "
                          "of type '%s'.", (long long) state->tag_id, s_resource_name (state));
        return;
    }
    state->phase = S_ANSWER;
    uint32_t n_links = state->links->n_rows;
    if (assign ? n_links > 0 : n_links == 0) {
        //  Nothing to do (boxtribute's "do nothing"): nothing written.
        dp_mutation_return_object (m, state->box ? DP_LOADER_stock_by_id : DP_LOADER_people_by_id,
                                   state->resource_id);
        return;
    }
    dp_val_t now = dp_mut_text (dp_mutation_now (m));
    dp_val_t user = dp_mut_int (dp_mutation_identity (m)->user_id);
    if (assign) {
        dp_val_t row [] = {
            dp_mut_int (state->resource_id), dp_mut_text (dp_enums_tag_type_value (s_resource_name (state))),
            dp_mut_int (state->tag_id), now, user
        };
        dp_mutation_insert (m, DP_TABLE_tags_relations,
                            DP_TBIT (tags_relations, object_id) | DP_TBIT (tags_relations, object_type)
                            | DP_TBIT (tags_relations, tag_id) | DP_TBIT (tags_relations, created_on)
                            | DP_TBIT (tags_relations, created_by_id), row, 1);
    }
    else {
        //  Every live relation of the pair (legacy data may hold two).
        dp_val_t *ids = dp_arena_calloc (dp_mutation_arena (m), n_links, sizeof *ids);
        for (uint32_t i = 0; i < n_links; i++)
            ids [i] = *dp_mutation_cell (state->links, i, 0);
        dp_mutation_where_t by_id = { DP_TCOL_tags_relations_id, ids, n_links };
        dp_val_t removal [] = { now, user };
        dp_mutation_update (m, DP_TABLE_tags_relations,
                            DP_TBIT (tags_relations, deleted_on) | DP_TBIT (tags_relations, deleted_by_id),
                            removal, &by_id, 1);
    }
    s_touch_resource (m, state, now, user);
}

static void
s_step (dp_mutation_t *m, tag_op_state_t *state, const char *argument, bool assign)
{
    switch (state->phase) {
        case S_LOCK_TAG: {
            const input_t *input = input_field (dp_mutation_args (m), argument);
            const input_t *kind = input_field (input, "resourceType");
            if (!dp_input_id (input_field (input, "id"), &state->tag_id)
            ||  !dp_input_id (input_field (input, "resourceId"), &state->resource_id)
            ||  !kind || kind->kind != IN_ENUM) {
                dp_mutation_not_found (m);
                return;
            }
            state->box = strcmp (kind->s, "Box") == 0;
            dp_val_t id = dp_mut_int (state->tag_id);
            dp_mutation_where_t by_id = { DP_TCOL_tags_id, &id, 1 };
            state->tag = dp_mutation_select (m, DP_TABLE_tags, S_TAG_COLUMNS, &by_id, 1, true);
            state->phase = S_CHECK_TAG;
            return;
        }
        case S_CHECK_TAG:
            s_check_tag (m, state);
            return;
        case S_CHECK_RESOURCE:
            if (state->resource->n_rows == 0)
                dp_mutation_not_found (m);
            else
            if (state->box) {
                int64_t location = dp_mutation_cell (state->resource, 0, 1)->u.i;
                state->location = dp_mutation_load (m, DP_LOADER_locations_by_id, 1ull << DP_COL_locations_camp_id,
                                                    &location, 1);
                state->phase = S_CHECK_LOCATION;
            }
            else
                s_write (m, state, dp_mutation_cell (state->resource, 0, 1)->u.i, assign);
            return;
        case S_CHECK_LOCATION: {
            //  LOAD cells: the key, then camp_id.
            const dp_val_t *base = state->location->n_rows ? dp_mutation_cell (state->location, 0, 1) : NULL;
            s_write (m, state, base && base->type == DP_VAL_INT ? base->u.i : -1, assign);
            return;
        }
        case S_ANSWER:
            dp_mutation_return_object (m, state->box ? DP_LOADER_stock_by_id : DP_LOADER_people_by_id,
                                       state->resource_id);
            return;
    }
}

static void
s_assign_step (dp_mutation_t *m, void *state)
{
    s_step (m, state, "assignmentInput", true);
}

static void
s_unassign_step (dp_mutation_t *m, void *state)
{
    s_step (m, state, "unassignmentInput", false);
}

const dp_mutation_def_t dp_mut_assign_tag = {
    .name = "assignTag", .state_size = sizeof (tag_op_state_t), .step = s_assign_step
};

const dp_mutation_def_t dp_mut_unassign_tag = {
    .name = "unassignTag", .state_size = sizeof (tag_op_state_t), .step = s_unassign_step
};
