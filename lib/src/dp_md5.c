/*  =========================================================================
    dp_md5 - MD5 hex digests, for QR codes

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    RFC 1321, one message at a time.
@end
*/
#include "dp_md5.h"
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    uint32_t a, b, c, d;
} md5_state_t;

static const uint32_t s_md5_k [64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391
};
static const int s_md5_r [64] = {
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
    5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
    6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21
};

static void
s_md5_block (md5_state_t *st, const uint8_t block [64])
{
    uint32_t m [16];
    for (int i = 0; i < 16; i++)
        m [i] = (uint32_t) block [i * 4] | (uint32_t) block [i * 4 + 1] << 8
              | (uint32_t) block [i * 4 + 2] << 16 | (uint32_t) block [i * 4 + 3] << 24;
    uint32_t a = st->a, b = st->b, c = st->c, d = st->d;
    for (int i = 0; i < 64; i++) {
        uint32_t f;
        int g;
        if (i < 16) {
            f = (b & c) | (~b & d);
            g = i;
        }
        else
        if (i < 32) {
            f = (d & b) | (~d & c);
            g = (5 * i + 1) % 16;
        }
        else
        if (i < 48) {
            f = b ^ c ^ d;
            g = (3 * i + 5) % 16;
        }
        else {
            f = c ^ (b | ~d);
            g = (7 * i) % 16;
        }
        uint32_t sum = a + f + s_md5_k [i] + m [g];
        a = d;
        d = c;
        c = b;
        b = b + ((sum << s_md5_r [i]) | (sum >> (32 - s_md5_r [i])));
    }
    st->a += a;
    st->b += b;
    st->c += c;
    st->d += d;
}

void
dp_md5_hex (const void *data, size_t size, char hex [33])
{
    md5_state_t st = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476 };
    const uint8_t *bytes = (const uint8_t *) data;
    size_t done = 0;
    for (; size - done >= 64; done += 64)
        s_md5_block (&st, bytes + done);
    //  Padding: 0x80, zeros, then the length in bits, little-endian
    uint8_t tail [128] = { 0 };
    size_t rest = size - done;
    memcpy (tail, bytes + done, rest);
    tail [rest] = 0x80;
    size_t tail_size = rest < 56? 64: 128;
    uint64_t bits = (uint64_t) size * 8;
    for (int i = 0; i < 8; i++)
        tail [tail_size - 8 + i] = (uint8_t) (bits >> (8 * i));
    s_md5_block (&st, tail);
    if (tail_size == 128)
        s_md5_block (&st, tail + 64);
    uint32_t words [4] = { st.a, st.b, st.c, st.d };
    for (int w = 0; w < 4; w++)
        for (int i = 0; i < 4; i++)
            snprintf (hex + w * 8 + i * 2, 3, "%02x", (unsigned) (words [w] >> (8 * i)) & 0xff);
    hex [32] = 0;
}

void
dp_md5_test (bool verbose)
{
    (void) verbose;
    printf (" * dp_md5: ");
    //  The test suite of RFC 1321, a QR code of boxtribute, and padding
    //  across two blocks.
    static const struct { const char *in; const char *hex; } md5 [] = {
        { "", "d41d8cd98f00b204e9800998ecf8427e" },
        { "a", "0cc175b9c0f1b6a831c399e269772661" },
        { "abc", "900150983cd24fb0d6963f7d28e17f72" },
        { "message digest", "f96b697d7cb7938d525a2f31aaf161d0" },
        { "abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b" },
        { "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
          "57edf4a22be3c955ac49da2e2107b67a" },
        { "100005943", "d9b1ab5169bd11f258df94aa57a82ef5" },    //  a QR code of boxtribute
    };
    char hex [33];
    for (size_t i = 0; i < sizeof md5 / sizeof md5 [0]; i++) {
        dp_md5_hex (md5 [i].in, strlen (md5 [i].in), hex);
        assert (strcmp (hex, md5 [i].hex) == 0);
    }
    char thousand [1000];
    memset (thousand, 'a', sizeof thousand);
    dp_md5_hex (thousand, sizeof thousand, hex);
    assert (strcmp (hex, "cabe45dcc9ae5b66ba86600cca6b8ba8") == 0);
    printf ("OK\n");
}
