/*  =========================================================================
    dp_md5 - MD5 hex digests, for QR codes

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's QR code is the MD5 hex digest of the qr row's id in
    decimal (business_logic/warehouse/qr_code/crud.py); the demo-data
    generator and createQrCode make them the same way. MD5 here names a
    code, it protects nothing. libc only, so depot-gen compiles this file
    in without the rest of the library.
@end
*/
#ifndef DP_MD5_H_INCLUDED
#define DP_MD5_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

//  Writes the 32 lower-case hex digits of md5(data) and a terminating NUL
//  to hex.
void dp_md5_hex (const void *data, size_t size, char hex [33]);

void dp_md5_test (bool verbose);

#endif
