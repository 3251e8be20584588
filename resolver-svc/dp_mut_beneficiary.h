/*  =========================================================================
    dp_mut_beneficiary - the beneficiary mutations: createBeneficiary,
    createBeneficiaries, updateBeneficiary, deactivateBeneficiary

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Each is a dp_mutation_def_t (dp_mutation.h), bound to its Mutation field
    in dp_mapping.c: dp_mut_beneficiary_create.c (both creations, one path
    for one row or many), dp_mut_beneficiary_update.c,
    dp_mut_beneficiary_deactivate.c. boxtribute's semantics
    (business_logic/beneficiary), with the choices README's "Deliberate
    choices" lists. What they share about a `people` row is here
    (dp_mut_beneficiary.c).
@end
*/
#ifndef DP_MUT_BENEFICIARY_H_INCLUDED
#define DP_MUT_BENEFICIARY_H_INCLUDED

#include "dp_mutation.h"
#include "dp_tables.h"

extern const dp_mutation_def_t dp_mut_create_beneficiary;
extern const dp_mutation_def_t dp_mut_create_beneficiaries;
extern const dp_mutation_def_t dp_mut_update_beneficiary;
extern const dp_mutation_def_t dp_mut_deactivate_beneficiary;

//  The zero date boxtribute's tables hold for "never" in `people.deleted`
//  and `people.date_of_signature` (NOT NULL columns).
#define DP_MUT_BENEFICIARY_ZERO_DATETIME "0000-00-00 00:00:00"

//  The stored value of a HumanGender name: 'M', 'F', and '' for Diverse
//  (boxtribute's HumanGenderField); NULL for an unknown name.
const char *dp_mut_beneficiary_gender_value (const char *name);

//  HumanGender's value as boxtribute's history prints it ("M", "F", "D")
//  of a stored gender ('' and 'D' are both Diverse).
const char *dp_mut_beneficiary_gender_shown (const dp_val_t *stored);

//  The languages of a [Language!] argument as `languages.id` (nl 1 ...
//  ckb 6), each once, ascending (arena). Returns their number (0 for
//  NULL, null or []).
size_t dp_mut_beneficiary_languages (dp_mutation_t *m, const input_t *list, int64_t **ids);

//  INSERT the rows of x_people_languages: each person of people_ids
//  (n_people) with the languages of its own list (languages [i],
//  n_languages [i]). Nothing when there is none; returns the reply or NULL.
dp_mutation_reply_t *dp_mut_beneficiary_insert_languages (dp_mutation_t *m, const int64_t *people_ids,
                                                      int64_t *const *languages,
                                                      const size_t *n_languages, size_t n_people);

//  A `people` row built by column (index DP_TCOL_people_*), then packed
//  into the values of the columns a mask names, in column order (arena).
//  Columns not set are NIL.
dp_val_t *dp_mut_beneficiary_pack (dp_mutation_t *m, const dp_val_t *by_column, uint64_t columns);

//  A DATETIME cell as boxtribute's history prints the datetime
//  ("2024-01-02 00:00:00"), or NIL for the zero date.
dp_val_t dp_mut_beneficiary_datetime_shown (dp_mutation_t *m, const dp_val_t *cell);

//  A STRING argument as a STR value, all its bytes (it may hold U+0000);
//  borrowed from the arguments.
dp_val_t dp_mut_beneficiary_text (const input_t *value);

//  Selftest.
void dp_mut_beneficiary_test (bool verbose);

//  The number an ID argument (a STRING) holds, or -1 when it holds none
//  (boxtribute's lookup of such an id finds nothing).
int64_t dp_mut_beneficiary_id (const input_t *value);

#endif
