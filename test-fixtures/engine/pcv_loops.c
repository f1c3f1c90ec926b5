/* Tests loops that become performance-critical variables: a long counted loop, an input-bounded loop with a named PCV, a probing loop with an early exit over state, and nested loops. */
#include <stdint.h>

#define TABLE_SIZE 64
#define MAX_PROBES 16
#define MAX_OPTION_WORDS 10

struct entry {
    uint32_t key;
    uint32_t value;
};

static struct entry table[TABLE_SIZE];
static const uint8_t weights[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                     17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };

/* 32 iterations: above the unroll limit although the trip count is a constant. */
uint32_t counted_sum(const uint8_t *pkt)
{
    uint32_t sum = 0;
    for (int i = 0; i < 32; i++) {
        sum += pkt[i] * weights[i];
    }
    return sum;
}

/* Skips IPv4 option words: the trip count comes from the header length field. */
int skip_options(const uint8_t *ip, uint16_t len)
{
    if (len < 20) {
        return -1;
    }
    uint8_t ihl = ip[0] & 0x0f;
    if (ihl < 5 || (unsigned)ihl * 4 > len) {
        return -1;
    }
    int words = 0;
    /*@ pcv option_words "32-bit words of IPv4 options" */
    /*@ bound option_words <= MAX_OPTION_WORDS */
    for (int w = 5; w < ihl; w++) {
        if (ip[w * 4] == 0) {
            break;
        }
        words++;
    }
    return words;
}

/* Open addressing lookup: probes until the key, an empty slot, or MAX_PROBES. */
int probe_lookup(uint32_t key)
{
    uint32_t index = (key * 2654435761u) & (TABLE_SIZE - 1);
    int probes = 0;
    /*@ pcv probes "slots visited by the lookup" */
    while (probes < MAX_PROBES) {
        if (table[index].key == key) {
            return (int)table[index].value;
        }
        if (table[index].key == 0) {
            return -1;
        }
        index = (index + 1) & (TABLE_SIZE - 1);
        probes++;
    }
    return -2;
}

/* Nested loops over a rows x cols block of the packet. */
uint32_t nested_block(const uint8_t *pkt, uint8_t rows, uint8_t cols)
{
    uint32_t total = 0;
    for (uint8_t r = 0; r < rows; r++) {
        for (uint8_t c = 0; c < cols; c++) {
            total += pkt[(r * 16 + c) & 1023];
        }
    }
    return total;
}

/* Inserts into the table, so lookups see unknown contents (it is state, not a constant). */
int probe_insert(uint32_t key, uint32_t value)
{
    uint32_t index = (key * 2654435761u) & (TABLE_SIZE - 1);
    table[index].key = key;
    table[index].value = value;
    return 0;
}

/* A loop guard with two conditions: the input length and a constant cap, which bounds the PCV. */
uint32_t capped_sum(const uint8_t *pkt, uint8_t n)
{
    uint32_t sum = 0;
    for (int i = 0; i < n && i < 10; i++) {
        sum += pkt[i];
    }
    return sum;
}

/*
 * A uint16_t counter: C's promotions lower `i++` to an add in int truncated back to 16 bits; the
 * constant cap still bounds the PCV.
 */
uint32_t narrow_counter_sum(const uint8_t *pkt, uint16_t len)
{
    uint32_t sum = 0;
    uint16_t words = (uint16_t)(len / 2);
    for (uint16_t i = 0; i < words && i < 30; i++) {
        sum += pkt[2 * i];
    }
    return sum;
}

/* A uint8_t counter stepping by 100 wraps before it could reach 250: that cap bounds nothing. */
uint32_t wrapping_counter_sum(const uint8_t *pkt, uint8_t n)
{
    uint32_t sum = 0;
    for (uint8_t i = 0; i < n && i < 250; i += 100) {
        sum += pkt[i];
    }
    return sum;
}

/*
 * Rows of different lengths (pkt[r] & 15 cells each): the cells are counted over all the rows
 * together (a total PCV), not as the longest row times the number of rows.
 */
uint32_t ragged_rows(const uint8_t *pkt, uint8_t rows)
{
    uint32_t total = 0;
    /*@ pcv rows_walked "rows walked" */
    for (int r = 0; r < rows && r < 8; r++) {
        int len = pkt[r] & 15;
        /*@ pcv cells total "cells summed" */
        for (int c = 0; c < len && c < 15; c++) {
            total += pkt[8 + c];
        }
    }
    return total;
}

/* The trip count is an argument: an input in capped_sum, a constant at each call in fixed_sums. */
static uint32_t prefix_sum(const uint8_t *pkt, uint8_t n)
{
    uint32_t sum = 0;
    for (int i = 0; i < n; i++) {
        sum += pkt[i];
    }
    return sum;
}

/* Each loop runs in full (no PCV): its trip count is fixed at the call. */
uint32_t fixed_sums(const uint8_t *pkt)
{
    return prefix_sum(pkt, 6) + prefix_sum(pkt + 6, 9);
}

static const uint16_t service_ports[12] = { 80, 443, 22, 25, 53, 110, 143, 993, 995, 3306, 5432, 8080 };

/* Returns from inside its loop: searched for a constant port, the loop runs in full. */
static int port_index(uint16_t port)
{
    for (int i = 0; i < 12; i++) {
        if (service_ports[i] == port) {
            return i;
        }
    }
    return -1;
}

int imaps_index(const uint8_t *pkt)
{
    return port_index(993) + pkt[0];
}

/* The same search in the entry itself: the path ends inside the loop. */
int imaps_slot(void)
{
    for (int i = 0; i < 12; i++) {
        if (service_ports[i] == 993) {
            return i;
        }
    }
    return -1;
}
