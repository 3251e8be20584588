-- ddl.sql - the tables Depot reads and writes, for a fresh database.
--
-- Depot runs unchanged on a database created from boxtribute's own dump, so these tables
-- are column-compatible with it: the same table and column names, in the same order, with
-- the same types, nullability and defaults (tests/data/ddl_compat.sh checks that against
-- ../shared/data/boxtribute-init.sql). The legacy columns of the PHP app "dropapp" are kept
-- too, so a database made here and boxtribute's are interchangeable.
--
-- Choices of our own:
--   * utf8mb4 throughout (boxtribute's dump uses the 3-byte utf8);
--   * only the tables Depot uses (30 of boxtribute's 61); foreign keys that would point at a
--     table left out (cms_usergroups, distro_events_tracking_groups) are left out with it,
--     the columns and their indexes stay;
--   * unique keys keep boxtribute's names (box_id_unique, qr_id_unique, ...): code that maps a
--     duplicate-key error to a user-facing error matches on them;
--   * every statement is idempotent (CREATE TABLE IF NOT EXISTS); the indexes Depot adds for
--     its own queries live in db/indexes.sql, which also runs on boxtribute's database.
--
-- Soft deletes are DATETIME columns; legacy rows may hold the zero date, so load this (and
-- data for it) with a sql_mode that accepts zero dates (no NO_ZERO_DATE / STRICT_*).
--
-- Load:  mariadb DB < db/ddl.sql && mariadb DB < db/indexes.sql
-- Licensed under the Apache License 2.0.

SET NAMES utf8mb4;
SET @dp_old_fk_checks = @@FOREIGN_KEY_CHECKS;
SET FOREIGN_KEY_CHECKS = 0;
SET @dp_old_sql_mode = @@SQL_MODE;
SET SQL_MODE = 'NO_ENGINE_SUBSTITUTION';

-- ---------------------------------------------------------------------------------------
-- People who use the app, and reference data
-- ---------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS languages (
    id                  INT UNSIGNED NOT NULL AUTO_INCREMENT,
    visible             TINYINT NOT NULL DEFAULT 1,
    code                VARCHAR(255) NULL DEFAULT NULL,
    locale              VARCHAR(255) NULL DEFAULT NULL,
    name                VARCHAR(255) NULL DEFAULT NULL,
    strftime_dateformat VARCHAR(255) NULL DEFAULT NULL,
    smarty_dateformat   VARCHAR(255) NULL DEFAULT NULL,
    seq                 INT NULL DEFAULT NULL,
    rtl                 TINYINT NOT NULL,
    PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

-- Volunteers and coordinators ("naam" is Dutch for name). Binary collation by default, as in
-- dropapp; the text columns people search on are case-insensitive.
CREATE TABLE IF NOT EXISTS cms_users (
    id                  INT UNSIGNED NOT NULL AUTO_INCREMENT,
    pass                VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL DEFAULT '',
    naam                VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL DEFAULT '',
    email               VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
    is_admin            TINYINT NOT NULL DEFAULT 0,
    lastlogin           DATETIME NOT NULL,
    lastaction          DATETIME NOT NULL,
    created             DATETIME NULL DEFAULT NULL,
    created_by          INT UNSIGNED NULL DEFAULT NULL,
    modified            DATETIME NULL DEFAULT NULL,
    modified_by         INT UNSIGNED NULL DEFAULT NULL,
    resetpassword       VARCHAR(255) NULL DEFAULT NULL,
    language            INT UNSIGNED NULL DEFAULT NULL,
    deleted             DATETIME NOT NULL,
    cms_usergroups_id   INT UNSIGNED NULL DEFAULT NULL,
    valid_firstday      DATE NULL DEFAULT NULL,
    valid_lastday       DATE NULL DEFAULT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY email (email),
    KEY ix_cms_users_usergroup (cms_usergroups_id),
    KEY ix_cms_users_language (language),
    KEY ix_cms_users_created_by (created_by),
    KEY ix_cms_users_modified_by (modified_by),
    CONSTRAINT fk_cms_users_language FOREIGN KEY (language)
        REFERENCES languages (id) ON UPDATE CASCADE,
    CONSTRAINT fk_cms_users_created_by FOREIGN KEY (created_by)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_cms_users_modified_by FOREIGN KEY (modified_by)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS organisations (
    id                  INT UNSIGNED NOT NULL AUTO_INCREMENT,
    label               VARCHAR(255) NOT NULL,
    created             DATETIME NULL DEFAULT NULL,
    created_by          INT UNSIGNED NULL DEFAULT NULL,
    deleted             DATETIME NULL DEFAULT NULL,
    modified            DATETIME NULL DEFAULT NULL,
    modified_by         INT UNSIGNED NULL DEFAULT NULL,
    PRIMARY KEY (id),
    KEY ix_organisations_created_by (created_by),
    KEY ix_organisations_modified_by (modified_by),
    CONSTRAINT fk_organisations_created_by FOREIGN KEY (created_by)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_organisations_modified_by FOREIGN KEY (modified_by)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

-- Bases. Most columns are settings of dropapp's free shop, laundry and bicycle modules.
CREATE TABLE IF NOT EXISTS camps (
    id                          INT UNSIGNED NOT NULL AUTO_INCREMENT,
    idcard                      TINYINT NOT NULL DEFAULT 0,
    laundry                     TINYINT NOT NULL DEFAULT 0,
    laundry_cyclestart          DATE NULL DEFAULT '2019-01-01',
    market                      TINYINT NOT NULL DEFAULT 1,
    maxfooddrops_adult          INT NULL DEFAULT 25,
    maxfooddrops_child          INT NULL DEFAULT 25,
    modified                    DATETIME NULL DEFAULT NULL,
    modified_by                 INT UNSIGNED NULL DEFAULT NULL,
    name                        VARCHAR(255) NULL DEFAULT NULL,
    organisation_id             INT UNSIGNED NOT NULL,
    schedulebreak               VARCHAR(255) NOT NULL DEFAULT '1',
    schedulebreakduration       VARCHAR(255) NOT NULL DEFAULT '1',
    schedulebreakstart          VARCHAR(255) NOT NULL DEFAULT '13:00',
    schedulestart               VARCHAR(255) NOT NULL DEFAULT '11:00',
    schedulestop                VARCHAR(255) NOT NULL DEFAULT '17:00',
    scheduletimeslot            VARCHAR(255) NOT NULL DEFAULT '0.5',
    seq                         INT NOT NULL,
    workshop                    TINYINT NOT NULL DEFAULT 0,
    adult_age                   INT NOT NULL DEFAULT 15,
    bicycle                     TINYINT NOT NULL DEFAULT 0,
    bicycle_closingtime         VARCHAR(255) NULL DEFAULT '17:30',
    bicycle_closingtime_saturday VARCHAR(255) NULL DEFAULT '16:30',
    bicyclerenttime             INT NOT NULL DEFAULT 120,
    created                     DATETIME NULL DEFAULT NULL,
    created_by                  INT UNSIGNED NULL DEFAULT NULL,
    currencyname                VARCHAR(255) NOT NULL DEFAULT 'Tokens',
    monetary_currency_code      VARCHAR(15) NOT NULL DEFAULT 'EUR',
    cyclestart                  DATETIME NULL DEFAULT '2019-01-01 00:00:00',
    daystokeepdeletedpersons    INT NULL DEFAULT 9999,
    delete_inactive_users       INT NOT NULL DEFAULT 30,
    deleted                     DATETIME NULL DEFAULT NULL,
    dropcapadult                INT NOT NULL DEFAULT 99999,
    dropcapchild                INT NOT NULL DEFAULT 99999,
    dropsperadult               VARCHAR(255) NOT NULL DEFAULT '100',
    dropsperchild               VARCHAR(255) NOT NULL DEFAULT '100',
    extraportion                TINYINT NULL DEFAULT 0,
    familyidentifier            VARCHAR(255) NOT NULL DEFAULT 'Container',
    food                        TINYINT NOT NULL DEFAULT 0,
    resettokens                 TINYINT(1) NULL DEFAULT 0,
    beneficiaryisregistered     TINYINT(1) NOT NULL DEFAULT 1,
    beneficiaryisvolunteer      TINYINT(1) NOT NULL DEFAULT 1,
    separateshopandwhproducts   TINYINT(1) NOT NULL DEFAULT 0,
    email_enabled               TINYINT(1) NOT NULL DEFAULT 0,
    phone_enabled               TINYINT(1) NOT NULL DEFAULT 0,
    additional_field1_enabled   TINYINT(1) NOT NULL DEFAULT 0,
    additional_field2_enabled   TINYINT(1) NOT NULL DEFAULT 0,
    additional_field3_enabled   TINYINT(1) NOT NULL DEFAULT 0,
    additional_field4_enabled   TINYINT(1) NOT NULL DEFAULT 0,
    additional_field1_label     VARCHAR(255) NULL DEFAULT NULL,
    additional_field2_label     VARCHAR(255) NULL DEFAULT NULL,
    additional_field3_label     VARCHAR(255) NULL DEFAULT NULL,
    additional_field4_label     VARCHAR(255) NULL DEFAULT NULL,
    PRIMARY KEY (id),
    KEY ix_camps_organisation (organisation_id),
    KEY ix_camps_created_by (created_by),
    KEY ix_camps_modified_by (modified_by),
    CONSTRAINT fk_camps_organisation FOREIGN KEY (organisation_id)
        REFERENCES organisations (id) ON UPDATE CASCADE,
    CONSTRAINT fk_camps_created_by FOREIGN KEY (created_by)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_camps_modified_by FOREIGN KEY (modified_by)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

-- The eight box states; ids are the values of the BoxState enum (1 = InStock, label 'Instock').
CREATE TABLE IF NOT EXISTS box_state (
    id                  INT UNSIGNED NOT NULL AUTO_INCREMENT,
    label               VARCHAR(20) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY label (label)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

CREATE TABLE IF NOT EXISTS genders (
    id                  INT UNSIGNED NOT NULL AUTO_INCREMENT,
    label               VARCHAR(20) NOT NULL,
    shortlabel          VARCHAR(255) NULL DEFAULT NULL,
    seq                 INT NULL DEFAULT NULL,
    created             DATETIME NULL DEFAULT NULL,
    created_by          INT UNSIGNED NULL DEFAULT NULL,
    modified            DATETIME NULL DEFAULT NULL,
    modified_by         INT UNSIGNED NULL DEFAULT NULL,
    male                TINYINT(1) NOT NULL DEFAULT 0,
    female              TINYINT(1) NOT NULL DEFAULT 0,
    adult               TINYINT(1) NOT NULL DEFAULT 0,
    child               TINYINT(1) NOT NULL DEFAULT 0,
    baby                TINYINT(1) NOT NULL DEFAULT 0,
    color               VARCHAR(20) NOT NULL,
    PRIMARY KEY (id),
    KEY ix_genders_created_by (created_by),
    KEY ix_genders_modified_by (modified_by),
    CONSTRAINT fk_genders_created_by FOREIGN KEY (created_by)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_genders_modified_by FOREIGN KEY (modified_by)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

-- Categories form a shallow tree; children of 12 ("Clothing") have a gender.
CREATE TABLE IF NOT EXISTS product_categories (
    id                  INT UNSIGNED NOT NULL AUTO_INCREMENT,
    label               VARCHAR(255) NOT NULL,
    seq                 INT NOT NULL DEFAULT 0,
    parent_id           INT UNSIGNED NULL DEFAULT NULL,
    PRIMARY KEY (id),
    KEY ix_product_categories_parent (parent_id),
    CONSTRAINT fk_product_categories_parent FOREIGN KEY (parent_id)
        REFERENCES product_categories (id) ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

-- Size ranges. Rows 28 (Mass) and 29 (Volume) are the dimensions of measure products.
CREATE TABLE IF NOT EXISTS sizegroup (
    id                  INT UNSIGNED NOT NULL AUTO_INCREMENT,
    label               VARCHAR(255) NOT NULL,
    seq                 INT NULL DEFAULT NULL,
    PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

CREATE TABLE IF NOT EXISTS sizes (
    id                  INT UNSIGNED NOT NULL AUTO_INCREMENT,
    label               VARCHAR(20) NOT NULL,
    PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

CREATE TABLE IF NOT EXISTS sizes_sizegroup (
    size_id             INT UNSIGNED NOT NULL,
    sizegroup_id        INT UNSIGNED NOT NULL,
    seq                 INT NULL DEFAULT NULL,
    PRIMARY KEY (size_id, sizegroup_id),
    KEY ix_sizes_sizegroup_group (sizegroup_id),
    CONSTRAINT fk_sizes_sizegroup_size FOREIGN KEY (size_id)
        REFERENCES sizes (id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT fk_sizes_sizegroup_group FOREIGN KEY (sizegroup_id)
        REFERENCES sizegroup (id) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

-- Units of measure products; conversion_factor converts from the dimension's base unit.
CREATE TABLE IF NOT EXISTS units (
    id                  INT UNSIGNED NOT NULL AUTO_INCREMENT,
    name                VARCHAR(255) NOT NULL,
    symbol              VARCHAR(255) NOT NULL,
    conversion_factor   DECIMAL(36,18) UNSIGNED NOT NULL,
    dimension_id        INT UNSIGNED NOT NULL,
    PRIMARY KEY (id),
    KEY ix_units_dimension (dimension_id),
    CONSTRAINT fk_units_dimension FOREIGN KEY (dimension_id)
        REFERENCES sizegroup (id) ON DELETE RESTRICT ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

-- ---------------------------------------------------------------------------------------
-- Products and where boxes live
-- ---------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS standard_product (
    id                          INT UNSIGNED NOT NULL AUTO_INCREMENT,
    name                        VARCHAR(255) NOT NULL,
    category_id                 INT UNSIGNED NOT NULL,
    gender_id                   INT UNSIGNED NOT NULL,
    size_range_id               INT UNSIGNED NOT NULL,
    version                     INT NOT NULL,
    added_on                    DATETIME NOT NULL,
    added_by                    INT UNSIGNED NULL DEFAULT NULL,
    deprecated_on               DATETIME NULL DEFAULT NULL,
    deprecated_by               INT UNSIGNED NULL DEFAULT NULL,
    preceded_by_product_id      INT UNSIGNED NULL DEFAULT NULL,
    superceded_by_product_id    INT UNSIGNED NULL DEFAULT NULL,
    PRIMARY KEY (id),
    KEY ix_standard_product_category (category_id),
    KEY ix_standard_product_gender (gender_id),
    KEY ix_standard_product_size_range (size_range_id),
    KEY ix_standard_product_added_by (added_by),
    KEY ix_standard_product_deprecated_by (deprecated_by),
    KEY ix_standard_product_preceded_by (preceded_by_product_id),
    KEY ix_standard_product_superceded_by (superceded_by_product_id),
    CONSTRAINT fk_standard_product_category FOREIGN KEY (category_id)
        REFERENCES product_categories (id) ON UPDATE CASCADE,
    CONSTRAINT fk_standard_product_gender FOREIGN KEY (gender_id)
        REFERENCES genders (id) ON UPDATE CASCADE,
    CONSTRAINT fk_standard_product_size_range FOREIGN KEY (size_range_id)
        REFERENCES sizegroup (id) ON UPDATE CASCADE,
    CONSTRAINT fk_standard_product_added_by FOREIGN KEY (added_by)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_standard_product_deprecated_by FOREIGN KEY (deprecated_by)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_standard_product_preceded_by FOREIGN KEY (preceded_by_product_id)
        REFERENCES standard_product (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_standard_product_superceded_by FOREIGN KEY (superceded_by_product_id)
        REFERENCES standard_product (id) ON DELETE SET NULL ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

-- A base's products. stockincontainer is "in shop"; value is the free-shop price in tokens.
CREATE TABLE IF NOT EXISTS products (
    id                  INT UNSIGNED NOT NULL AUTO_INCREMENT,
    name                VARCHAR(255) NOT NULL,
    category_id         INT UNSIGNED NOT NULL,
    gender_id           INT UNSIGNED NOT NULL,
    sizegroup_id        INT UNSIGNED NOT NULL,
    camp_id             INT UNSIGNED NOT NULL,
    value               INT NOT NULL DEFAULT 0,
    created             DATETIME NULL DEFAULT NULL,
    created_by          INT UNSIGNED NULL DEFAULT NULL,
    modified            DATETIME NULL DEFAULT NULL,
    modified_by         INT UNSIGNED NULL DEFAULT NULL,
    maxperadult         INT NULL DEFAULT NULL,
    maxperchild         INT NULL DEFAULT NULL,
    stockincontainer    TINYINT NOT NULL DEFAULT 0,
    comments            VARCHAR(255) NULL DEFAULT NULL,
    deleted             DATETIME NULL DEFAULT NULL,
    standard_product_id INT UNSIGNED NULL DEFAULT NULL,
    PRIMARY KEY (id),
    KEY ix_products_category (category_id),
    KEY ix_products_sizegroup (sizegroup_id),
    KEY ix_products_camp (camp_id),
    KEY ix_products_created_by (created_by),
    KEY ix_products_modified_by (modified_by),
    KEY ix_products_gender (gender_id),
    KEY ix_products_standard_product (standard_product_id),
    CONSTRAINT fk_products_gender FOREIGN KEY (gender_id)
        REFERENCES genders (id) ON UPDATE CASCADE,
    CONSTRAINT fk_products_category FOREIGN KEY (category_id)
        REFERENCES product_categories (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT fk_products_sizegroup FOREIGN KEY (sizegroup_id)
        REFERENCES sizegroup (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT fk_products_camp FOREIGN KEY (camp_id)
        REFERENCES camps (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT fk_products_standard_product FOREIGN KEY (standard_product_id)
        REFERENCES standard_product (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_products_created_by FOREIGN KEY (created_by)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_products_modified_by FOREIGN KEY (modified_by)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

-- Warehouse locations (type 'Warehouse') and distribution spots ('MapDistroSpot').
-- box_state_id is the state a box takes when moved here.
CREATE TABLE IF NOT EXISTS locations (
    id                  INT UNSIGNED NOT NULL AUTO_INCREMENT,
    label               VARCHAR(20) NOT NULL,
    camp_id             INT UNSIGNED NOT NULL,
    seq                 INT NULL DEFAULT NULL,
    created             DATETIME NULL DEFAULT NULL,
    created_by          INT UNSIGNED NULL DEFAULT NULL,
    modified            DATETIME NULL DEFAULT NULL,
    modified_by         INT UNSIGNED NULL DEFAULT NULL,
    visible             TINYINT NOT NULL DEFAULT 1,
    container_stock     TINYINT NOT NULL DEFAULT 0,
    is_market           TINYINT NOT NULL DEFAULT 0,
    is_donated          TINYINT NOT NULL DEFAULT 0,
    is_lost             TINYINT NOT NULL DEFAULT 0,
    type                VARCHAR(20) NOT NULL DEFAULT 'Warehouse',
    latitude            DOUBLE NULL DEFAULT NULL,
    longitude           DOUBLE NULL DEFAULT NULL,
    description         VARCHAR(255) NULL DEFAULT NULL,
    deleted             DATETIME NULL DEFAULT NULL,
    is_scrap            TINYINT(1) NOT NULL DEFAULT 0,
    box_state_id        INT UNSIGNED NOT NULL DEFAULT 1,
    PRIMARY KEY (id),
    KEY ix_locations_camp (camp_id),
    KEY ix_locations_box_state (box_state_id),
    KEY ix_locations_created_by (created_by),
    KEY ix_locations_modified_by (modified_by),
    KEY ix_locations_type (type),
    KEY ix_locations_latitude (latitude),
    KEY ix_locations_longitude (longitude),
    CONSTRAINT fk_locations_camp FOREIGN KEY (camp_id)
        REFERENCES camps (id) ON UPDATE CASCADE,
    CONSTRAINT fk_locations_box_state FOREIGN KEY (box_state_id)
        REFERENCES box_state (id) ON UPDATE CASCADE,
    CONSTRAINT fk_locations_created_by FOREIGN KEY (created_by)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_locations_modified_by FOREIGN KEY (modified_by)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

-- Distribution events (mobile distribution, beta). The tracking-group table is not part of
-- Depot's schema, so distro_event_tracking_group_id carries no foreign key here.
CREATE TABLE IF NOT EXISTS distro_events (
    id                              INT UNSIGNED NOT NULL AUTO_INCREMENT,
    name                            VARCHAR(255) NULL DEFAULT NULL,
    planned_start_date_time         DATETIME NOT NULL,
    planned_end_date_time           DATETIME NOT NULL,
    location_id                     INT UNSIGNED NOT NULL,
    distro_event_tracking_group_id  INT UNSIGNED NULL DEFAULT NULL,
    state                           VARCHAR(255) NOT NULL DEFAULT 'Planning',
    created_on                      DATETIME NOT NULL,
    created_by                      INT UNSIGNED NULL DEFAULT NULL,
    deleted_on                      DATETIME NULL DEFAULT NULL,
    modified_on                     DATETIME NULL DEFAULT NULL,
    modified_by                     INT UNSIGNED NULL DEFAULT NULL,
    PRIMARY KEY (id),
    KEY ix_distro_events_start (planned_start_date_time),
    KEY ix_distro_events_end (planned_end_date_time),
    KEY ix_distro_events_state (state),
    KEY ix_distro_events_modified_on (modified_on),
    KEY ix_distro_events_created_on (created_on),
    KEY ix_distro_events_deleted_on (deleted_on),
    KEY ix_distro_events_location (location_id),
    KEY ix_distro_events_created_by (created_by),
    KEY ix_distro_events_modified_by (modified_by),
    KEY ix_distro_events_tracking_group (distro_event_tracking_group_id),
    CONSTRAINT fk_distro_events_location FOREIGN KEY (location_id)
        REFERENCES locations (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT fk_distro_events_created_by FOREIGN KEY (created_by)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_distro_events_modified_by FOREIGN KEY (modified_by)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

-- ---------------------------------------------------------------------------------------
-- Boxes
-- ---------------------------------------------------------------------------------------

-- QR codes: code is the MD5 hex of the id; legacy codes of old label printers have legacy=1.
CREATE TABLE IF NOT EXISTS qr (
    id                  INT UNSIGNED NOT NULL AUTO_INCREMENT,
    code                VARCHAR(255) NULL DEFAULT NULL,
    created             DATETIME NULL DEFAULT NULL,
    legacy              INT NOT NULL DEFAULT 0,
    PRIMARY KEY (id),
    UNIQUE KEY code_legacy_unique (code, legacy)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

-- One row per box. box_id is the label identifier (8 random digits for new boxes); size_id
-- is NULL for measure products, which carry display_unit_id and measure_value (in the
-- dimension's base unit) instead. deleted is the zero date (or NULL) while the box exists.
CREATE TABLE IF NOT EXISTS stock (
    id                      INT UNSIGNED NOT NULL AUTO_INCREMENT,
    box_id                  VARCHAR(11) NOT NULL DEFAULT '',
    product_id              INT UNSIGNED NOT NULL,
    size_id                 INT UNSIGNED NULL DEFAULT NULL,
    weight_display_unit_id  INT UNSIGNED NOT NULL DEFAULT 1,
    weight                  DECIMAL(36,18) UNSIGNED NULL DEFAULT NULL,
    monetary_value          DECIMAL(36,18) UNSIGNED NULL DEFAULT NULL,
    display_unit_id         INT UNSIGNED NULL DEFAULT NULL,
    measure_value           DECIMAL(36,18) UNSIGNED NULL DEFAULT NULL,
    items                   INT NULL DEFAULT NULL,
    location_id             INT UNSIGNED NOT NULL,
    distro_event_id         INT UNSIGNED NULL DEFAULT NULL,
    qr_id                   INT UNSIGNED NULL DEFAULT NULL,
    comments                TEXT NULL DEFAULT NULL,
    created                 DATETIME NULL DEFAULT NULL,
    created_by              INT UNSIGNED NULL DEFAULT NULL,
    modified                DATETIME NULL DEFAULT NULL,
    modified_by             INT UNSIGNED NULL DEFAULT NULL,
    deleted                 DATETIME NOT NULL DEFAULT '0000-00-00 00:00:00',
    box_state_id            INT UNSIGNED NOT NULL DEFAULT 1,
    source_box_id           INT UNSIGNED NULL DEFAULT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY box_id_unique (box_id),
    UNIQUE KEY qr_id_unique (qr_id),
    KEY ix_stock_location (location_id),
    KEY ix_stock_product (product_id),
    KEY ix_stock_size (size_id),
    KEY ix_stock_box_state (box_state_id),
    KEY ix_stock_created_by (created_by),
    KEY ix_stock_modified_by (modified_by),
    KEY ix_stock_distro_event (distro_event_id),
    KEY ix_stock_display_unit (display_unit_id),
    KEY ix_stock_source_box (source_box_id),
    KEY ix_stock_weight_display_unit (weight_display_unit_id),
    CONSTRAINT fk_stock_created_by FOREIGN KEY (created_by)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_stock_modified_by FOREIGN KEY (modified_by)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_stock_location FOREIGN KEY (location_id)
        REFERENCES locations (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT fk_stock_product FOREIGN KEY (product_id)
        REFERENCES products (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT fk_stock_size FOREIGN KEY (size_id)
        REFERENCES sizes (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT fk_stock_distro_event FOREIGN KEY (distro_event_id)
        REFERENCES distro_events (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT fk_stock_display_unit FOREIGN KEY (display_unit_id)
        REFERENCES units (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT fk_stock_source_box FOREIGN KEY (source_box_id)
        REFERENCES stock (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_stock_weight_display_unit FOREIGN KEY (weight_display_unit_id)
        REFERENCES units (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT fk_stock_qr FOREIGN KEY (qr_id)
        REFERENCES qr (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT fk_stock_box_state FOREIGN KEY (box_state_id)
        REFERENCES box_state (id) ON DELETE RESTRICT ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

-- Tags of a base; type is 'Stock' (boxes), 'People' (beneficiaries) or 'All'.
CREATE TABLE IF NOT EXISTS tags (
    id                  INT UNSIGNED NOT NULL AUTO_INCREMENT,
    label               VARCHAR(255) NOT NULL,
    color               VARCHAR(255) NOT NULL,
    camp_id             INT UNSIGNED NOT NULL,
    deleted             DATETIME NULL DEFAULT NULL,
    created             DATETIME NULL DEFAULT NULL,
    created_by          INT UNSIGNED NULL DEFAULT NULL,
    modified            DATETIME NULL DEFAULT NULL,
    modified_by         INT UNSIGNED NULL DEFAULT NULL,
    description         TEXT NOT NULL,
    type                VARCHAR(255) NULL DEFAULT 'People',
    seq                 INT NULL DEFAULT NULL,
    PRIMARY KEY (id),
    KEY ix_tags_camp (camp_id),
    KEY ix_tags_created_by (created_by),
    KEY ix_tags_modified_by (modified_by),
    KEY ix_tags_type (type),
    CONSTRAINT fk_tags_camp FOREIGN KEY (camp_id)
        REFERENCES camps (id) ON UPDATE CASCADE,
    CONSTRAINT fk_tags_created_by FOREIGN KEY (created_by)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_tags_modified_by FOREIGN KEY (modified_by)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

-- A tag on a box (object_type 'Stock') or a beneficiary ('People'). object_id has no foreign
-- key: it points into either table. Unassigning sets deleted_on.
CREATE TABLE IF NOT EXISTS tags_relations (
    id                  INT UNSIGNED NOT NULL AUTO_INCREMENT,
    object_id           INT UNSIGNED NOT NULL,
    object_type         VARCHAR(255) NOT NULL DEFAULT 'People',
    tag_id              INT UNSIGNED NOT NULL,
    created_on          DATETIME NULL DEFAULT NULL,
    created_by_id       INT UNSIGNED NULL DEFAULT NULL,
    deleted_on          DATETIME NULL DEFAULT NULL,
    deleted_by_id       INT UNSIGNED NULL DEFAULT NULL,
    PRIMARY KEY (id),
    KEY ix_tags_relations_tag (tag_id),
    KEY ix_tags_relations_created_by (created_by_id),
    KEY ix_tags_relations_deleted_by (deleted_by_id),
    KEY ix_tags_relations_object_tag_type (object_id, tag_id, object_type),
    CONSTRAINT fk_tags_relations_tag FOREIGN KEY (tag_id)
        REFERENCES tags (id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT fk_tags_relations_created_by FOREIGN KEY (created_by_id)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_tags_relations_deleted_by FOREIGN KEY (deleted_by_id)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

-- Change log of every table (tablename, record_id). For boxes: 'Record created', or the
-- changed column's name with from_int/to_int, or a free-text message.
CREATE TABLE IF NOT EXISTS history (
    id                  INT UNSIGNED NOT NULL AUTO_INCREMENT,
    tablename           VARCHAR(255) NULL DEFAULT NULL,
    record_id           INT NULL DEFAULT NULL,
    changes             TEXT NULL DEFAULT NULL,
    user_id             INT UNSIGNED NULL DEFAULT NULL,
    ip                  VARCHAR(20) NULL DEFAULT NULL,
    changedate          DATETIME NULL DEFAULT NULL,
    from_int            INT NULL DEFAULT NULL,
    to_int              INT NULL DEFAULT NULL,
    from_float          FLOAT NULL DEFAULT NULL,
    to_float            FLOAT NULL DEFAULT NULL,
    PRIMARY KEY (id),
    KEY ix_history_user (user_id),
    KEY recordid_changedate_composite_index (record_id, changedate),
    KEY tablename_recordid_changedate_composite_index (tablename, record_id, changedate),
    CONSTRAINT fk_history_user FOREIGN KEY (user_id)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

-- ---------------------------------------------------------------------------------------
-- Transfers between bases
-- ---------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS transfer_agreement (
    id                      INT UNSIGNED NOT NULL AUTO_INCREMENT,
    source_organisation_id  INT UNSIGNED NOT NULL,
    target_organisation_id  INT UNSIGNED NOT NULL,
    state                   VARCHAR(255) NOT NULL DEFAULT 'UnderReview',
    type                    VARCHAR(255) NOT NULL,
    requested_on            DATETIME NOT NULL,
    requested_by            INT UNSIGNED NOT NULL,
    accepted_on             DATETIME NULL DEFAULT NULL,
    accepted_by             INT UNSIGNED NULL DEFAULT NULL,
    terminated_on           DATETIME NULL DEFAULT NULL,
    terminated_by           INT UNSIGNED NULL DEFAULT NULL,
    valid_from              DATETIME NOT NULL,
    valid_until             DATETIME NULL DEFAULT NULL,
    comment                 TEXT NULL DEFAULT NULL,
    PRIMARY KEY (id),
    KEY ix_transfer_agreement_source_org (source_organisation_id),
    KEY ix_transfer_agreement_target_org (target_organisation_id),
    KEY ix_transfer_agreement_requested_by (requested_by),
    KEY ix_transfer_agreement_accepted_by (accepted_by),
    KEY ix_transfer_agreement_terminated_by (terminated_by),
    CONSTRAINT fk_transfer_agreement_source_org FOREIGN KEY (source_organisation_id)
        REFERENCES organisations (id) ON UPDATE CASCADE,
    CONSTRAINT fk_transfer_agreement_target_org FOREIGN KEY (target_organisation_id)
        REFERENCES organisations (id) ON UPDATE CASCADE,
    CONSTRAINT fk_transfer_agreement_requested_by FOREIGN KEY (requested_by)
        REFERENCES cms_users (id) ON UPDATE CASCADE,
    CONSTRAINT fk_transfer_agreement_accepted_by FOREIGN KEY (accepted_by)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_transfer_agreement_terminated_by FOREIGN KEY (terminated_by)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

-- The bases an agreement covers on each side (NULL = every base of that organisation).
CREATE TABLE IF NOT EXISTS transfer_agreement_detail (
    id                      INT UNSIGNED NOT NULL AUTO_INCREMENT,
    transfer_agreement_id   INT UNSIGNED NOT NULL,
    source_base_id          INT UNSIGNED NULL DEFAULT NULL,
    target_base_id          INT UNSIGNED NULL DEFAULT NULL,
    PRIMARY KEY (id),
    KEY ix_transfer_agreement_detail_agreement (transfer_agreement_id),
    KEY ix_transfer_agreement_detail_source_base (source_base_id),
    KEY ix_transfer_agreement_detail_target_base (target_base_id),
    CONSTRAINT fk_transfer_agreement_detail_agreement FOREIGN KEY (transfer_agreement_id)
        REFERENCES transfer_agreement (id) ON UPDATE CASCADE,
    CONSTRAINT fk_transfer_agreement_detail_source_base FOREIGN KEY (source_base_id)
        REFERENCES camps (id) ON UPDATE CASCADE,
    CONSTRAINT fk_transfer_agreement_detail_target_base FOREIGN KEY (target_base_id)
        REFERENCES camps (id) ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

-- A shipment between two bases; transfer_agreement_id is NULL within one organisation.
-- state: Preparing, Sent, Receiving, Completed, Canceled, Lost.
CREATE TABLE IF NOT EXISTS shipment (
    id                          INT UNSIGNED NOT NULL AUTO_INCREMENT,
    source_base_id              INT UNSIGNED NOT NULL,
    target_base_id              INT UNSIGNED NOT NULL,
    transfer_agreement_id       INT UNSIGNED NULL DEFAULT NULL,
    state                       VARCHAR(255) NOT NULL DEFAULT 'Preparing',
    started_on                  DATETIME NOT NULL,
    started_by_id               INT UNSIGNED NOT NULL,
    canceled_on                 DATETIME NULL DEFAULT NULL,
    canceled_by_id              INT UNSIGNED NULL DEFAULT NULL,
    sent_on                     DATETIME NULL DEFAULT NULL,
    sent_by_id                  INT UNSIGNED NULL DEFAULT NULL,
    receiving_started_on        DATETIME NULL DEFAULT NULL,
    receiving_started_by_id     INT UNSIGNED NULL DEFAULT NULL,
    completed_on                DATETIME NULL DEFAULT NULL,
    completed_by_id             INT UNSIGNED NULL DEFAULT NULL,
    PRIMARY KEY (id),
    KEY ix_shipment_source_base (source_base_id),
    KEY ix_shipment_target_base (target_base_id),
    KEY ix_shipment_agreement (transfer_agreement_id),
    KEY ix_shipment_started_by (started_by_id),
    KEY ix_shipment_canceled_by (canceled_by_id),
    KEY ix_shipment_sent_by (sent_by_id),
    KEY ix_shipment_completed_by (completed_by_id),
    KEY ix_shipment_receiving_started_by (receiving_started_by_id),
    CONSTRAINT fk_shipment_source_base FOREIGN KEY (source_base_id)
        REFERENCES camps (id) ON UPDATE CASCADE,
    CONSTRAINT fk_shipment_target_base FOREIGN KEY (target_base_id)
        REFERENCES camps (id) ON UPDATE CASCADE,
    CONSTRAINT fk_shipment_agreement FOREIGN KEY (transfer_agreement_id)
        REFERENCES transfer_agreement (id) ON UPDATE CASCADE,
    CONSTRAINT fk_shipment_started_by FOREIGN KEY (started_by_id)
        REFERENCES cms_users (id) ON UPDATE CASCADE,
    CONSTRAINT fk_shipment_canceled_by FOREIGN KEY (canceled_by_id)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_shipment_sent_by FOREIGN KEY (sent_by_id)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_shipment_completed_by FOREIGN KEY (completed_by_id)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_shipment_receiving_started_by FOREIGN KEY (receiving_started_by_id)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

-- A box in a shipment. It is active while removed_on, lost_on and received_on are all NULL.
-- box_id is stock.id here (not the label identifier).
CREATE TABLE IF NOT EXISTS shipment_detail (
    id                  INT UNSIGNED NOT NULL AUTO_INCREMENT,
    shipment_id         INT UNSIGNED NOT NULL,
    box_id              INT UNSIGNED NOT NULL,
    source_product_id   INT UNSIGNED NOT NULL,
    target_product_id   INT UNSIGNED NULL DEFAULT NULL,
    source_quantity     INT NULL DEFAULT NULL,
    target_quantity     INT NULL DEFAULT NULL,
    source_size_id      INT UNSIGNED NULL DEFAULT NULL,
    target_size_id      INT UNSIGNED NULL DEFAULT NULL,
    source_location_id  INT UNSIGNED NOT NULL,
    target_location_id  INT UNSIGNED NULL DEFAULT NULL,
    created_on          DATETIME NOT NULL,
    created_by_id       INT UNSIGNED NOT NULL,
    lost_on             DATETIME NULL DEFAULT NULL,
    lost_by_id          INT UNSIGNED NULL DEFAULT NULL,
    received_on         DATETIME NULL DEFAULT NULL,
    received_by_id      INT UNSIGNED NULL DEFAULT NULL,
    removed_on          DATETIME NULL DEFAULT NULL,
    removed_by_id       INT UNSIGNED NULL DEFAULT NULL,
    PRIMARY KEY (id),
    KEY ix_shipment_detail_shipment (shipment_id),
    KEY ix_shipment_detail_box (box_id),
    KEY ix_shipment_detail_source_product (source_product_id),
    KEY ix_shipment_detail_target_product (target_product_id),
    KEY ix_shipment_detail_source_location (source_location_id),
    KEY ix_shipment_detail_target_location (target_location_id),
    KEY ix_shipment_detail_created_by (created_by_id),
    KEY ix_shipment_detail_removed_by (removed_by_id),
    KEY ix_shipment_detail_lost_by (lost_by_id),
    KEY ix_shipment_detail_received_by (received_by_id),
    KEY ix_shipment_detail_source_size (source_size_id),
    KEY ix_shipment_detail_target_size (target_size_id),
    CONSTRAINT fk_shipment_detail_shipment FOREIGN KEY (shipment_id)
        REFERENCES shipment (id) ON UPDATE CASCADE,
    CONSTRAINT fk_shipment_detail_box FOREIGN KEY (box_id)
        REFERENCES stock (id) ON UPDATE CASCADE,
    CONSTRAINT fk_shipment_detail_source_product FOREIGN KEY (source_product_id)
        REFERENCES products (id) ON UPDATE CASCADE,
    CONSTRAINT fk_shipment_detail_target_product FOREIGN KEY (target_product_id)
        REFERENCES products (id) ON UPDATE CASCADE,
    CONSTRAINT fk_shipment_detail_source_location FOREIGN KEY (source_location_id)
        REFERENCES locations (id) ON UPDATE CASCADE,
    CONSTRAINT fk_shipment_detail_target_location FOREIGN KEY (target_location_id)
        REFERENCES locations (id) ON UPDATE CASCADE,
    CONSTRAINT fk_shipment_detail_source_size FOREIGN KEY (source_size_id)
        REFERENCES sizes (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT fk_shipment_detail_target_size FOREIGN KEY (target_size_id)
        REFERENCES sizes (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT fk_shipment_detail_created_by FOREIGN KEY (created_by_id)
        REFERENCES cms_users (id) ON UPDATE CASCADE,
    CONSTRAINT fk_shipment_detail_removed_by FOREIGN KEY (removed_by_id)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_shipment_detail_lost_by FOREIGN KEY (lost_by_id)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_shipment_detail_received_by FOREIGN KEY (received_by_id)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

-- ---------------------------------------------------------------------------------------
-- Beneficiaries
-- ---------------------------------------------------------------------------------------

-- Beneficiaries; parent_id is the family head, container the group identifier.
CREATE TABLE IF NOT EXISTS people (
    id                  INT UNSIGNED NOT NULL AUTO_INCREMENT,
    parent_id           INT UNSIGNED NULL DEFAULT NULL,
    seq                 INT NOT NULL,
    firstname           VARCHAR(255) NOT NULL DEFAULT '',
    lastname            VARCHAR(255) NOT NULL DEFAULT '',
    date_of_birth       DATE NULL DEFAULT NULL,
    gender              VARCHAR(255) NOT NULL DEFAULT '',
    family_id           INT NOT NULL,
    visible             INT NOT NULL DEFAULT 1,
    created             DATETIME NULL DEFAULT NULL,
    created_by          INT UNSIGNED NULL DEFAULT NULL,
    modified            DATETIME NULL DEFAULT NULL,
    modified_by         INT UNSIGNED NULL DEFAULT NULL,
    url                 INT NULL DEFAULT NULL,
    container           VARCHAR(255) NOT NULL DEFAULT '',
    tent                VARCHAR(255) NOT NULL DEFAULT '',
    email               VARCHAR(255) NOT NULL DEFAULT '',
    pass                VARCHAR(255) NOT NULL DEFAULT '',
    language            INT NOT NULL DEFAULT 5,
    resetpassword       VARCHAR(255) NULL DEFAULT NULL,
    comments            TEXT NULL DEFAULT NULL,
    workshoptraining    INT NOT NULL DEFAULT 0,
    workshopsupervisor  INT NOT NULL DEFAULT 0,
    phone               VARCHAR(255) NULL DEFAULT NULL,
    bicycletraining     INT NOT NULL DEFAULT 0,
    camp_id             INT UNSIGNED NOT NULL,
    deleted             DATETIME NOT NULL,
    extraportion        INT NOT NULL DEFAULT 0,
    notregistered       TINYINT NOT NULL DEFAULT 0,
    workshopban         DATE NULL DEFAULT NULL,
    bicycleban          DATE NULL DEFAULT NULL,
    bicyclebancomment   TEXT NOT NULL,
    workshopbancomment  TEXT NOT NULL,
    volunteer           TINYINT NOT NULL DEFAULT 0,
    laundryblock        TINYINT NOT NULL DEFAULT 0,
    laundrycomment      VARCHAR(255) NULL DEFAULT NULL,
    approvalsigned      TINYINT NOT NULL DEFAULT 0,
    signaturefield      TEXT NULL DEFAULT NULL,
    date_of_signature   DATETIME NOT NULL DEFAULT '0000-00-00 00:00:00',
    customfield1_value  VARCHAR(255) NULL DEFAULT NULL,
    customfield2_value  VARCHAR(255) NULL DEFAULT NULL,
    customfield3_value  VARCHAR(255) NULL DEFAULT NULL,
    customfield4_value  DATETIME NULL DEFAULT NULL,
    PRIMARY KEY (id),
    KEY ix_people_parent (parent_id),
    KEY ix_people_container (container),
    KEY ix_people_camp (camp_id),
    KEY ix_people_created_by (created_by),
    KEY ix_people_modified_by (modified_by),
    CONSTRAINT fk_people_camp FOREIGN KEY (camp_id)
        REFERENCES camps (id) ON UPDATE CASCADE,
    CONSTRAINT fk_people_created_by FOREIGN KEY (created_by)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_people_modified_by FOREIGN KEY (modified_by)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_people_parent FOREIGN KEY (parent_id)
        REFERENCES people (id) ON DELETE SET NULL ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

CREATE TABLE IF NOT EXISTS x_people_languages (
    people_id           INT UNSIGNED NOT NULL,
    language_id         INT UNSIGNED NOT NULL,
    UNIQUE KEY people_language_unique (people_id, language_id),
    KEY ix_x_people_languages_language (language_id),
    CONSTRAINT fk_x_people_languages_language FOREIGN KEY (language_id)
        REFERENCES languages (id) ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT fk_x_people_languages_people FOREIGN KEY (people_id)
        REFERENCES people (id) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

-- Free-shop purchases and token grants (drops) of beneficiaries.
CREATE TABLE IF NOT EXISTS transactions (
    id                  INT UNSIGNED NOT NULL AUTO_INCREMENT,
    people_id           INT UNSIGNED NULL DEFAULT NULL,
    product_id          INT UNSIGNED NULL DEFAULT NULL,
    count               INT NOT NULL,
    description         VARCHAR(255) NOT NULL,
    drops               INT NOT NULL DEFAULT 0,
    transaction_date    DATETIME NOT NULL,
    user_id             INT UNSIGNED NULL DEFAULT NULL,
    created             DATETIME NULL DEFAULT NULL,
    created_by          INT UNSIGNED NULL DEFAULT NULL,
    modified            DATETIME NULL DEFAULT NULL,
    modified_by         INT UNSIGNED NULL DEFAULT NULL,
    PRIMARY KEY (id),
    KEY ix_transactions_people (people_id),
    KEY ix_transactions_date (transaction_date),
    KEY ix_transactions_created_by (created_by),
    KEY ix_transactions_modified_by (modified_by),
    KEY ix_transactions_user (user_id),
    KEY ix_transactions_product (product_id),
    CONSTRAINT fk_transactions_people FOREIGN KEY (people_id)
        REFERENCES people (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_transactions_product FOREIGN KEY (product_id)
        REFERENCES products (id) ON UPDATE CASCADE,
    CONSTRAINT fk_transactions_created_by FOREIGN KEY (created_by)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_transactions_modified_by FOREIGN KEY (modified_by)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT fk_transactions_user FOREIGN KEY (user_id)
        REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

SET SQL_MODE = @dp_old_sql_mode;
SET FOREIGN_KEY_CHECKS = @dp_old_fk_checks;

-- Shared links of the statistics pages (issue 17: createShareableLink writes them, the public
-- endpoint's resolveLink reads them by code).
CREATE TABLE IF NOT EXISTS shareable_link (
  id int unsigned NOT NULL AUTO_INCREMENT,
  code varchar(255) NOT NULL,
  valid_until datetime DEFAULT NULL,
  view varchar(255) NOT NULL,
  base_id int unsigned DEFAULT NULL,
  url_parameters varchar(2000) DEFAULT NULL,
  created_on datetime NOT NULL,
  created_by_id int unsigned DEFAULT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY shareable_link_code (code),
  KEY created_by_id (created_by_id),
  KEY base_id (base_id),
  CONSTRAINT shareable_link_ibfk_1 FOREIGN KEY (created_by_id) REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE,
  CONSTRAINT shareable_link_ibfk_2 FOREIGN KEY (base_id) REFERENCES camps (id) ON DELETE SET NULL ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

-- Services and who was registered for them: beneficiaryReach counts a registration as a reach
-- ("ServiceUsed"), the public reachedBeneficiariesNumbers a beneficiary registered as reached
-- (issue 17).
CREATE TABLE IF NOT EXISTS services (
  id int unsigned NOT NULL AUTO_INCREMENT,
  label varchar(255) NOT NULL,
  description text NOT NULL,
  camp_id int unsigned NOT NULL,
  deleted datetime DEFAULT NULL,
  deleted_by int unsigned DEFAULT NULL,
  created datetime DEFAULT NULL,
  created_by int unsigned DEFAULT NULL,
  modified datetime DEFAULT NULL,
  modified_by int unsigned DEFAULT NULL,
  seq int DEFAULT NULL,
  PRIMARY KEY (id),
  KEY camp_id (camp_id),
  KEY deleted_by (deleted_by),
  KEY created_by (created_by),
  KEY modified_by (modified_by),
  CONSTRAINT services_ibfk_1 FOREIGN KEY (camp_id) REFERENCES camps (id) ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT services_ibfk_2 FOREIGN KEY (deleted_by) REFERENCES cms_users (id) ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT services_ibfk_3 FOREIGN KEY (created_by) REFERENCES cms_users (id) ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT services_ibfk_4 FOREIGN KEY (modified_by) REFERENCES cms_users (id) ON DELETE RESTRICT ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

CREATE TABLE IF NOT EXISTS services_relations (
  id int unsigned NOT NULL AUTO_INCREMENT,
  people_id int unsigned NOT NULL,
  service_id int unsigned NOT NULL,
  created datetime NOT NULL,
  created_by int unsigned DEFAULT NULL,
  PRIMARY KEY (id),
  KEY people_id (people_id),
  KEY service_id (service_id),
  KEY created_by (created_by),
  CONSTRAINT services_relations_ibfk_1 FOREIGN KEY (people_id) REFERENCES people (id) ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT services_relations_ibfk_2 FOREIGN KEY (service_id) REFERENCES services (id) ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT services_relations_ibfk_3 FOREIGN KEY (created_by) REFERENCES cms_users (id) ON DELETE SET NULL ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;
