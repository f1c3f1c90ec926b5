/* Tests error recovery: the first function has a syntax error (missing ')' and ';'), the second one is valid and should still be analysable. */
/* EXEMPT from the gcc check: this file intentionally fails to compile. */
#include <stdint.h>

int broken_fn(uint32_t a)
{
    uint32_t b = a + 1
    if (b > 10 {
        return 1;
    }
    return 0;
}

int good_fn(uint32_t a)
{
    if (a > 10) {
        return 1;
    }
    return 0;
}
