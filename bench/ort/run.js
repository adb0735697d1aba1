// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
'use strict';
/*
ONNX Runtime's side of bench/onnx_peer.py: one exported model in onnxruntime-node, one protocol, one
JSON line on stdout, so that bench/runner.py's run_child runs it as it runs the other children.

    node bench/ort/run.js '<spec as JSON>'      (or the path of a JSON file, or the spec on stdin)

The spec (written by onnx_peer.py):
  ort       the onnxruntime-node package folder (onnx_peer.py installs it into its cache, not here)
  model     the .onnx file; every model has one input, "input", float32
  threads   intraOpNumThreads; interOpNumThreads is 1, graph optimisation 'all', sequential execution:
            ORT's own recommendation for one request at a time on a CPU
  protocol  "version": load the binding, print its versions
            "check":   inputs [{shape, file}] of raw float32 -> writes each output to <file>.<name>.out
                       (raw float32), for onnx_peer.py to compare with torch.nn's
            "rate":    shape, warmup, seconds, repeats, seed -> bench/measure_module.py's protocol on one
                       input: one untimed call, a warm-up of `warmup` seconds (at least 3 calls), then
                       `repeats` runs of a calibrated number of calls; the median rate (calls/s)
            "stream":  shapes_file (JSON [[T, N], ...]), features, batch_first, seed -> every request
                       timed alone with process.hrtime.bigint(), as bench/measure_traffic.py does: its
                       random input is made just before its timing, nothing is warmed up, so the first
                       call of each shape counts; total seconds, p50 and p99 (nearest rank) in ms
Every call is `await session.run(feeds)`, all outputs fetched, as a Node user calls it: the binding
runs each call on a later turn of the event loop (setImmediate), and that cost is part of the figure.
Any failure is an exception and a non-zero exit status.
*/
const fs = require('fs');

function readSpec() {
  const arg = process.argv[2];
  if (arg === undefined) return JSON.parse(fs.readFileSync(0, 'utf8'));
  return JSON.parse(arg.trimStart().startsWith('{') ? arg : fs.readFileSync(arg, 'utf8'));
}

/* mulberry32: a seeded generator, so that a run's inputs are the same every time. */
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/* Standard normal values (Box-Muller), like torch.randn's inputs in the Python children. */
function randn(uniform, count) {
  const values = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
    const angle = 2 * Math.PI * uniform();
    values[i] = radius * Math.cos(angle);
    if (i + 1 < count) values[i + 1] = radius * Math.sin(angle);
  }
  return values;
}

const product = (shape) => shape.reduce((a, b) => a * b, 1);
const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;
const osThreads = () => fs.readdirSync('/proc/self/task').length;

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/* The nearest-rank q-th percentile, as bench/measure_traffic.py's: p99 of 1000 latencies is the 10th slowest. */
function percentile(values, q) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((q / 100) * s.length) - 1)];
}

async function measureRate(call, warmup, runSeconds, repeats) {
  await call(); // the first call allocates ORT's arenas and plans: too slow to calibrate on
  let calls = 0;
  let start = process.hrtime.bigint();
  while (calls < 3 || seconds(start) < warmup) {
    await call();
    calls += 1;
  }
  const callsPerRun = Math.max(1, Math.ceil((runSeconds * calls) / seconds(start)));
  const rates = [];
  for (let r = 0; r < repeats; r++) {
    start = process.hrtime.bigint();
    for (let i = 0; i < callsPerRun; i++) await call();
    rates.push(callsPerRun / seconds(start));
  }
  return {
    rate: median(rates), rate_min: Math.min(...rates), rate_max: Math.max(...rates), calls_per_run: callsPerRun,
  };
}

async function main() {
  const spec = readSpec();
  const ort = require(spec.ort);
  const base = { bench: 'ort', protocol: spec.protocol, ort: ort.env.versions.node, node: process.version };
  if (spec.protocol === 'version') {
    console.log(JSON.stringify({ ...base, threads: spec.threads ?? 1 }));
    return;
  }

  const threadsBefore = osThreads();
  let start = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(spec.model, {
    intraOpNumThreads: spec.threads, interOpNumThreads: 1, graphOptimizationLevel: 'all',
    executionMode: 'sequential', logSeverityLevel: 3,
  });
  const loadSeconds = seconds(start);
  const name = session.inputNames[0];
  const feeds = (shape, data) => ({ [name]: new ort.Tensor('float32', data, shape) });
  // threads: the intraOpNumThreads this process set (run_child compares it with the count asked for).
  // session_threads: the OS threads that appeared with the session, a cross-check that ORT took the
  // setting: threads - 1 of its intra-op pool (the caller's thread works too) and one more of its own
  // (1, 2, 3, 4 for 1, 2, 3, 4 threads on this machine).
  const sessionThreads = osThreads() - threadsBefore;
  const result = { ...base, threads: spec.threads, session_threads: sessionThreads, load_ms: loadSeconds * 1e3 };
  const done = () => console.log(JSON.stringify(result));

  if (spec.protocol === 'check') {
    result.outputs = [];
    for (const { shape, file } of spec.inputs) {
      const bytes = fs.readFileSync(file);
      const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      if (data.length !== product(shape)) throw new Error(`${file}: ${data.length} floats, shape ${shape}`);
      const outputs = await session.run(feeds(shape, Float32Array.from(data)));
      for (const [output, tensor] of Object.entries(outputs)) {
        const { buffer, byteOffset, byteLength } = tensor.data;
        fs.writeFileSync(`${file}.${output}.out`, Buffer.from(buffer, byteOffset, byteLength));
        result.outputs.push({ file, output, dims: tensor.dims });
      }
    }
    done();
  } else if (spec.protocol === 'rate') {
    const input = feeds(spec.shape, randn(generator(spec.seed ?? 0), product(spec.shape)));
    Object.assign(result, await measureRate(() => session.run(input), spec.warmup, spec.seconds, spec.repeats));
    done();
  } else if (spec.protocol === 'stream') {
    const uniform = generator(spec.seed ?? 0);
    const shapes = JSON.parse(fs.readFileSync(spec.shapes_file, 'utf8'));
    const latencies = [];
    const seen = new Set();
    let newShapeSeconds = 0;
    for (const [steps, batch] of shapes) {
      const shape = spec.batch_first ? [batch, steps, spec.features] : [steps, batch, spec.features];
      const input = feeds(shape, randn(uniform, product(shape)));
      start = process.hrtime.bigint();
      await session.run(input);
      const elapsed = seconds(start);
      latencies.push(elapsed);
      if (!seen.has(`${steps},${batch}`)) {
        seen.add(`${steps},${batch}`);
        newShapeSeconds += elapsed;
      }
    }
    Object.assign(result, {
      calls: latencies.length, shapes: seen.size, total_s: latencies.reduce((a, b) => a + b, 0),
      p50_ms: percentile(latencies, 50) * 1e3, p99_ms: percentile(latencies, 99) * 1e3,
      max_ms: Math.max(...latencies) * 1e3, new_shape_s: newShapeSeconds,
    });
    done();
  } else {
    throw new Error(`unknown protocol ${JSON.stringify(spec.protocol)}`);
  }
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : error);
  console.error(`run.js: ${error && error.message ? error.message : error}`); // the last line says why
  process.exit(1);
});
