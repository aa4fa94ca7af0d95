/**
 * ONNX Runtime 1.29+ sends usage telemetry to Microsoft on Linux and macOS
 * too, and keeps a device id in ~/.cache/Microsoft/DeveloperTools/.onnxruntime
 * (it also reads /etc/machine-id); the contract fuzz test's strace caught it.
 * The native library reads ORT_DISABLE_TELEMETRY from the process environment
 * when it first loads. Worker threads have their own copy of `process.env`
 * whose writes never reach that environment, so this is set on the main
 * thread, first thing, by every entry point (the CLI, the Electron main
 * process) before any worker starts; network.ts sets it again for code that
 * loads ONNX Runtime on its own main thread (tests, scripts).
 */
process.env['ORT_DISABLE_TELEMETRY'] = '1';
export {};
