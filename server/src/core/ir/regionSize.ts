// How big the memory object behind a pointer parameter is assumed to be.
import type { ParameterKind } from './ir';

export interface RegionOptions {
  /** Size of the buffer behind a pointer to a scalar (e.g. `uint8_t *pkt`). */
  bufferBytes: number;
  /**
   * Elements an object of struct type may have when the code indexes it as an array (`cells[i]`):
   * a pointer parameter to a struct or a lazily created object. Default 64 (`DEFAULT_ARRAY_ELEMENTS`).
   */
  arrayElements?: number;
}

export const DEFAULT_REGION_OPTIONS: RegionOptions = { bufferBytes: 2048 };

/** A pointer to a struct or union points to one object; a pointer to a scalar points to a buffer. */
export function parameterRegionSize(type: Extract<ParameterKind, { kind: 'pointer' }>, options: RegionOptions): number {
  return type.pointeeIsRecord ? type.pointeeSize : options.bufferBytes;
}
