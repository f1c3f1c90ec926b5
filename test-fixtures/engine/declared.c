/* Tests calls to a function whose cost is declared in declared.pcontract.json, and to one with neither body nor contract. */
#include <stdint.h>

extern int flow_table_lookup(uint32_t key);
extern void log_packet(uint32_t key);

int declared_entry(const uint8_t *pkt, uint16_t len)
{
    if (len < 4) {
        return -1;
    }
    uint32_t key = (uint32_t)pkt[0] | ((uint32_t)pkt[1] << 8) | ((uint32_t)pkt[2] << 16) | ((uint32_t)pkt[3] << 24);
    int port = flow_table_lookup(key);
    if (port < 0) {
        log_packet(key);
        return 0;
    }
    return port + 1;
}
