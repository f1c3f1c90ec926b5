/* Tests a loop split by a count mark: probes that meet a slot with the same hash but another key (collisions) are counted apart from the probes that pass other hashes. */
#include <stdint.h>

#define SIZE 32

struct slot {
    uint32_t hash;
    uint32_t k0, k1, k2;
    int32_t value;
    uint8_t used;
};

static struct slot slots[SIZE];

int lookup(uint32_t k0, uint32_t k1, uint32_t k2)
{
    uint32_t hash = k0 ^ (k1 << 7) ^ (k2 >> 3);
    uint32_t i;

    /*@ pcv t "probes past slots of other hashes" */
    for (i = 0; i < SIZE; i++) {
        const struct slot *s = &slots[(hash + i) & (SIZE - 1)];

        if (!s->used) {
            return -1;
        }
        if (s->hash != hash) {
            continue;
        }
        /*@ count c "collisions: same hash, another key" */
        if (s->k0 == k0 && s->k1 == k1 && s->k2 == k2) {
            return s->value;
        }
    }
    return -1;
}
