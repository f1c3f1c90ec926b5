/* Tests path explosion: 30 independent branches on packet bytes give 2^30 paths, which the engine must cap or summarise. */
#include <stdint.h>

int path_explosion_entry(const uint8_t *pkt, uint16_t len)
{
    int x = 0;

    if (len < 30) {
        return -1;
    }

    if (pkt[0] & 1) x++;
    if (pkt[1] & 1) x++;
    if (pkt[2] & 1) x++;
    if (pkt[3] & 1) x++;
    if (pkt[4] & 1) x++;
    if (pkt[5] & 1) x++;
    if (pkt[6] & 1) x++;
    if (pkt[7] & 1) x++;
    if (pkt[8] & 1) x++;
    if (pkt[9] & 1) x++;
    if (pkt[10] & 1) x++;
    if (pkt[11] & 1) x++;
    if (pkt[12] & 1) x++;
    if (pkt[13] & 1) x++;
    if (pkt[14] & 1) x++;
    if (pkt[15] & 1) x++;
    if (pkt[16] & 1) x++;
    if (pkt[17] & 1) x++;
    if (pkt[18] & 1) x++;
    if (pkt[19] & 1) x++;
    if (pkt[20] & 1) x++;
    if (pkt[21] & 1) x++;
    if (pkt[22] & 1) x++;
    if (pkt[23] & 1) x++;
    if (pkt[24] & 1) x++;
    if (pkt[25] & 1) x++;
    if (pkt[26] & 1) x++;
    if (pkt[27] & 1) x++;
    if (pkt[28] & 1) x++;
    if (pkt[29] & 1) x++;

    return x;
}
