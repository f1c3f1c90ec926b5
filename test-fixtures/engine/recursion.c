/* Tests rejection of recursion: countdown calls itself, and recursion_entry calls countdown. */
#include <stdint.h>

static uint32_t countdown(uint32_t n)
{
    if (n == 0) {
        return 0;
    }
    return 1 + countdown(n - 1);
}

uint32_t recursion_entry(uint8_t n)
{
    return countdown(n);
}
