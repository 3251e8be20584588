-- idempotency.sql - the table behind Idempotency-Key (README, "Exactly once"): Depot's own, not
-- boxtribute's.
--
-- Safe to run on boxtribute's existing database and on one made from db/ddl.sql, and again and
-- again (CREATE TABLE IF NOT EXISTS). Loaded wherever db/indexes.sql is.
--
-- Per (key, user) one claim row (field -1): the request's hash, and until when the request that
-- holds the key runs (running_until_ms, ms since the Unix epoch, a moment past its deadline;
-- 0 once it finished). Per mutation root field that committed, one row (field = the field's
-- position among the operation's root fields) written in that field's own transaction, before
-- its COMMIT: its "alias":value JSON as answered (NULL when the field was non-null and failed,
-- which makes data null) and its errors (the error objects comma-joined; NULL: none).
-- db-svc deletes rows whose created is more than 24 hours old (at most 1000 a minute per
-- db-svc, on its control connection to the primary), so the created index bounds that work.
-- Licensed under the Apache License 2.0.

CREATE TABLE IF NOT EXISTS depot_idempotency (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT,
    idem_key VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    user_id INT NOT NULL,
    field INT NOT NULL,
    request_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    running_until_ms BIGINT NOT NULL DEFAULT 0,
    result MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    errors MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    created DATETIME NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY depot_idempotency_key_user_field (idem_key, user_id, field),
    KEY depot_idempotency_created (created)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
