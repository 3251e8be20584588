/*  =========================================================================
    dp_datetime_input - a Datetime argument as a UTC DATETIME

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute parses a Datetime argument with Python's
    datetime.fromisoformat and reads it in UTC: a value without an offset
    is UTC, one with an offset is converted (graph_ql/scalars.py). This
    does the same for the forms clients send: YYYY-MM-DD, then optionally
    T or a space, HH:MM[:SS[.ffffff]], then optionally Z or +-HH[:MM].
    Fractions of a second are dropped (DATETIME columns hold whole
    seconds).
@end
*/
#ifndef DP_DATETIME_INPUT_H_INCLUDED
#define DP_DATETIME_INPUT_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

//  Writes text of len bytes as "YYYY-MM-DD HH:MM:SS" in UTC into utc
//  (20 bytes with its NUL). Returns false, writing nothing useful, when
//  text is not such a date-time.
bool dp_datetime_input_utc (const char *text, size_t len, char utc [20]);

void dp_datetime_input_test (bool verbose);

#endif
