// Times the heic-convert npm package (what the original platform used) on a list of HEIC files.
// Usage: node heic_convert_bench.js FILES.json REPEAT
// Prints JSON: {"node": ..., "heicConvert": ..., "times": {"<file>": [ms, ...]}, "bytes": {...}}
"use strict";
const fs = require("fs");
const path = require("path");
const convert = require("heic-convert");

async function main() {
  const [listPath, repeatArg] = process.argv.slice(2);
  const files = JSON.parse(fs.readFileSync(listPath, "utf8"));
  const repeat = parseInt(repeatArg || "5", 10);
  const pkg = JSON.parse(
    fs.readFileSync(path.join(__dirname, "node_modules", "heic-convert", "package.json"), "utf8")
  );
  // Warm-up: the first call compiles libheif's WebAssembly.
  await convert({ buffer: fs.readFileSync(files[0]), format: "JPEG", quality: 0.85 });
  const times = {};
  const bytes = {};
  for (const file of files) {
    const buffer = fs.readFileSync(file);
    times[file] = [];
    for (let i = 0; i < repeat; i++) {
      const start = process.hrtime.bigint();
      const out = await convert({ buffer, format: "JPEG", quality: 0.85 });
      times[file].push(Number(process.hrtime.bigint() - start) / 1e6);
      bytes[file] = out.byteLength;
    }
  }
  process.stdout.write(
    JSON.stringify({ node: process.version, heicConvert: pkg.version, times, bytes })
  );
}

main().catch((err) => {
  process.stderr.write(String((err && err.stack) || err) + "\n");
  process.exit(1);
});
