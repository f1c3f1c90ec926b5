/* Tests structs with nested struct and array fields, a union, and a packed struct read through a pointer parameter. */
#include <stdint.h>

struct point {
    int32_t x;
    int32_t y;
};

struct shape {
    uint8_t      kind;
    struct point origin;          /* nested struct */
    uint16_t     widths[4];       /* array field (gives the struct padding, too) */
};

/* Same bytes viewed as a 32-bit word or as four bytes. */
union word {
    uint32_t u32;
    uint8_t  bytes[4];
};

/* Packed: no padding, so sizeof == 7 and 'value' is unaligned. */
struct __attribute__((packed)) tlv {
    uint8_t  type;
    uint16_t length;
    uint32_t value;
};

int structs_entry(const struct tlv *t, int32_t dx)
{
    struct shape s;
    union word w;
    int i;
    uint32_t width_sum = 0;

    s.kind = 1;
    s.origin.x = dx;
    s.origin.y = -dx;
    for (i = 0; i < 4; i++) {
        s.widths[i] = (uint16_t)(i * 10);
    }
    for (i = 0; i < 4; i++) {
        width_sum += s.widths[i];
    }

    /* Reading a union member other than the one written (byte layout is little-endian on LP64 x86). */
    w.u32 = t->value;
    if (w.bytes[0] == 0x01 && t->type == 7 && t->length > 4) {
        return (int)width_sum + s.origin.x + s.origin.y;   /* 60 */
    }
    if (s.kind == 1 && w.bytes[3] == 0) {
        return 1;
    }
    return 0;
}
