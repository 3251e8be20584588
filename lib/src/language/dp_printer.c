/*  =========================================================================
    dp_printer - prints any GraphQL AST back as canonical GraphQL text

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Each node prints into one growable buffer, at indentation zero; a
    block ("{ ... }", or arguments split over lines) indents what was
    printed inside it afterwards, in place, the way graphql-js's indent()
    prefixes every line of a finished string. Pieces whose length decides
    the layout (a field's arguments, a definition's arguments, an
    operation's variables) are printed into a scratch buffer first.
@discuss
    Lengths are counted as graphql-js counts them, in UTF-16 code units,
    so a field with non-ASCII arguments wraps where graphql-js wraps it.
    Strings are escaped exactly as graphql-js's printString escapes them
    (C0 and C1 controls, '"' and '\'); block strings follow its
    printBlockString (leading and trailing newlines only where needed).
    dp_print_default_value is graphql-js's astFromValue(valueFromAST(...))
    for the literals an SDL may hold, followed by this printer.
@end
*/
#include "dp_printer.h"
#include "dp_json_writer.h"
#include "dp_parser.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <math.h>
#include <assert.h>

//  graphql-js wraps a field's arguments beyond this many characters.
#define MAX_LINE_LENGTH 80

typedef dp_json_writer_t buf_t;

static void
s_raw (buf_t *b, const char *s)
{
    dp_json_writer_raw (b, s, strlen (s));
}

//  Length of len bytes of UTF-8 in UTF-16 code units, as JS counts it.
static size_t
s_utf16_len (const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) s [i];
        if ((c & 0xC0) != 0x80)
            n++;
        if (c >= 0xF0)
            n++;                //  outside the BMP: a surrogate pair
    }
    return n;
}

//  Indent what was written since start: two spaces before it and after
//  every newline in it (graphql-js's indent()). Nothing when empty.
static void
s_indent_from (buf_t *b, size_t start)
{
    if (b->len == start)
        return;
    size_t newlines = 0;
    for (size_t i = start; i < b->len; i++)
        if (b->data [i] == '\n')
            newlines++;
    size_t extra = 2 * (newlines + 1);
    dp_json_writer_reserve (b, extra);
    char *d = b->data;
    size_t src = b->len, dst = b->len + extra;
    while (src > start) {
        char c = d [--src];
        if (c == '\n') {
            d [--dst] = ' ';
            d [--dst] = ' ';
            d [--dst] = '\n';
        }
        else
            d [--dst] = c;
    }
    d [--dst] = ' ';
    d [--dst] = ' ';
    assert (dst == start);
    b->len += extra;
}

//  -------------------------------------------------------------------------
//  Strings

//  printString: "..." with C0/C1 controls, '"' and '\' escaped.
static void
s_string (buf_t *b, const char *s, size_t len)
{
    static const char hex [] = "0123456789ABCDEF";
    dp_json_writer_char (b, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) s [i];
        unsigned code = c;
        if (c == 0xC2 && i + 1 < len && (unsigned char) s [i + 1] >= 0x80
        &&  (unsigned char) s [i + 1] <= 0x9F)
            code = (unsigned char) s [++i];     //  U+0080..U+009F
        else
        if (c >= 0x80) {
            dp_json_writer_char (b, (char) c);
            continue;
        }
        switch (code) {
            case '"':  s_raw (b, "\\\""); break;
            case '\\': s_raw (b, "\\\\"); break;
            case '\b': s_raw (b, "\\b"); break;
            case '\t': s_raw (b, "\\t"); break;
            case '\n': s_raw (b, "\\n"); break;
            case '\f': s_raw (b, "\\f"); break;
            case '\r': s_raw (b, "\\r"); break;
            default:
                if (code < 0x20 || code >= 0x7F) {
                    char escape [7] = { '\\', 'u', '0', '0', hex [code >> 4], hex [code & 15], 0 };
                    s_raw (b, escape);
                }
                else
                    dp_json_writer_char (b, (char) code);
        }
    }
    dp_json_writer_char (b, '"');
}

static bool
s_is_white (char c)
{
    return c == ' ' || c == '\t';
}

static bool
s_ends_with (const char *s, size_t len, const char *suffix)
{
    size_t n = strlen (suffix);
    return len >= n && memcmp (s + len - n, suffix, n) == 0;
}

//  printBlockString: """...""" with """ escaped, and a leading and a
//  trailing newline when they make the value read better (or are needed).
static void
s_block_string (buf_t *b, const char *s, size_t len)
{
    //  escapedValue: every """ becomes \"""
    buf_t escaped;
    dp_json_writer_init (&escaped, len + 16);
    for (size_t i = 0; i < len; i++) {
        if (i + 3 <= len && memcmp (s + i, "\"\"\"", 3) == 0) {
            dp_json_writer_raw (&escaped, "\\\"\"\"", 4);
            i += 2;
        }
        else
            dp_json_writer_char (&escaped, s [i]);
    }
    //  Lines split on \r\n, \n or \r.
    size_t n_lines = 1;
    bool rest_indented = true;      //  every line after the first empty or indented
    for (size_t i = 0; i < escaped.len; i++) {
        char c = escaped.data [i];
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < escaped.len && escaped.data [i + 1] == '\n')
                i++;
            n_lines++;
            size_t next = i + 1;
            if (next < escaped.len && escaped.data [next] != '\n' && escaped.data [next] != '\r'
            &&  !s_is_white (escaped.data [next]))
                rest_indented = false;
        }
    }
    bool single_line = n_lines == 1;
    bool force_leading = n_lines > 1 && rest_indented;
    bool trailing_triple = s_ends_with (escaped.data, escaped.len, "\\\"\"\"");
    bool trailing_quote = len > 0 && s [len - 1] == '"' && !trailing_triple;
    bool trailing_slash = len > 0 && s [len - 1] == '\\';
    bool force_trailing = trailing_quote || trailing_slash;
    bool multiple_lines = !single_line || s_utf16_len (s, len) > 70 || force_trailing
                       || force_leading || trailing_triple;
    bool skip_leading = single_line && len > 0 && s_is_white (s [0]);
    s_raw (b, "\"\"\"");
    if ((multiple_lines && !skip_leading) || force_leading)
        dp_json_writer_char (b, '\n');
    dp_json_writer_raw (b, escaped.data, escaped.len);
    if (multiple_lines || force_trailing)
        dp_json_writer_char (b, '\n');
    s_raw (b, "\"\"\"");
    dp_json_writer_release (&escaped);
}

static void
s_description (buf_t *b, const char *description, bool block)
{
    if (!description)
        return;
    if (block)
        s_block_string (b, description, strlen (description));
    else
        s_string (b, description, strlen (description));
    dp_json_writer_char (b, '\n');
}

//  -------------------------------------------------------------------------
//  Values, types, directives, arguments

static void
s_value (buf_t *b, const dp_ast_value_t *value)
{
    switch (value->kind) {
        case DP_AST_VARIABLE:
            dp_json_writer_char (b, '$');
            s_raw (b, value->text);
            break;
        case DP_AST_INT:
        case DP_AST_FLOAT:
        case DP_AST_ENUM:
            s_raw (b, value->text);
            break;
        case DP_AST_STRING:
            if (value->block)
                s_block_string (b, value->text, value->text_len);
            else
                s_string (b, value->text, value->text_len);
            break;
        case DP_AST_BOOLEAN:
            s_raw (b, value->boolean ? "true" : "false");
            break;
        case DP_AST_NULL:
            s_raw (b, "null");
            break;
        case DP_AST_LIST:
            dp_json_writer_char (b, '[');
            for (size_t i = 0; i < value->n_items; i++) {
                if (i)
                    s_raw (b, ", ");
                s_value (b, value->items [i]);
            }
            dp_json_writer_char (b, ']');
            break;
        case DP_AST_OBJECT:
            dp_json_writer_char (b, '{');
            for (size_t i = 0; i < value->n_fields; i++) {
                if (i)
                    s_raw (b, ", ");
                s_raw (b, value->fields [i].name);
                s_raw (b, ": ");
                s_value (b, value->fields [i].value);
            }
            dp_json_writer_char (b, '}');
            break;
    }
}

static void
s_type (buf_t *b, const dp_ast_type_t *type)
{
    switch (type->kind) {
        case DP_AST_TYPE_NAMED:
            s_raw (b, type->name);
            break;
        case DP_AST_TYPE_LIST:
            dp_json_writer_char (b, '[');
            s_type (b, type->of);
            dp_json_writer_char (b, ']');
            break;
        case DP_AST_TYPE_NON_NULL:
            s_type (b, type->of);
            dp_json_writer_char (b, '!');
            break;
    }
}

static void
s_argument (buf_t *b, const dp_ast_argument_t *arg)
{
    s_raw (b, arg->name);
    s_raw (b, ": ");
    s_value (b, arg->value);
}

//  join(directives, ' ')
static void
s_directives (buf_t *b, const dp_ast_directive_t *directives, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            dp_json_writer_char (b, ' ');
        dp_json_writer_char (b, '@');
        s_raw (b, directives [i].name);
        if (directives [i].n_args) {
            dp_json_writer_char (b, '(');
            for (size_t a = 0; a < directives [i].n_args; a++) {
                if (a)
                    s_raw (b, ", ");
                s_argument (b, &directives [i].args [a]);
            }
            dp_json_writer_char (b, ')');
        }
    }
}

//  wrap(' ', join(directives, ' '))
static void
s_directives_after (buf_t *b, const dp_ast_directive_t *directives, size_t n)
{
    if (n) {
        dp_json_writer_char (b, ' ');
        s_directives (b, directives, n);
    }
}

//  -------------------------------------------------------------------------
//  A list of items printed apart, to lay them out by their length or by
//  whether one spans several lines.

typedef struct {
    buf_t text;                 //  the items, back to back
    size_t *ends;               //  end offset of each item in text
    size_t n;
} items_t;

static void
s_items_init (items_t *items, size_t n)
{
    dp_json_writer_init (&items->text, 256);
    items->ends = calloc (n ? n : 1, sizeof (size_t));
    assert (items->ends);
    items->n = 0;
}

static void
s_items_end (items_t *items)
{
    items->ends [items->n++] = items->text.len;
}

static void
s_items_release (items_t *items)
{
    dp_json_writer_release (&items->text);
    free (items->ends);
}

static bool
s_items_multiline (const items_t *items)
{
    return memchr (items->text.data, '\n', items->text.len) != NULL;
}

//  Write the items separated by sep; indented when indent is true.
static void
s_items_write (buf_t *b, const items_t *items, const char *sep, bool indent)
{
    size_t start = b->len;
    for (size_t i = 0; i < items->n; i++) {
        size_t from = i ? items->ends [i - 1] : 0;
        if (i)
            s_raw (b, sep);
        dp_json_writer_raw (b, items->text.data + from, items->ends [i] - from);
    }
    if (indent)
        s_indent_from (b, start);
}

//  -------------------------------------------------------------------------
//  Executable definitions

static void s_selection_set (buf_t *b, const dp_ast_selection_set_t *set);

//  Field: alias: name(args) @directives { ... }, the arguments on their own
//  lines when the one-line form would exceed MAX_LINE_LENGTH.
static void
s_field (buf_t *b, const dp_ast_selection_t *field)
{
    size_t prefix_len = 0;
    if (field->alias) {
        s_raw (b, field->alias);
        s_raw (b, ": ");
        prefix_len += s_utf16_len (field->alias, strlen (field->alias)) + 2;
    }
    s_raw (b, field->name);
    prefix_len += s_utf16_len (field->name, strlen (field->name));
    if (field->n_args) {
        items_t args;
        s_items_init (&args, field->n_args);
        for (size_t a = 0; a < field->n_args; a++) {
            s_argument (&args.text, &field->args [a]);
            s_items_end (&args);
        }
        size_t joined = s_utf16_len (args.text.data, args.text.len) + 2 * (field->n_args - 1);
        if (prefix_len + joined + 2 > MAX_LINE_LENGTH) {
            s_raw (b, "(\n");
            s_items_write (b, &args, "\n", true);
            s_raw (b, "\n)");
        }
        else {
            dp_json_writer_char (b, '(');
            s_items_write (b, &args, ", ", false);
            dp_json_writer_char (b, ')');
        }
        s_items_release (&args);
    }
    s_directives_after (b, field->directives, field->n_directives);
    if (field->selection_set && field->selection_set->n_items) {
        dp_json_writer_char (b, ' ');
        s_selection_set (b, field->selection_set);
    }
}

static void
s_selection (buf_t *b, const dp_ast_selection_t *selection)
{
    switch (selection->kind) {
        case DP_AST_FIELD:
            s_field (b, selection);
            break;
        case DP_AST_FRAGMENT_SPREAD:
            s_raw (b, "...");
            s_raw (b, selection->name);
            s_directives_after (b, selection->directives, selection->n_directives);
            break;
        case DP_AST_INLINE_FRAGMENT:
            //  join(['...', wrap('on ', typeCondition), directives, selectionSet], ' ')
            s_raw (b, "...");
            if (selection->type_condition) {
                s_raw (b, " on ");
                s_raw (b, selection->type_condition);
            }
            s_directives_after (b, selection->directives, selection->n_directives);
            if (selection->selection_set && selection->selection_set->n_items) {
                dp_json_writer_char (b, ' ');
                s_selection_set (b, selection->selection_set);
            }
            break;
    }
}

//  block(selections): "{", each selection on its own indented line, "}".
static void
s_selection_set (buf_t *b, const dp_ast_selection_set_t *set)
{
    if (set->n_items == 0)
        return;
    s_raw (b, "{\n");
    size_t start = b->len;
    for (size_t i = 0; i < set->n_items; i++) {
        if (i)
            dp_json_writer_char (b, '\n');
        s_selection (b, &set->items [i]);
    }
    s_indent_from (b, start);
    s_raw (b, "\n}");
}

static const char *
s_operation_name (dp_op_kind_t operation)
{
    return operation == DP_OP_MUTATION ? "mutation"
         : operation == DP_OP_SUBSCRIPTION ? "subscription" : "query";
}

static void
s_variable_definition (buf_t *b, const dp_ast_variable_def_t *var)
{
    dp_json_writer_char (b, '$');
    s_raw (b, var->name);
    s_raw (b, ": ");
    s_type (b, var->type);
    if (var->default_value) {
        s_raw (b, " = ");
        s_value (b, var->default_value);
    }
    s_directives_after (b, var->directives, var->n_directives);
}

static void
s_operation (buf_t *b, const dp_ast_definition_t *def)
{
    //  The query short form: anonymous, no variables, no directives.
    if (def->operation == DP_OP_QUERY && !def->name && def->n_variables == 0
    &&  def->n_directives == 0) {
        s_selection_set (b, def->selection_set);
        return;
    }
    //  join([operation, join([name, varDefs]), directives], ' ')
    s_raw (b, s_operation_name (def->operation));
    if (def->name || def->n_variables)
        dp_json_writer_char (b, ' ');
    if (def->name)
        s_raw (b, def->name);
    if (def->n_variables) {
        items_t vars;
        s_items_init (&vars, def->n_variables);
        for (size_t v = 0; v < def->n_variables; v++) {
            s_variable_definition (&vars.text, &def->variables [v]);
            s_items_end (&vars);
        }
        //  Variables that span lines go one per line, not indented.
        if (s_items_multiline (&vars)) {
            s_raw (b, "(\n");
            s_items_write (b, &vars, "\n", false);
            s_raw (b, "\n)");
        }
        else {
            dp_json_writer_char (b, '(');
            s_items_write (b, &vars, ", ", false);
            dp_json_writer_char (b, ')');
        }
        s_items_release (&vars);
    }
    s_directives_after (b, def->directives, def->n_directives);
    dp_json_writer_char (b, ' ');
    s_selection_set (b, def->selection_set);
}

static void
s_fragment (buf_t *b, const dp_ast_definition_t *def)
{
    s_raw (b, "fragment ");
    s_raw (b, def->name);
    s_raw (b, " on ");
    s_raw (b, def->type_condition);
    dp_json_writer_char (b, ' ');
    if (def->n_directives) {
        s_directives (b, def->directives, def->n_directives);
        dp_json_writer_char (b, ' ');
    }
    s_selection_set (b, def->selection_set);
}

//  -------------------------------------------------------------------------
//  Type-system definitions

//  InputValueDefinition: description, name: Type = default @directives
static void
s_input_value_def (buf_t *b, const dp_ast_input_value_t *input)
{
    s_description (b, input->description, input->description_block);
    s_raw (b, input->name);
    s_raw (b, ": ");
    s_type (b, input->type);
    if (input->default_value) {
        s_raw (b, " = ");
        s_value (b, input->default_value);
    }
    s_directives_after (b, input->directives, input->n_directives);
}

//  The arguments of a field or directive definition: one line, or one per
//  indented line when any of them spans lines.
static void
s_argument_defs (buf_t *b, const dp_ast_input_value_t *args, size_t n)
{
    if (n == 0)
        return;
    items_t items;
    s_items_init (&items, n);
    for (size_t a = 0; a < n; a++) {
        s_input_value_def (&items.text, &args [a]);
        s_items_end (&items);
    }
    if (s_items_multiline (&items)) {
        s_raw (b, "(\n");
        s_items_write (b, &items, "\n", true);
        s_raw (b, "\n)");
    }
    else {
        dp_json_writer_char (b, '(');
        s_items_write (b, &items, ", ", false);
        dp_json_writer_char (b, ')');
    }
    s_items_release (&items);
}

static void
s_field_def (buf_t *b, const dp_ast_field_def_t *field)
{
    s_description (b, field->description, field->description_block);
    s_raw (b, field->name);
    s_argument_defs (b, field->args, field->n_args);
    s_raw (b, ": ");
    s_type (b, field->type);
    s_directives_after (b, field->directives, field->n_directives);
}

//  A space-joined definition line: appends " " before every part but the
//  first (join([...], ' ') over parts known to be non-empty).
static void
s_part (buf_t *b, size_t line_start)
{
    if (b->len > line_start)
        dp_json_writer_char (b, ' ');
}

//  block(items) of a type-system definition, preceded by a space.
static void
s_block_begin (buf_t *b, size_t line_start, size_t *start)
{
    s_part (b, line_start);
    s_raw (b, "{\n");
    *start = b->len;
}

static void
s_block_end (buf_t *b, size_t start)
{
    s_indent_from (b, start);
    s_raw (b, "\n}");
}

static void
s_type_system (buf_t *b, const dp_ast_definition_t *def)
{
    if (!def->extension)
        s_description (b, def->description, def->description_block);
    size_t line = b->len;
    size_t start;
    if (def->extension)
        s_raw (b, "extend ");
    switch (def->kind) {
        case DP_AST_SCHEMA:
            s_raw (b, "schema");
            if (def->n_directives) {
                s_part (b, line);
                s_directives (b, def->directives, def->n_directives);
            }
            if (def->n_root_ops) {
                s_block_begin (b, line, &start);
                for (size_t i = 0; i < def->n_root_ops; i++) {
                    if (i)
                        dp_json_writer_char (b, '\n');
                    s_raw (b, s_operation_name (def->root_ops [i].operation));
                    s_raw (b, ": ");
                    s_raw (b, def->root_ops [i].type_name);
                }
                s_block_end (b, start);
            }
            return;
        case DP_AST_SCALAR:
            s_raw (b, "scalar ");
            break;
        case DP_AST_OBJECT_TYPE:
            s_raw (b, "type ");
            break;
        case DP_AST_INTERFACE:
            s_raw (b, "interface ");
            break;
        case DP_AST_UNION:
            s_raw (b, "union ");
            break;
        case DP_AST_ENUM_TYPE:
            s_raw (b, "enum ");
            break;
        case DP_AST_INPUT_OBJECT:
            s_raw (b, "input ");
            break;
        case DP_AST_DIRECTIVE_DEF:
            s_raw (b, "directive @");
            s_raw (b, def->name);
            s_argument_defs (b, def->input_fields, def->n_input_fields);
            s_directives_after (b, def->directives, def->n_directives);
            if (def->repeatable)
                s_raw (b, " repeatable");
            s_raw (b, " on ");
            for (size_t i = 0; i < def->n_locations; i++) {
                if (i)
                    s_raw (b, " | ");
                s_raw (b, def->locations [i].value);
            }
            return;
        default:
            return;
    }
    s_raw (b, def->name);
    if (def->n_interfaces) {
        s_raw (b, " implements ");
        for (size_t i = 0; i < def->n_interfaces; i++) {
            if (i)
                s_raw (b, " & ");
            s_raw (b, def->interfaces [i].value);
        }
    }
    if (def->n_directives) {
        s_part (b, line);
        s_directives (b, def->directives, def->n_directives);
    }
    switch (def->kind) {
        case DP_AST_OBJECT_TYPE:
        case DP_AST_INTERFACE:
            if (def->n_fields) {
                s_block_begin (b, line, &start);
                for (size_t i = 0; i < def->n_fields; i++) {
                    if (i)
                        dp_json_writer_char (b, '\n');
                    s_field_def (b, &def->fields [i]);
                }
                s_block_end (b, start);
            }
            break;
        case DP_AST_UNION:
            if (def->n_members) {
                s_raw (b, " = ");
                for (size_t i = 0; i < def->n_members; i++) {
                    if (i)
                        s_raw (b, " | ");
                    s_raw (b, def->members [i].value);
                }
            }
            break;
        case DP_AST_ENUM_TYPE:
            if (def->n_values) {
                s_block_begin (b, line, &start);
                for (size_t i = 0; i < def->n_values; i++) {
                    const dp_ast_enum_value_t *value = &def->values [i];
                    if (i)
                        dp_json_writer_char (b, '\n');
                    s_description (b, value->description, value->description_block);
                    s_raw (b, value->name);
                    s_directives_after (b, value->directives, value->n_directives);
                }
                s_block_end (b, start);
            }
            break;
        case DP_AST_INPUT_OBJECT:
            if (def->n_input_fields) {
                s_block_begin (b, line, &start);
                for (size_t i = 0; i < def->n_input_fields; i++) {
                    if (i)
                        dp_json_writer_char (b, '\n');
                    s_input_value_def (b, &def->input_fields [i]);
                }
                s_block_end (b, start);
            }
            break;
        default:
            break;
    }
}

static void
s_definition (buf_t *b, const dp_ast_definition_t *def)
{
    switch (def->kind) {
        case DP_AST_OPERATION:
            s_operation (b, def);
            break;
        case DP_AST_FRAGMENT:
            s_fragment (b, def);
            break;
        default:
            s_type_system (b, def);
            break;
    }
}

//  Copy the buffer into the arena, NUL-terminated, and release it.
static char *
s_finish (dp_arena_t *arena, buf_t *b, size_t *len_p)
{
    char *text = dp_arena_strndup (arena, b->data ? b->data : "", b->len);
    if (len_p)
        *len_p = b->len;
    dp_json_writer_release (b);
    return text;
}

char *
dp_print (dp_arena_t *arena, const dp_ast_document_t *doc, size_t *len_p)
{
    assert (arena);
    assert (doc);
    buf_t b;
    dp_json_writer_init (&b, 1024);
    for (size_t d = 0; d < doc->n_defs; d++) {
        if (d)
            s_raw (&b, "\n\n");
        s_definition (&b, &doc->defs [d]);
    }
    return s_finish (arena, &b, len_p);
}

char *
dp_print_value (dp_arena_t *arena, const dp_ast_value_t *value, size_t *len_p)
{
    assert (arena);
    assert (value);
    buf_t b;
    dp_json_writer_init (&b, 64);
    s_value (&b, value);
    return s_finish (arena, &b, len_p);
}

void
dp_print_value_into (dp_json_writer_t *out, const dp_ast_value_t *value)
{
    assert (out);
    assert (value);
    s_value (out, value);
}

void
dp_print_type_into (dp_json_writer_t *out, const dp_ast_type_t *type)
{
    assert (out);
    assert (type);
    s_type (out, type);
}

char *
dp_print_type (dp_arena_t *arena, const dp_ast_type_t *type)
{
    assert (arena);
    assert (type);
    buf_t b;
    dp_json_writer_init (&b, 64);
    s_type (&b, type);
    return s_finish (arena, &b, NULL);
}

//  -------------------------------------------------------------------------
//  Default values: astFromValue (valueFromAST (literal, type), type)

//  JavaScript's Number.prototype.toString() for a finite double: the
//  shortest digits that read back as the same number, in plain notation
//  for exponents -7 < e < 21 and "1.5e+21" style otherwise.
static void
s_js_number (char *out, size_t size, double x)
{
    assert (size >= 40);
    if (x == 0) {
        strcpy (out, "0");
        return;
    }
    size_t o = 0;
    if (x < 0) {
        out [o++] = '-';
        x = -x;
    }
    char scientific [40];
    for (int precision = 1; precision <= 17; precision++) {
        snprintf (scientific, sizeof scientific, "%.*e", precision - 1, x);
        if (strtod (scientific, NULL) == x)
            break;
    }
    //  scientific is "d.ddde+XX": the digits, and n with x = 0.digits × 10^n.
    char digits [24];
    int k = 0;
    const char *p = scientific;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits [k++] = *p;
    while (k > 1 && digits [k - 1] == '0')
        k--;
    int n = atoi (p + 1) + 1;
    if (k <= n && n <= 21) {
        memcpy (out + o, digits, (size_t) k);
        o += (size_t) k;
        for (int i = k; i < n; i++)
            out [o++] = '0';
    }
    else
    if (0 < n && n <= 21) {
        memcpy (out + o, digits, (size_t) n);
        o += (size_t) n;
        out [o++] = '.';
        memcpy (out + o, digits + n, (size_t) (k - n));
        o += (size_t) (k - n);
    }
    else
    if (-6 < n && n <= 0) {
        out [o++] = '0';
        out [o++] = '.';
        for (int i = 0; i < -n; i++)
            out [o++] = '0';
        memcpy (out + o, digits, (size_t) k);
        o += (size_t) k;
    }
    else {
        out [o++] = digits [0];
        if (k > 1) {
            out [o++] = '.';
            memcpy (out + o, digits + 1, (size_t) (k - 1));
            o += (size_t) (k - 1);
        }
        o += (size_t) snprintf (out + o, size - o, "e%c%d", n - 1 < 0 ? '-' : '+', abs (n - 1));
    }
    out [o] = 0;
}

static dp_ast_value_t *
s_new_value (dp_arena_t *arena, dp_ast_value_kind_t kind, const char *text)
{
    dp_ast_value_t *value = dp_arena_calloc (arena, 1, sizeof *value);
    value->kind = kind;
    if (text) {
        value->text = dp_arena_strdup (arena, text);
        value->text_len = strlen (text);
    }
    return value;
}

//  /^-?(?:0|[1-9][0-9]*)$/
static bool
s_is_integer_string (const char *s, size_t len)
{
    size_t i = 0;
    if (i < len && s [i] == '-')
        i++;
    if (i == len)
        return false;
    if (s [i] == '0')
        return i + 1 == len;
    for (; i < len; i++)
        if (s [i] < '0' || s [i] > '9')
            return false;
    return true;
}

//  A JS number as an IntValue or FloatValue, as astFromValue writes it.
static dp_ast_value_t *
s_number_value (dp_arena_t *arena, double x)
{
    if (!isfinite (x))
        return NULL;
    char text [40];
    s_js_number (text, sizeof text, x);
    return s_new_value (arena, s_is_integer_string (text, strlen (text)) ? DP_AST_INT : DP_AST_FLOAT,
                        text);
}

static bool
s_scalar_is (const dp_type_t *type, const char *name)
{
    return strcmp (type->name, name) == 0 && dp_type_is_builtin (type);
}

static dp_ast_value_t *s_coerce (dp_arena_t *arena, const dp_ast_value_t *literal,
                                 const dp_type_ref_t *type, int depth);

//  An input object literal with every field in type order: given, or its
//  own default; NULL when a field does not coerce or a required one is
//  missing.
static dp_ast_value_t *
s_coerce_object (dp_arena_t *arena, const dp_ast_value_t *literal, const dp_type_t *type, int depth)
{
    if (literal->kind != DP_AST_OBJECT)
        return NULL;
    dp_ast_value_t *object = s_new_value (arena, DP_AST_OBJECT, NULL);
    object->fields = dp_arena_calloc (arena, type->n_input_fields + 1, sizeof (dp_ast_object_field_t));
    size_t n_given = 0;
    for (size_t f = 0; f < type->n_input_fields; f++) {
        const dp_input_value_t *field = &type->input_fields [f];
        const dp_ast_value_t *given = NULL;
        for (size_t i = 0; i < literal->n_fields; i++)
            if (strcmp (literal->fields [i].name, field->name) == 0)
                given = literal->fields [i].value;     //  the last one wins, as keyMap
        dp_ast_value_t *value = NULL;
        if (given && given->kind != DP_AST_VARIABLE) {
            value = s_coerce (arena, given, field->type, depth + 1);
            if (!value)
                return NULL;
            n_given++;
        }
        else
        if (field->default_value)
            value = s_coerce (arena, field->default_value, field->type, depth + 1);
        else
        if (field->type->kind == DP_REF_NON_NULL)
            return NULL;
        if (!value)
            continue;
        if (type->one_of && value->kind == DP_AST_NULL)
            return NULL;
        object->fields [object->n_fields].name = field->name;
        object->fields [object->n_fields++].value = value;
    }
    if (type->one_of && (n_given != 1 || object->n_fields != 1))
        return NULL;
    return object;
}

//  A custom scalar keeps the literal as a JS value (valueFromASTUntyped)
//  and serializes it unchanged; lists and objects have no AST form there.
static dp_ast_value_t *
s_coerce_custom (dp_arena_t *arena, const dp_ast_value_t *literal)
{
    switch (literal->kind) {
        case DP_AST_INT:
        case DP_AST_FLOAT:
            return s_number_value (arena, strtod (literal->text, NULL));
        case DP_AST_STRING:
        case DP_AST_ENUM: {
            dp_ast_value_t *value = s_new_value (arena, DP_AST_STRING, NULL);
            value->text = literal->text;
            value->text_len = literal->kind == DP_AST_STRING ? literal->text_len : strlen (literal->text);
            return value;
        }
        case DP_AST_BOOLEAN: {
            dp_ast_value_t *value = s_new_value (arena, DP_AST_BOOLEAN, NULL);
            value->boolean = literal->boolean;
            return value;
        }
        default:
            return NULL;
    }
}

static dp_ast_value_t *
s_coerce (dp_arena_t *arena, const dp_ast_value_t *literal, const dp_type_ref_t *type, int depth)
{
    if (depth > 64 || literal->kind == DP_AST_VARIABLE)
        return NULL;
    if (type->kind == DP_REF_NON_NULL)
        return literal->kind == DP_AST_NULL ? NULL : s_coerce (arena, literal, type->of, depth + 1);
    if (literal->kind == DP_AST_NULL)
        return s_new_value (arena, DP_AST_NULL, NULL);
    if (type->kind == DP_REF_LIST) {
        dp_ast_value_t *list = s_new_value (arena, DP_AST_LIST, NULL);
        size_t n = literal->kind == DP_AST_LIST ? literal->n_items : 1;
        list->items = dp_arena_calloc (arena, n + 1, sizeof (dp_ast_value_t *));
        for (size_t i = 0; i < n; i++) {
            const dp_ast_value_t *item = literal->kind == DP_AST_LIST ? literal->items [i] : literal;
            if (item->kind == DP_AST_VARIABLE) {
                if (type->of->kind == DP_REF_NON_NULL)
                    return NULL;
                list->items [list->n_items++] = s_new_value (arena, DP_AST_NULL, NULL);
                continue;
            }
            dp_ast_value_t *value = s_coerce (arena, item, type->of, depth + 1);
            if (!value)
                return NULL;
            list->items [list->n_items++] = value;
        }
        return list;
    }
    const dp_type_t *named = type->named;
    switch (named->kind) {
        case DP_TYPE_INPUT_OBJECT:
            return s_coerce_object (arena, literal, named, depth);
        case DP_TYPE_ENUM:
            if (literal->kind != DP_AST_ENUM || dp_type_enum_index (named, literal->text) < 0)
                return NULL;
            return s_new_value (arena, DP_AST_ENUM, literal->text);
        case DP_TYPE_SCALAR:
            break;
        default:
            return NULL;
    }
    if (s_scalar_is (named, "Int")) {
        if (literal->kind != DP_AST_INT)
            return NULL;
        errno = 0;
        long long parsed = strtoll (literal->text, NULL, 10);
        if (errno || parsed > 2147483647LL || parsed < -2147483648LL)
            return NULL;
        char text [24];
        snprintf (text, sizeof text, "%lld", parsed);
        return s_new_value (arena, DP_AST_INT, text);
    }
    if (s_scalar_is (named, "Float")) {
        if (literal->kind != DP_AST_INT && literal->kind != DP_AST_FLOAT)
            return NULL;
        return s_number_value (arena, strtod (literal->text, NULL));
    }
    if (s_scalar_is (named, "String")) {
        if (literal->kind != DP_AST_STRING)
            return NULL;
        dp_ast_value_t *value = s_new_value (arena, DP_AST_STRING, NULL);
        value->text = literal->text;
        value->text_len = literal->text_len;
        return value;
    }
    if (s_scalar_is (named, "Boolean")) {
        if (literal->kind != DP_AST_BOOLEAN)
            return NULL;
        dp_ast_value_t *value = s_new_value (arena, DP_AST_BOOLEAN, NULL);
        value->boolean = literal->boolean;
        return value;
    }
    if (s_scalar_is (named, "ID")) {
        if (literal->kind != DP_AST_STRING && literal->kind != DP_AST_INT)
            return NULL;
        size_t len = literal->kind == DP_AST_STRING ? literal->text_len : strlen (literal->text);
        dp_ast_value_t *value = s_new_value (arena, s_is_integer_string (literal->text, len)
                                                    ? DP_AST_INT : DP_AST_STRING, NULL);
        value->text = literal->text;
        value->text_len = len;
        return value;
    }
    return s_coerce_custom (arena, literal);
}

char *
dp_print_default_value (dp_arena_t *arena, const dp_input_value_t *input)
{
    assert (arena);
    assert (input);
    if (!input->default_value)
        return NULL;
    dp_ast_value_t *value = s_coerce (arena, input->default_value, input->type, 0);
    return value ? dp_print_value (arena, value, NULL) : NULL;
}

//  -------------------------------------------------------------------------
//  Selftest

static void
s_expect_print (dp_arena_t *arena, const char *source, const char *expected)
{
    dp_parse_error_t err;
    dp_ast_document_t *doc = dp_parse (arena, source, strlen (source), NULL, &err);
    if (!doc)
        fprintf (stderr, "dp_printer test: %s does not parse: %s\n", source, err.message);
    assert (doc);
    size_t len;
    char *printed = dp_print (arena, doc, &len);
    if (strcmp (printed, expected) != 0) {
        fprintf (stderr, "dp_printer test:\n--- expected\n%s\n--- got\n%s\n", expected, printed);
        assert (false);
    }
    assert (len == strlen (expected));
    //  Printing is idempotent: the printed text prints as itself.
    doc = dp_parse (arena, printed, len, NULL, &err);
    assert (doc);
    assert (strcmp (dp_print (arena, doc, NULL), expected) == 0);
}

//  The default of argument `arg` of Query.f in a one-field schema.
static void
s_expect_default (dp_arena_t *arena, const char *sdl, const char *expected)
{
    char err [300];
    dp_schema_t *schema = dp_schema_new (sdl, strlen (sdl), err, sizeof err);
    if (!schema)
        fprintf (stderr, "dp_printer test: %s: %s\n", sdl, err);
    assert (schema);
    const dp_field_t *field = dp_type_field (dp_schema_query_type (schema), "f");
    char *printed = dp_print_default_value (arena, &field->args [0]);
    if (expected ? !printed || strcmp (printed, expected) != 0 : printed != NULL) {
        fprintf (stderr, "dp_printer test: %s: expected %s, got %s\n", sdl,
                 expected ? expected : "(none)", printed ? printed : "(none)");
        assert (false);
    }
    dp_schema_destroy (&schema);
}

void
dp_printer_test (bool verbose)
{
    dp_arena_t *arena = dp_arena_new (0);
    //  Operations, fragments, directives and every kind of value.
    s_expect_print (arena,
        "query Q($a: Int = 1, $b: [String!]! @d) @op { alias: field(arg: \"x\\ny\", "
        "obj: {a: [1, 2.5e3, true, null, ENUM, $a]}) @skip(if: $b) { ... on Box { id } ...Frag "
        "... @include(if: true) { x } } }\nfragment Frag on Box @f { id }",
        "query Q($a: Int = 1, $b: [String!]! @d) @op {\n"
        "  alias: field(arg: \"x\\ny\", obj: {a: [1, 2.5e3, true, null, ENUM, $a]}) @skip(if: $b) {\n"
        "    ... on Box {\n      id\n    }\n    ...Frag\n    ... @include(if: true) {\n      x\n    }\n"
        "  }\n}\n\nfragment Frag on Box @f {\n  id\n}");
    //  The short form, and arguments over 80 characters go one per line.
    s_expect_print (arena,
        "{ a(aaaaaaaaaaaaaaaaaaaa: 1, bbbbbbbbbbbbbbbbbbbbbbbb: 2, cccccccccccccccccccccccc: 3, d: 4) { b } }",
        "{\n  a(\n    aaaaaaaaaaaaaaaaaaaa: 1\n    bbbbbbbbbbbbbbbbbbbbbbbb: 2\n"
        "    cccccccccccccccccccccccc: 3\n    d: 4\n  ) {\n    b\n  }\n}");
    //  79 characters stay on one line ("a(" + args + ")" is 80 with the indent not counted).
    s_expect_print (arena, "{ a(b: \"12345678901234567890123456789012345678901234567890123456789012345678901\") }",
        "{\n  a(b: \"12345678901234567890123456789012345678901234567890123456789012345678901\")\n}");
    s_expect_print (arena, "mutation { a }", "mutation {\n  a\n}");
    s_expect_print (arena, "query ($v: ID) { a }", "query ($v: ID) {\n  a\n}");
    //  The type system: descriptions keep their block or quoted form, and
    //  definition arguments go one per line when one spans lines.
    s_expect_print (arena,
        "\"\"\"\n  Type desc\n   indented\n\"\"\"\n"
        "type Box implements Node & Item @key { \"field\" id(first: Int = 10, \"\"\"multi\n"
        "line\"\"\" after: String): [Box!]! @deprecated(reason: \"no\") }\n"
        "enum E { \"a\" A B @d }\nunion U = A | B\ninput I { a: Int = 1 }\n"
        "directive @auth(roles: [String!]) repeatable on FIELD_DEFINITION | OBJECT\n"
        "extend type Box @x\nschema { query: Q }\n",
        "\"\"\"\nType desc\n indented\n\"\"\"\n"
        "type Box implements Node & Item @key {\n  \"field\"\n  id(\n    first: Int = 10\n"
        "    \"\"\"\n    multi\n    line\n    \"\"\"\n    after: String\n  ): [Box!]! @deprecated(reason: \"no\")\n}\n\n"
        "enum E {\n  \"a\"\n  A\n  B @d\n}\n\nunion U = A | B\n\ninput I {\n  a: Int = 1\n}\n\n"
        "directive @auth(roles: [String!]) repeatable on FIELD_DEFINITION | OBJECT\n\n"
        "extend type Box @x\n\nschema {\n  query: Q\n}");
    //  Strings: controls escaped (C1 included), non-ASCII kept; block
    //  strings get newlines only where graphql-js puts them.
    s_expect_print (arena, "{ f(u: \"\xc3\xa9\\u0085\\u0001\\t\\u007f\") }",
                    "{\n  f(u: \"\xc3\xa9\\u0085\\u0001\\t\\u007F\")\n}");
    s_expect_print (arena, "{ f(s: \"\"\"  leading space\"\"\", t: \"\"\"one\"\"\") }",
                    "{\n  f(s: \"\"\"  leading space\"\"\", t: \"\"\"one\"\"\")\n}");
    s_expect_print (arena, "{ f(t: \"\"\"ends with quote\"\n\"\"\") }",
                    "{\n  f(t: \"\"\"\n  ends with quote\"\n  \"\"\")\n}");
    s_expect_print (arena, "{ f(t: \"\"\"a \\\"\"\" b\"\"\") }",
                    "{\n  f(t: \"\"\"a \\\"\"\" b\"\"\")\n}");

    //  Default values as introspection prints them.
    s_expect_default (arena, "type Query { f(a: [Int] = 1): Int }", "[1]");
    s_expect_default (arena, "type Query { f(a: Float = 2.50): Int }", "2.5");
    s_expect_default (arena, "type Query { f(a: Float = 1e21): Int }", "1e+21");
    s_expect_default (arena, "type Query { f(a: Float = 0.0000001): Int }", "1e-7");
    s_expect_default (arena, "type Query { f(a: Float = 0.000001): Int }", "0.000001");
    s_expect_default (arena, "type Query { f(a: Float = 10): Int }", "10");
    s_expect_default (arena, "type Query { f(a: ID = \"7\"): Int }", "7");
    s_expect_default (arena, "type Query { f(a: ID = \"x7\"): Int }", "\"x7\"");
    s_expect_default (arena, "type Query { f(a: String = \"\"\"bl\"ock\"\"\"): Int }", "\"bl\\\"ock\"");
    s_expect_default (arena, "type Query { f(a: In = {b: 2}): Int }\ninput In { a: Int = 5 b: Int c: Int }",
                      "{a: 5, b: 2}");
    s_expect_default (arena, "type Query { f(a: E = B): Int }\nenum E { A B }", "B");
    s_expect_default (arena, "type Query { f(a: E = C): Int }\nenum E { A B }", NULL);
    s_expect_default (arena, "type Query { f(a: Int = 3000000000): Int }", NULL);
    s_expect_default (arena, "type Query { f(a: Int = null): Int }", "null");
    s_expect_default (arena, "type Query { f(a: Int): Int }", NULL);
    dp_arena_destroy (&arena);
    if (verbose)
        printf (" * dp_printer: OK\n");
}
