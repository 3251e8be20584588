/*  =========================================================================
    dp_loader_lists - which loaders answer a list of rows per key

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#ifndef DP_LOADER_LISTS_H_INCLUDED
#define DP_LOADER_LISTS_H_INCLUDED

#include <stdbool.h>
#include "dp_catalog.h"

//  True when the loader answers a list of rows per key.
bool dp_loader_is_list (dp_loader_id_t loader);

#endif
