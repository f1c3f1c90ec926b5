/*
 * tcp_conntrack.c - the TCP state machine of a stateful firewall for one tracked connection:
 * the packet's flags (SYN, SYN+ACK, FIN, RST, ACK) and direction move the connection's state, an
 * invalid transition drops the packet, and the state's timeout is returned.
 * Entry: int ct_tcp_update(uint32_t conn, uint8_t tcp_flags, int reply); returns the new timeout
 * in seconds, or -1 to drop.
 */
#include <stdint.h>

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10
#define NCONN 128

enum ct_state { CT_NONE, CT_SYN_SENT, CT_SYN_RECV, CT_ESTABLISHED, CT_FIN_WAIT, CT_CLOSE_WAIT, CT_TIME_WAIT, CT_CLOSE };
enum ct_event { EV_SYN, EV_SYNACK, EV_FIN, EV_ACK, EV_RST, EV_NONE };

uint8_t ct_state[NCONN];

static const uint16_t ct_timeout[] = { 0, 120, 60, 7440, 120, 60, 120, 10 };

static enum ct_event classify(uint8_t flags)
{
    if (flags & TH_RST)
        return EV_RST;
    if (flags & TH_SYN)
        return (flags & TH_ACK) ? EV_SYNACK : EV_SYN;
    if (flags & TH_FIN)
        return EV_FIN;
    if (flags & TH_ACK)
        return EV_ACK;
    return EV_NONE;
}

int ct_tcp_update(uint32_t conn, uint8_t tcp_flags, int reply)
{
    if (conn >= NCONN)
        return -1;
    uint8_t s = ct_state[conn];
    if (s > CT_CLOSE)
        return -1;
    enum ct_event ev = classify(tcp_flags);
    switch (ev) {
    case EV_RST:
        s = CT_CLOSE;
        break;
    case EV_SYN:
        if (reply || (s != CT_NONE && s != CT_CLOSE && s != CT_TIME_WAIT))
            return -1;
        s = CT_SYN_SENT;
        break;
    case EV_SYNACK:
        if (!reply || s != CT_SYN_SENT)
            return -1;
        s = CT_SYN_RECV;
        break;
    case EV_ACK:
        if (s == CT_SYN_RECV && !reply)
            s = CT_ESTABLISHED;
        else if (s == CT_FIN_WAIT || s == CT_CLOSE_WAIT)
            s = CT_TIME_WAIT;
        else if (s == CT_NONE || s == CT_SYN_SENT)
            return -1;
        break;
    case EV_FIN:
        if (s == CT_ESTABLISHED)
            s = reply ? CT_CLOSE_WAIT : CT_FIN_WAIT;
        else if (s == CT_FIN_WAIT || s == CT_CLOSE_WAIT)
            s = CT_TIME_WAIT;
        else
            return -1;
        break;
    default:
        return -1;
    }
    ct_state[conn] = s;
    return ct_timeout[s];
}
