/*  =========================================================================
    dp_link_data - ResolvedLink.data: the cubes of a shared link's view

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's statistics/fields.py: a StatvizDashboard link shows
    beneficiaryDemographics, createdBoxes, movedBoxes and stockOverview of
    its base; a StockOverview link shows stockOverview filtered by the
    tags / notags of its urlParameters. One line per (view, cube) in
    dp_link_data.c; a cube not registered in dp_cubes.c is left out, so
    a line may name a cube before it is served. Each cube's facts QUERY
    goes out in the wave after the link's lookup; its dimensions follow as
    on the root field.
@end
*/
#ifndef DP_LINK_DATA_H_INCLUDED
#define DP_LINK_DATA_H_INCLUDED

#include "dp_binding.h"
#include "dp_catalog.h"

void dp_link_data_collect (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
void dp_link_data_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                            obj_t **children, size_t *n_children);
int dp_link_data_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);

//  The link's columns the data reads.
#define DP_LINK_DATA_MASK ((uint64_t) 1 << DP_COL_shareable_link_view \
                         | (uint64_t) 1 << DP_COL_shareable_link_base_id \
                         | (uint64_t) 1 << DP_COL_shareable_link_url_parameters)
#define DP_LINK_DATA_BIND { .kind = BIND_SYNTHETIC, .collect_obj = dp_link_data_collect, \
                            .children = dp_link_data_children, .write = dp_link_data_write, \
                            .list = true, \
                            .needs_mask = DP_LINK_DATA_MASK }

//  Selftest: urlParameters' tag lists.
void dp_link_data_test (bool verbose);

#endif
