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

//  True when the loader answers a list of rows per key (a single row
//  otherwise).
bool dp_loader_is_list (dp_loader_id_t loader);

#endif
