// Classic libpcap files (nanosecond timestamps, Ethernet link type) and the side file of input ports.
import { MeasureError } from './measureError';

/** One captured frame: its bytes and its timestamp in nanoseconds since the epoch. */
export interface PcapPacket {
  data: Uint8Array;
  timestampNs: bigint;
}

const MAGIC_MICROSECONDS = 0xa1b2c3d4;
const MAGIC_NANOSECONDS = 0xa1b23c4d;
const LINKTYPE_ETHERNET = 1;
const SNAPLEN = 65535;
const GLOBAL_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;

/** Writes a little-endian, nanosecond-resolution classic pcap file (readable by tcpdump and Wireshark). */
export function writePcap(packets: readonly PcapPacket[]): Buffer {
  const size = GLOBAL_HEADER_BYTES + packets.reduce((sum, p) => sum + RECORD_HEADER_BYTES + p.data.length, 0);
  const out = Buffer.alloc(size);
  out.writeUInt32LE(MAGIC_NANOSECONDS, 0);
  out.writeUInt16LE(2, 4);
  out.writeUInt16LE(4, 6);
  out.writeInt32LE(0, 8);
  out.writeUInt32LE(0, 12);
  out.writeUInt32LE(SNAPLEN, 16);
  out.writeUInt32LE(LINKTYPE_ETHERNET, 20);
  let offset = GLOBAL_HEADER_BYTES;
  packets.forEach((packet, index) => {
    if (packet.data.length > SNAPLEN) throw new MeasureError('bad-pcap', `packet ${index} is ${packet.data.length} bytes, above the snap length ${SNAPLEN}`);
    if (packet.data.length === 0) throw new MeasureError('bad-pcap', `packet ${index} is empty (tcpdump rejects a record with no bytes)`);
    if (packet.timestampNs < 0n || packet.timestampNs >= 2n ** 32n * 1_000_000_000n) {
      throw new MeasureError('bad-pcap', `packet ${index} has a timestamp outside the pcap range: ${packet.timestampNs} ns`);
    }
    out.writeUInt32LE(Number(packet.timestampNs / 1_000_000_000n), offset);
    out.writeUInt32LE(Number(packet.timestampNs % 1_000_000_000n), offset + 4);
    out.writeUInt32LE(packet.data.length, offset + 8);
    out.writeUInt32LE(packet.data.length, offset + 12);
    out.set(packet.data, offset + RECORD_HEADER_BYTES);
    offset += RECORD_HEADER_BYTES + packet.data.length;
  });
  return out;
}

/** Reads a classic pcap file of either byte order and timestamp resolution. Throws `bad-pcap` on malformed input. */
export function readPcap(bytes: Uint8Array, name = 'pcap'): PcapPacket[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < GLOBAL_HEADER_BYTES) throw new MeasureError('bad-pcap', `${name}: shorter than the 24-byte pcap header`);
  let little: boolean;
  const magicLe = buffer.readUInt32LE(0);
  const magicBe = buffer.readUInt32BE(0);
  if (magicLe === MAGIC_MICROSECONDS || magicLe === MAGIC_NANOSECONDS) little = true;
  else if (magicBe === MAGIC_MICROSECONDS || magicBe === MAGIC_NANOSECONDS) little = false;
  else throw new MeasureError('bad-pcap', `${name}: not a classic pcap file (magic 0x${magicLe.toString(16)}); pcapng is not supported`);
  const magic = little ? magicLe : magicBe;
  const u32 = (offset: number) => (little ? buffer.readUInt32LE(offset) : buffer.readUInt32BE(offset));
  const fractionScale = magic === MAGIC_NANOSECONDS ? 1n : 1000n;
  const packets: PcapPacket[] = [];
  let offset = GLOBAL_HEADER_BYTES;
  while (offset < buffer.length) {
    if (offset + RECORD_HEADER_BYTES > buffer.length) throw new MeasureError('bad-pcap', `${name}: truncated record header of packet ${packets.length}`);
    const seconds = BigInt(u32(offset));
    const fraction = BigInt(u32(offset + 4));
    const captured = u32(offset + 8);
    if (captured > SNAPLEN) throw new MeasureError('bad-pcap', `${name}: packet ${packets.length} claims ${captured} bytes, above ${SNAPLEN}`);
    const start = offset + RECORD_HEADER_BYTES;
    if (start + captured > buffer.length) throw new MeasureError('bad-pcap', `${name}: truncated data of packet ${packets.length}`);
    packets.push({ data: new Uint8Array(buffer.subarray(start, start + captured)), timestampNs: seconds * 1_000_000_000n + fraction * fractionScale });
    offset = start + captured;
  }
  return packets;
}

/** The ports side file: the input port of packet i on line i, one decimal per line. */
export function writePortsFile(ports: readonly number[]): string {
  return ports.map((p) => `${p}\n`).join('');
}

export function readPortsFile(text: string, name = 'ports'): number[] {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  return lines.map((line, index) => {
    if (!/^[0-9]+$/.test(line) || Number(line) > 0xffff) throw new MeasureError('bad-pcap', `${name}: line ${index + 1} is not a port number 0..65535: '${line.slice(0, 20)}'`);
    return Number(line);
  });
}

/** The ports file that belongs to a pcap file: same name with `.ports` instead of `.pcap`. */
export function portsFileFor(pcapPath: string): string {
  return pcapPath.replace(/\.pcap$/, '') + '.ports';
}
