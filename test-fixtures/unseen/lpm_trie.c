/*
 * lpm_trie.c - longest-prefix match in a binary (unibit) trie held in a node pool: one step per
 * address bit from the most significant, remembering the last node that carries a next hop, until
 * a missing child or the 32nd bit.
 * Entry: int lpm_trie_lookup(uint32_t addr); addr in host byte order; returns the next hop of the
 * longest matching prefix, or -1 when none matches.
 */
#include <stdint.h>

#define TRIE_NODES 256
#define NO_NODE 0

struct trie_node {
    uint8_t child[2];   /* pool index, NO_NODE when absent; node 0 is the root */
    uint8_t has_hop;
    uint8_t hop;
};

struct trie_node trie[TRIE_NODES];

int lpm_trie_lookup(uint32_t addr)
{
    int best = trie[0].has_hop ? trie[0].hop : -1;
    unsigned n = 0;
    for (int depth = 0; depth < 32; depth++) {
        unsigned bit = (addr >> (31 - depth)) & 1u;
        n = trie[n].child[bit];
        if (n == NO_NODE)
            break;
        if (trie[n].has_hop)
            best = trie[n].hop;
    }
    return best;
}
