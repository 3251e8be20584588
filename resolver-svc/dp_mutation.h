/*  =========================================================================
    dp_mutation - how one mutation root field is written

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A mutation root field is a descriptor (dp_mutation_def_t: its name,
    the size of its own state, its step function) bound to its schema
    field in dp_mapping.c with DP_MUTATION_BIND (&def). The executor
    (dp_exec_mutation.c) runs each root field of a mutation operation in
    its own database transaction: TXN BEGIN, then the step function in
    rounds, then the payload's selection read in waves inside the
    transaction, then COMMIT (or ROLLBACK), then the field's JSON.

    The step function is called once per round. In a round it reads what
    the previous round's statements answered, then either issues more
    statements (STMT SELECT/INSERT/UPDATE/DELETE, LOAD, QUERY: all of one
    round are pipelined to the transaction's pinned connection, run in the
    order issued, and answered before the next call), or finishes the
    field with exactly one of:
      - dp_mutation_return_object(s): rows of a loader by key (a Box by
        stock id, a Tag by id, or a list of them). The payload's selection
        is read from them in waves inside the transaction; COMMIT follows.
      - dp_mutation_return_record: a union member or result object that is
        not a row (BoxesResult, TagsResult, an error type such as
        InsufficientPermissionError), built with dp_record_*. `commit`
        says whether the transaction commits (a result wrapper) or rolls
        back (an error type).
      - dp_mutation_fail / _forbidden / _not_found: a GraphQL error at
        the field (boxtribute's codes and messages); ROLLBACK follows and
        the field is null.
      - dp_mutation_return_null: the field is null without an error; COMMIT.

    Not the step's business: a failed statement (any ERROR reply ends the
    field with an error and db-svc rolls back), conflicts (409: deadlock,
    lock wait timeout, duplicate key: the whole field runs again from
    BEGIN with FRESH state, at most 3 attempts), the deadline, the client
    going away. The step never sees an ERROR reply: it is only called
    again when every statement of its round answered ROWS.
@discuss
    Ownership and lifetimes: every pointer the API hands out or takes
    lives in the request's arena (dp_mutation_arena) until the request
    ends; nothing is freed by the step. The state (def->state_size bytes,
    zeroed) is new at every attempt and lives until the request ends.
    A dp_mutation_reply_t returned by an issuing call is filled when its
    answer arrives and may be read from the next call on; its cells are
    ROWS cells (dp_val_t, strings NUL-terminated).

    Example: a field that inserts a tag and answers it.

        typedef struct { dp_mutation_reply_t *insert; } create_state_t;

        static void
        s_create_step (dp_mutation_t *m, void *state_)
        {
            create_state_t *state = state_;
            if (dp_mutation_round (m) == 0) {
                const input_t *input = input_field (dp_mutation_args (m), "creationInput");
                if (!dp_authz_base (dp_mutation_authz (m), "tag:create", base_id, denied, n)) {
                    dp_mutation_return_record (m, dp_record_insufficient_permission (m, "tag:create"), false);
                    return;
                }
                dp_val_t *row = ...;      //  one row of the masked columns, in column order
                state->insert = dp_mutation_insert (m, DP_TABLE_tags, columns, row, 1);
                return;
            }
            dp_mutation_return_object (m, DP_LOADER_tags_by_id, state->insert->last_insert_id);
        }

        const dp_mutation_def_t dp_mut_create_tag = {
            .name = "createTag", .state_size = sizeof (create_state_t), .step = s_create_step
        };

    and in dp_mapping.c: { "Mutation", "createTag", DP_MUTATION_BIND (&dp_mut_create_tag) };
    each field of a record type: { "BoxesResult", "updatedBoxes", DP_RECORD_FIELD_BIND }.
@end
*/
#ifndef DP_MUTATION_H_INCLUDED
#define DP_MUTATION_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dp_arena.h"
#include "dp_msg.h"
#include "dp_catalog.h"
#include "dp_values.h"
#include "dp_authz.h"

#include "dp_binding.h"

typedef struct _dp_mutation_t dp_mutation_t;
typedef struct _dp_record_t dp_record_t;

//  The step function: called with round 0 after BEGIN, then once after
//  each round's statements all answered. See @header for what it must do.
typedef void (dp_mutation_step_fn) (dp_mutation_t *m, void *state);

struct _dp_mutation_def_t {
    const char *name;           //  the Mutation field, for logs ("createTag")
    size_t state_size;          //  bytes of the step's own state (zeroed per attempt)
    dp_mutation_step_fn *step;
};

//  The answer of one issued statement, filled before the next call.
typedef struct {
    bool answered;
    uint32_t n_rows;            //  SELECT/LOAD/QUERY: rows; INSERT/UPDATE/DELETE: 1
    uint32_t n_cols;            //  SELECT: popcount(columns); LOAD: 1 key + popcount; writes: 2
    const dp_val_t *cells;      //  n_rows * n_cols, row-major (borrowed, request arena)
    int64_t affected;           //  INSERT/UPDATE/DELETE: rows affected (UPDATE: rows matched)
    int64_t last_insert_id;     //  INSERT: the first inserted row's id
} dp_mutation_reply_t;

//  A cell of a reply (asserts on range), for readability.
const dp_val_t *dp_mutation_cell (const dp_mutation_reply_t *reply, uint32_t row, uint32_t col);

//  A STMT condition: column IN (values); a NIL among the values adds
//  "OR column IS NULL"; no values matches nothing. Arrays are borrowed
//  until the call returns (they are copied).
typedef struct {
    int column;                 //  the table's column (proto/dp_tables.h)
    const dp_val_t *values;
    uint32_t n_values;
} dp_mutation_where_t;

#define DP_MUTATION_MAX_WHERE 16

//  -------------------------------------------------------------------------
//  What the step reads

//  The field's coerced arguments: an OBJECT (input_field (args, "name")),
//  variables and literals already coerced by their declared types (input
//  objects, lists, enums, nulls; IDs are STRING). Borrowed.
const input_t *dp_mutation_args (dp_mutation_t *m);

//  The verified identity (user id, organisation, god, beta level, bases)
//  and the request's memoised permission checks. Borrowed.
const dp_identity_t *dp_mutation_identity (dp_mutation_t *m);
dp_authz_t *dp_mutation_authz (dp_mutation_t *m);

//  The request's arena: anything the step allocates lives until the
//  request ends.
dp_arena_t *dp_mutation_arena (dp_mutation_t *m);

//  0 on the first call of an attempt, then 1, 2, ...
uint32_t dp_mutation_round (dp_mutation_t *m);

//  The transaction's start as db-svc's DATETIME argument text
//  ("YYYY-MM-DD HH:MM:SS", UTC): one value for created_on/modified_on and
//  history rows of the whole field. Borrowed.
const char *dp_mutation_now (dp_mutation_t *m);

//  -------------------------------------------------------------------------
//  Statements of this round (each returns its reply, filled before the
//  next call). `table` is a dp_table_id_t (proto/dp_tables.h); columns a
//  mask over its columns (bit i = column i). Values and conditions are
//  copied.

//  SELECT the masked columns of rows matching where, ordered by id;
//  lock: FOR UPDATE. Issue the field's first locks before its first LOAD or
//  QUERY (statements run in the order issued): the transaction's snapshot
//  (REPEATABLE READ) begins at its first plain read, and one taken before a
//  lock wait would hide from every later read, the payload's included,
//  what the lock's holder committed.
dp_mutation_reply_t *dp_mutation_select (dp_mutation_t *m, uint32_t table, uint64_t columns,
                                         const dp_mutation_where_t *where, size_t n_where,
                                         bool lock);

//  INSERT n_rows rows, each popcount(columns) values in column order
//  (values: n_rows * popcount, row-major): one multi-row INSERT.
dp_mutation_reply_t *dp_mutation_insert (dp_mutation_t *m, uint32_t table, uint64_t columns,
                                         const dp_val_t *values, size_t n_rows);

//  UPDATE every row matching where (not empty): SET masked columns to values.
dp_mutation_reply_t *dp_mutation_update (dp_mutation_t *m, uint32_t table, uint64_t columns,
                                         const dp_val_t *values,
                                         const dp_mutation_where_t *where, size_t n_where);

//  UPDATE rows each to its own values: columns holds the table's first
//  column (the key, id), and every row of values (popcount(columns), key
//  first) sets the row with that key; rows matching where (not empty; the
//  keys, usually) that no row of values names keep their values. One
//  statement however many rows.
dp_mutation_reply_t *dp_mutation_update_rows (dp_mutation_t *m, uint32_t table, uint64_t columns,
                                              const dp_val_t *values, size_t n_rows,
                                              const dp_mutation_where_t *where, size_t n_where);

//  DELETE rows matching where (not empty).
dp_mutation_reply_t *dp_mutation_delete (dp_mutation_t *m, uint32_t table,
                                         const dp_mutation_where_t *where, size_t n_where);

//  A LOAD (rows of a read loader, in the transaction: it sees the
//  transaction's writes) or a catalog QUERY.
dp_mutation_reply_t *dp_mutation_load (dp_mutation_t *m, dp_loader_id_t loader, uint64_t columns,
                                       const int64_t *keys, size_t n_keys);
dp_mutation_reply_t *dp_mutation_query (dp_mutation_t *m, dp_query_id_t query, uint64_t columns,
                                        const dp_val_t *args, uint32_t n_args);

//  -------------------------------------------------------------------------
//  Finishing the field (exactly one per attempt; the step issues nothing
//  after it)

//  The object of loader under key (a single-object field), or the objects
//  under keys in that order (a list field). COMMIT after the payload.
void dp_mutation_return_object (dp_mutation_t *m, dp_loader_id_t loader, int64_t key);
void dp_mutation_return_objects (dp_mutation_t *m, dp_loader_id_t loader, const int64_t *keys,
                                 size_t n_keys);

//  A record (a union member or object type that is not a row); commit:
//  true for results (BoxesResult), false for error types (rolled back).
void dp_mutation_return_record (dp_mutation_t *m, dp_record_t *record, bool commit);

//  Null without an error; COMMIT.
void dp_mutation_return_null (dp_mutation_t *m);

//  A GraphQL error at the field (extensions.code `code`, description the
//  message); ROLLBACK. _forbidden: FORBIDDEN "You don't have access to
//  '<denied>'"; _not_found: BAD_USER_INPUT "The requested resource does
//  not exist in the database.", as boxtribute's.
void dp_mutation_fail (dp_mutation_t *m, const char *code, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
void dp_mutation_forbidden (dp_mutation_t *m, const char *denied);
void dp_mutation_not_found (dp_mutation_t *m);

//  -------------------------------------------------------------------------
//  Records: objects that are not rows. A record has its GraphQL type name
//  and named fields; its fields are written by dp_record_field_* bound to
//  the type's fields in dp_mapping.c (DP_RECORD_FIELD_BIND). A field not set is
//  null. Names and strings are copied into the arena.

dp_record_t *dp_record_new (dp_mutation_t *m, const char *type_name);
void dp_record_set_string (dp_record_t *record, const char *field, const char *value);
void dp_record_set_int (dp_record_t *record, const char *field, int64_t value);
void dp_record_set_float (dp_record_t *record, const char *field, double value);
void dp_record_set_bool (dp_record_t *record, const char *field, bool value);
//  An ID: an integer written as "123".
void dp_record_set_id (dp_record_t *record, const char *field, int64_t value);
//  An enum value by name ("Box").
void dp_record_set_enum (dp_record_t *record, const char *field, const char *name);
//  Lists of scalars: [String!] and [ID!].
void dp_record_set_strings (dp_record_t *record, const char *field, const char *const *values, size_t n);
//  The same with each string's length in bytes (a string may hold U+0000).
void dp_record_set_strings_n (dp_record_t *record, const char *field, const char *const *values,
                              const size_t *lengths, size_t n);
void dp_record_set_ids (dp_record_t *record, const char *field, const int64_t *values, size_t n);
//  A list of Int ([Int!]: InvalidBaseError.ids).
void dp_record_set_ints (dp_record_t *record, const char *field, const int64_t *values, size_t n);
//  Rows of a loader by key: one object, or a list (read in the payload's waves).
void dp_record_set_object (dp_record_t *record, const char *field, dp_loader_id_t loader, int64_t key);
void dp_record_set_objects (dp_record_t *record, const char *field, dp_loader_id_t loader,
                            const int64_t *keys, size_t n);
//  Nested records: one, or a list (TagErrorInfo).
void dp_record_set_record (dp_record_t *record, const char *field, dp_record_t *value);
void dp_record_set_records (dp_record_t *record, const char *field, dp_record_t *const *values, size_t n);

//  boxtribute's common error types.
//  InsufficientPermissionError { name: permission }
dp_record_t *dp_record_insufficient_permission (dp_mutation_t *m, const char *permission);
//  UnauthorizedForBaseError { id, name, organisationName }
dp_record_t *dp_record_unauthorized_for_base (dp_mutation_t *m, int64_t base_id, const char *base_name,
                                              const char *organisation_name);
//  ResourceDoesNotExistError { id (has_id false: null), name }
dp_record_t *dp_record_does_not_exist (dp_mutation_t *m, bool has_id, int64_t id, const char *name);

//  -------------------------------------------------------------------------
//  For dp_mapping.c: a Mutation field bound to its descriptor, and the
//  fields of record types (result wrappers, error types) bound to the
//  record's writer.

#define DP_MUTATION_BIND(def)   { .kind = BIND_MUTATION, .mutation = (def) }
#define DP_RECORD_FIELD_BIND    { .kind = BIND_SYNTHETIC, .write = dp_record_field_write, \
                                  .collect_obj = dp_record_field_collect, \
                                  .children = dp_record_field_children }

//  For the executor: the objects under pf of n records (their types the
//  members of pf's type named by the records); *objs in arena. Returns
//  the count.
size_t dp_record_objs (dp_exec_t *exec, const plan_field_t *pf, dp_record_t *const *records,
                       size_t n, obj_t **objs);
//  For hooks outside a mutation (dp_qr.c's union members): a record in arena.
dp_record_t *dp_record_new_in (dp_arena_t *arena, const char *type_name);

int dp_record_field_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
void dp_record_field_collect (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
void dp_record_field_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                               obj_t **children, size_t *n_children);

#endif
