/*  =========================================================================
    depot_gen - deterministic demo data for Depot, printed as SQL

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
/*
@header
    depot-gen prints SQL for the mariadb client that fills a database made from
    db/ddl.sql with a demo data set shaped like boxtribute's largest base: one big
    base (8,201 boxes that are not deleted, by default), four small bases (20-60
    boxes each, two of them in a second organisation), products, sizes, units,
    locations, tags, QR codes, history, shipments, transfer agreements and
    beneficiaries. The demo user is cms_users.id 8 ("Demo Coordinator"),
    organisation 1, base 1.
@discuss
    Same arguments, same bytes: the program reads no clock and no environment, and
    every random choice comes from its own splitmix64 generator, one stream per
    section derived from --seed, so that the small bases do not change when --boxes
    does. Timestamps are spread over the two years before a fixed "now"
    (2025-06-01 00:00:00 UTC).

    The data is meant to exercise a GraphQL back-end the way production data does:
    box ids follow creation time while labels are random 8-digit strings; box
    modification times collide in bulk operations and a few are NULL; deleted boxes
    carry real dates while live ones carry the zero date; about 5% of boxes hold
    measure products (no size, a display unit and a value in the dimension's base
    unit); tags come and go (soft-deleted relations, a deleted tag); strings contain
    quotes, backslashes, newlines and 4-byte UTF-8. Every value is consistent with
    the schema: sizes come from the product's size range, a box's state matches its
    location and its shipment, history rows replay each box's changes in order.

    Loading: one transaction, multi-row INSERTs of up to 500 rows, foreign-key
    checks off while loading (rows reference each other in both directions).
    8,201 boxes load in a few seconds.
@end
*/
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "dp_md5.h"

#define DEFAULT_BOXES       8201
#define MAX_BOXES           1000000
#define ROWS_PER_INSERT     500

#define MINUTE              60
#define HOUR                3600
#define DAY                 86400
#define NOW                 INT64_C(1748736000)     //  2025-06-01 00:00:00 UTC
#define START               (NOW - 730 * DAY)       //  the oldest box

#define T_NULL              INT64_MIN               //  a DATETIME that is NULL
#define T_ZERO              (INT64_MIN + 1)         //  the zero date '0000-00-00 00:00:00'

//  Box states: box_state.id, the values of the BoxState enum
enum {
    ST_INSTOCK = 1, ST_LOST, ST_MARKED, ST_RECEIVING,
    ST_DONATED, ST_SCRAP, ST_INTRANSIT, ST_NOTDELIVERED
};

//  Size ranges (sizegroup.id); 28 and 29 are the dimensions of measure products
enum {
    SG_XSXL = 1, SG_BABY = 2, SG_SHOE_W = 3, SG_CHILD = 4, SG_SML = 5,
    SG_MIXED = 6, SG_ONE = 7, SG_SHOE_M = 8, SG_SHOE_C = 9, SG_DIAPER = 10,
    SG_PACK = 11, SG_MASS = 28, SG_VOLUME = 29
};

//  Product categories (product_categories.id); 12 is "Clothing", the parent of 1-8
enum {
    CAT_UNDERWEAR = 1, CAT_BOTTOMS, CAT_TOPS, CAT_ACCESSORIES, CAT_SHOES,
    CAT_JACKETS, CAT_DRESSES, CAT_BABY, CAT_OTHER, CAT_HYGIENE, CAT_FOOD,
    CAT_CLOTHING, CAT_EQUIPMENT, CAT_TOYS, CAT_MEDICAL, CAT_STATIONERY,
    CAT_WATER, CAT_SHELTER
};

//  Genders (genders.id, the values of the ProductGender enum); 10 is "none"
enum {
    G_WOMEN = 1, G_MEN = 2, G_UNISEX = 3, G_GIRL = 4, G_BOY = 5, G_KID = 6,
    G_BABY_GIRL = 7, G_BABY_BOY = 8, G_BABY = 9, G_NONE = 10,
    G_TEEN_GIRL = 12, G_TEEN_BOY = 13
};

//  What happened to a box, one history row each
enum {
    EV_LOCATION = 1, EV_STATE, EV_ITEMS, EV_SIZE, EV_PRODUCT, EV_COMMENT
};

//  The part a box plays in the data set
enum {
    R_NORMAL, R_DELETED, R_DISTRO,
    R_S1_ACTIVE, R_S1_REMOVED, R_S2, R_S3_RECEIVED, R_S3_LOST, R_S4
};

//  Kinds of location
enum {
    LK_WAREHOUSE, LK_STOCKROOM, LK_SHOP, LK_DONATED, LK_LOST, LK_SCRAP,
    LK_DELETED, LK_SPOT
};

#define BASES               5
#define TAGS_PER_BASE       15
#define SPARE_QR_CODES      64
#define PRODUCTS_PER_BASE   100
#define MEASURE_PER_BASE    5
#define BULK_MOMENTS        24

//  ---------------------------------------------------------------------------
//  Reference data

typedef struct {
    uint32_t id;
    uint32_t org;
    const char *name;
    const char *currency;       //  monetary_currency_code
    const char *tokens;         //  currencyname (free-shop currency)
    int people;                 //  beneficiaries
} base_def_t;

static const base_def_t s_bases [BASES] = {
    { 1, 1, "Harbourside", "EUR", "Tokens", 150 },
    { 2, 1, "Hillcamp", "EUR", "Points", 24 },
    { 3, 1, "Riverside", "EUR", "Tokens", 18 },
    { 4, 2, "Northgate", "GBP", "Coupons", 22 },
    { 5, 2, "Eastfield", "USD", "Tokens", 16 },
};

typedef struct {
    uint32_t id;
    const char *name;
    const char *email;
    uint32_t org;
    bool admin;
    bool deleted;
} user_def_t;

static const user_def_t s_users [] = {
    { 1, "Ada Admin", "ada.admin@harbour-aid.example", 1, true, false },
    { 2, "Bea Baker", "bea.baker@harbour-aid.example", 1, false, false },
    { 3, "Carl Cruz", "carl.cruz@harbour-aid.example", 1, false, false },
    { 4, "Dana Diaz", "dana.diaz@harbour-aid.example", 1, false, false },
    { 5, "Eli Evans", "eli.evans@harbour-aid.example", 1, false, false },
    { 6, "Fay Fox", "fay.fox@harbour-aid.example", 1, false, false },
    { 7, "Gus Grant", "gus.grant@harbour-aid.example", 1, false, false },
    { 8, "Demo Coordinator", "demo.coordinator@harbour-aid.example", 1, false, false },
    { 9, "Hana Hill", "hana.hill@harbour-aid.example", 1, false, false },
    { 10, "Ian Ito", "ian.ito@harbour-aid.example", 1, false, false },
    { 11, "Jo Jansen", "jo.jansen@harbour-aid.example", 1, false, false },
    { 12, "Kim Kowalski", "kim.kowalski@harbour-aid.example", 1, false, true },
    { 13, "Lea Lund", "lea.lund@northern-relief.example", 2, true, false },
    { 14, "Max Moreau", "max.moreau@northern-relief.example", 2, false, false },
    { 15, "Nia Novak", "nia.novak@northern-relief.example", 2, false, false },
    { 16, "Omar Otieno", "omar.otieno@northern-relief.example", 2, false, false },
    { 17, "Pia Petrov", "pia.petrov@northern-relief.example", 2, false, false },
    { 18, "Quinn Quist", "quinn.quist@northern-relief.example", 2, false, false },
    { 19, "Rosa Ruiz", "rosa.ruiz@northern-relief.example", 2, false, false },
    { 20, "Sam Sato", "sam.sato@northern-relief.example", 2, false, false },
};
#define USERS ((int) (sizeof (s_users) / sizeof (s_users [0])))
#define DEMO_USER 8

//  Users who handle boxes in each organisation (the deleted user and the admins do not)
static const uint16_t s_org1_staff [] = { 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
static const uint16_t s_org2_staff [] = { 14, 15, 16, 17, 18, 19, 20 };

typedef struct {
    uint32_t id;
    const char *label;
    uint32_t parent;            //  0 = NULL
    int seq;
} category_def_t;

static const category_def_t s_categories [] = {
    { CAT_UNDERWEAR, "Underwear & Sleepwear", CAT_CLOTHING, 11 },
    { CAT_BOTTOMS, "Trousers & Shorts", CAT_CLOTHING, 12 },
    { CAT_TOPS, "Shirts & Tops", CAT_CLOTHING, 13 },
    { CAT_ACCESSORIES, "Hats, Scarves & Gloves", CAT_CLOTHING, 14 },
    { CAT_SHOES, "Footwear", CAT_CLOTHING, 15 },
    { CAT_JACKETS, "Coats & Jackets", CAT_CLOTHING, 16 },
    { CAT_DRESSES, "Dresses & Skirts", CAT_CLOTHING, 17 },
    { CAT_BABY, "Baby Clothes", CAT_CLOTHING, 18 },
    { CAT_OTHER, "Miscellaneous", 0, 9 },
    { CAT_HYGIENE, "Personal Hygiene", 0, 2 },
    { CAT_FOOD, "Food & Cooking", 0, 3 },
    { CAT_CLOTHING, "Clothing", 0, 1 },
    { CAT_EQUIPMENT, "Equipment", 0, 4 },
    { CAT_TOYS, "Toys & Games", CAT_EQUIPMENT, 41 },
    { CAT_MEDICAL, "Medical Supplies", CAT_HYGIENE, 5 },
    { CAT_STATIONERY, "Books & Stationery", 0, 42 },
    { CAT_WATER, "Drinking Water", 0, 43 },
    { CAT_SHELTER, "Shelter & Bedding", 0, 44 },
};

typedef struct {
    uint32_t id;
    const char *label;
    const char *shortlabel;
    int seq;
    bool male, female, adult, child, baby;
    const char *color;
} gender_def_t;

static const gender_def_t s_genders [] = {
    { G_WOMEN, "Female", "Female", 1, false, true, true, false, false, "#e57373" },
    { G_MEN, "Male", "Male", 2, true, false, true, false, false, "#64b5f6" },
    { G_UNISEX, "Unisex Adult", "Unisex", 3, true, true, true, false, false, "#9575cd" },
    { G_GIRL, "Girl", "Girl", 4, false, true, false, true, false, "#f06292" },
    { G_BOY, "Boy", "Boy", 5, true, false, false, true, false, "#4fc3f7" },
    { G_KID, "Unisex Kid", "Kid", 7, true, true, false, true, false, "#ba68c8" },
    { G_BABY_GIRL, "Baby Girl", "Girl", 8, false, true, false, false, true, "#f8bbd0" },
    { G_BABY_BOY, "Baby Boy", "Boy", 8, true, false, false, false, true, "#b3e5fc" },
    { G_BABY, "Unisex Baby", "Baby", 8, true, true, false, false, true, "#d1c4e9" },
    { G_NONE, "-", NULL, 0, true, true, true, true, true, "#bdbdbd" },
    { G_TEEN_GIRL, "Teen Girl", "Girl", 4, false, true, true, false, false, "#ec407a" },
    { G_TEEN_BOY, "Teen Boy", "Boy", 5, true, false, true, false, false, "#29b6f6" },
};

typedef struct {
    uint32_t id;
    const char *label;
    int seq;
} sizegroup_def_t;

static const sizegroup_def_t s_sizegroups [] = {
    { SG_XSXL, "XS, S, M, L, XL", 1 },
    { SG_BABY, "Baby by month (0-6, 6-12, 12-18, 18-24)", 18 },
    { SG_SHOE_W, "Shoe sizes women (35-42)", 40 },
    { SG_CHILD, "Children by year (2-4 ... 14-16)", 9 },
    { SG_SML, "S, M, L", 2 },
    { SG_MIXED, "Mixed sizes", 31 },
    { SG_ONE, "One size", 30 },
    { SG_SHOE_M, "Shoe sizes men (39-47)", 50 },
    { SG_SHOE_C, "Shoe sizes children (24-34)", 60 },
    { SG_DIAPER, "Diaper sizes", 70 },
    { SG_PACK, "Single, Pack of 5, Pack of 10, Bulk", 80 },
    { SG_MASS, "Mass", 3 },
    { SG_VOLUME, "Volume", 4 },
};
#define SIZEGROUPS ((int) (sizeof (s_sizegroups) / sizeof (s_sizegroups [0])))

//  Sizes: id = index + 1
static const char *s_sizes [] = {
    "XS", "S", "M", "L", "XL",                                          //  1-5
    "0-6 months", "6-12 months", "12-18 months", "18-24 months",        //  6-9
    "2-4 years", "5-7 years", "8-10 years", "11-13 years", "14-16 years",   //  10-14
    "35", "36", "37", "38", "39", "40", "41", "42",                     //  15-22
    "43", "44", "45", "46", "47",                                       //  23-27
    "24", "25", "26", "27", "28", "29", "30", "31", "32", "33", "34",   //  28-38
    "Mixed", "One size",                                                //  39-40
    "Size 1", "Size 2", "Size 3", "Size 4", "Size 5", "Size 6",         //  41-46
    "Single", "Pack of 5", "Pack of 10", "Bulk (100+)",                 //  47-50
};
#define SIZES ((int) (sizeof (s_sizes) / sizeof (s_sizes [0])))

//  Size-range membership: sizes from..to (ids) in group, seq counting from seq0
typedef struct {
    uint32_t group;
    uint32_t from, to;
    int seq0;
} member_def_t;

static const member_def_t s_members [] = {
    { SG_XSXL, 1, 5, 1 }, { SG_XSXL, 39, 39, 999 },
    { SG_BABY, 6, 9, 1 },
    { SG_SHOE_W, 15, 22, 1 },
    { SG_CHILD, 10, 14, 1 }, { SG_CHILD, 39, 39, 999 },
    { SG_SML, 2, 4, 1 },
    { SG_MIXED, 39, 39, 1 },
    { SG_ONE, 40, 40, 1 },
    { SG_SHOE_M, 19, 27, 1 },
    { SG_SHOE_C, 28, 38, 1 },
    { SG_DIAPER, 41, 46, 1 },
    { SG_PACK, 47, 50, 1 },
};
#define MEMBERS ((int) (sizeof (s_members) / sizeof (s_members [0])))

typedef struct {
    uint32_t id;
    const char *name;
    const char *symbol;
    const char *factor;         //  units per base unit (kg, l)
    double factor_value;
    uint32_t dimension;
} unit_def_t;

static const unit_def_t s_units [] = {
    { 1, "kilogram", "kg", "1", 1.0, SG_MASS },
    { 2, "liter", "l", "1", 1.0, SG_VOLUME },
    { 3, "gram", "g", "1000", 1000.0, SG_MASS },
    { 4, "milliliter", "ml", "1000", 1000.0, SG_VOLUME },
    { 5, "pound", "lb", "2.204623", 2.204623, SG_MASS },
    { 6, "ounce", "oz", "35.273962", 35.273962, SG_MASS },
    { 7, "metric ton", "t", "0.001", 0.001, SG_MASS },
    { 8, "gallon (US)", "gal", "0.264172", 0.264172, SG_VOLUME },
};
#define UNITS ((int) (sizeof (s_units) / sizeof (s_units [0])))
#define UNIT_KG 1
#define UNIT_LB 5

typedef struct {
    uint32_t id;
    const char *code;
    const char *locale;
    const char *name;
    bool visible;
    bool rtl;
} language_def_t;

static const language_def_t s_languages [] = {
    { 1, "nl", "nl_NL", "Nederlands", false, false },
    { 2, "en", "en_GB", "English", true, false },
    { 3, "fr", "fr_FR", ("Fran\xc3\xa7" "ais"), true, false },
    { 4, "de", "de_DE", "Deutsch", false, false },
    { 5, "ar", "ar_AE", "\xd8\xa7\xd9\x84\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a\xd8\xa9", true, true },
    { 6, "ckb", "ckb_IQ", "Kurdish (Sorani)", true, true },
};
#define LANGUAGES ((int) (sizeof (s_languages) / sizeof (s_languages [0])))

//  Clothing: a type of garment and which genders it comes in
#define W_ADULT     0x01        //  Female, Male, Unisex Adult
#define W_KID       0x02        //  Girl, Boy, Unisex Kid
#define W_TEEN      0x04        //  Teen Girl, Teen Boy
#define W_FEMALE    0x08        //  Female, Girl, Teen Girl
#define W_BABY      0x10        //  Baby Girl, Baby Boy, Unisex Baby

enum { K_CLOTH, K_SHOE, K_ONE, K_SML, K_BABY };

typedef struct {
    const char *name;
    uint32_t category;
    int kind;
    int who;
} garment_def_t;

static const garment_def_t s_garments [] = {
    { "T-Shirts", CAT_TOPS, K_CLOTH, W_ADULT | W_KID | W_TEEN },
    { "Long Sleeves", CAT_TOPS, K_CLOTH, W_ADULT | W_KID },
    { "Jumpers", CAT_TOPS, K_CLOTH, W_ADULT | W_KID | W_TEEN },
    { "Hoodies", CAT_TOPS, K_CLOTH, W_ADULT | W_TEEN },
    { "Trousers", CAT_BOTTOMS, K_CLOTH, W_ADULT | W_KID | W_TEEN },
    { "Jeans", CAT_BOTTOMS, K_CLOTH, W_ADULT | W_TEEN },
    { "Shorts", CAT_BOTTOMS, K_CLOTH, W_ADULT | W_KID },
    { "Leggings", CAT_BOTTOMS, K_CLOTH, W_FEMALE },
    { "Underwear", CAT_UNDERWEAR, K_CLOTH, W_ADULT | W_KID },
    { "Pyjamas", CAT_UNDERWEAR, K_CLOTH, W_ADULT | W_KID },
    { "Socks", CAT_UNDERWEAR, K_SML, W_ADULT },
    { "Jackets", CAT_JACKETS, K_CLOTH, W_ADULT | W_KID | W_TEEN },
    { "Rain Coats", CAT_JACKETS, K_CLOTH, W_ADULT | W_KID },
    { "Winter Coats", CAT_JACKETS, K_CLOTH, W_ADULT | W_KID },
    { "Dresses", CAT_DRESSES, K_CLOTH, W_FEMALE },
    { "Skirts", CAT_DRESSES, K_CLOTH, W_FEMALE },
    { "Trainers", CAT_SHOES, K_SHOE, W_ADULT | W_KID | W_TEEN },
    { "Sandals", CAT_SHOES, K_SHOE, W_ADULT | W_KID },
    { "Boots", CAT_SHOES, K_SHOE, W_ADULT | W_KID },
    { "Hats", CAT_ACCESSORIES, K_ONE, W_ADULT | W_KID },
    { "Gloves", CAT_ACCESSORIES, K_SML, W_ADULT | W_KID },
    { "Scarves", CAT_ACCESSORIES, K_ONE, W_ADULT },
    { "Baby Bodysuits", CAT_BABY, K_BABY, W_BABY },
    { "Baby Sleepsuits", CAT_BABY, K_BABY, W_BABY },
    { "Baby Jackets", CAT_BABY, K_BABY, W_BABY },
};
#define GARMENTS ((int) (sizeof (s_garments) / sizeof (s_garments [0])))

//  Everything else: gender "none" unless the category is a kind of clothing
typedef struct {
    const char *name;
    uint32_t category;
    uint32_t sizegroup;
    uint32_t gender;
} goods_def_t;

static const goods_def_t s_goods [] = {
    { "Toothbrushes", CAT_HYGIENE, SG_PACK, G_NONE },
    { "Toothpaste", CAT_HYGIENE, SG_ONE, G_NONE },
    { "Soap Bars", CAT_HYGIENE, SG_PACK, G_NONE },
    { "Shampoo", CAT_HYGIENE, SG_ONE, G_NONE },
    { "Sanitary Pads", CAT_HYGIENE, SG_PACK, G_NONE },
    { "Razors", CAT_HYGIENE, SG_PACK, G_NONE },
    { "Baby Wipes", CAT_HYGIENE, SG_PACK, G_NONE },
    { "Diapers", CAT_BABY, SG_DIAPER, G_BABY },
    { "Canned Beans", CAT_FOOD, SG_PACK, G_NONE },
    { "Tea", CAT_FOOD, SG_PACK, G_NONE },
    { "Pots & Pans", CAT_FOOD, SG_MIXED, G_NONE },
    { "Cutlery", CAT_FOOD, SG_PACK, G_NONE },
    { "Torches", CAT_EQUIPMENT, SG_ONE, G_NONE },
    { "Power Banks", CAT_EQUIPMENT, SG_ONE, G_NONE },
    { "Umbrellas", CAT_EQUIPMENT, SG_ONE, G_NONE },
    { "Bicycle Locks", CAT_EQUIPMENT, SG_ONE, G_NONE },
    { "Soft Toys", CAT_TOYS, SG_MIXED, G_NONE },
    { "Board Games", CAT_TOYS, SG_ONE, G_NONE },
    { "Footballs", CAT_TOYS, SG_ONE, G_NONE },
    { "First Aid Kits", CAT_MEDICAL, SG_ONE, G_NONE },
    { "Face Masks", CAT_MEDICAL, SG_PACK, G_NONE },
    { "Notebooks", CAT_STATIONERY, SG_PACK, G_NONE },
    { "Pens & Pencils", CAT_STATIONERY, SG_PACK, G_NONE },
    { "Children's Books", CAT_STATIONERY, SG_MIXED, G_NONE },
    { "School Bags", CAT_STATIONERY, SG_ONE, G_NONE },
    { "Blankets", CAT_SHELTER, SG_ONE, G_NONE },
    { "Sleeping Bags", CAT_SHELTER, SG_ONE, G_NONE },
    { "Tents", CAT_SHELTER, SG_ONE, G_NONE },
    { "Tarpaulins", CAT_SHELTER, SG_MIXED, G_NONE },
    { "Mattresses", CAT_SHELTER, SG_ONE, G_NONE },
    { "Mixed Donations", CAT_OTHER, SG_MIXED, G_NONE },
    { "Bags", CAT_OTHER, SG_MIXED, G_NONE },
    //  Measure products: no size, a display unit and a value
    { "Rice", CAT_FOOD, SG_MASS, G_NONE },
    { "Lentils", CAT_FOOD, SG_MASS, G_NONE },
    { "Flour", CAT_FOOD, SG_MASS, G_NONE },
    { "Sugar", CAT_FOOD, SG_MASS, G_NONE },
    { "Cooking Oil", CAT_FOOD, SG_VOLUME, G_NONE },
    { "Liquid Soap", CAT_HYGIENE, SG_VOLUME, G_NONE },
    { "Drinking Water", CAT_WATER, SG_VOLUME, G_NONE },
};
#define GOODS ((int) (sizeof (s_goods) / sizeof (s_goods [0])))

typedef struct {
    const char *label;
    int kind;
    int weight;                 //  share of the base's boxes in stock here
} location_def_t;

static const location_def_t s_big_locations [] = {
    { "Main Warehouse", LK_WAREHOUSE, 30 },
    { "Shelf A", LK_WAREHOUSE, 8 },
    { "Shelf B", LK_WAREHOUSE, 8 },
    { "Shelf C", LK_WAREHOUSE, 8 },
    { "Cold Storage", LK_WAREHOUSE, 6 },
    { "Container 1", LK_WAREHOUSE, 8 },
    { "Container 2", LK_WAREHOUSE, 8 },
    { "Stockroom", LK_STOCKROOM, 6 },
    { "Free Shop", LK_SHOP, 8 },
    { "Donated", LK_DONATED, 0 },
    { "Lost", LK_LOST, 0 },
    { "Scrap", LK_SCRAP, 0 },
    { "Old Tent", LK_DELETED, 0 },
    { "Central Square", LK_SPOT, 0 },
    { NULL, 0, 0 }
};

static const location_def_t s_small_locations [] = {
    { "Warehouse", LK_WAREHOUSE, 30 },
    { "Shelf 1", LK_WAREHOUSE, 10 },
    { "Shelf 2", LK_WAREHOUSE, 10 },
    { "Storage Tent", LK_WAREHOUSE, 10 },
    { "Free Shop", LK_SHOP, 10 },
    { "Donated", LK_DONATED, 0 },
    { "Lost", LK_LOST, 0 },
    { "Scrap", LK_SCRAP, 0 },
    { "Old Shed", LK_DELETED, 0 },
    { NULL, 0, 0 }
};

//  Tags of each base: 0-8 for boxes (8 gets deleted), 9-11 for people, 12-14 for both
static const char *s_tag_labels [TAGS_PER_BASE] = {
    "Urgent", "Winter", "Summer", "Fragile", "Heavy", "Top shelf", "Re-sorted",
    "Check contents", "Old label", "Family with baby", "Needs follow-up",
    "Speaks English", "Priority", "Volunteers' pick", "Donor: Acme & Co"
};
#define TAG_DELETED 8

static const char *s_tag_descriptions [] = {
    "", "", "Use for boxes that need a second look.",
    "Sorted twice \xe2\x80\x93 keep together.", "Set by the night shift"
};

//  Box comments, chosen to exercise escaping in SQL and JSON
static const char *s_comments [] = {
    "Sorted by size",
    "Mixed brands",
    "Donation from St. Mary's school",
    "Check for \"damaged\" items",
    "Path on label: C:\\storage\\box",
    "Two bags inside;\nsecond bag: socks",
    "Tab\tseparated\tnote",
    ("\xce\xa7\xce\xb5\xce\xb9\xce\xbc\xcf\x89\xce\xbd\xce\xb9\xce\xac\xcf\x84\xce\xb9\xce\xba\xce\xb1 "
        "(winter clothes)"),
    "\xd9\x84\xd9\x84\xd8\xa3\xd8\xb7\xd9\x81\xd8\xa7\xd9\x84 - for children",
    "Winter \xf0\x9f\xa7\xa5 jackets",
    "50% wool, 50% cotton",
    "<b>not html</b> & more",
    "Repacked",
    "From the spring collection",
    "Needs a new label",
};
#define COMMENTS ((int) (sizeof (s_comments) / sizeof (s_comments [0])))

static const char *s_first_names [] = {
    "Amina", "Yusuf", "Leila", "Omar", "Sara", "Hamid", "Nour", "Karim", "Mariam",
    "Ali", "Fatima", "Hassan", "Zainab", "Ahmad", "Rania", "Samir", "Huda", "Tariq",
    "Dilan", "Rojin", "Aram", "Shirin", "Jamal", "Lina", "Musa", "Hevin", "Idris",
    "Noor", "Bilal", "Esra", "Jos\xc3\xa9", "Ana\xc3\xafs", ("Ren\xc3\xa9" "e"), "Chlo\xc3\xa9"
};
static const char *s_last_names [] = {
    "Haddad", "Rahimi", "Karimi", "Abdi", "Yilmaz", "Barzani", "Hosseini", "Nasser",
    "Saleh", "Mansour", "Osman", "Farah", "Ahmadi", "Darwish", "Khalil", "Bakr",
    "O'Neill", "M\xc3\xbcller", "Haji", "Sharif"
};
#define NAMES_FIRST ((int) (sizeof (s_first_names) / sizeof (s_first_names [0])))
#define NAMES_LAST ((int) (sizeof (s_last_names) / sizeof (s_last_names [0])))

//  ---------------------------------------------------------------------------
//  Random numbers: splitmix64, one generator per stream

typedef struct {
    uint64_t state;
} rng_t;

static uint64_t
s_next (rng_t *r)
{
    r->state += UINT64_C(0x9e3779b97f4a7c15);
    uint64_t z = r->state;
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

//  A generator for one section of the data: the same seed and stream always give
//  the same sequence, and different streams are unrelated.
static rng_t
s_stream (uint64_t seed, uint64_t stream)
{
    rng_t r = { seed ^ (stream * UINT64_C(0xd1b54a32d192ed03)) };
    s_next (&r);
    return r;
}

//  Uniform in [0, n); n > 0. The modulo bias is below 2^-40 for the n used here.
static uint64_t
s_below (rng_t *r, uint64_t n)
{
    assert (n > 0);
    return s_next (r) % n;
}

//  Uniform in [lo, hi]
static int64_t
s_range (rng_t *r, int64_t lo, int64_t hi)
{
    assert (hi >= lo);
    return lo + (int64_t) s_below (r, (uint64_t) (hi - lo) + 1);
}

//  True with probability per_mille / 1000
static bool
s_chance (rng_t *r, int per_mille)
{
    return (int) s_below (r, 1000) < per_mille;
}

//  ---------------------------------------------------------------------------
//  SQL output: multi-row INSERT statements of up to ROWS_PER_INSERT rows

typedef struct {
    FILE *out;
    const char *table;
    const char *cols;           //  column list, comma-separated
    int ncols;                  //  columns in the list
    int rows;                   //  rows in the open statement (0: none open)
    int col;                    //  values written in the current row
    uint64_t total;             //  rows written to this table
} sink_t;

static void
s_sink_open (sink_t *self, FILE *out, const char *table, const char *cols)
{
    self->out = out;
    self->table = table;
    self->cols = cols;
    self->ncols = 1;
    for (const char *c = cols; *c; c++)
        self->ncols += *c == ',';
    self->rows = 0;
    self->col = 0;
    self->total = 0;
}

static void
s_row (sink_t *self)
{
    if (self->rows == 0)
        fprintf (self->out, "INSERT INTO %s (%s) VALUES\n(", self->table, self->cols);
    else
        fputs (",\n(", self->out);
    self->col = 0;
}

static void
s_sep (sink_t *self)
{
    if (self->col++ > 0)
        fputc (',', self->out);
}

static void
s_row_end (sink_t *self)
{
    assert (self->col == self->ncols);
    fputc (')', self->out);
    self->total++;
    if (++self->rows == ROWS_PER_INSERT) {
        fputs (";\n", self->out);
        self->rows = 0;
    }
}

static void
s_sink_close (sink_t *self)
{
    if (self->rows > 0)
        fputs (";\n", self->out);
    self->rows = 0;
}

static void
s_null (sink_t *self)
{
    s_sep (self);
    fputs ("NULL", self->out);
}

static void
s_int (sink_t *self, int64_t value)
{
    s_sep (self);
    fprintf (self->out, "%" PRId64, value);
}

//  An id column where 0 means NULL
static void
s_ref (sink_t *self, uint64_t id)
{
    if (id == 0)
        s_null (self);
    else {
        s_sep (self);
        fprintf (self->out, "%" PRIu64, id);
    }
}

//  Writes text as a quoted SQL literal, escaped for the default sql_mode (backslash
//  escapes on): quote, backslash, NUL, CR, LF and Ctrl-Z.
static void
s_quote (FILE *out, const char *text)
{
    fputc ('\'', out);
    for (const char *c = text; *c; c++) {
        switch (*c) {
            case '\'': fputs ("\\'", out); break;
            case '\\': fputs ("\\\\", out); break;
            case '\n': fputs ("\\n", out); break;
            case '\r': fputs ("\\r", out); break;
            case '\x1a': fputs ("\\Z", out); break;
            default: fputc (*c, out);
        }
    }
    fputc ('\'', out);
}

//  A string column; NULL text writes NULL
static void
s_str (sink_t *self, const char *text)
{
    if (!text)
        s_null (self);
    else {
        s_sep (self);
        s_quote (self->out, text);
    }
}

//  Formats a time as 'YYYY-MM-DD HH:MM:SS' (or the date part only) in UTC.
static void
s_format_time (int64_t t, bool date_only, char *buf, size_t size)
{
    if (t == T_ZERO) {
        snprintf (buf, size, date_only? "0000-00-00": "0000-00-00 00:00:00");
        return;
    }
    time_t tt = (time_t) t;
    struct tm tm;
    gmtime_r (&tt, &tm);
    strftime (buf, size, date_only? "%Y-%m-%d": "%Y-%m-%d %H:%M:%S", &tm);
}

//  A DATETIME column: T_NULL writes NULL, T_ZERO the zero date
static void
s_time (sink_t *self, int64_t t)
{
    if (t == T_NULL) {
        s_null (self);
        return;
    }
    char buf [32];
    s_format_time (t, false, buf, sizeof buf);
    s_sep (self);
    fprintf (self->out, "'%s'", buf);
}

static void
s_date (sink_t *self, int64_t t)
{
    if (t == T_NULL) {
        s_null (self);
        return;
    }
    char buf [32];
    s_format_time (t, true, buf, sizeof buf);
    s_sep (self);
    fprintf (self->out, "'%s'", buf);
}

//  A DECIMAL written from a scaled integer: value / 10^decimals, exactly
static void
s_fixed (sink_t *self, int64_t value, int decimals)
{
    assert (value >= 0 && decimals > 0 && decimals <= 9);
    int64_t scale = 1;
    for (int i = 0; i < decimals; i++)
        scale *= 10;
    s_sep (self);
    fprintf (self->out, "%" PRId64 ".%0*" PRId64, value / scale, decimals, value % scale);
}

static void
s_double (sink_t *self, double value, int decimals)
{
    s_sep (self);
    fprintf (self->out, "%.*f", decimals, value);
}

//  ---------------------------------------------------------------------------
//  The data set in memory

typedef struct {
    uint32_t id;
    uint32_t base;              //  camps.id
    uint32_t category, gender, sizegroup;
    const char *name;
    uint32_t standard;          //  standard_product.id, 0 = custom product
    int catalogue;              //  index in the catalogue
    int value;                  //  free-shop price
    bool in_shop;
    int64_t created, deleted;
    uint16_t created_by;
} product_t;

typedef struct {
    const char *name;
    uint32_t category, gender, sizegroup;
    uint32_t standard;          //  standard_product.id when this entry is standardised
} catalogue_t;

typedef struct {
    uint32_t id;
    uint32_t base;
    const char *label;
    int kind;
    int weight;
    int seq;
    uint32_t box_state;         //  the state a box takes when moved here
} location_t;

typedef struct {
    uint32_t id;
    uint32_t base;
    const char *label;
    const char *type;           //  'Stock', 'People' or 'All'
    char color [8];
    const char *description;
    int64_t created, modified, deleted;
    uint16_t created_by, modified_by;
} tag_t;

typedef struct {
    int64_t at;
    uint32_t from, to;
    uint16_t user;
    uint8_t kind;
    bool fixed;                 //  from/to set by the scenario, not by the backward walk
} event_t;

typedef struct {
    uint32_t id;                //  stock.id, in order of creation time
    uint32_t order;             //  generation order, breaks ties in the sort
    uint32_t base;              //  the base whose location holds the box now
    uint8_t role;
    uint8_t state;
    uint16_t created_by, modified_by;       //  0 = NULL
    uint32_t product;           //  index into products
    uint32_t size;              //  sizes.id, 0 = NULL
    uint32_t location;          //  locations.id
    uint32_t qr;                //  qr.id
    uint32_t source_box;        //  stock.id, 0 = NULL
    uint32_t distro_event;      //  distro_events.id, 0 = NULL
    int32_t items;              //  -1 = NULL
    int32_t weight_g;           //  -1 = NULL
    uint8_t weight_unit;
    int64_t money_cents;        //  -1 = NULL
    uint8_t display_unit;       //  units.id, 0 = NULL
    double measure;             //  in the dimension's base unit
    int16_t comment;            //  index into s_comments, -1 = NULL
    int64_t created, modified, deleted;
    uint32_t ev_first;          //  events [ev_first .. ev_first + ev_count)
    uint8_t ev_count;
    char label [12];            //  box_id, the label identifier
} box_t;

typedef struct {
    uint32_t shipment;
    uint32_t box;               //  index into boxes
    uint32_t source_product, target_product;    //  products.id, 0 = NULL
    uint32_t source_location, target_location;
    uint32_t source_size, target_size;
    int32_t source_qty, target_qty;             //  -1 = NULL
    int64_t created_on, lost_on, received_on, removed_on;
    uint16_t created_by, lost_by, received_by, removed_by;
} detail_t;

typedef struct {
    uint32_t id;
    uint32_t source, target;    //  camps.id
    uint32_t agreement;         //  0 = NULL
    const char *state;
    int64_t started, canceled, sent, receiving, completed;
    uint16_t started_by, canceled_by, sent_by, receiving_by, completed_by;
} shipment_t;

typedef struct {
    uint32_t id;
    uint32_t base;
    uint32_t head;              //  people.id of the family head, 0 for a head
    int seq;
    const char *first, *last;
    int64_t born;
    const char *gender;
    char container [24];
    int language;
    int64_t created, deleted;
    uint16_t created_by;
    bool not_registered, volunteer, signed_approval;
    const char *comment;
    char phone [20];
} person_t;

typedef struct {
    uint64_t seed;
    uint32_t boxes_wanted;      //  live boxes of base 1
    catalogue_t *catalogue;
    int catalogue_size;
    int standard_count;
    product_t *products;
    int product_count;
    location_t *locations;
    int location_count;
    tag_t tags [BASES * TAGS_PER_BASE];
    int64_t bulk [BASES][BULK_MOMENTS];         //  shared timestamps of bulk operations
    box_t *boxes;
    uint32_t box_count;
    uint32_t *by_id;            //  box indices in stock.id order
    event_t *events;
    uint32_t event_count, event_max;
    detail_t *details;
    uint32_t detail_count, detail_max;
    shipment_t shipments [4];
    person_t *people;
    uint32_t person_count;
} gen_t;

static void *
s_alloc (size_t count, size_t size)
{
    void *mem = calloc (count? count: 1, size);
    if (!mem) {
        fprintf (stderr, "depot-gen: out of memory\n");
        abort ();
    }
    return mem;
}

static void *
s_grow (void *mem, uint32_t *max, size_t size)
{
    *max = *max? *max * 2: 1024;
    mem = realloc (mem, (size_t) *max * size);
    if (!mem) {
        fprintf (stderr, "depot-gen: out of memory\n");
        abort ();
    }
    return mem;
}

//  ---------------------------------------------------------------------------
//  Catalogue, products, locations, tags

static uint32_t
s_garment_sizegroup (int kind, uint32_t gender)
{
    switch (kind) {
        case K_SHOE:
            if (gender == G_WOMEN || gender == G_TEEN_GIRL)
                return SG_SHOE_W;
            if (gender == G_GIRL || gender == G_BOY || gender == G_KID)
                return SG_SHOE_C;
            return SG_SHOE_M;
        case K_ONE:
            return SG_ONE;
        case K_SML:
            return SG_SML;
        case K_BABY:
            return SG_BABY;
        default:
            if (gender == G_UNISEX)
                return SG_SML;
            if (gender == G_GIRL || gender == G_BOY || gender == G_KID)
                return SG_CHILD;
            return SG_XSXL;
    }
}

//  Every (product name, gender) the bases may stock; every third entry is also a
//  standard product (boxtribute's shared product catalogue).
static void
s_build_catalogue (gen_t *self)
{
    static const struct { int who; uint32_t genders [3]; int n; } groups [] = {
        { W_ADULT, { G_WOMEN, G_MEN, G_UNISEX }, 3 },
        { W_KID, { G_GIRL, G_BOY, G_KID }, 3 },
        { W_TEEN, { G_TEEN_GIRL, G_TEEN_BOY }, 2 },
        { W_FEMALE, { G_WOMEN, G_GIRL, G_TEEN_GIRL }, 3 },
        { W_BABY, { G_BABY_GIRL, G_BABY_BOY, G_BABY }, 3 },
    };
    self->catalogue = s_alloc (GARMENTS * 15 + GOODS, sizeof (catalogue_t));
    int n = 0;
    for (int g = 0; g < GARMENTS; g++)
        for (size_t w = 0; w < sizeof groups / sizeof groups [0]; w++) {
            if (!(s_garments [g].who & groups [w].who))
                continue;
            for (int i = 0; i < groups [w].n; i++) {
                catalogue_t *entry = &self->catalogue [n++];
                entry->name = s_garments [g].name;
                entry->category = s_garments [g].category;
                entry->gender = groups [w].genders [i];
                entry->sizegroup = s_garment_sizegroup (s_garments [g].kind, entry->gender);
            }
        }
    for (int i = 0; i < GOODS; i++) {
        catalogue_t *entry = &self->catalogue [n++];
        entry->name = s_goods [i].name;
        entry->category = s_goods [i].category;
        entry->gender = s_goods [i].gender;
        entry->sizegroup = s_goods [i].sizegroup;
    }
    self->catalogue_size = n;
    for (int i = 0; i < n; i += 3)
        self->catalogue [i].standard = (uint32_t) ++self->standard_count;
}

static bool
s_is_measure (uint32_t sizegroup)
{
    return sizegroup == SG_MASS || sizegroup == SG_VOLUME;
}

static uint16_t
s_staff (uint32_t base, rng_t *r)
{
    if (base >= 4)
        return s_org2_staff [s_below (r, sizeof s_org2_staff / sizeof s_org2_staff [0])];
    //  The demo user does a third of the work in the big base
    if (base == 1 && s_chance (r, 300))
        return DEMO_USER;
    return s_org1_staff [s_below (r, sizeof s_org1_staff / sizeof s_org1_staff [0])];
}

static void
s_build_products (gen_t *self)
{
    self->products = s_alloc (BASES * PRODUCTS_PER_BASE, sizeof (product_t));
    int *pool = s_alloc ((size_t) self->catalogue_size, sizeof (int));
    int *measures = s_alloc ((size_t) self->catalogue_size, sizeof (int));
    for (int b = 0; b < BASES; b++) {
        rng_t r = s_stream (self->seed, 100 + (uint64_t) b);
        int npool = 0, nmeasure = 0;
        for (int i = 0; i < self->catalogue_size; i++) {
            if (s_is_measure (self->catalogue [i].sizegroup))
                measures [nmeasure++] = i;
            else
                pool [npool++] = i;
        }
        //  Partial shuffles: the first k entries become the base's products
        int want = PRODUCTS_PER_BASE - MEASURE_PER_BASE;
        for (int i = 0; i < want && i < npool; i++) {
            int j = i + (int) s_below (&r, (uint64_t) (npool - i));
            int t = pool [i]; pool [i] = pool [j]; pool [j] = t;
        }
        for (int i = 0; i < MEASURE_PER_BASE && i < nmeasure; i++) {
            int j = i + (int) s_below (&r, (uint64_t) (nmeasure - i));
            int t = measures [i]; measures [i] = measures [j]; measures [j] = t;
        }
        int chosen [PRODUCTS_PER_BASE];
        int nchosen = 0;
        for (int i = 0; i < want && i < npool; i++)
            chosen [nchosen++] = pool [i];
        for (int i = 0; i < MEASURE_PER_BASE && i < nmeasure; i++)
            chosen [nchosen++] = measures [i];
        //  In catalogue order, so ids follow a readable order
        for (int i = 1; i < nchosen; i++)
            for (int j = i; j > 0 && chosen [j - 1] > chosen [j]; j--) {
                int t = chosen [j]; chosen [j] = chosen [j - 1]; chosen [j - 1] = t;
            }
        for (int i = 0; i < nchosen; i++) {
            const catalogue_t *entry = &self->catalogue [chosen [i]];
            product_t *p = &self->products [self->product_count];
            p->id = 1001 + (uint32_t) self->product_count;
            self->product_count++;
            p->base = s_bases [b].id;
            p->catalogue = chosen [i];
            p->name = entry->name;
            p->category = entry->category;
            p->gender = entry->gender;
            p->sizegroup = entry->sizegroup;
            p->standard = entry->standard && s_chance (&r, 750)? entry->standard: 0;
            p->value = (int) s_range (&r, 0, 50);
            p->in_shop = s_chance (&r, 200);
            p->created = START - 200 * DAY + s_range (&r, 0, 190 * DAY);
            p->created_by = s_staff (p->base, &r);
            //  A few custom products were deleted; no live box uses them
            p->deleted = !s_is_measure (p->sizegroup) && s_chance (&r, 50)
                       ? NOW - s_range (&r, 10 * DAY, 300 * DAY): T_NULL;
        }
    }
    free (pool);
    free (measures);
}

static void
s_build_locations (gen_t *self)
{
    self->locations = s_alloc (BASES * 16, sizeof (location_t));
    for (int b = 0; b < BASES; b++) {
        const location_def_t *defs = b == 0? s_big_locations: s_small_locations;
        for (int i = 0; defs [i].label; i++) {
            location_t *l = &self->locations [self->location_count];
            l->id = 101 + (uint32_t) self->location_count;
            self->location_count++;
            l->base = s_bases [b].id;
            l->label = defs [i].label;
            l->kind = defs [i].kind;
            l->weight = defs [i].weight;
            l->seq = i + 1;
            l->box_state = defs [i].kind == LK_DONATED? ST_DONATED
                         : defs [i].kind == LK_LOST? ST_LOST
                         : defs [i].kind == LK_SCRAP? ST_SCRAP: ST_INSTOCK;
        }
    }
}

static void
s_build_tags (gen_t *self)
{
    for (int b = 0; b < BASES; b++) {
        rng_t r = s_stream (self->seed, 200 + (uint64_t) b);
        for (int i = 0; i < TAGS_PER_BASE; i++) {
            tag_t *t = &self->tags [b * TAGS_PER_BASE + i];
            t->id = 201 + (uint32_t) (b * TAGS_PER_BASE + i);
            t->base = s_bases [b].id;
            t->label = s_tag_labels [i];
            t->type = i < 9? "Stock": i < 12? "People": "All";
            snprintf (t->color, sizeof t->color, "#%06x", (unsigned) s_below (&r, 0x1000000));
            t->description = s_tag_descriptions [s_below (&r, 5)];
            t->created = START - s_range (&r, DAY, 60 * DAY);
            t->created_by = s_staff (t->base, &r);
            if (s_chance (&r, 400)) {
                t->modified = t->created + s_range (&r, HOUR, 400 * DAY);
                t->modified_by = s_staff (t->base, &r);
            }
            else
                t->modified = T_NULL;
            t->deleted = i == TAG_DELETED? NOW - 100 * DAY: T_NULL;
        }
    }
}

//  Tags that may go on a box of base b: live 'Stock' and 'All' tags
static int
s_box_tags (gen_t *self, uint32_t base, const tag_t *out [TAGS_PER_BASE])
{
    int n = 0;
    for (int i = 0; i < TAGS_PER_BASE; i++) {
        const tag_t *t = &self->tags [(base - 1) * TAGS_PER_BASE + i];
        if (t->deleted == T_NULL && strcmp (t->type, "People") != 0)
            out [n++] = t;
    }
    return n;
}

//  ---------------------------------------------------------------------------
//  Boxes

static const location_t *
s_location_by_id (gen_t *self, uint32_t id)
{
    assert (id >= 101 && id < 101 + (uint32_t) self->location_count);
    return &self->locations [id - 101];
}

static const product_t *
s_product_by_id (gen_t *self, uint32_t id)
{
    assert (id >= 1001 && id < 1001 + (uint32_t) self->product_count);
    return &self->products [id - 1001];
}

//  A location of the base of the given kind (the first one)
static uint32_t
s_location_of_kind (gen_t *self, uint32_t base, int kind)
{
    for (int i = 0; i < self->location_count; i++)
        if (self->locations [i].base == base && self->locations [i].kind == kind)
            return self->locations [i].id;
    assert (false);
    return 0;
}

//  A location where boxes are kept in stock, by weight; not `avoid` if avoid != 0
static uint32_t
s_stock_location (gen_t *self, uint32_t base, uint32_t avoid, rng_t *r)
{
    int total = 0;
    for (int i = 0; i < self->location_count; i++)
        if (self->locations [i].base == base && self->locations [i].id != avoid)
            total += self->locations [i].weight;
    assert (total > 0);
    int pick = (int) s_below (r, (uint64_t) total);
    for (int i = 0; i < self->location_count; i++) {
        const location_t *l = &self->locations [i];
        if (l->base != base || l->id == avoid || l->weight == 0)
            continue;
        if (pick < l->weight)
            return l->id;
        pick -= l->weight;
    }
    assert (false);
    return 0;
}

//  A product of the base; live ones only unless any_product
static uint32_t
s_pick_product (gen_t *self, uint32_t base, bool any_product, bool sized_only, rng_t *r)
{
    uint32_t first = 1001 + (base - 1) * PRODUCTS_PER_BASE;
    while (true) {
        const product_t *p = s_product_by_id (self, first + (uint32_t) s_below (r, PRODUCTS_PER_BASE));
        if (!any_product && p->deleted != T_NULL)
            continue;
        if (sized_only && s_is_measure (p->sizegroup))
            continue;
        return p->id;
    }
}

//  Sizes of a size range, in order; returns how many
static int
s_group_sizes (uint32_t group, uint32_t out [16])
{
    int n = 0;
    for (int m = 0; m < MEMBERS; m++)
        if (s_members [m].group == group)
            for (uint32_t s = s_members [m].from; s <= s_members [m].to && n < 16; s++)
                out [n++] = s;
    return n;
}

static uint32_t
s_pick_size (uint32_t group, uint32_t avoid, rng_t *r)
{
    uint32_t sizes [16];
    int n = s_group_sizes (group, sizes);
    assert (n > 0);
    if (n == 1)
        return sizes [0];
    while (true) {
        uint32_t s = sizes [s_below (r, (uint64_t) n)];
        if (s != avoid)
            return s;
    }
}

static event_t *
s_event_add (gen_t *self, box_t *box, int kind, int64_t at, uint16_t user)
{
    if (self->event_count == self->event_max)
        self->events = s_grow (self->events, &self->event_max, sizeof (event_t));
    if (box->ev_count == 0)
        box->ev_first = self->event_count;
    assert (box->ev_first + box->ev_count == self->event_count);
    event_t *e = &self->events [self->event_count++];
    box->ev_count++;
    memset (e, 0, sizeof *e);
    e->kind = (uint8_t) kind;
    e->at = at;
    e->user = user;
    return e;
}

static detail_t *
s_detail_add (gen_t *self, uint32_t shipment, uint32_t box_index)
{
    if (self->detail_count == self->detail_max)
        self->details = s_grow (self->details, &self->detail_max, sizeof (detail_t));
    detail_t *d = &self->details [self->detail_count++];
    memset (d, 0, sizeof *d);
    d->shipment = shipment;
    d->box = box_index;
    d->lost_on = d->received_on = d->removed_on = T_NULL;
    d->source_qty = d->target_qty = -1;
    return d;
}

//  The four shipments; times relative to NOW
static void
s_build_shipments (gen_t *self)
{
    shipment_t *s = self->shipments;
    //  1: Harbourside -> Hillcamp, same organisation, being prepared (started half a day
    //  ago, so its boxes are among the newest: ManageBoxes' first page shows shipments)
    s [0] = (shipment_t) { 1, 1, 2, 0, "Preparing", NOW - 12 * HOUR, T_NULL, T_NULL, T_NULL, T_NULL,
                           DEMO_USER, 0, 0, 0, 0 };
    //  2: Harbourside -> Northgate, across organisations under agreement 1, sent
    s [1] = (shipment_t) { 2, 1, 4, 1, "Sent", NOW - 20 * DAY, T_NULL, NOW - 18 * DAY, T_NULL, T_NULL,
                           DEMO_USER, 0, DEMO_USER, 0, 0 };
    //  3: Northgate -> Harbourside, completed: boxes received, one lost
    s [2] = (shipment_t) { 3, 4, 1, 1, "Completed", NOW - 40 * DAY, T_NULL, NOW - 38 * DAY,
                           NOW - 35 * DAY, NOW - 34 * DAY, 14, 0, 14, DEMO_USER, DEMO_USER };
    //  4: Hillcamp -> Harbourside, being received
    s [3] = (shipment_t) { 4, 2, 1, 0, "Receiving", NOW - 12 * DAY, T_NULL, NOW - 11 * DAY,
                           NOW - 2 * DAY, T_NULL, 3, 0, 3, DEMO_USER, 0 };
}

//  The latest time a box's ordinary history may reach: its shipment starts after it
static int64_t
s_role_limit (const gen_t *self, int role)
{
    switch (role) {
        case R_S1_ACTIVE:
        case R_S1_REMOVED: return self->shipments [0].started - DAY;
        case R_S2: return self->shipments [1].started - DAY;
        case R_S3_RECEIVED:
        case R_S3_LOST: return self->shipments [2].started - DAY;
        case R_S4: return self->shipments [3].started - DAY;
        default: return NOW - HOUR;
    }
}

static void
s_sort_times (int64_t *t, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && t [j - 1] > t [j]; j--) {
            int64_t x = t [j]; t [j] = t [j - 1]; t [j - 1] = x;
        }
}

//  For a box received in shipment 3: a Northgate product that matches the
//  Harbourside product (same standard product, or else the same size range).
static void
s_pick_received_products (gen_t *self, rng_t *r, uint32_t *p1, uint32_t *p4)
{
    for (int attempt = 0; ; attempt++) {
        *p1 = s_pick_product (self, 1, false, true, r);
        const product_t *target = s_product_by_id (self, *p1);
        uint32_t fallback = 0;
        for (int i = 0; i < PRODUCTS_PER_BASE; i++) {
            const product_t *p = &self->products [3 * PRODUCTS_PER_BASE + i];
            if (p->deleted != T_NULL || p->sizegroup != target->sizegroup)
                continue;
            if (target->standard && p->standard == target->standard) {
                *p4 = p->id;
                return;
            }
            if (!fallback)
                fallback = p->id;
        }
        if (fallback && (attempt > 20 || !target->standard)) {
            *p4 = fallback;
            return;
        }
        assert (attempt < 10000);
    }
}

//  Makes one box: its current values, its history (events) and its shipment detail.
static void
s_box_make (gen_t *self, box_t *box, uint32_t index, uint32_t base, int role, rng_t *r)
{
    memset (box, 0, sizeof *box);
    box->order = index;
    box->base = base;
    box->role = (uint8_t) role;
    box->comment = -1;
    box->weight_g = -1;
    box->money_cents = -1;
    box->weight_unit = UNIT_KG;
    bool shipping = role >= R_S1_ACTIVE;
    int64_t limit = s_role_limit (self, role);
    uint32_t b = base - 1;

    //  Creation: most at random times, some in bulk imports sharing one timestamp
    if (!shipping && s_chance (r, 80)) {
        box->created = self->bulk [b][s_below (r, BULK_MOMENTS)];
        if (box->created > limit - 2 * HOUR)
            box->created = START + s_range (r, 0, limit - 2 * HOUR - START);
    }
    else
        box->created = START + s_range (r, 0, limit - 2 * HOUR - START);

    //  Where it was made: Northgate for boxes that came in with shipment 3
    uint32_t home = role == R_S3_RECEIVED? 4: base;
    box->created_by = s_staff (home, r);
    uint32_t p1 = 0, p4 = 0;
    if (role == R_S3_RECEIVED)
        s_pick_received_products (self, r, &p1, &p4);
    else
        p1 = s_pick_product (self, base, role == R_DELETED, shipping, r);
    box->product = p1;
    const product_t *product = s_product_by_id (self, p1);
    bool measure = s_is_measure (product->sizegroup);

    //  Contents
    if (measure) {
        //  A display unit of the product's dimension and a round amount in it
        uint32_t candidates [UNITS];
        int n = 0;
        for (int i = 0; i < UNITS; i++)
            if (s_units [i].dimension == product->sizegroup && s_units [i].factor_value >= 1.0)
                candidates [n++] = s_units [i].id;
        const unit_def_t *unit = &s_units [candidates [s_below (r, (uint64_t) n)] - 1];
        double shown;
        if (unit->factor_value >= 1000.0)
            shown = 250.0 * (double) s_range (r, 1, 20);         //  g, ml
        else
        if (unit->factor_value > 1.0)
            shown = 5.0 * (double) s_range (r, 1, 20);           //  lb, oz
        else
            shown = (double) s_range (r, 1, 50);                 //  kg, l
        box->display_unit = (uint8_t) unit->id;
        box->measure = shown / unit->factor_value;
        box->items = s_chance (r, 300)? -1: (int32_t) s_range (r, 1, 20);
    }
    else {
        box->size = s_pick_size (product->sizegroup, 0, r);
        box->items = s_chance (r, 5)? -1
                   : s_chance (r, 20)? 0: (int32_t) s_range (r, 1, 60);
    }
    if (s_chance (r, 250)) {
        box->weight_g = (int32_t) s_range (r, 500, 30000);
        if (s_chance (r, 200))
            box->weight_unit = UNIT_LB;
    }
    if (s_chance (r, 100))
        box->money_cents = s_range (r, 100, 50000);
    if (s_chance (r, 120))
        box->comment = (int16_t) s_below (r, COMMENTS);

    //  The state it ends in, outside shipments
    int state = ST_INSTOCK;
    if (role == R_NORMAL) {
        int roll = (int) s_below (r, 100);
        state = roll < 88? ST_INSTOCK: roll < 94? ST_DONATED: roll < 97? ST_SCRAP: ST_LOST;
    }
    else
    if (role == R_DELETED && s_chance (r, 100))
        state = ST_SCRAP;

    //  Ordinary changes, in time order
    int roll_count = (int) s_below (r, 100);
    int count = roll_count < 45? 0: roll_count < 75? 1: roll_count < 90? 2: 3;
    bool special = state != ST_INSTOCK;
    int64_t times [4];
    for (int i = 0; i < count; i++)
        times [i] = s_range (r, box->created + MINUTE, limit - (special? HOUR: 0));
    s_sort_times (times, count);
    //  A bulk move gives many boxes the same modification time
    if (count > 0 && !shipping && !special && s_chance (r, 150)) {
        int64_t after = count > 1? times [count - 2]: box->created;
        for (int i = 0; i < BULK_MOMENTS; i++)
            if (self->bulk [b][i] > after && self->bulk [b][i] <= limit) {
                times [count - 1] = self->bulk [b][i];
                break;
            }
    }
    bool has_comment_event = false;
    uint32_t sizes [16];
    int nsizes = measure? 0: s_group_sizes (product->sizegroup, sizes);
    for (int i = 0; i < count; i++) {
        int roll = (int) s_below (r, 100);
        int kind = roll < 45? EV_LOCATION: roll < 75? EV_ITEMS: roll < 88? EV_SIZE: EV_COMMENT;
        if (kind == EV_ITEMS && box->items < 0)
            kind = EV_LOCATION;
        if (kind == EV_SIZE && nsizes < 2)
            kind = EV_LOCATION;
        if (kind == EV_COMMENT && has_comment_event)
            kind = EV_LOCATION;
        if (kind == EV_COMMENT) {
            has_comment_event = true;
            if (box->comment < 0)
                box->comment = (int16_t) s_below (r, COMMENTS);
        }
        s_event_add (self, box, kind, times [i], s_staff (home, r));
    }

    //  Donated, scrapped or lost: moved to that location, which sets the state
    int64_t last = count > 0? times [count - 1]: box->created;
    if (special) {
        int kind = state == ST_DONATED? LK_DONATED: state == ST_SCRAP? LK_SCRAP: LK_LOST;
        int64_t at = s_range (r, last + MINUTE, limit);
        uint16_t user = s_staff (base, r);
        //  (an event pointer is valid only until the next s_event_add)
        box->location = s_location_of_kind (self, base, kind);
        event_t *e = s_event_add (self, box, EV_LOCATION, at, user);
        e->to = box->location;
        e->from = s_stock_location (self, base, 0, r);
        e->fixed = true;
        e = s_event_add (self, box, EV_STATE, at, user);
        e->from = ST_INSTOCK;
        e->to = (uint32_t) state;
        e->fixed = true;
    }

    //  The box's location now (before shipments move it)
    if (!special)
        box->location = s_stock_location (self, home, 0, r);

    //  Shipments
    if (shipping) {
        const shipment_t *s;
        uint32_t sid = role <= R_S1_REMOVED? 1: role == R_S2? 2: role <= R_S3_LOST? 3: 4;
        s = &self->shipments [sid - 1];
        detail_t *d = s_detail_add (self, sid, index);
        d->created_on = s->started + s_range (r, MINUTE, 6 * HOUR);
        d->created_by = s->started_by;
        d->source_product = p4? p4: p1;
        d->source_location = box->location;
        d->source_size = box->size;
        d->source_qty = box->items;
        event_t *e = s_event_add (self, box, EV_STATE, d->created_on, d->created_by);
        e->from = ST_INSTOCK; e->to = ST_MARKED; e->fixed = true;
        state = ST_MARKED;
        if (role == R_S1_REMOVED) {
            d->removed_on = d->created_on + s_range (r, HOUR, 4 * HOUR);
            d->removed_by = DEMO_USER;
            e = s_event_add (self, box, EV_STATE, d->removed_on, DEMO_USER);
            e->from = ST_MARKED; e->to = ST_INSTOCK; e->fixed = true;
            state = ST_INSTOCK;
        }
        if (s->sent != T_NULL) {
            e = s_event_add (self, box, EV_STATE, s->sent, s->sent_by);
            e->from = ST_MARKED; e->to = ST_INTRANSIT; e->fixed = true;
            state = ST_INTRANSIT;
        }
        if (s->receiving != T_NULL) {
            e = s_event_add (self, box, EV_STATE, s->receiving, s->receiving_by);
            e->from = ST_INTRANSIT; e->to = ST_RECEIVING; e->fixed = true;
            state = ST_RECEIVING;
        }
        if (role == R_S3_RECEIVED) {
            int64_t at = s->receiving + s_range (r, MINUTE, s->completed - s->receiving - MINUTE);
            uint32_t target = s_stock_location (self, 1, 0, r);
            d->received_on = at;
            d->received_by = DEMO_USER;
            d->target_product = p1;
            d->target_location = target;
            d->target_size = box->size;
            d->target_qty = box->items;
            e = s_event_add (self, box, EV_PRODUCT, at, DEMO_USER);
            e->from = p4; e->to = p1; e->fixed = true;
            e = s_event_add (self, box, EV_LOCATION, at, DEMO_USER);
            e->from = box->location; e->to = target; e->fixed = true;
            e = s_event_add (self, box, EV_STATE, at, DEMO_USER);
            e->from = ST_RECEIVING; e->to = ST_INSTOCK; e->fixed = true;
            box->location = target;
            state = ST_INSTOCK;
        }
        if (role == R_S3_LOST) {
            int64_t at = s->receiving + s_range (r, MINUTE, s->completed - s->receiving - MINUTE);
            d->lost_on = at;
            d->lost_by = DEMO_USER;
            e = s_event_add (self, box, EV_STATE, at, DEMO_USER);
            e->from = ST_RECEIVING; e->to = ST_NOTDELIVERED; e->fixed = true;
            state = ST_NOTDELIVERED;
        }
    }
    box->state = (uint8_t) state;

    //  Replay the ordinary changes backwards from the current values, so that every
    //  history row's "to" is the next row's "from"
    uint32_t cur_location = box->location;
    uint32_t cur_size = box->size;
    int32_t cur_items = box->items;
    uint32_t cur_product = box->product;
    for (int i = box->ev_count - 1; i >= 0; i--) {
        event_t *e = &self->events [box->ev_first + (uint32_t) i];
        switch (e->kind) {
            case EV_LOCATION:
                if (!e->fixed) {
                    e->to = cur_location;
                    e->from = s_stock_location (self, s_location_by_id (self, cur_location)->base,
                                                cur_location, r);
                }
                cur_location = e->from;
                break;
            case EV_ITEMS: {
                int32_t delta = (int32_t) s_range (r, 1, 10);
                e->to = (uint32_t) cur_items;
                cur_items = s_chance (r, 500) || cur_items < delta? cur_items + delta: cur_items - delta;
                e->from = (uint32_t) cur_items;
                break;
            }
            case EV_SIZE: {
                uint32_t group = s_product_by_id (self, cur_product)->sizegroup;
                e->to = cur_size;
                cur_size = s_pick_size (group, cur_size, r);
                e->from = cur_size;
                break;
            }
            case EV_PRODUCT:
                cur_product = e->from;
                break;
            default:
                break;
        }
    }

    //  Last modification: the last change; a few old boxes never had one recorded
    if (box->ev_count > 0) {
        const event_t *e = &self->events [box->ev_first + box->ev_count - 1];
        box->modified = e->at;
        box->modified_by = e->user;
    }
    else
    if (role == R_NORMAL && s_chance (r, 12)) {
        box->modified = T_NULL;
        box->modified_by = 0;
    }
    else {
        box->modified = box->created;
        box->modified_by = box->created_by;
    }
    box->deleted = T_ZERO;
    if (role == R_DELETED) {
        int64_t from = box->modified == T_NULL? box->created: box->modified;
        box->deleted = s_range (r, from + MINUTE, NOW - MINUTE);
    }
    if (role == R_DISTRO)
        box->distro_event = 1;
}

//  Sort key of a box: creation time, then base, then generation order (a total order)
typedef struct {
    int64_t created;
    uint32_t base;
    uint32_t index;
} box_key_t;

static int
s_box_key_compare (const void *a, const void *b)
{
    const box_key_t *x = (const box_key_t *) a, *y = (const box_key_t *) b;
    if (x->created != y->created)
        return x->created < y->created? -1: 1;
    if (x->base != y->base)
        return x->base < y->base? -1: 1;
    return x->index < y->index? -1: x->index > y->index? 1: 0;
}

//  Sets the role of `count` randomly chosen boxes among roles [0, n) still R_NORMAL
static void
s_assign_roles (uint8_t *roles, uint32_t n, uint32_t count, int role, rng_t *r)
{
    for (uint32_t done = 0, tries = 0; done < count && tries < n * 20; tries++) {
        uint32_t i = (uint32_t) s_below (r, n);
        if (roles [i] == R_NORMAL) {
            roles [i] = (uint8_t) role;
            done++;
        }
    }
}

//  An open-addressing set of 8-digit labels
static bool
s_label_insert (uint32_t *set, uint32_t mask, uint32_t value)
{
    uint32_t slot = (value * 2654435761u) & mask;
    while (set [slot] != UINT32_MAX) {
        if (set [slot] == value)
            return false;
        slot = (slot + 1) & mask;
    }
    set [slot] = value;
    return true;
}

static void
s_build_boxes (gen_t *self)
{
    for (int b = 0; b < BASES; b++) {
        rng_t r = s_stream (self->seed, 300 + (uint64_t) b);
        for (int i = 0; i < BULK_MOMENTS; i++)
            self->bulk [b][i] = START + s_range (&r, DAY, NOW - START - DAY);
        s_sort_times (self->bulk [b], BULK_MOMENTS);
    }
    uint32_t live [BASES], dead [BASES];
    rng_t r = s_stream (self->seed, 400);
    live [0] = self->boxes_wanted;
    dead [0] = self->boxes_wanted? self->boxes_wanted / 150 + 3: 0;
    for (int b = 1; b < BASES; b++) {
        live [b] = (uint32_t) s_range (&r, 20, 60);
        dead [b] = (uint32_t) s_range (&r, 1, 3);
    }
    uint32_t total = 0;
    for (int b = 0; b < BASES; b++)
        total += live [b] + dead [b];
    self->boxes = s_alloc (total, sizeof (box_t));

    uint32_t n = 0;
    for (int b = 0; b < BASES; b++) {
        uint32_t base = s_bases [b].id;
        rng_t rb = s_stream (self->seed, 500 + (uint64_t) b);
        uint8_t *roles = s_alloc (live [b] + dead [b], 1);
        //  Shipment and distribution roles; fewer for tiny data sets
        uint32_t scale_n = live [b] >= 400? 400: live [b];
        if (base == 1) {
            s_assign_roles (roles, live [b], 12 * scale_n / 400, R_S1_ACTIVE, &rb);
            s_assign_roles (roles, live [b], 2 * scale_n / 400, R_S1_REMOVED, &rb);
            s_assign_roles (roles, live [b], 15 * scale_n / 400, R_S2, &rb);
            s_assign_roles (roles, live [b], 8 * scale_n / 400, R_S3_RECEIVED, &rb);
            s_assign_roles (roles, live [b], 6 * scale_n / 400, R_DISTRO, &rb);
        }
        if (base == 2)
            s_assign_roles (roles, live [b], 6, R_S4, &rb);
        if (base == 4)
            s_assign_roles (roles, live [b], 1, R_S3_LOST, &rb);
        for (uint32_t i = live [b]; i < live [b] + dead [b]; i++)
            roles [i] = R_DELETED;
        for (uint32_t i = 0; i < live [b] + dead [b]; i++, n++)
            s_box_make (self, &self->boxes [n], n, base, roles [i], &rb);
        free (roles);
    }
    assert (n == total);
    self->box_count = total;

    //  Ids follow creation time, as in a real database
    box_key_t *keys = s_alloc (total, sizeof (box_key_t));
    for (uint32_t i = 0; i < total; i++)
        keys [i] = (box_key_t) { self->boxes [i].created, self->boxes [i].base, i };
    qsort (keys, total, sizeof (box_key_t), s_box_key_compare);
    self->by_id = s_alloc (total, sizeof (uint32_t));
    for (uint32_t i = 0; i < total; i++) {
        self->by_id [i] = keys [i].index;
        self->boxes [keys [i].index].id = i + 1;
    }
    free (keys);

    //  Labels: 8 random digits, unique; a few boxes were split off an earlier box
    uint32_t mask = 1;
    while (mask < total * 2 + 16)
        mask <<= 1;
    uint32_t *set = s_alloc (mask, sizeof (uint32_t));
    memset (set, 0xff, (size_t) mask * sizeof (uint32_t));
    mask--;
    rng_t rl = s_stream (self->seed, 700);
    uint32_t last_of_base [BASES + 1] = { 0 };
    for (uint32_t i = 0; i < total; i++) {
        box_t *box = &self->boxes [self->by_id [i]];
        uint32_t value;
        do
            value = (uint32_t) s_below (&rl, 100000000);
        while (!s_label_insert (set, mask, value));
        snprintf (box->label, sizeof box->label, "%08u", value);
        if (box->role == R_NORMAL && last_of_base [box->base] && s_chance (&rl, 5))
            box->source_box = last_of_base [box->base];
        last_of_base [box->base] = box->id;
    }
    free (set);

    //  QR codes in an order of their own (labels were printed before boxes were made)
    rng_t rq = s_stream (self->seed, 800);
    uint32_t *perm = s_alloc (total, sizeof (uint32_t));
    for (uint32_t i = 0; i < total; i++)
        perm [i] = i;
    for (uint32_t i = total; i > 1; i--) {
        uint32_t j = (uint32_t) s_below (&rq, i);
        uint32_t t = perm [i - 1]; perm [i - 1] = perm [j]; perm [j] = t;
    }
    for (uint32_t i = 0; i < total; i++)
        self->boxes [perm [i]].qr = SPARE_QR_CODES + 1 + i;
    free (perm);
}

static void
s_build_people (gen_t *self)
{
    uint32_t total = 0;
    for (int b = 0; b < BASES; b++)
        total += (uint32_t) s_bases [b].people;
    self->people = s_alloc (total, sizeof (person_t));
    uint32_t n = 0;
    for (int b = 0; b < BASES; b++) {
        rng_t r = s_stream (self->seed, 900 + (uint64_t) b);
        int seq = 0, family = 0;
        while (seq < s_bases [b].people) {
            int members = (int) s_range (&r, 0, 4);
            const char *last = s_last_names [s_below (&r, NAMES_LAST)];
            uint32_t head = 0;
            family++;
            int64_t created = START + s_range (&r, 0, NOW - START - DAY);
            for (int m = 0; m <= members && seq < s_bases [b].people; m++) {
                person_t *p = &self->people [n++];
                p->id = 5001 + n - 1;
                p->base = s_bases [b].id;
                p->head = head;
                p->seq = ++seq;
                p->first = s_first_names [s_below (&r, NAMES_FIRST)];
                p->last = last;
                int age = m == 0? (int) s_range (&r, 18, 70): (int) s_range (&r, 0, 70);
                p->born = NOW - (int64_t) age * 365 * DAY - s_range (&r, 0, 364) * DAY;
                int g = (int) s_below (&r, 100);
                p->gender = g < 48? "F": g < 96? "M": "";
                snprintf (p->container, sizeof p->container, "%c-%03d", 'A' + b, family);
                p->language = s_chance (&r, 500)? 5: (int) s_range (&r, 1, LANGUAGES);
                p->created = created;
                p->created_by = s_staff (p->base, &r);
                p->deleted = s_chance (&r, 50)? created + s_range (&r, DAY, NOW - created - MINUTE): T_ZERO;
                p->not_registered = s_chance (&r, 30);
                p->volunteer = s_chance (&r, 50);
                p->signed_approval = s_chance (&r, 600);
                p->comment = s_chance (&r, 100)? s_comments [s_below (&r, COMMENTS)]: NULL;
                if (s_chance (&r, 200))
                    snprintf (p->phone, sizeof p->phone, "+30 69%08u", (unsigned) s_below (&r, 100000000));
                if (m == 0)
                    head = p->id;
            }
        }
    }
    self->person_count = n;
}

//  ---------------------------------------------------------------------------
//  Writing

static void
s_write_reference (gen_t *self, FILE *out)
{
    sink_t t;
    s_sink_open (&t, out, "organisations", "id,label,created,created_by,deleted,modified,modified_by");
    static const char *orgs [] = { "Harbour Aid", "Northern Relief", "Quiet Hands Collective" };
    for (int i = 0; i < 3; i++) {
        s_row (&t);
        s_int (&t, i + 1);
        s_str (&t, orgs [i]);
        s_time (&t, START - 400 * DAY + i * 30 * DAY);
        s_ref (&t, 1);
        s_time (&t, T_NULL);
        s_time (&t, T_NULL);
        s_ref (&t, 0);
        s_row_end (&t);
    }
    s_sink_close (&t);

    s_sink_open (&t, out, "camps", "id,name,organisation_id,seq,currencyname,monetary_currency_code,"
                 "created,created_by,modified,modified_by,deleted");
    for (int b = 0; b < BASES; b++) {
        s_row (&t);
        s_int (&t, s_bases [b].id);
        s_str (&t, s_bases [b].name);
        s_int (&t, s_bases [b].org);
        s_int (&t, b + 1);
        s_str (&t, s_bases [b].tokens);
        s_str (&t, s_bases [b].currency);
        s_time (&t, START - 380 * DAY + b * 7 * DAY);
        s_ref (&t, s_bases [b].org == 1? 1: 13);
        s_time (&t, T_NULL);
        s_ref (&t, 0);
        s_time (&t, T_NULL);
        s_row_end (&t);
    }
    s_sink_close (&t);

    s_sink_open (&t, out, "languages", "id,visible,code,locale,name,strftime_dateformat,"
                 "smarty_dateformat,seq,rtl");
    for (int i = 0; i < LANGUAGES; i++) {
        s_row (&t);
        s_int (&t, s_languages [i].id);
        s_int (&t, s_languages [i].visible);
        s_str (&t, s_languages [i].code);
        s_str (&t, s_languages [i].locale);
        s_str (&t, s_languages [i].name);
        s_str (&t, "%A %e %B %Y");
        s_str (&t, "%A %e %B %Y");
        s_int (&t, i + 1);
        s_int (&t, s_languages [i].rtl);
        s_row_end (&t);
    }
    s_sink_close (&t);

    s_sink_open (&t, out, "cms_users", "id,naam,email,is_admin,lastlogin,lastaction,created,created_by,"
                 "modified,modified_by,language,deleted,cms_usergroups_id,valid_firstday,valid_lastday");
    for (int i = 0; i < USERS; i++) {
        const user_def_t *u = &s_users [i];
        s_row (&t);
        s_int (&t, u->id);
        s_str (&t, u->name);
        s_str (&t, u->email);
        s_int (&t, u->admin);
        s_time (&t, u->deleted? T_ZERO: NOW - (int64_t) (i + 1) * 3 * HOUR);
        s_time (&t, u->deleted? T_ZERO: NOW - (int64_t) (i + 1) * 3 * HOUR + 20 * MINUTE);
        s_time (&t, START - 390 * DAY + (int64_t) i * DAY);
        s_ref (&t, u->id == 1? 0: u->org == 1? 1: 13);
        s_time (&t, T_NULL);
        s_ref (&t, 0);
        s_int (&t, 2);
        s_time (&t, u->deleted? NOW - 200 * DAY: T_ZERO);
        s_ref (&t, 0);
        s_date (&t, T_NULL);
        s_date (&t, T_NULL);
        s_row_end (&t);
    }
    s_sink_close (&t);

    s_sink_open (&t, out, "box_state", "id,label");
    static const char *states [] = { "Instock", "Lost", "MarkedForShipment", "Receiving",
                                     "Donated", "Scrap", "InTransit", "NotDelivered" };
    for (int i = 0; i < 8; i++) {
        s_row (&t);
        s_int (&t, i + 1);
        s_str (&t, states [i]);
        s_row_end (&t);
    }
    s_sink_close (&t);

    s_sink_open (&t, out, "genders", "id,label,shortlabel,seq,male,female,adult,child,baby,color");
    for (size_t i = 0; i < sizeof s_genders / sizeof s_genders [0]; i++) {
        const gender_def_t *g = &s_genders [i];
        s_row (&t);
        s_int (&t, g->id);
        s_str (&t, g->label);
        s_str (&t, g->shortlabel);
        s_int (&t, g->seq);
        s_int (&t, g->male);
        s_int (&t, g->female);
        s_int (&t, g->adult);
        s_int (&t, g->child);
        s_int (&t, g->baby);
        s_str (&t, g->color);
        s_row_end (&t);
    }
    s_sink_close (&t);

    s_sink_open (&t, out, "product_categories", "id,label,seq,parent_id");
    for (size_t i = 0; i < sizeof s_categories / sizeof s_categories [0]; i++) {
        s_row (&t);
        s_int (&t, s_categories [i].id);
        s_str (&t, s_categories [i].label);
        s_int (&t, s_categories [i].seq);
        s_ref (&t, s_categories [i].parent);
        s_row_end (&t);
    }
    s_sink_close (&t);

    s_sink_open (&t, out, "sizegroup", "id,label,seq");
    for (int i = 0; i < SIZEGROUPS; i++) {
        s_row (&t);
        s_int (&t, s_sizegroups [i].id);
        s_str (&t, s_sizegroups [i].label);
        s_int (&t, s_sizegroups [i].seq);
        s_row_end (&t);
    }
    s_sink_close (&t);

    s_sink_open (&t, out, "sizes", "id,label");
    for (int i = 0; i < SIZES; i++) {
        s_row (&t);
        s_int (&t, i + 1);
        s_str (&t, s_sizes [i]);
        s_row_end (&t);
    }
    s_sink_close (&t);

    s_sink_open (&t, out, "sizes_sizegroup", "size_id,sizegroup_id,seq");
    for (int m = 0; m < MEMBERS; m++)
        for (uint32_t s = s_members [m].from; s <= s_members [m].to; s++) {
            s_row (&t);
            s_int (&t, s);
            s_int (&t, s_members [m].group);
            s_int (&t, s_members [m].seq0 + (int) (s - s_members [m].from));
            s_row_end (&t);
        }
    s_sink_close (&t);

    s_sink_open (&t, out, "units", "id,name,symbol,conversion_factor,dimension_id");
    for (int i = 0; i < UNITS; i++) {
        s_row (&t);
        s_int (&t, s_units [i].id);
        s_str (&t, s_units [i].name);
        s_str (&t, s_units [i].symbol);
        s_sep (&t);
        fputs (s_units [i].factor, out);
        s_int (&t, s_units [i].dimension);
        s_row_end (&t);
    }
    s_sink_close (&t);

    //  Standard products; the first one was replaced by a second version
    s_sink_open (&t, out, "standard_product", "id,name,category_id,gender_id,size_range_id,version,"
                 "added_on,added_by,deprecated_on,deprecated_by,preceded_by_product_id,"
                 "superceded_by_product_id");
    uint32_t replacement = (uint32_t) self->standard_count + 1;
    const catalogue_t *first = NULL;
    for (int i = 0; i < self->catalogue_size; i++) {
        const catalogue_t *c = &self->catalogue [i];
        if (!c->standard)
            continue;
        if (!first)
            first = c;
        s_row (&t);
        s_int (&t, c->standard);
        s_str (&t, c->name);
        s_int (&t, c->category);
        s_int (&t, c->gender);
        s_int (&t, c->sizegroup);
        s_int (&t, 1);
        s_time (&t, START - 500 * DAY);
        s_ref (&t, 1);
        s_time (&t, c->standard == 1? NOW - 90 * DAY: T_NULL);
        s_ref (&t, c->standard == 1? 1: 0);
        s_ref (&t, 0);
        s_ref (&t, c->standard == 1? replacement: 0);
        s_row_end (&t);
    }
    assert (first);
    s_row (&t);
    s_int (&t, replacement);
    s_str (&t, first->name);
    s_int (&t, first->category);
    s_int (&t, first->gender);
    s_int (&t, first->sizegroup);
    s_int (&t, 2);
    s_time (&t, NOW - 90 * DAY);
    s_ref (&t, 1);
    s_time (&t, T_NULL);
    s_ref (&t, 0);
    s_ref (&t, 1);
    s_ref (&t, 0);
    s_row_end (&t);
    s_sink_close (&t);
}

static void
s_write_base_data (gen_t *self, FILE *out)
{
    sink_t t;
    s_sink_open (&t, out, "products", "id,name,category_id,gender_id,sizegroup_id,camp_id,value,"
                 "created,created_by,modified,modified_by,stockincontainer,comments,deleted,"
                 "standard_product_id");
    for (int i = 0; i < self->product_count; i++) {
        const product_t *p = &self->products [i];
        s_row (&t);
        s_int (&t, p->id);
        s_str (&t, p->name);
        s_int (&t, p->category);
        s_int (&t, p->gender);
        s_int (&t, p->sizegroup);
        s_int (&t, p->base);
        s_int (&t, p->value);
        s_time (&t, p->created);
        s_ref (&t, p->created_by);
        s_time (&t, p->deleted != T_NULL? p->deleted: T_NULL);
        s_ref (&t, p->deleted != T_NULL? p->created_by: 0);
        s_int (&t, p->in_shop);
        s_str (&t, i % 17 == 0? "Check sizes before sorting": NULL);
        s_time (&t, p->deleted);
        s_ref (&t, p->standard);
        s_row_end (&t);
    }
    s_sink_close (&t);

    s_sink_open (&t, out, "locations", "id,label,camp_id,seq,created,created_by,visible,container_stock,"
                 "is_market,is_donated,is_lost,is_scrap,type,latitude,longitude,description,"
                 "deleted,box_state_id");
    for (int i = 0; i < self->location_count; i++) {
        const location_t *l = &self->locations [i];
        s_row (&t);
        s_int (&t, l->id);
        s_str (&t, l->label);
        s_int (&t, l->base);
        s_int (&t, l->seq);
        s_time (&t, START - 300 * DAY + (int64_t) i * HOUR);
        s_ref (&t, l->base >= 4? 13: 1);
        s_int (&t, 1);
        s_int (&t, l->kind == LK_STOCKROOM);
        s_int (&t, l->kind == LK_SHOP);
        s_int (&t, l->kind == LK_DONATED);
        s_int (&t, l->kind == LK_LOST);
        s_int (&t, l->kind == LK_SCRAP);
        s_str (&t, l->kind == LK_SPOT? "MapDistroSpot": "Warehouse");
        if (l->kind == LK_SPOT) {
            s_double (&t, 39.1045, 4);
            s_double (&t, 26.5571, 4);
            s_str (&t, "Square by the harbour, Saturdays");
        }
        else {
            s_null (&t);
            s_null (&t);
            s_null (&t);
        }
        s_time (&t, l->kind == LK_DELETED? NOW - 150 * DAY: T_NULL);
        s_int (&t, l->box_state);
        s_row_end (&t);
    }
    s_sink_close (&t);

    uint32_t spot = s_location_of_kind (self, 1, LK_SPOT);
    s_sink_open (&t, out, "distro_events", "id,name,planned_start_date_time,planned_end_date_time,"
                 "location_id,state,created_on,created_by,modified_on,modified_by");
    s_row (&t);
    s_int (&t, 1);
    s_str (&t, "Saturday distribution");
    s_time (&t, NOW + 3 * DAY + 9 * HOUR);
    s_time (&t, NOW + 3 * DAY + 13 * HOUR);
    s_int (&t, spot);
    s_str (&t, "Planning");
    s_time (&t, NOW - 6 * DAY);
    s_ref (&t, DEMO_USER);
    s_time (&t, T_NULL);
    s_ref (&t, 0);
    s_row_end (&t);
    s_row (&t);
    s_int (&t, 2);
    s_str (&t, "Spring distribution");
    s_time (&t, NOW - 60 * DAY + 9 * HOUR);
    s_time (&t, NOW - 60 * DAY + 14 * HOUR);
    s_int (&t, spot);
    s_str (&t, "Completed");
    s_time (&t, NOW - 70 * DAY);
    s_ref (&t, DEMO_USER);
    s_time (&t, NOW - 60 * DAY + 15 * HOUR);
    s_ref (&t, DEMO_USER);
    s_row_end (&t);
    s_sink_close (&t);

    s_sink_open (&t, out, "tags", "id,label,color,camp_id,deleted,created,created_by,modified,"
                 "modified_by,description,type,seq");
    for (int i = 0; i < BASES * TAGS_PER_BASE; i++) {
        const tag_t *g = &self->tags [i];
        s_row (&t);
        s_int (&t, g->id);
        s_str (&t, g->label);
        s_str (&t, g->color);
        s_int (&t, g->base);
        s_time (&t, g->deleted);
        s_time (&t, g->created);
        s_ref (&t, g->created_by);
        s_time (&t, g->modified);
        s_ref (&t, g->modified != T_NULL? g->modified_by: 0);
        s_str (&t, g->description);
        s_str (&t, g->type);
        if (i % 4 == 0)
            s_null (&t);
        else
            s_int (&t, i % TAGS_PER_BASE);
        s_row_end (&t);
    }
    s_sink_close (&t);
}

static void
s_write_boxes (gen_t *self, FILE *out)
{
    sink_t t;
    char code [33], digits [16];
    s_sink_open (&t, out, "qr", "id,code,created,legacy");
    for (uint32_t id = 1; id <= SPARE_QR_CODES; id++) {
        snprintf (digits, sizeof digits, "%u", id);
        dp_md5_hex (digits, strlen (digits), code);
        s_row (&t);
        s_int (&t, id);
        s_str (&t, code);
        s_time (&t, NOW - 30 * DAY + (int64_t) id * MINUTE);
        s_int (&t, 0);
        s_row_end (&t);
    }
    //  In qr id order: find each code's box through a reverse map
    uint32_t *box_of_qr = s_alloc (self->box_count, sizeof (uint32_t));
    for (uint32_t i = 0; i < self->box_count; i++)
        box_of_qr [self->boxes [i].qr - SPARE_QR_CODES - 1] = i;
    for (uint32_t i = 0; i < self->box_count; i++) {
        const box_t *box = &self->boxes [box_of_qr [i]];
        snprintf (digits, sizeof digits, "%u", box->qr);
        dp_md5_hex (digits, strlen (digits), code);
        s_row (&t);
        s_int (&t, box->qr);
        s_str (&t, code);
        s_time (&t, box->created - (int64_t) (box->qr % 10) * DAY - 5 * MINUTE);
        s_int (&t, 0);
        s_row_end (&t);
    }
    free (box_of_qr);
    s_sink_close (&t);

    s_sink_open (&t, out, "stock", "id,box_id,product_id,size_id,weight_display_unit_id,weight,"
                 "monetary_value,display_unit_id,measure_value,items,location_id,distro_event_id,"
                 "qr_id,comments,created,created_by,modified,modified_by,deleted,box_state_id,"
                 "source_box_id");
    for (uint32_t i = 0; i < self->box_count; i++) {
        const box_t *box = &self->boxes [self->by_id [i]];
        s_row (&t);
        s_int (&t, box->id);
        s_str (&t, box->label);
        s_int (&t, box->product);
        s_ref (&t, box->size);
        s_int (&t, box->weight_unit);
        if (box->weight_g >= 0)
            s_fixed (&t, box->weight_g, 3);
        else
            s_null (&t);
        if (box->money_cents >= 0)
            s_fixed (&t, box->money_cents, 2);
        else
            s_null (&t);
        s_ref (&t, box->display_unit);
        if (box->display_unit)
            s_double (&t, box->measure, 6);
        else
            s_null (&t);
        if (box->items >= 0)
            s_int (&t, box->items);
        else
            s_null (&t);
        s_int (&t, box->location);
        s_ref (&t, box->distro_event);
        s_int (&t, box->qr);
        s_str (&t, box->comment >= 0? s_comments [box->comment]: NULL);
        s_time (&t, box->created);
        s_ref (&t, box->created_by);
        s_time (&t, box->modified);
        s_ref (&t, box->modified_by);
        s_time (&t, box->deleted);
        s_int (&t, box->state);
        s_ref (&t, box->source_box);
        s_row_end (&t);
    }
    s_sink_close (&t);
}

static void
s_relation (sink_t *t, uint32_t *id, uint32_t object, const char *type, uint32_t tag,
            int64_t created, uint16_t created_by, int64_t deleted, uint16_t deleted_by)
{
    s_row (t);
    s_int (t, ++*id);
    s_int (t, object);
    s_str (t, type);
    s_int (t, tag);
    s_time (t, created);
    s_ref (t, created_by);
    s_time (t, deleted);
    s_ref (t, deleted == T_NULL? 0: deleted_by);
    s_row_end (t);
}

static void
s_write_tags_relations (gen_t *self, FILE *out)
{
    sink_t t;
    uint32_t id = 0;
    s_sink_open (&t, out, "tags_relations", "id,object_id,object_type,tag_id,created_on,"
                 "created_by_id,deleted_on,deleted_by_id");
    for (uint32_t i = 0; i < self->box_count; i++) {
        const box_t *box = &self->boxes [self->by_id [i]];
        if (box->role == R_S3_RECEIVED)
            continue;           //  came from another base's tags; none kept
        rng_t r = s_stream (self->seed, UINT64_C(0x100000000) + box->id);
        const tag_t *tags [TAGS_PER_BASE];
        int ntags = s_box_tags (self, box->base, tags);
        int roll = (int) s_below (&r, 100);
        int k = roll < 10? 0: roll < 35? 1: roll < 70? 2: roll < 90? 3: 4;
        int64_t end = box->modified == T_NULL? box->created: box->modified;
        for (int j = 0; j < k && j < ntags; j++) {
            int pick = j + (int) s_below (&r, (uint64_t) (ntags - j));
            const tag_t *tag = tags [pick];
            tags [pick] = tags [j];
            tags [j] = tag;
            //  Most tags are set when the box is made (history leaves those out)
            int64_t at = s_chance (&r, 600)? box->created: s_range (&r, box->created, end);
            s_relation (&t, &id, box->id, "Stock", tag->id, at,
                        s_chance (&r, 700)? box->created_by: s_staff (box->base, &r), T_NULL, 0);
        }
        //  A tag that was put on and taken off again
        if (s_chance (&r, 100)) {
            const tag_t *tag = tags [s_below (&r, (uint64_t) ntags)];
            int64_t on = s_range (&r, box->created, end);
            int64_t off = s_range (&r, on, end);
            //  One random call per statement: argument order is unspecified in C
            uint16_t by = s_staff (box->base, &r);
            uint16_t off_by = s_staff (box->base, &r);
            s_relation (&t, &id, box->id, "Stock", tag->id, on, by, off, off_by);
        }
        //  A tag deleted since, still linked
        const tag_t *gone = &self->tags [(box->base - 1) * TAGS_PER_BASE + TAG_DELETED];
        if (s_chance (&r, 20) && box->created < gone->deleted)
            s_relation (&t, &id, box->id, "Stock", gone->id, box->created, box->created_by, T_NULL, 0);
    }
    //  Beneficiaries: 'People' and 'All' tags
    rng_t r = s_stream (self->seed, 1100);
    for (uint32_t i = 0; i < self->person_count; i++) {
        const person_t *p = &self->people [i];
        if (!s_chance (&r, 400))
            continue;
        int index = 9 + (int) s_below (&r, 6);      //  9-11 People, 12-14 All
        const tag_t *tag = &self->tags [(p->base - 1) * TAGS_PER_BASE + index];
        int64_t on = p->created + s_range (&r, 0, 30 * DAY);
        s_relation (&t, &id, p->id, "People", tag->id, on, p->created_by,
                    s_chance (&r, 150)? on + DAY: T_NULL, p->created_by);
    }
    s_sink_close (&t);
}

static void
s_history (sink_t *t, uint32_t *id, const char *table, uint32_t record, const char *changes,
           uint16_t user, int64_t at, bool ints, uint32_t from, uint32_t to)
{
    s_row (t);
    s_int (t, ++*id);
    s_str (t, table);
    s_int (t, record);
    s_str (t, changes);
    s_ref (t, user);
    s_null (t);
    s_time (t, at);
    if (ints) {
        s_int (t, from);
        s_int (t, to);
    }
    else {
        s_null (t);
        s_null (t);
    }
    s_null (t);
    s_null (t);
    s_row_end (t);
}

static void
s_write_history (gen_t *self, FILE *out)
{
    sink_t t;
    uint32_t id = 0;
    s_sink_open (&t, out, "history", "id,tablename,record_id,changes,user_id,ip,changedate,"
                 "from_int,to_int,from_float,to_float");
    for (int i = 0; i < BASES * TAGS_PER_BASE; i++)
        s_history (&t, &id, "tags", self->tags [i].id, "Record created", self->tags [i].created_by,
                   self->tags [i].created, false, 0, 0);
    char text [256];
    for (uint32_t i = 0; i < self->box_count; i++) {
        const box_t *box = &self->boxes [self->by_id [i]];
        s_history (&t, &id, "stock", box->id, "Record created", box->created_by, box->created,
                   false, 0, 0);
        for (uint32_t e = 0; e < box->ev_count; e++) {
            const event_t *ev = &self->events [box->ev_first + e];
            const char *column = ev->kind == EV_LOCATION? "location_id"
                               : ev->kind == EV_STATE? "box_state_id"
                               : ev->kind == EV_ITEMS? "items"
                               : ev->kind == EV_SIZE? "size_id"
                               : ev->kind == EV_PRODUCT? "product_id": NULL;
            if (column)
                s_history (&t, &id, "stock", box->id, column, ev->user, ev->at, true, ev->from, ev->to);
            else {
                assert (ev->kind == EV_COMMENT && box->comment >= 0);
                snprintf (text, sizeof text, "comments changed from \"\" to \"%s\";",
                          s_comments [box->comment]);
                s_history (&t, &id, "stock", box->id, text, ev->user, ev->at, false, 0, 0);
            }
        }
        if (box->deleted != T_ZERO)
            s_history (&t, &id, "stock", box->id, "Record deleted", box->modified_by
                       ? box->modified_by: box->created_by, box->deleted, false, 0, 0);
    }
    s_sink_close (&t);
}

static void
s_write_transfers (gen_t *self, FILE *out)
{
    sink_t t;
    s_sink_open (&t, out, "transfer_agreement", "id,source_organisation_id,target_organisation_id,"
                 "state,type,requested_on,requested_by,accepted_on,accepted_by,terminated_on,"
                 "terminated_by,valid_from,valid_until,comment");
    //  1: accepted, both ways, Harbour Aid <-> Northern Relief
    s_row (&t);
    s_int (&t, 1); s_int (&t, 1); s_int (&t, 2);
    s_str (&t, "Accepted"); s_str (&t, "Bidirectional");
    s_time (&t, NOW - 120 * DAY); s_int (&t, DEMO_USER);
    s_time (&t, NOW - 115 * DAY); s_ref (&t, 14);
    s_time (&t, T_NULL); s_ref (&t, 0);
    s_time (&t, NOW - 120 * DAY); s_time (&t, T_NULL);
    s_str (&t, "Winter clothes exchange");
    s_row_end (&t);
    //  2: under review, Northern Relief sending to Harbourside
    s_row (&t);
    s_int (&t, 2); s_int (&t, 2); s_int (&t, 1);
    s_str (&t, "UnderReview"); s_str (&t, "SendingTo");
    s_time (&t, NOW - 10 * DAY); s_int (&t, 15);
    s_time (&t, T_NULL); s_ref (&t, 0);
    s_time (&t, T_NULL); s_ref (&t, 0);
    s_time (&t, NOW - 10 * DAY); s_time (&t, NOW + 180 * DAY);
    s_str (&t, NULL);
    s_row_end (&t);
    //  3: rejected
    s_row (&t);
    s_int (&t, 3); s_int (&t, 1); s_int (&t, 2);
    s_str (&t, "Rejected"); s_str (&t, "ReceivingFrom");
    s_time (&t, NOW - 300 * DAY); s_int (&t, 2);
    s_time (&t, T_NULL); s_ref (&t, 0);
    s_time (&t, NOW - 290 * DAY); s_ref (&t, 13);
    s_time (&t, NOW - 300 * DAY); s_time (&t, T_NULL);
    s_str (&t, "Only for the \"Riverside\" base");
    s_row_end (&t);
    s_sink_close (&t);

    s_sink_open (&t, out, "transfer_agreement_detail", "id,transfer_agreement_id,source_base_id,"
                 "target_base_id");
    static const uint32_t details [][3] = {
        { 1, 1, 4 }, { 1, 1, 5 }, { 1, 2, 4 }, { 2, 5, 1 }, { 3, 3, 4 }
    };
    for (int i = 0; i < 5; i++) {
        s_row (&t);
        s_int (&t, i + 1);
        s_int (&t, details [i][0]);
        s_ref (&t, details [i][1]);
        s_ref (&t, details [i][2]);
        s_row_end (&t);
    }
    s_sink_close (&t);

    s_sink_open (&t, out, "shipment", "id,source_base_id,target_base_id,transfer_agreement_id,state,"
                 "started_on,started_by_id,canceled_on,canceled_by_id,sent_on,sent_by_id,"
                 "receiving_started_on,receiving_started_by_id,completed_on,completed_by_id");
    for (int i = 0; i < 4; i++) {
        const shipment_t *s = &self->shipments [i];
        s_row (&t);
        s_int (&t, s->id);
        s_int (&t, s->source);
        s_int (&t, s->target);
        s_ref (&t, s->agreement);
        s_str (&t, s->state);
        s_time (&t, s->started);
        s_int (&t, s->started_by);
        s_time (&t, s->canceled);
        s_ref (&t, s->canceled_by);
        s_time (&t, s->sent);
        s_ref (&t, s->sent_by);
        s_time (&t, s->receiving);
        s_ref (&t, s->receiving_by);
        s_time (&t, s->completed);
        s_ref (&t, s->completed_by);
        s_row_end (&t);
    }
    s_sink_close (&t);

    //  Details by shipment, then by time, then by box
    for (uint32_t i = 1; i < self->detail_count; i++)
        for (uint32_t j = i; j > 0; j--) {
            detail_t *a = &self->details [j - 1], *b = &self->details [j];
            uint32_t ida = self->boxes [a->box].id, idb = self->boxes [b->box].id;
            bool after = a->shipment != b->shipment? a->shipment > b->shipment
                       : a->created_on != b->created_on? a->created_on > b->created_on: ida > idb;
            if (!after)
                break;
            detail_t x = *a; *a = *b; *b = x;
        }
    s_sink_open (&t, out, "shipment_detail", "id,shipment_id,box_id,source_product_id,target_product_id,"
                 "source_quantity,target_quantity,source_size_id,target_size_id,source_location_id,"
                 "target_location_id,created_on,created_by_id,lost_on,lost_by_id,received_on,"
                 "received_by_id,removed_on,removed_by_id");
    for (uint32_t i = 0; i < self->detail_count; i++) {
        const detail_t *d = &self->details [i];
        s_row (&t);
        s_int (&t, i + 1);
        s_int (&t, d->shipment);
        s_int (&t, self->boxes [d->box].id);
        s_int (&t, d->source_product);
        s_ref (&t, d->target_product);
        if (d->source_qty >= 0) s_int (&t, d->source_qty); else s_null (&t);
        if (d->target_qty >= 0) s_int (&t, d->target_qty); else s_null (&t);
        s_ref (&t, d->source_size);
        s_ref (&t, d->target_size);
        s_int (&t, d->source_location);
        s_ref (&t, d->target_location);
        s_time (&t, d->created_on);
        s_int (&t, d->created_by);
        s_time (&t, d->lost_on);
        s_ref (&t, d->lost_by);
        s_time (&t, d->received_on);
        s_ref (&t, d->received_by);
        s_time (&t, d->removed_on);
        s_ref (&t, d->removed_by);
        s_row_end (&t);
    }
    s_sink_close (&t);
}

static void
s_write_people (gen_t *self, FILE *out)
{
    sink_t t;
    s_sink_open (&t, out, "people", "id,parent_id,seq,firstname,lastname,date_of_birth,gender,family_id,"
                 "visible,created,created_by,modified,modified_by,container,language,comments,phone,"
                 "camp_id,deleted,notregistered,bicyclebancomment,workshopbancomment,volunteer,"
                 "approvalsigned,date_of_signature");
    for (uint32_t i = 0; i < self->person_count; i++) {
        const person_t *p = &self->people [i];
        s_row (&t);
        s_int (&t, p->id);
        s_ref (&t, p->head);
        s_int (&t, p->seq);
        s_str (&t, p->first);
        s_str (&t, p->last);
        s_date (&t, p->born);
        s_str (&t, p->gender);
        s_int (&t, p->head? p->head: p->id);
        s_int (&t, 1);
        s_time (&t, p->created);
        s_ref (&t, p->created_by);
        s_time (&t, T_NULL);
        s_ref (&t, 0);
        s_str (&t, p->container);
        s_int (&t, p->language);
        s_str (&t, p->comment);
        s_str (&t, p->phone [0]? p->phone: NULL);
        s_int (&t, p->base);
        s_time (&t, p->deleted);
        s_int (&t, p->not_registered);
        s_str (&t, "");
        s_str (&t, "");
        s_int (&t, p->volunteer);
        s_int (&t, p->signed_approval);
        s_time (&t, p->signed_approval? p->created: T_ZERO);
        s_row_end (&t);
    }
    s_sink_close (&t);

    rng_t r = s_stream (self->seed, 1200);
    s_sink_open (&t, out, "x_people_languages", "people_id,language_id");
    for (uint32_t i = 0; i < self->person_count; i++) {
        const person_t *p = &self->people [i];
        s_row (&t);
        s_int (&t, p->id);
        s_int (&t, p->language);
        s_row_end (&t);
        if (s_chance (&r, 300)) {
            int other = (int) s_range (&r, 1, LANGUAGES);
            if (other != p->language) {
                s_row (&t);
                s_int (&t, p->id);
                s_int (&t, other);
                s_row_end (&t);
            }
        }
    }
    s_sink_close (&t);

    //  Tokens granted to each family head, and what the family took from the free shop
    uint32_t id = 0;
    s_sink_open (&t, out, "transactions", "id,people_id,product_id,count,description,drops,"
                 "transaction_date,user_id,created,created_by");
    for (uint32_t i = 0; i < self->person_count; i++) {
        const person_t *p = &self->people [i];
        if (p->head)
            continue;
        int64_t at = p->created + HOUR;
        int grants = (int) s_range (&r, 1, 2);
        for (int g = 0; g < grants; g++, at += s_range (&r, DAY, 20 * DAY)) {
            s_row (&t);
            s_int (&t, ++id); s_int (&t, p->id); s_null (&t); s_int (&t, 0); s_str (&t, "");
            s_int (&t, 100 * s_range (&r, 1, 5));
            s_time (&t, at); s_ref (&t, p->created_by); s_time (&t, at); s_ref (&t, p->created_by);
            s_row_end (&t);
        }
        int buys = (int) s_range (&r, 0, 4);
        for (int k = 0; k < buys; k++, at += s_range (&r, HOUR, 5 * DAY)) {
            const product_t *product = s_product_by_id (self, s_pick_product (self, p->base, false, true, &r));
            int count = (int) s_range (&r, 1, 3);
            s_row (&t);
            s_int (&t, ++id); s_int (&t, p->id); s_int (&t, product->id); s_int (&t, count);
            s_str (&t, "");
            s_int (&t, -(int64_t) product->value * count);
            s_time (&t, at); s_ref (&t, p->created_by); s_time (&t, at); s_ref (&t, p->created_by);
            s_row_end (&t);
        }
    }
    s_sink_close (&t);
}

//  ---------------------------------------------------------------------------
//  The whole run

static void
s_gen_init (gen_t *self, uint64_t seed, uint32_t boxes)
{
    memset (self, 0, sizeof *self);
    self->seed = seed;
    self->boxes_wanted = boxes;
    s_build_catalogue (self);
    s_build_products (self);
    s_build_locations (self);
    s_build_tags (self);
    s_build_shipments (self);
    s_build_boxes (self);
    s_build_people (self);
}

static void
s_gen_destroy (gen_t *self)
{
    free (self->catalogue);
    free (self->products);
    free (self->locations);
    free (self->boxes);
    free (self->by_id);
    free (self->events);
    free (self->details);
    free (self->people);
    memset (self, 0, sizeof *self);
}

static void
s_gen_write (gen_t *self, FILE *out)
{
    fprintf (out,
        "-- Depot demo data, made by depot-gen --boxes %u --seed %" PRIu64 "\n"
        "-- For a database made from db/ddl.sql. Demo user: cms_users.id %d (Demo Coordinator),\n"
        "-- organisation 1, base 1 (%s).\n"
        "SET NAMES utf8mb4;\n"
        "SET time_zone = '+00:00';\n"
        "SET @depot_gen_sql_mode = @@SQL_MODE;\n"
        "SET SQL_MODE = 'NO_ENGINE_SUBSTITUTION,NO_AUTO_VALUE_ON_ZERO';\n"
        "SET @depot_gen_fk_checks = @@FOREIGN_KEY_CHECKS;\n"
        "SET FOREIGN_KEY_CHECKS = 0;\n"
        "START TRANSACTION;\n",
        self->boxes_wanted, self->seed, DEMO_USER, s_bases [0].name);
    s_write_reference (self, out);
    s_write_base_data (self, out);
    s_write_boxes (self, out);
    s_write_tags_relations (self, out);
    s_write_history (self, out);
    s_write_transfers (self, out);
    s_write_people (self, out);
    fputs ("COMMIT;\n"
           "SET FOREIGN_KEY_CHECKS = @depot_gen_fk_checks;\n"
           "SET SQL_MODE = @depot_gen_sql_mode;\n", out);
}

//  ---------------------------------------------------------------------------
//  Selftest: depot-gen --selftest [-v]

#define CHECK(cond) do { if (!(cond)) { \
    fprintf (stderr, "depot-gen selftest: %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
    abort (); } } while (0)

static char *
s_generate (uint64_t seed, uint32_t boxes, size_t *size)
{
    char *text = NULL;
    FILE *out = open_memstream (&text, size);
    CHECK (out);
    gen_t gen;
    s_gen_init (&gen, seed, boxes);
    s_gen_write (&gen, out);
    s_gen_destroy (&gen);
    CHECK (fclose (out) == 0);
    return text;
}

static size_t
s_count (const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr (text, needle); p; p = strstr (p + 1, needle))
        n++;
    return n;
}

static int
s_selftest (bool verbose)
{
    //  splitmix64: the reference sequence for state 0
    rng_t r = { 0 };
    CHECK (s_next (&r) == UINT64_C(0xe220a8397b1dcdaf));
    CHECK (s_next (&r) == UINT64_C(0x6e789e6aa1b965f4));
    rng_t a = s_stream (7, 1), b = s_stream (7, 1), c = s_stream (7, 2);
    CHECK (s_next (&a) == s_next (&b));
    CHECK (s_next (&a) != s_next (&c));
    for (int i = 0; i < 10000; i++) {
        int64_t v = s_range (&a, -3, 3);
        CHECK (v >= -3 && v <= 3);
    }

    //  Time formatting and SQL quoting
    char buf [32];
    s_format_time (NOW, false, buf, sizeof buf);
    CHECK (strcmp (buf, "2025-06-01 00:00:00") == 0);
    s_format_time (0, true, buf, sizeof buf);
    CHECK (strcmp (buf, "1970-01-01") == 0);
    s_format_time (T_ZERO, false, buf, sizeof buf);
    CHECK (strcmp (buf, "0000-00-00 00:00:00") == 0);
    char *quoted = NULL;
    size_t quoted_size = 0;
    FILE *q = open_memstream (&quoted, &quoted_size);
    CHECK (q);
    s_quote (q, "it's a \\ \"test\"\n");
    CHECK (fclose (q) == 0);
    CHECK (strcmp (quoted, "'it\\'s a \\\\ \"test\"\\n'") == 0);
    free (quoted);

    //  Data set invariants at a small size
    gen_t gen;
    s_gen_init (&gen, 42, 300);
    uint32_t live_base1 = 0, measure = 0;
    for (uint32_t i = 0; i < gen.box_count; i++) {
        const box_t *box = &gen.boxes [i];
        const product_t *p = s_product_by_id (&gen, box->product);
        const location_t *l = s_location_by_id (&gen, box->location);
        CHECK (box->id >= 1 && box->id <= gen.box_count);
        CHECK (gen.boxes [gen.by_id [box->id - 1]].order == box->order);
        CHECK (strlen (box->label) == 8);
        CHECK (p->base == box->base && l->base == box->base);
        CHECK (l->kind != LK_DELETED && l->kind != LK_SPOT);
        if (box->role != R_DELETED)
            CHECK (p->deleted == T_NULL);
        if (box->base == 1 && box->deleted == T_ZERO)
            live_base1++;
        //  Size from the product's range, or a measure with a unit of its dimension
        if (s_is_measure (p->sizegroup)) {
            measure++;
            CHECK (box->size == 0 && box->display_unit);
            CHECK (s_units [box->display_unit - 1].dimension == p->sizegroup);
            CHECK (box->measure > 0);
        }
        else {
            uint32_t sizes [16];
            int n = s_group_sizes (p->sizegroup, sizes);
            bool found = false;
            for (int k = 0; k < n; k++)
                found |= sizes [k] == box->size;
            CHECK (found && !box->display_unit);
        }
        //  State and location agree; history replays into the current values
        if (box->state == ST_DONATED || box->state == ST_SCRAP || box->state == ST_LOST)
            CHECK (l->box_state == box->state);
        uint32_t state = ST_INSTOCK;
        int64_t at = box->created;
        for (uint32_t e = 0; e < box->ev_count; e++) {
            const event_t *ev = &gen.events [box->ev_first + e];
            CHECK (ev->at >= at && ev->at <= NOW);
            at = ev->at;
            if (ev->kind == EV_STATE) {
                CHECK (ev->from == state);
                state = ev->to;
            }
            if (ev->kind != EV_COMMENT)
                CHECK (ev->from != ev->to);
        }
        CHECK (state == box->state);
        CHECK (box->modified == T_NULL || box->modified == at);
        if (box->deleted != T_ZERO)
            CHECK (box->deleted > at && box->role == R_DELETED);
    }
    CHECK (live_base1 == 300);
    CHECK (measure > 0);
    CHECK (gen.detail_count > 0);
    s_gen_destroy (&gen);

    //  Same arguments, same bytes; another seed or size, other bytes
    size_t size1, size2, size3;
    char *one = s_generate (42, 120, &size1);
    char *two = s_generate (42, 120, &size2);
    char *three = s_generate (43, 120, &size3);
    CHECK (size1 == size2 && memcmp (one, two, size1) == 0);
    CHECK (size1 != size3 || memcmp (one, three, size1) != 0);
    CHECK (s_count (one, "START TRANSACTION;") == 1 && s_count (one, "COMMIT;") == 1);
    CHECK (s_count (one, "INSERT INTO stock ") == 1);       //  < 500 rows: one statement
    if (verbose)
        fprintf (stderr, "depot-gen selftest: %zu bytes for 120 boxes\n", size1);
    free (one);
    free (two);
    free (three);

    //  The small bases do not depend on the size of the big one
    gen_t small, large;
    s_gen_init (&small, 9, 50);
    s_gen_init (&large, 9, 900);
    uint32_t n_small = 0, n_large = 0;
    for (uint32_t i = 0; i < small.box_count; i++)
        n_small += small.boxes [i].base == 3;
    for (uint32_t i = 0; i < large.box_count; i++)
        n_large += large.boxes [i].base == 3;
    CHECK (n_small == n_large && n_small >= 21 && n_small <= 63);
    s_gen_destroy (&small);
    s_gen_destroy (&large);
    if (verbose)
        fprintf (stderr, "depot-gen selftest: OK\n");
    return 0;
}

//  ---------------------------------------------------------------------------

static void
s_usage (FILE *out)
{
    fprintf (out,
        "usage: depot-gen [--boxes N] [--seed S] [--help] [--selftest [-v]]\n"
        "\n"
        "Prints SQL with Depot's demo data on stdout, for a database made from db/ddl.sql:\n"
        "  mariadb DB < db/ddl.sql && depot-gen | mariadb DB\n"
        "\n"
        "  --boxes N    boxes that are not deleted in the big base 1 (default %d, 0-%d);\n"
        "               the four small bases get 20-60 boxes each whatever N is\n"
        "  --seed S     seed of the pseudo-random choices (default 1); the same arguments\n"
        "               always print the same bytes\n"
        "  --selftest   check the generator itself and exit (-v: say more)\n"
        "\n"
        "The demo user is cms_users.id %d, \"Demo Coordinator\", organisation 1, base 1.\n",
        DEFAULT_BOXES, MAX_BOXES, DEMO_USER);
}

static bool
s_parse_u64 (const char *text, uint64_t max, uint64_t *value)
{
    if (!text || !*text || *text == '-')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull (text, &end, 10);
    if (errno || *end || v > max)
        return false;
    *value = v;
    return true;
}

int
main (int argc, char *argv [])
{
    uint64_t boxes = DEFAULT_BOXES, seed = 1;
    bool selftest = false, verbose = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv [i];
        if (strcmp (arg, "--help") == 0 || strcmp (arg, "-h") == 0) {
            s_usage (stdout);
            return 0;
        }
        else
        if (strcmp (arg, "--selftest") == 0)
            selftest = true;
        else
        if (strcmp (arg, "-v") == 0 || strcmp (arg, "--verbose") == 0)
            verbose = true;
        else
        if (strcmp (arg, "--boxes") == 0) {
            if (!s_parse_u64 (i + 1 < argc? argv [++i]: NULL, MAX_BOXES, &boxes)) {
                fprintf (stderr, "depot-gen: --boxes needs a number from 0 to %d\n", MAX_BOXES);
                return 2;
            }
        }
        else
        if (strcmp (arg, "--seed") == 0) {
            if (!s_parse_u64 (i + 1 < argc? argv [++i]: NULL, UINT64_MAX, &seed)) {
                fprintf (stderr, "depot-gen: --seed needs a non-negative number\n");
                return 2;
            }
        }
        else {
            fprintf (stderr, "depot-gen: unknown argument '%s'\n", arg);
            s_usage (stderr);
            return 2;
        }
    }
    if (selftest)
        return s_selftest (verbose);

    static char buffer [1 << 20];
    setvbuf (stdout, buffer, _IOFBF, sizeof buffer);
    gen_t gen;
    s_gen_init (&gen, seed, (uint32_t) boxes);
    s_gen_write (&gen, stdout);
    s_gen_destroy (&gen);
    if (fflush (stdout) != 0 || ferror (stdout)) {
        fprintf (stderr, "depot-gen: writing the SQL failed: %s\n", strerror (errno));
        return 1;
    }
    return 0;
}
