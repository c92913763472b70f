// Draws Vega-Lite specs as the pages do (vega-lite compiles, vega parses with `ast: true`, the view runs with
// vega-interpreter's expression interpreter) inside a context where code generation from strings is off:
// `eval` and `new Function` throw there, as under a Content Security Policy without 'unsafe-eval'.
// Usage: node charts_no_eval.js STATIC_DIR [--codegen] < {key: spec} JSON; prints {"refuses": whether the
// context refuses code from strings, "drawn": {key: svg | "error: ..."}}. --codegen draws the way vega does
// by default (generated code, no interpreter): the control that shows the context does catch eval.
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const staticDir = process.argv[2];
const codegen = process.argv[3] === "--codegen";
const context = vm.createContext(
  { console, setTimeout, clearTimeout, setInterval, clearInterval, queueMicrotask, structuredClone, URL, TextEncoder, TextDecoder },
  { codeGeneration: { strings: false, wasm: false } },
);
context.globalThis = context;
for (const file of [
  "vendor/vega-6.4.0/vega.min.js",
  "vendor/vega-lite-6.5.0/vega-lite.min.js",
  "vendor/vega-interpreter-2.3.2/vega-interpreter.global.js",
]) {
  vm.runInContext(fs.readFileSync(path.join(staticDir, file), "utf8"), context, { filename: file });
}
// Proof that the context refuses code from strings.
let refuses = false;
try {
  vm.runInContext("new Function('return 1')", context);
} catch (error) {
  refuses = error.name === "EvalError";
}

const specs = JSON.parse(fs.readFileSync(0, "utf8"));
context.specs = specs;
context.codegen = codegen;
const draw = vm.runInContext(
  `(async () => {
    const out = {};
    for (const [key, spec] of Object.entries(specs)) {
      try {
        const compiled = vegaLite.compile(spec).spec;
        const runtime = vega.parse(compiled, null, codegen ? {} : { ast: true });
        const options = codegen ? { renderer: "none" } : { renderer: "none", expr: vegaInterpreter.expressionInterpreter };
        const view = new vega.View(runtime, options);
        out[key] = await view.toSVG();
      } catch (error) {
        out[key] = "error: " + String(error && error.stack || error);
      }
    }
    return out;
  })()`,
  context,
);
draw.then((out) => {
  process.stdout.write(JSON.stringify({ refuses, drawn: out }));
});
