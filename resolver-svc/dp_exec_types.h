/*  =========================================================================
    dp_exec_types - transitional: what dp_coerce.h needs

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Only dp_coerce.h includes this, until coercion moves to lib/ (issue
    11's request-preparation part), when it goes. Every other file
    includes the narrow header it needs: dp_input.h (coerced values),
    dp_row.h (rows, objects), dp_binding.h (bindings, hook signatures),
    dp_plan.h (the plan), dp_exec_hooks.h (what a hook may ask of its
    request), dp_exec.h (a request, for the actor).
@end
*/
#ifndef DP_EXEC_TYPES_H_INCLUDED
#define DP_EXEC_TYPES_H_INCLUDED

#include "dp_arena.h"
#include "dp_ast.h"
#include "dp_schema.h"
#include "dp_input.h"

#endif
