/* Tests calls to helper functions in the same translation unit, including a helper called twice and a helper calling another helper. */
#include <stdint.h>

static uint32_t clamp(uint32_t v, uint32_t hi)
{
    if (v > hi) {
        return hi;
    }
    return v;
}

/* Calls clamp; called twice from the entry with different arguments. */
static uint32_t scaled(uint32_t v, uint32_t factor)
{
    return clamp(v * factor, 1000);
}

static void bump(uint32_t *counter)
{
    *counter += 1;
}

uint32_t calls_entry(uint32_t a, uint32_t b)
{
    uint32_t n = 0;
    uint32_t r;

    r = scaled(a, 2);
    bump(&n);
    r += scaled(b, 3);       /* second call to the same helper */
    bump(&n);

    return r + n;
}
