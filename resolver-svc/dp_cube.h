/*  =========================================================================
    dp_cube - a statistics cube as a root field: facts and dimensions

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's data cubes (createdBoxes, topProductsDonated, ...) are all
    the same shape: Query.<cube>(baseId) answers a *Data object whose
    `facts` are aggregated rows of plain scalars and whose `dimensions`
    name what the facts' ids stand for. A cube is therefore described, not
    programmed: its db-svc QUERY (whose rows are the facts, every column
    of its set), the permissions it checks, and per dimension field where
    its entries come from. dp_cubes.c holds one dp_cube_t per cube.
@discuss
    Adding a cube:
      1. proto/dp_catalog.h: its column set and Q(query, set); its SQL in
         db-svc (dp_sql_cubes.c) with an entry in dp_sql_catalog.c's query
         table; proto/README.md documents its arguments.
      2. dp_cubes.c: one dp_cube_t (root field, query, permissions,
         dimensions).
      3. dp_mapping.c: { "Query", "<cube>", DP_CUBE_ROOT_BIND }, the *Data
         type's facts and dimensions (DP_CUBE_FACTS_BIND,
         DP_CUBE_DIMENSIONS_BIND), each fact field a COLUMN of the query's
         set (DP_CUBE_ID_LIST for comma lists of ids), each dimension field
         DP_CUBE_DIMENSION_BIND.
    Cost: the facts QUERY and a LOAD of the base (its existence) in the
    first wave, then one LOAD per dimension kind selected (none for a kind
    whose facts name no id): a fixed number of statements whatever the
    number of rows. A caller without the permissions in the base itself
    (another organisation's, for a cross_organisation cube) costs one more
    LOAD and one more wave: the base and its Accepted agreements come first,
    the facts only once they grant access. Cubes are reads: db-svc runs them on the replica when
    one is up, under the request's deadline like every statement.
@end
*/
#ifndef DP_CUBE_H_INCLUDED
#define DP_CUBE_H_INCLUDED

#include "dp_binding.h"
#include "dp_catalog.h"

//  Where a dimension's entries come from.
typedef enum {
    DP_CUBE_FROM_FACT_IDS,      //  rows of `loader` under the ids of the facts' `column`
    DP_CUBE_FROM_FACT_ID_LISTS, //  the same, `column` holding comma lists of ids (tag_ids)
    DP_CUBE_FROM_ALL,           //  every row of `loader`, a constant-keyed "*_all" loader
    DP_CUBE_FROM_KEYS,          //  rows of `loader` under the fixed `keys`
    DP_CUBE_FROM_COMPUTED,      //  `compute` makes the entries (records) from the facts
    DP_CUBE_ALWAYS_NULL         //  null (boxtribute: topProductsCheckedOut's size)
} dp_cube_source_t;

typedef struct _dp_cube_t dp_cube_t;
typedef struct _dp_record_t dp_record_t;

//  A cube's facts as they came from db-svc: full-width rows of its
//  query's column set.
typedef struct {
    row_t **rows;
    size_t n_rows;
} dp_cube_facts_t;

//  One field of a cube's Dimensions type.
typedef struct {
    const char *field;              //  e.g. "product"
    dp_cube_source_t source;
    dp_loader_id_t loader;          //  FACT_IDS, FACT_ID_LISTS, ALL, KEYS
    int column;                     //  FACT_IDS, FACT_ID_LISTS: the facts' column
    const int64_t *keys;            //  KEYS
    size_t n_keys;
    //  COMPUTED: the entries, as records of the field's item type, in arena.
    size_t (*compute) (dp_exec_t *exec, const dp_cube_facts_t *facts, dp_record_t ***entries);
} dp_cube_dimension_t;

#define DP_CUBE_MAX_PERMISSIONS 6
#define DP_CUBE_MAX_DIMENSIONS 6

struct _dp_cube_t {
    const char *root_field;         //  the Query field, e.g. "createdBoxes"
    dp_query_id_t query;            //  its facts; QUERY arguments [base_id:int]
    //  boxtribute's authorize(permission, base_id=baseId) checks.
    const char *in_base [DP_CUBE_MAX_PERMISSIONS];
    //  boxtribute's authorize(permission) checks: in some base.
    const char *anywhere [DP_CUBE_MAX_PERMISSIONS];
    //  boxtribute's authorize_cross_organisation_access: a user of another
    //  organisation reads the base through an Accepted transfer agreement
    //  between it and one of their bases (false: no cross-organisation
    //  access, as for beneficiary data).
    bool cross_organisation;
    dp_cube_dimension_t dimensions [DP_CUBE_MAX_DIMENSIONS];
};

//  The cube served by the Query field named root_field, or NULL (dp_cubes.c).
const dp_cube_t *dp_cube_find (const char *root_field);

//  The hooks the mapping binds a cube's fields to.
void dp_cube_root_collect (dp_exec_t *exec, plan_field_t *pf);
void dp_cube_root_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                            obj_t **children, size_t *n_children);
int dp_cube_root_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
void dp_cube_facts (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                    obj_t **children, size_t *n_children);
void dp_cube_dimensions (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                         obj_t **children, size_t *n_children);
void dp_cube_dimension_collect (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
void dp_cube_dimension_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                                 obj_t **children, size_t *n_children);
int dp_cube_dimension_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
//  A comma list of ids in a STR column (the binding's `column`) as [Int!].
int dp_cube_id_list_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);

#define DP_CUBE_ROOT_BIND       { .kind = BIND_ROOT, .collect = dp_cube_root_collect, \
                                  .children = dp_cube_root_children, .write = dp_cube_root_write }
#define DP_CUBE_FACTS_BIND      { .kind = BIND_SYNTHETIC, .children = dp_cube_facts, .list = true }
#define DP_CUBE_DIMENSIONS_BIND { .kind = BIND_SYNTHETIC, .children = dp_cube_dimensions }
#define DP_CUBE_DIMENSION_BIND  { .kind = BIND_SYNTHETIC, .collect_obj = dp_cube_dimension_collect, \
                                  .children = dp_cube_dimension_children, \
                                  .write = dp_cube_dimension_write, .list = true }
#define DP_CUBE_ID_LIST(set, col) { .kind = BIND_COMPUTED, .write = dp_cube_id_list_write, \
                                  .column = DP_COL_##set##_##col, \
                                  .needs_mask = (uint64_t) 1 << DP_COL_##set##_##col }

//  A shared link's cube (dp_link_data.c): the *Data object (of data_type)
//  over the facts of the cube's QUERY with args (args [0] the base), its
//  QUERY sent in the current wave. No permission is checked, as a link's
//  code is its only key, and the base is not read again: the link named it.
obj_t *dp_cube_link_data (dp_exec_t *exec, plan_field_t *pf, const dp_cube_t *cube,
                          const dp_type_t *data_type, dp_val_t *args, uint32_t n_args);

//  Selftest: id lists.
void dp_cube_test (bool verbose);

#endif
