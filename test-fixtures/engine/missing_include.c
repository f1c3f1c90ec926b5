/* Tests that a missing local header is reported as a diagnostic, while a function that does not depend on it remains analysable. */
/* EXEMPT from the gcc check: the header intentionally does not exist, so gcc fails. */
#include <stdint.h>
#include "does_not_exist.h"

int missing_include_entry(uint32_t a, uint32_t b)
{
    if (a < b) {
        return (int)(b - a);
    }
    return 0;
}
