/*
 * tcp_options.c - reads the MSS, window scale and SACK-permitted options of a TCP SYN, as a SYN
 * proxy or a middlebox that clamps the MSS does, walking the options with a byte pointer up to
 * the end given by the data offset.
 * Entry: uint32_t tcp_syn_options(const uint8_t *tcp, uint32_t seglen); returns
 * mss | (wscale << 16) | (sack_ok << 24), with mss 536 when absent, or 0 when malformed.
 */
#include <stdint.h>
#include <stddef.h>

struct tcp_hdr_s {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t doff_res;
    uint8_t flags;
    uint16_t window, csum, urg;
};

#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2
#define TCPOPT_WSCALE 3
#define TCPOPT_SACK_PERM 4
#define TCP_SYN 0x02

uint32_t tcp_syn_options(const uint8_t *tcp, uint32_t seglen)
{
    const struct tcp_hdr_s *th = (const struct tcp_hdr_s *)tcp;
    if (seglen < sizeof(*th) || !(th->flags & TCP_SYN))
        return 0;
    uint32_t doff = (uint32_t)(th->doff_res >> 4) * 4;
    if (doff < sizeof(*th) || doff > seglen)
        return 0;

    uint32_t mss = 536, wscale = 0, sack_ok = 0;
    const uint8_t *opt = tcp + sizeof(*th);
    const uint8_t *end = tcp + doff;
    while (opt < end) {
        uint8_t kind = *opt;
        if (kind == TCPOPT_EOL)
            break;
        if (kind == TCPOPT_NOP) {
            opt++;
            continue;
        }
        if (end - opt < 2 || opt[1] < 2 || opt[1] > end - opt)
            return 0;
        if (kind == TCPOPT_MSS && opt[1] == 4)
            mss = ((uint32_t)opt[2] << 8) | opt[3];
        else if (kind == TCPOPT_WSCALE && opt[1] == 3)
            wscale = opt[2] > 14 ? 14 : opt[2];
        else if (kind == TCPOPT_SACK_PERM && opt[1] == 2)
            sack_ok = 1;
        opt += opt[1];
    }
    return (mss & 0xffff) | (wscale << 16) | (sack_ok << 24);
}
