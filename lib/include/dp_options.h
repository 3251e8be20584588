/*  =========================================================================
    dp_options - one declarative table of a binary's settings: flags and env

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Every setting has a --flag and an environment variable (boxtribute's
    names where boxtribute has one, DEPOT_* otherwise). A binary declares a
    table of dp_option_t pointing at its config fields, which hold the
    defaults; dp_options_parse applies the environment, then the flags,
    and prints --help from the same table, so the three never disagree.
@end
*/
#ifndef DP_OPTIONS_H_INCLUDED
#define DP_OPTIONS_H_INCLUDED

#include <stddef.h>
#include <stdbool.h>

typedef enum {
    DP_OPT_STRING,              //  const char ** (points into argv/environ; not copied)
    DP_OPT_INT,                 //  int *
    DP_OPT_SIZE,                //  size_t *
    DP_OPT_BOOL                 //  bool *: "1"/"true"/"yes" or "0"/"false"/"no"; a bare flag sets true
} dp_opt_type_t;

typedef struct {
    const char *flag;           //  e.g. "--port"
    const char *env;            //  e.g. "DEPOT_PORT"; NULL when none
    dp_opt_type_t type;
    void *target;
    const char *help;
    bool secret;                //  --help shows "(set)" instead of the value
} dp_option_t;

//  Apply the environment, then argv. Returns 0 to go on, 1 when --help was
//  printed (exit 0), -1 with err filled on an unknown flag or a bad value
//  (exit 2).
int dp_options_parse (const dp_option_t *options, size_t n_options, int argc, char *argv [],
                      const char *usage, char *err, size_t err_len);

void dp_options_test (bool verbose);

#endif
