/*  =========================================================================
    dp_loader - what the resolver knows of a loader beyond the wire catalog

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Covered by ctest integration_read_api: every list relation and list
    root answers a list, every other relation one object.
@end
*/
#ifndef DP_LOADER_H_INCLUDED
#define DP_LOADER_H_INCLUDED

#include <stdbool.h>
#include "dp_catalog.h"
#include "dp_row.h"

//  True when the loader answers a list of rows per key (a single row
//  otherwise).
bool dp_loader_is_list (dp_loader_id_t loader);

//  True when the loader's key is the id of the rows it answers (column 0 of
//  its column set), as "locations.id" keys locations_by_id: the key alone
//  then says a row's id before the row is loaded.
bool dp_loader_keyed_by_id (dp_loader_id_t loader);

//  True for the loaders of rows written with boxes, which db-svc does not
//  keep between requests: a single box's are read with its lookup by label
//  (dp_exec_chain.c), a round trip sooner. A box's tag links and active
//  shipment detail are kept (dp_db_kept_rows): they go with the next wave,
//  which a box's product and location need anyway, and cost no statement
//  while the feed vouches.
bool dp_loader_read_with_lookup (dp_loader_id_t loader);

//  Put the rows of a list loader under one key in the order the reader
//  shows them, for loaders whose SQL leaves the order to the reader
//  (box_history_by_box: dp_history_entry); others are left as they came.
void dp_loader_order (dp_loader_id_t loader, row_t **rows, size_t n);

#endif
