"""boxtribute's own statistics SQL (back/boxtribute_server/business_logic/statistics/sql.py),
read from its repository and given the parameters its crud.py passes, for the tests and benches
that compare Depot's cubes with it. Read as text (ast), never imported; nothing is copied into
Depot. The repository is a bare mirror beside the project, or DEPOT_BOXTRIBUTE_REPO.
Licensed under the Apache License 2.0.
"""
import ast
import os
import subprocess

import harness

REPO = os.environ.get("DEPOT_BOXTRIBUTE_REPO", os.path.join(
    os.path.dirname(harness.REPO), ".mirror", "boxwise+boxtribute", "repo"))
PATH = "back/boxtribute_server/business_logic/statistics/sql.py"


def _statements():
    try:
        source = subprocess.run(["git", "-C", REPO, "show", f"HEAD:{PATH}"],
                                check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return {node.targets[0].id: node.value.value for node in ast.parse(source).body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)}


STATEMENTS = _statements()


def _quoted(text):
    return "'" + text + "'"


def _ids(ids):
    return "(" + ",".join(str(int(i)) for i in ids) + ")"


def moved_boxes(base):
    """compute_moved_boxes(base): its parameters in crud.py's order (min_history_id 1, as
    outside production)."""
    bases = _ids([base])
    return STATEMENTS["MOVED_BOXES_QUERY"] % (
        bases, 1, _quoted("BoxState"), _quoted("BoxState"), _quoted("OutgoingLocation"),
        _quoted("OutgoingLocation"), _quoted("OutgoingShipment"), bases, _quoted("IncomingShipment"),
        bases, _quoted("BoxState"), bases)


def stock_overview(base, tag_ids=None, excluded_tag_ids=None):
    """compute_stock_overview(base, tag_ids=..., excluded_tag_ids=...): a list with NULL in it
    when a filter is off, as crud.py passes it."""
    include, exclude = bool(tag_ids), bool(excluded_tag_ids)
    return STATEMENTS["STOCK_OVERVIEW_QUERY"] % (
        int(base), int(include), _ids(tag_ids) if include else "(NULL)", int(exclude),
        _ids(excluded_tag_ids) if exclude else "(NULL)", int(include), int(exclude))
