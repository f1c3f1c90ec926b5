// Loops left from inside the body on a variable the body steps by what it reads: the exit that
// every iteration passes bounds the loop as a header guard would, with the least step the solver
// finds on every path back to the header.
#include <stdint.h>

/* Sends queued frames while a token bucket can pay for them (bytes, at most 24000 in the bucket). */
int drain(const uint16_t *lens, int32_t tokens)
{
    if (tokens <= 0)
        return 0;
    if (tokens > 24000)
        tokens = 24000;
    int sent = 0;
    for (;;) {
        uint16_t l = lens[sent & 15];
        if (l == 0)
            break;
        tokens -= l;
        if (tokens < 0)
            return sent;
        sent++;
    }
    return sent;
}

/* Adds up odd bytes until they pass a budget; even bytes add nothing, so the loop may not end. */
int skim(const uint8_t *p)
{
    uint32_t seen = 0;
    int i = 0;
    while (p[i & 31] != 0xff) {
        if (p[i & 31] & 1)
            seen += p[i & 31];
        if (seen > 200)
            return -1;
        i++;
    }
    return i;
}
