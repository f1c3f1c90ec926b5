/* Tests integer arithmetic semantics: wrap-around, signed vs unsigned compare, division/remainder, shifts, casts and integer promotion. */
#include <stdint.h>

/* uint8_t addition wraps modulo 256 once stored back into a uint8_t. */
uint8_t add_wrap_u8(uint8_t a, uint8_t b)
{
    uint8_t s = (uint8_t)(a + b);
    return s;
}

/* uint32_t multiplication wraps modulo 2^32. */
uint32_t mul_wrap_u32(uint32_t a, uint32_t b)
{
    return a * b;
}

int arith_entry(uint8_t a, uint8_t b, int32_t s, uint32_t u, uint32_t d)
{
    int result = 0;

    /* 200 + 100 == 44 in uint8_t. */
    if (add_wrap_u8(a, b) < a) {
        result |= 1;                       /* overflow happened */
    }

    /* 0x10000 * 0x10000 == 0 in uint32_t. */
    if (mul_wrap_u32(u, u) == 0 && u != 0) {
        result |= 2;
    }

    /* Signed vs unsigned compare: s is converted to uint32_t, so -1 > 1u. */
    if (s < 0 && (uint32_t)s > 1u) {
        result |= 4;
    }
    /* The same compare done in signed arithmetic. */
    if (s < 1) {
        result |= 8;
    }

    /* Signed division/remainder truncate toward zero: -7 / 2 == -3, -7 % 2 == -1. */
    if (s == -7) {
        int32_t q = s / 2;
        int32_t r = s % 2;
        if (q == -3 && r == -1) {
            result |= 16;
        }
    }

    /* Unsigned division/remainder; guard the divisor so it is never zero. */
    if (d != 0) {
        uint32_t q = u / d;
        uint32_t r = u % d;
        /* Used without branching on them: deciding facts about u / d is hard for any solver. */
        result += (int)((q ^ r) & 32);
    }

    /* Shifts: logical right shift on unsigned, left shift dropping high bits. */
    {
        uint32_t hi = u >> 28;              /* 0..15 */
        uint32_t lo = u << 28;              /* only low nibble survives */
        uint8_t  sh = (uint8_t)(a << 4);    /* promoted to int, then truncated */
        if (hi == 0xF && lo == 0xF0000000u && sh == 0xF0) {
            result |= 64;
        }
    }

    /* Truncation and sign extension. */
    {
        uint8_t  trunc = (uint8_t)u;        /* low 8 bits of u */
        int8_t   sbyte = (int8_t)a;         /* 0x80..0xFF become negative */
        int32_t  ext   = sbyte;             /* sign extension */
        uint32_t zext  = a;                 /* zero extension */
        if (trunc == 0xAB && ext < 0 && zext > 127u) {
            result |= 128;
        }
    }

    /* Integer promotion: ~a is computed in int (a is promoted first), so the
     * untruncated value is negative and never equals a uint8_t; truncating it
     * back to uint8_t gives the "real" 8-bit complement. */
    {
        int     not_int = ~a;               /* -1 .. -256 */
        uint8_t not_u8  = (uint8_t)~a;      /* 0 .. 255 */
        if (not_u8 == b) {
            result |= 256;
        }
        if (not_int == b) {                 /* always false */
            result |= 512;
        }
    }

    /* Promotion in comparison: a + b is int, so it can exceed 255. */
    if (a + b > 255) {
        result |= 1024;
    }

    return result;
}
