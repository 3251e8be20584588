-- indexes.sql - the indexes Depot adds for its own queries.
--
-- Safe to run on boxtribute's existing database and on one made from db/ddl.sql, and safe to
-- run again and again: every statement is CREATE INDEX IF NOT EXISTS under a dp_ name (or
-- DROP INDEX IF EXISTS of a dp_ index an earlier version made and a wider one replaces), and
-- each index extends (never duplicates) an index the schema already has. MariaDB 10.11 needs
-- nothing else; MySQL 8 lacks IF NOT EXISTS here and would need the statements run once by
-- hand. Adding a secondary index is online DDL in InnoDB (reads and writes go on meanwhile),
-- so running this on a live database is fine.
--
-- What each one is for (spec/PERFORMANCE.md measured the effect on boxtribute's data):
--   stock(modified, id)              ManageBoxes orders a base's boxes by modified DESC, id DESC
--                                    and pages on that keyset: MariaDB walks this index instead
--                                    of filesorting the join (9 ms -> 0.6 ms per page).
--   stock(location_id, deleted)      "boxes of these locations that are not deleted", and the
--                                    per-base counts, without touching the rows.
--   stock(location_id, box_state_id, deleted)  the same count with a state filter (ManageBoxes'
--                                    totalCount of InStock, Donated, Scrap): from the index only,
--                                    instead of a row lookup per box (InStock, 7,396 of 8,201
--                                    demo boxes: about 5 ms of MariaDB's CPU -> under 1 ms).
--   stock(box_state_id, modified, id, location_id, deleted)  ManageBoxes' page with one state
--                                    (InStock, Donated, Scrap): walked in page order within the
--                                    state, the base's locations and "not deleted" checked in the
--                                    index, so MariaDB reads the page's rows only instead of every
--                                    box of the state and a filesort (demo data: Donated 539 -> 52
--                                    rows read, Scrap 300 -> 55, InStock 93 -> 52).
--   tags_relations(tag_id, created_on)   Tag.lastUsedOn = MAX(created_on) per tag, read from
--                                    the index only (6.8 ms -> 0.4 ms).
--   tags_relations(object_type, object_id, deleted_on, tag_id)  tags of a page of boxes
--                                    (object_type = 'Stock' AND object_id IN (...) AND deleted_on
--                                    IS NULL) from the index only, and a tag filter joined per box.
--                                    It replaces dp_tags_relations_object (object_type, object_id),
--                                    which had to read each link's row for deleted_on and tag_id
--                                    (a page's 42 boxes: about 0.4 -> 0.2 ms of MariaDB's CPU).
--   shipment_detail(box_id, removed_on, lost_on, received_on)  the active shipment detail of
--                                    a page of boxes; the existing index on box_id alone still
--                                    has to read each row to test the three dates.
--   stock(product_id, deleted, box_state_id, items)  Product.instockItemsCount and
--                                    transferItemsCount (BoxView asks both): the sums over a
--                                    product's boxes from the index only, instead of a row
--                                    lookup per box (the demo's largest product, 115 boxes:
--                                    about 0.5 -> 0.35 ms a statement).
-- Licensed under the Apache License 2.0.

CREATE INDEX IF NOT EXISTS dp_stock_modified_id
    ON stock (modified, id);

CREATE INDEX IF NOT EXISTS dp_stock_location_deleted
    ON stock (location_id, deleted);

CREATE INDEX IF NOT EXISTS dp_tags_relations_tag_created
    ON tags_relations (tag_id, created_on);

CREATE INDEX IF NOT EXISTS dp_tags_relations_links
    ON tags_relations (object_type, object_id, deleted_on, tag_id);

DROP INDEX IF EXISTS dp_tags_relations_object ON tags_relations;

CREATE INDEX IF NOT EXISTS dp_shipment_detail_box_active
    ON shipment_detail (box_id, removed_on, lost_on, received_on);

CREATE INDEX IF NOT EXISTS dp_stock_location_state_deleted
    ON stock (location_id, box_state_id, deleted);

CREATE INDEX IF NOT EXISTS dp_stock_state_modified
    ON stock (box_state_id, modified, id, location_id, deleted);

CREATE INDEX IF NOT EXISTS dp_stock_product_counts
    ON stock (product_id, deleted, box_state_id, items);
