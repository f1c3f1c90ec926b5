// JSON text kept compressed in memory, off the V8 heap. Contracts are repetitive (every class's
// witness can hold the same tables: the router's `nf_init` is 12 MB of JSON and 14 KB compressed),
// so the worker's caches hold them packed and unpack one only when it is used.
import * as zlib from 'zlib';

const QUALITY = 4;
/**
 * A 256 KB window (brotli's default is 4 MB): a class's witness repeats the one before it, tens of
 * kilobytes back, and the encoder's and decoder's buffers stay small.
 */
const WINDOW_BITS = 18;

/** The text as brotli-compressed UTF-8, in a buffer of its own exact size. */
export function packText(text: string): Buffer {
  const packed = zlib.brotliCompressSync(text, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: QUALITY, [zlib.constants.BROTLI_PARAM_LGWIN]: WINDOW_BITS, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: text.length },
  });
  // zlib returns views of its 16 KB output chunks: a copy of the exact size keeps no spare chunk alive.
  const exact = Buffer.allocUnsafeSlow(packed.length);
  packed.copy(exact);
  return exact;
}

export function unpackText(packed: Buffer): string {
  return zlib.brotliDecompressSync(packed).toString('utf8');
}
