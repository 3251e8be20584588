-- feed.sql - where the change feed is in the binary log (README, "Change feed"): Depot's own
-- table, not boxtribute's.
--
-- Safe to run on boxtribute's existing database and on one made from db/ddl.sql, and again and
-- again (CREATE TABLE IF NOT EXISTS). Loaded wherever db/indexes.sql is.
--
-- One row (id 1): the GTID position of the last transaction the feed published, and the
-- sequence number of its last message, written by the feed after it published a transaction.
-- In the database rather than a file: it moves with the data it describes (a restored or
-- copied database brings its own position), a feed-svc container needs no volume, and it is
-- as durable as the changes it counts.
-- Licensed under the Apache License 2.0.

CREATE TABLE IF NOT EXISTS depot_feed_position (
    id TINYINT UNSIGNED NOT NULL,
    gtid VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    seq BIGINT UNSIGNED NOT NULL,
    updated DATETIME(3) NOT NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
