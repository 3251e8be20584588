# Writes OUTPUT: a C file holding INPUT's bytes as NAME (default `dp_schema_sdl`) and its
# length as NAME_len.
if(NOT NAME)
  set(NAME dp_schema_sdl)
endif()
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_len)
math(EXPR len "${hex_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
get_filename_component(source "${INPUT}" NAME)
file(WRITE "${OUTPUT}" "// Generated from schema/${source} at build time. Do not edit.\n#include <stddef.h>\nconst char ${NAME} [] = {${bytes}0x00};\nconst size_t ${NAME}_len = ${len};\n")
