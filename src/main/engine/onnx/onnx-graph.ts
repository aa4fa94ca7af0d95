/**
 * An ONNX graph under construction, and its encoding as a ModelProto.
 *
 * Field numbers are those of onnx/onnx.proto (github.com/onnx/onnx,
 * onnx/onnx.proto, IR version 8):
 *   ModelProto        ir_version 1, producer_name 2, producer_version 3, doc_string 6, graph 7, opset_import 8
 *   OperatorSetIdProto domain 1, version 2
 *   GraphProto        node 1, name 2, initializer 5, doc_string 10, input 11, output 12
 *   NodeProto         input 1, output 2, name 3, op_type 4, attribute 5
 *   AttributeProto    name 1, f 2, i 3, s 4, floats 7, ints 8, type 20
 *                     (AttributeType FLOAT 1, INT 2, STRING 3, FLOATS 6, INTS 7)
 *   TensorProto       dims 1, data_type 2, name 8, raw_data 9 (DataType FLOAT 1, INT64 7)
 *   ValueInfoProto    name 1, type 2
 *   TypeProto         tensor_type 1; TypeProto.Tensor elem_type 1, shape 2
 *   TensorShapeProto  dim 1; Dimension dim_value 1, dim_param 2
 * raw_data holds the values little-endian, as the proto's comment on it requires.
 */
import { ProtoMessage } from './protobuf-writer.js';

/** IR version 8 goes with opsets up to 17 (onnx/docs/Versioning.md), which every op used here has. */
export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;

const ElemType = { float: 1, int64: 7 } as const;
const AttrType = { float: 1, int: 2, string: 3, floats: 6, ints: 7 } as const;

export type Attribute = { f: number } | { i: number } | { s: string } | { floats: readonly number[] } | { ints: readonly number[] };

/** A dimension of a graph input or output: a number, or a name for a size known only at run time. */
export type Dim = number | string;

interface ValueInfo {
  name: string;
  dims: readonly Dim[];
}

function attributeMessage(name: string, value: Attribute): ProtoMessage {
  const m = new ProtoMessage().string(1, name);
  if ('f' in value) return m.float(2, value.f).varint(20, AttrType.float);
  if ('i' in value) return m.varint(3, value.i).varint(20, AttrType.int);
  if ('s' in value) return m.string(4, value.s).varint(20, AttrType.string);
  // Repeated attribute values are written unpacked: onnx.proto is proto2, whose parsers accept both.
  if ('floats' in value) {
    for (const f of value.floats) m.float(7, f);
    return m.varint(20, AttrType.floats);
  }
  for (const i of value.ints) m.varint(8, i);
  return m.varint(20, AttrType.ints);
}

function valueInfoMessage(info: ValueInfo): ProtoMessage {
  const shape = new ProtoMessage();
  for (const dim of info.dims) shape.message(1, typeof dim === 'number' ? new ProtoMessage().varint(1, dim) : new ProtoMessage().string(2, dim));
  const tensorType = new ProtoMessage().varint(1, ElemType.float).message(2, shape);
  return new ProtoMessage().string(1, info.name).message(2, new ProtoMessage().message(1, tensorType));
}

export class OnnxGraph {
  private readonly nodes: ProtoMessage[] = [];
  private readonly initializers: ProtoMessage[] = [];
  private readonly used = new Set<string>();
  private nodeCount = 0;
  readonly opsUsed = new Set<string>();

  constructor(readonly name: string) {}

  /** A value name not used before in this graph, derived from `base`. */
  fresh(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_./:-]/g, '_') || 'v';
    let name = clean;
    for (let k = 1; this.used.has(name); k++) name = `${clean}_${k}`;
    this.used.add(name);
    return name;
  }

  /** A float32 constant (weights, scales); returns its value name. */
  floatConstant(base: string, dims: readonly number[], values: Float32Array): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== values.length) throw new Error(`constant ${base}: ${values.length} values for shape [${dims.join(', ')}]`);
    const name = this.fresh(base);
    const raw = new Uint8Array(values.length * 4);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
    this.initializers.push(new ProtoMessage().packedVarints(1, dims).varint(2, ElemType.float).string(8, name).bytes(9, raw));
    return name;
  }

  /** An int64 constant (shapes, pads, axes). */
  int64Constant(base: string, values: readonly number[]): string {
    const name = this.fresh(base);
    const raw = new Uint8Array(values.length * 8);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
    this.initializers.push(new ProtoMessage().packedVarints(1, [values.length]).varint(2, ElemType.int64).string(8, name).bytes(9, raw));
    return name;
  }

  /** A float scalar constant (rank 0). */
  scalar(base: string, value: number): string {
    return this.floatConstant(base, [], Float32Array.of(value));
  }

  /** Adds one node with a single output, named from `base`; returns the output's name. */
  node(opType: string, inputs: readonly string[], base: string, attributes: Record<string, Attribute> = {}): string {
    const output = this.fresh(base);
    const m = new ProtoMessage();
    for (const input of inputs) m.string(1, input);
    m.string(2, output).string(3, `${opType}_${this.nodeCount++}`).string(4, opType);
    for (const [attrName, value] of Object.entries(attributes)) m.message(5, attributeMessage(attrName, value));
    this.nodes.push(m);
    this.opsUsed.add(opType);
    return output;
  }

  /** Marks a name as taken (graph inputs). */
  reserve(name: string): string {
    if (this.used.has(name)) throw new Error(`graph value ${name} already exists`);
    this.used.add(name);
    return name;
  }

  /** The whole model as ONNX file bytes. */
  toModel(io: { inputs: ValueInfo[]; outputs: ValueInfo[] }, producer: { name: string; version: string; doc?: string }): Uint8Array {
    const graph = new ProtoMessage();
    for (const n of this.nodes) graph.message(1, n);
    graph.string(2, this.name);
    for (const t of this.initializers) graph.message(5, t);
    for (const input of io.inputs) graph.message(11, valueInfoMessage(input));
    for (const output of io.outputs) graph.message(12, valueInfoMessage(output));
    const model = new ProtoMessage()
      .varint(1, ONNX_IR_VERSION)
      .string(2, producer.name)
      .string(3, producer.version);
    if (producer.doc) model.string(6, producer.doc);
    model.message(7, graph).message(8, new ProtoMessage().string(1, '').varint(2, ONNX_OPSET));
    return model.toBytes();
  }
}
