/*  =========================================================================
    dp_input - coerced input values (arguments and variables)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    What dp_coerce produces and the plan's arguments hold: a value tree
    in the request's arena. Field hooks read their arguments through it.
@end
*/
#ifndef DP_INPUT_H_INCLUDED
#define DP_INPUT_H_INCLUDED

#include <stdint.h>
#include <stddef.h>

typedef enum {
    IN_NULL, IN_INT, IN_FLOAT, IN_STRING, IN_BOOL, IN_ENUM, IN_LIST, IN_OBJECT
} input_kind_t;

typedef struct _input_t input_t;
struct _input_t {
    input_kind_t kind;
    int64_t i;                  //  INT, BOOL; ENUM: value index in its enum type
    double f;                   //  FLOAT (also set for INT)
    const char *s;              //  STRING, ENUM name; ID values are STRING
    input_t **items;            //  LIST
    size_t n_items;
    const char **names;         //  OBJECT: field names ...
    input_t **values;           //  ... and values (only fields that were given or defaulted)
    size_t n_fields;
};

//  The value of OBJECT field `name`, or NULL when absent (dp_coerce.c).
const input_t *input_field (const input_t *object, const char *name);

#endif
