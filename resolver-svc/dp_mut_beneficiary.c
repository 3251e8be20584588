/*  =========================================================================
    dp_mut_beneficiary - what the beneficiary mutations share about a
    `people` row: genders, languages, packed rows, history's datetimes

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_mut_beneficiary.h"
#include "dp_mut_bulk.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_PEOPLE_COLUMNS (DP_TCOL_people_customfield4_value + 1)

const char *
dp_mut_beneficiary_gender_value (const char *name)
{
    if (!name)
        return NULL;
    if (strcmp (name, "Male") == 0)
        return "M";
    if (strcmp (name, "Female") == 0)
        return "F";
    if (strcmp (name, "Diverse") == 0)
        return "";
    return NULL;
}

const char *
dp_mut_beneficiary_gender_shown (const dp_val_t *stored)
{
    const char *value = stored->type == DP_VAL_STR ? stored->u.s.ptr : "";
    return *value == 0 ? "D" : value;
}

size_t
dp_mut_beneficiary_languages (dp_mutation_t *m, const input_t *list, int64_t **ids)
{
    //  boxtribute's Language enum: its values are languages.id.
    static const char *const names [] = { "nl", "en", "fr", "de", "ar", "ckb" };
    size_t n = list && list->kind == IN_LIST ? list->n_items : 0;
    int64_t *found = dp_arena_calloc (dp_mutation_arena (m), n + 1, sizeof (int64_t));
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < sizeof names / sizeof names [0]; k++)
            if (list->items [i]->s && strcmp (list->items [i]->s, names [k]) == 0)
                found [count++] = (int64_t) k + 1;
    return dp_bulk_unique_ids (m, found, count, ids);
}

dp_mutation_reply_t *
dp_mut_beneficiary_insert_languages (dp_mutation_t *m, const int64_t *people_ids, int64_t *const *languages,
                                 const size_t *n_languages, size_t n_people)
{
    size_t total = 0;
    for (size_t i = 0; i < n_people; i++)
        total += n_languages [i];
    if (total == 0)
        return NULL;
    dp_val_t *values = dp_arena_calloc (dp_mutation_arena (m), 2 * total, sizeof (dp_val_t));
    size_t n = 0;
    for (size_t i = 0; i < n_people; i++)
        for (size_t k = 0; k < n_languages [i]; k++) {
            values [2 * n] = dp_bulk_int (people_ids [i]);
            values [2 * n + 1] = dp_bulk_int (languages [i][k]);
            n++;
        }
    return dp_mutation_insert (m, DP_TABLE_x_people_languages,
                               DP_TBIT (x_people_languages, people_id) | DP_TBIT (x_people_languages, language_id),
                               values, n);
}

dp_val_t *
dp_mut_beneficiary_pack (dp_mutation_t *m, const dp_val_t *by_column, uint64_t columns)
{
    dp_val_t *values = dp_arena_calloc (dp_mutation_arena (m), S_PEOPLE_COLUMNS, sizeof (dp_val_t));
    size_t n = 0;
    for (int c = 0; c < S_PEOPLE_COLUMNS; c++)
        if (columns & (1ull << c))
            values [n++] = by_column [c];
    return values;
}

dp_val_t
dp_mut_beneficiary_datetime_shown (dp_mutation_t *m, const dp_val_t *cell)
{
    //  ROWS give a DATETIME as "YYYY-MM-DDTHH:MM:SS+00:00"; Python's
    //  str(datetime) has a space and no zone.
    if (cell->type != DP_VAL_STR || cell->u.s.len < 19)
        return dp_bulk_nil ();
    char *text = dp_arena_strndup (dp_mutation_arena (m), cell->u.s.ptr, 19);
    text [10] = ' ';
    return dp_bulk_str (m, text);
}

int64_t
dp_mut_beneficiary_id (const input_t *value)
{
    if (!value || value->kind != IN_STRING || value->len == 0 || value->len > 18)
        return -1;
    int64_t id = 0;
    for (size_t i = 0; i < value->len; i++) {
        if (value->s [i] < '0' || value->s [i] > '9')
            return -1;
        id = id * 10 + (value->s [i] - '0');
    }
    return id;
}

dp_val_t
dp_mut_beneficiary_text (const input_t *value)
{
    return (dp_val_t) { .type = DP_VAL_STR, .u.s = { value->s, (uint32_t) value->len } };
}

void
dp_mut_beneficiary_test (bool verbose)
{
    printf (" * dp_mut_beneficiary: ");
    //  HumanGender: stored 'M', 'F', '' (Diverse); shown as the enum's value.
    assert (strcmp (dp_mut_beneficiary_gender_value ("Male"), "M") == 0);
    assert (strcmp (dp_mut_beneficiary_gender_value ("Diverse"), "") == 0);
    assert (dp_mut_beneficiary_gender_value ("Other") == NULL && dp_mut_beneficiary_gender_value (NULL) == NULL);
    dp_val_t empty = { .type = DP_VAL_STR, .u.s = { "", 0 } }, female = { .type = DP_VAL_STR, .u.s = { "F", 1 } };
    dp_val_t legacy = { .type = DP_VAL_STR, .u.s = { "D", 1 } }, nil = { .type = DP_VAL_NIL };
    assert (strcmp (dp_mut_beneficiary_gender_shown (&empty), "D") == 0);
    assert (strcmp (dp_mut_beneficiary_gender_shown (&legacy), "D") == 0);
    assert (strcmp (dp_mut_beneficiary_gender_shown (&nil), "D") == 0);
    assert (strcmp (dp_mut_beneficiary_gender_shown (&female), "F") == 0);
    //  IDs: digits only, else none.
    input_t id = { .kind = IN_STRING, .s = "1042", .len = 4 };
    assert (dp_mut_beneficiary_id (&id) == 1042);
    id = (input_t) { .kind = IN_STRING, .s = "10a", .len = 3 };
    assert (dp_mut_beneficiary_id (&id) == -1);
    id = (input_t) { .kind = IN_STRING, .s = "", .len = 0 };
    assert (dp_mut_beneficiary_id (&id) == -1 && dp_mut_beneficiary_id (NULL) == -1);
    id = (input_t) { .kind = IN_STRING, .s = "1234567890123456789", .len = 19 };
    assert (dp_mut_beneficiary_id (&id) == -1);
    //  Texts keep every byte.
    input_t text = { .kind = IN_STRING, .s = "a\0b", .len = 3 };
    dp_val_t value = dp_mut_beneficiary_text (&text);
    assert (value.type == DP_VAL_STR && value.u.s.len == 3);
    if (verbose)
        printf ("(genders, ids, texts) ");
    printf ("OK\n");
}
