/* Tests short-circuit && and || and the conditional operator, where evaluating the right side would matter. */
#include <stdint.h>

static uint32_t side_effects;

/* Has a visible side effect, so the engine must not evaluate it when short-circuited. */
static int expensive_check(uint32_t v)
{
    side_effects++;
    return (v & 0xFFu) == 0x42u;
}

int shortcircuit_entry(const uint8_t *buf, uint16_t len, uint32_t d, uint32_t v)
{
    int r = 0;

    /* Right side reads buf[3]; only safe because the left side checks len. */
    if (len >= 4 && buf[3] == 0x7F) {
        r |= 1;
    }

    /* Null check guards the dereference on the right. */
    if (buf == 0 || buf[0] == 0) {
        r |= 2;
    }

    /* Division on the right side is only evaluated when d != 0. */
    if (d != 0 && (v / d) > 10) {
        r |= 4;
    }

    /* Call with a side effect is skipped when v is zero. */
    if (v != 0 && expensive_check(v)) {
        r |= 8;
    }

    /* || short-circuit: the call is skipped when v is large. */
    if (v > 1000 || expensive_check(v)) {
        r |= 16;
    }

    /* ?: only evaluates the selected arm: the division is guarded by d. */
    r += (d == 0) ? 0 : (int)(v % d);

    /* Nested ?: picks one of three constants. */
    r += (v < 10) ? 1 : (v < 100) ? 2 : 3;

    return r;
}
