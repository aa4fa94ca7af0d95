/**
 * The few pieces of the protocol buffers wire format an ONNX file needs,
 * written by hand so exporting a model adds no dependency: varints,
 * length-delimited fields (strings, bytes, nested messages, packed numbers)
 * and 32-bit floats. From the encoding guide
 * (https://protobuf.dev/programming-guides/encoding/): a field is its key
 * `(number << 3) | wireType` as a varint, then its value; wire type 0 is a
 * varint, 2 is length-delimited, 5 is a little-endian 32-bit value.
 * Negative int64 values are ten-byte two's-complement varints.
 *
 * A message is built bottom-up: `ProtoMessage` collects its fields as byte
 * chunks, and `bytes()` joins them, so nested messages are encoded once and
 * embedded with their length.
 */

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

/** A non-negative or negative integer as a protobuf varint (int64 semantics). */
export function encodeVarint(value: number | bigint): Uint8Array {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return Uint8Array.from(out);
}

function key(field: number, wireType: number): Uint8Array {
  if (!Number.isInteger(field) || field < 1) throw new RangeError(`protobuf field numbers start at 1, got ${field}`);
  return encodeVarint((field << 3) | wireType);
}

const utf8 = new TextEncoder();

export class ProtoMessage {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  private push(...chunks: Uint8Array[]): this {
    for (const chunk of chunks) {
      this.chunks.push(chunk);
      this.length += chunk.byteLength;
    }
    return this;
  }

  /** int32/int64/enum/bool field. */
  varint(field: number, value: number | bigint): this {
    if (typeof value === 'number' && !Number.isInteger(value)) throw new RangeError(`field ${field}: ${value} is not an integer`);
    return this.push(key(field, WIRE_VARINT), encodeVarint(value));
  }

  /** A 32-bit float field. */
  float(field: number, value: number): this {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    return this.push(key(field, WIRE_FIXED32), bytes);
  }

  /** bytes field (also the body of a nested message). */
  bytes(field: number, value: Uint8Array): this {
    return this.push(key(field, WIRE_LENGTH_DELIMITED), encodeVarint(value.byteLength), value);
  }

  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  message(field: number, value: ProtoMessage): this {
    return this.bytes(field, value.toBytes());
  }

  /** A packed repeated int64 field (proto3 packs repeated scalars by default). */
  packedVarints(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoMessage();
    for (const v of values) inner.push(encodeVarint(v));
    return this.bytes(field, inner.toBytes());
  }

  /** A packed repeated float field. */
  packedFloats(field: number, values: ArrayLike<number>): this {
    const body = new Uint8Array(values.length * 4);
    const view = new DataView(body.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
    return this.bytes(field, body);
  }

  toBytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return out;
  }
}
