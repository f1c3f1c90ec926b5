/* Tests that a query the solver cannot decide in time is reported as incomplete, never guessed: q * d + r == u always holds, but proving it needs 64-bit multiplication and division. */
#include <stdint.h>

int solver_unknown_entry(uint64_t u, uint64_t d)
{
    if (d == 0) {
        return -1;
    }
    uint64_t q = u / d;
    uint64_t r = u % d;
    if (q * d + r == u) {
        return 1;
    }
    return 0;
}
