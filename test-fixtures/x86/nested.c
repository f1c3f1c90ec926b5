/*
 * nested.c - an expiry sweep for the x86 grounding tests: the outer loop erases the entries the
 * input lists as expired, and each erasure probes a chain of slots whose length the entry gives (a
 * loop nested in a loop, both with trip counts from the input). Once the outer loop is summarised,
 * the cost has a product monomial such as e*t'': the erasures beyond the unrolled ones times the
 * longest chain any of them probed, which bounds the work rather than counts it when the chains
 * differ.
 */
#include <stdint.h>

#define SLOTS 64u
#define CHAIN_MASK 15u

static uint32_t slots[SLOTS];

int sweep(const uint8_t *expiring, uint8_t expired)
{
    uint32_t mix = 0;
    /*@ pcv e "expired entries erased" */
    for (unsigned i = 0; i < expired; i++) {
        uint32_t h = expiring[i] * 2654435761u;
        unsigned chain = expiring[i] & CHAIN_MASK;
        /*@ pcv t "slots probed to erase one entry" */
        for (unsigned j = 0; j < chain; j++)
            mix = (mix ^ slots[(h + j) % SLOTS]) * 31u;
        slots[h % SLOTS] = mix;
    }
    return (int)(mix & 0x7fffffff);
}
