// Builders for the frames the NF corpus understands: Ethernet, IPv4 (with options), UDP and TCP.

export type MacAddress = readonly number[];

export const BROADCAST_MAC: MacAddress = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
export const ETHER_TYPE_IPV4 = 0x0800;
export const ETHER_TYPE_ARP = 0x0806;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_ICMP = 1;

export interface Ipv4Fields {
  src: number;
  dst: number;
  proto: number;
  ttl?: number;
  /** Option bytes (padded with zeros to a multiple of 4; at most 40). */
  options?: Uint8Array;
  /** Flags and fragment offset, as in the header (e.g. 0x2000 for more-fragments). */
  fragment?: number;
  /** Store a wrong header checksum. */
  corruptChecksum?: boolean;
  identification?: number;
}

export interface L4Fields {
  srcPort: number;
  dstPort: number;
  payloadBytes?: number;
}

/** The Internet checksum (RFC 1071) over `bytes`. */
export function internetChecksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function ethernetFrame(dst: MacAddress, src: MacAddress, etherType: number, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(14 + payload.length);
  frame.set(dst, 0);
  frame.set(src, 6);
  frame[12] = etherType >> 8;
  frame[13] = etherType & 0xff;
  frame.set(payload, 14);
  return frame;
}

/** An IPv4 header with a valid checksum (unless asked otherwise) followed by `payload`. */
export function ipv4Packet(fields: Ipv4Fields, payload: Uint8Array): Uint8Array {
  const optionBytes = fields.options ? Math.ceil(fields.options.length / 4) * 4 : 0;
  if (optionBytes > 40) throw new Error(`IPv4 options are at most 40 bytes, got ${optionBytes}`);
  const headerBytes = 20 + optionBytes;
  const packet = new Uint8Array(headerBytes + payload.length);
  const view = new DataView(packet.buffer);
  packet[0] = 0x40 | (headerBytes / 4);
  view.setUint16(2, packet.length);
  view.setUint16(4, fields.identification ?? 0);
  view.setUint16(6, fields.fragment ?? 0);
  packet[8] = fields.ttl ?? 64;
  packet[9] = fields.proto;
  view.setUint32(12, fields.src >>> 0);
  view.setUint32(16, fields.dst >>> 0);
  if (fields.options) packet.set(fields.options, 20);
  const checksum = internetChecksum(packet.subarray(0, headerBytes));
  view.setUint16(10, fields.corruptChecksum ? checksum ^ 0x5a5a : checksum);
  packet.set(payload, headerBytes);
  return packet;
}

export function udpDatagram(fields: L4Fields): Uint8Array {
  const datagram = new Uint8Array(8 + (fields.payloadBytes ?? 0));
  const view = new DataView(datagram.buffer);
  view.setUint16(0, fields.srcPort);
  view.setUint16(2, fields.dstPort);
  view.setUint16(4, datagram.length);
  return datagram;
}

export function tcpSegment(fields: L4Fields): Uint8Array {
  const segment = new Uint8Array(20 + (fields.payloadBytes ?? 0));
  const view = new DataView(segment.buffer);
  view.setUint16(0, fields.srcPort);
  view.setUint16(2, fields.dstPort);
  view.setUint32(4, 1);
  segment[12] = 5 << 4;
  segment[13] = 0x18;
  view.setUint16(14, 65535);
  return segment;
}

/** A full Ethernet + IPv4 + UDP/TCP frame, with valid IPv4 and TCP/UDP checksums. */
export function ipv4Frame(dstMac: MacAddress, srcMac: MacAddress, ip: Ipv4Fields, l4: L4Fields): Uint8Array {
  const transport = ip.proto === PROTO_TCP ? tcpSegment(l4) : udpDatagram(l4);
  if (ip.proto === PROTO_TCP || ip.proto === PROTO_UDP) {
    // The pseudo-header (addresses, protocol, length) followed by the segment.
    const pseudo = new Uint8Array(12 + transport.length);
    const view = new DataView(pseudo.buffer);
    view.setUint32(0, ip.src >>> 0);
    view.setUint32(4, ip.dst >>> 0);
    pseudo[9] = ip.proto;
    view.setUint16(10, transport.length);
    pseudo.set(transport, 12);
    const checksum = internetChecksum(pseudo);
    // In UDP a computed 0 is sent as 0xFFFF (0 means "no checksum").
    new DataView(transport.buffer).setUint16(ip.proto === PROTO_TCP ? 16 : 6, ip.proto === PROTO_UDP && checksum === 0 ? 0xffff : checksum);
  }
  return ethernetFrame(dstMac, srcMac, ETHER_TYPE_IPV4, ipv4Packet(ip, transport));
}

/** Option bytes: `count` NOP options (type 1) then an end-of-list, padded to `bytes`. */
export function nopOptions(bytes: number): Uint8Array {
  const options = new Uint8Array(bytes);
  options.fill(1, 0, Math.max(0, bytes - 1));
  return options;
}

export function ipv4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

export function macFromNumber(value: number, firstByte = 0x02): MacAddress {
  return [firstByte, (value / 2 ** 32) & 0xff, (value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}
