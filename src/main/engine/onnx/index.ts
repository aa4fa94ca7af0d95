/** Inference on ONNX Runtime for networks built with tfjs: export, sessions, and the choice between the two runtimes. */
export { exportLayersModel, OnnxExportError, type ExportedOnnxModel } from './export-layers-model.js';
export { OnnxNetwork, OnnxUnavailable, defaultOnnxThreads, onnxRuntime, onnxRuntimeProblem, onnxStatus, type NetworkOutput, type OnnxNetworkOptions } from './network.js';
export { chooseInferencePath, PROBE_TOLERANCE, type InferencePath, type InferenceRuntime, type ProbeOptions } from './inference-path.js';
