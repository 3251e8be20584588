#!/usr/bin/env bash
# ddl_compat.sh - Depot's db/ddl.sql is column-compatible with boxtribute's dump.
#
#   tests/data/ddl_compat.sh [SHARED_DIR]      (default: ../shared beside the project)
#   DP_DDL=other.sql tests/data/ddl_compat.sh   check another DDL file (e.g. a mutated copy,
#                                               to see the checks fail)
#
# Starts a private MariaDB (scripts/mariadb.sh), loads boxtribute-init.sql into one database
# and runs db/indexes.sql on it twice (the migration must be repeatable on a live boxtribute
# database), loads db/ddl.sql + db/indexes.sql (twice each) into another, and then checks:
#   1. every table ddl.sql creates exists in the dump;
#   2. columns: name, position, column_type, is_nullable, column_default identical;
#   3. every primary/unique key of the dump's tables exists in ours with the same columns
#      (and the unique keys Depot maps errors from keep their names);
#   4. every foreign key of the dump between tables we create exists in ours (same columns,
#      referenced table/column, ON DELETE / ON UPDATE rules);
#   5. indexes.sql left both databases with the same dp_ indexes.
# Skips (exit 77, ctest SKIP_RETURN_CODE) with a message when the shared data is absent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${1:-${DEPOT_SHARED_DIR:-$root/../shared}}
dump="$shared/data/boxtribute-init.sql"
if [ ! -f "$dump" ]; then
    echo "SKIP: $dump not found (the shared data is not beside the project)"
    exit 77
fi
command -v mariadbd >/dev/null || { echo "SKIP: mariadbd not installed"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/dp-ddl-compat.XXXXXX")
cleanup() { "$root/scripts/mariadb.sh" stop "$work/db" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
sock=$("$root/scripts/mariadb.sh" start "$work/db")
sql() { mariadb --no-defaults -uroot -S "$sock" --batch --skip-column-names "$@"; }

sql -e 'CREATE DATABASE bt; CREATE DATABASE dp'
sql bt < "$dump"
# As an earlier Depot left it: an index that indexes.sql now replaces with a wider one (the
# count of dp_ indexes below fails if it stays).
sql bt -e 'CREATE INDEX dp_tags_relations_object ON tags_relations (object_type, object_id)'
sql bt < "$root/db/indexes.sql"
sql bt < "$root/db/indexes.sql"
sql dp < "${DP_DDL:-$root/db/ddl.sql}"
sql dp < "${DP_DDL:-$root/db/ddl.sql}"
sql dp < "$root/db/indexes.sql"
sql dp < "$root/db/indexes.sql"

fail=0
check() {   # check NAME QUERY: the query lists differences; any row is a failure
    local out
    out=$(sql -e "$2")
    if [ -n "$out" ]; then
        echo "FAIL: $1"; echo "$out" | sed 's/^/    /'; fail=1
    else
        echo "ok: $1"
    fi
}

ntables=$(sql -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema='dp'")
[ "$ntables" -eq 30 ] || { echo "FAIL: ddl.sql made $ntables tables, expected 30"; fail=1; }

check "every table of ddl.sql exists in the dump" "
    SELECT d.table_name FROM information_schema.tables d
    LEFT JOIN information_schema.tables b ON b.table_schema='bt' AND b.table_name=d.table_name
    WHERE d.table_schema='dp' AND b.table_name IS NULL"

# Columns, both directions, restricted to our tables. NULL-safe comparison of defaults.
cols="SELECT table_name, column_name, ordinal_position, column_type, is_nullable,
             COALESCE(column_default, '<no default>') AS dflt
      FROM information_schema.columns WHERE table_schema=%s
      AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_schema='dp')"
check "columns identical (name, position, type, nullability, default)" "
    SELECT 'only in dump:', b.* FROM ($(printf "$cols" "'bt'")) b
      LEFT JOIN ($(printf "$cols" "'dp'")) d USING (table_name, column_name, ordinal_position,
                                                    column_type, is_nullable, dflt)
      WHERE d.column_name IS NULL
    UNION ALL
    SELECT 'only in ddl.sql:', d.* FROM ($(printf "$cols" "'dp'")) d
      LEFT JOIN ($(printf "$cols" "'bt'")) b USING (table_name, column_name, ordinal_position,
                                                    column_type, is_nullable, dflt)
      WHERE b.column_name IS NULL
    ORDER BY 2, 4"

# Unique keys compared by their column lists (names are ours, except the ones below).
uniq="SELECT table_name, index_name,
             GROUP_CONCAT(column_name ORDER BY seq_in_index) AS cols
      FROM information_schema.statistics WHERE table_schema=%s AND non_unique=0
      AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_schema='dp')
      GROUP BY table_name, index_name"
check "primary and unique keys of the dump exist in ddl.sql" "
    SELECT b.table_name, b.index_name, b.cols FROM ($(printf "$uniq" "'bt'")) b
    WHERE NOT EXISTS (SELECT 1 FROM ($(printf "$uniq" "'dp'")) d
                      WHERE d.table_name=b.table_name AND d.cols=b.cols)
    UNION ALL
    SELECT d.table_name, d.index_name, d.cols FROM ($(printf "$uniq" "'dp'")) d
    WHERE NOT EXISTS (SELECT 1 FROM ($(printf "$uniq" "'bt'")) b
                      WHERE b.table_name=d.table_name AND b.cols=d.cols)"
check "unique keys that errors are mapped from keep their names" "
    SELECT x.t, x.i FROM (SELECT 'stock' t, 'box_id_unique' i UNION ALL SELECT 'stock','qr_id_unique'
                          UNION ALL SELECT 'qr','code_legacy_unique'
                          UNION ALL SELECT 'cms_users','email'
                          UNION ALL SELECT 'x_people_languages','people_language_unique') x
    WHERE NOT EXISTS (SELECT 1 FROM information_schema.statistics s WHERE s.table_schema='dp'
                      AND s.table_name=x.t AND s.index_name=x.i AND s.non_unique=0)"

# Foreign keys between tables we create, compared by content (constraint names are ours).
fks="SELECT k.table_name, GROUP_CONCAT(k.column_name ORDER BY k.ordinal_position) AS cols,
            k.referenced_table_name AS rt,
            GROUP_CONCAT(k.referenced_column_name ORDER BY k.ordinal_position) AS rcols,
            r.delete_rule, r.update_rule
     FROM information_schema.key_column_usage k
     JOIN information_schema.referential_constraints r
       ON r.constraint_schema=k.constraint_schema AND r.constraint_name=k.constraint_name
      AND r.table_name=k.table_name
     WHERE k.table_schema=%s AND k.referenced_table_name IS NOT NULL
       AND k.table_name IN (SELECT table_name FROM information_schema.tables WHERE table_schema='dp')
       AND k.referenced_table_name IN (SELECT table_name FROM information_schema.tables WHERE table_schema='dp')
     GROUP BY k.table_name, k.constraint_name, k.referenced_table_name, r.delete_rule, r.update_rule"
check "foreign keys (between tables Depot has) identical in content" "
    SELECT DISTINCT 'only in dump:', b.* FROM ($(printf "$fks" "'bt'")) b
    WHERE NOT EXISTS (SELECT 1 FROM ($(printf "$fks" "'dp'")) d WHERE d.table_name=b.table_name
                      AND d.cols=b.cols AND d.rt=b.rt AND d.rcols=b.rcols
                      AND d.delete_rule=b.delete_rule AND d.update_rule=b.update_rule)
    UNION ALL
    SELECT DISTINCT 'only in ddl.sql:', d.* FROM ($(printf "$fks" "'dp'")) d
    WHERE NOT EXISTS (SELECT 1 FROM ($(printf "$fks" "'bt'")) b WHERE d.table_name=b.table_name
                      AND d.cols=b.cols AND d.rt=b.rt AND d.rcols=b.rcols
                      AND d.delete_rule=b.delete_rule AND d.update_rule=b.update_rule)"

dpidx="SELECT table_name, index_name, GROUP_CONCAT(column_name ORDER BY seq_in_index) AS cols
       FROM information_schema.statistics WHERE table_schema=%s AND index_name LIKE 'dp\\_%%'
       GROUP BY table_name, index_name"
n=$(sql -e "SELECT COUNT(*) FROM ($(printf "$dpidx" "'bt'")) x")
expected=$(grep -c '^CREATE INDEX IF NOT EXISTS dp_' "$root/db/indexes.sql")
[ "$n" -eq "$expected" ] || { echo "FAIL: indexes.sql made $n dp_ indexes on the dump, expected $expected (one per statement)"; fail=1; }
check "indexes.sql gives both databases the same dp_ indexes" "
    SELECT 'bt', b.* FROM ($(printf "$dpidx" "'bt'")) b
    WHERE NOT EXISTS (SELECT 1 FROM ($(printf "$dpidx" "'dp'")) d
                      WHERE d.table_name=b.table_name AND d.index_name=b.index_name AND d.cols=b.cols)
    UNION ALL
    SELECT 'dp', d.* FROM ($(printf "$dpidx" "'dp'")) d
    WHERE NOT EXISTS (SELECT 1 FROM ($(printf "$dpidx" "'bt'")) b
                      WHERE d.table_name=b.table_name AND d.index_name=b.index_name AND d.cols=b.cols)"

# The dump's rows fit our tables: copy every row of the 30 tables into dp.
copyerr=0
for t in $(sql -e "SELECT table_name FROM information_schema.tables WHERE table_schema='dp'"); do
    sql -e "SET FOREIGN_KEY_CHECKS=0; SET SQL_MODE='NO_ENGINE_SUBSTITUTION,STRICT_ALL_TABLES';
            INSERT INTO dp.$t SELECT * FROM bt.$t" || { echo "FAIL: copying rows of $t"; copyerr=1; }
done
[ $copyerr -eq 0 ] && echo "ok: every row of the dump's 30 tables loads into ddl.sql's tables (strict mode)"
fail=$((fail | copyerr))

[ $fail -eq 0 ] && echo "PASS: ddl_compat" || echo "FAILED: ddl_compat"
exit $fail
