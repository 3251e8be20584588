# Writes OUTPUT: a C file holding INPUT's bytes as `dp_schema_sdl` and its length.
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_len)
math(EXPR len "${hex_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUTPUT}" "// Generated from schema/depot.graphql at build time. Do not edit.\n#include <stddef.h>\nconst char dp_schema_sdl [] = {${bytes}0x00};\nconst size_t dp_schema_sdl_len = ${len};\n")
