/* Tests enums: enum constants (implicit and explicit values) used as switch labels and return values. */
#include <stdint.h>

enum proto {
    PROTO_ICMP = 1,
    PROTO_TCP  = 6,
    PROTO_UDP  = 17
};

enum verdict {
    V_DROP,          /* 0 */
    V_PASS,          /* 1 */
    V_REDIRECT = 5,
    V_LOG            /* 6 */
};

typedef enum verdict verdict_t;

verdict_t enums_entry(uint8_t proto, uint16_t dport)
{
    verdict_t v;

    switch ((enum proto)proto) {
    case PROTO_ICMP:
        v = V_LOG;
        break;
    case PROTO_TCP:
        v = (dport == 80) ? V_REDIRECT : V_PASS;
        break;
    case PROTO_UDP:
        v = V_PASS;
        break;
    default:
        v = V_DROP;
        break;
    }

    if (v == V_LOG && dport != 0) {
        v = V_DROP;
    }
    return v;
}
