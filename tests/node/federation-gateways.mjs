// Compose many fixture supergraphs with @apollo/composition and serve each with Apollo Gateway, all from ONE
// Node process on ONE port (federation conformance suite, tests/conformance/federation).
//
// Usage: node federation-gateways.mjs MANIFEST.json OUTDIR [--port 0] [--host 127.0.0.1]
//   MANIFEST.json: {"cases": [{"name": "...", "subgraphs": [{"name": "...", "url": "http://...", "sdl": "..."}]}]}
//   Each composed supergraph is written to OUTDIR/<case>.graphql and served at POST /<case>/graphql.
// Prints one JSON line on stdout once listening:
//   {"port": N, "cases": {"<case>": {"ok": true, "supergraph": "OUTDIR/<case>.graphql", "hints": [...]}
//                         | {"ok": false, "errors": [{"code", "message"}]}}}
// Subgraph requests carry no authorization (the fixture subgraphs ignore it). Exits when stdin closes (so it never
// outlives the test process that started it) or on SIGTERM.
import { createServer } from "node:http";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { composeServices } from "@apollo/composition";
import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer, HeaderMap } from "@apollo/server";
import { parse } from "graphql";

function parseArgs(argv) {
  const opts = { port: 0, host: "127.0.0.1" };
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--port") opts.port = Number(argv[++i]);
    else if (argv[i] === "--host") opts.host = argv[++i];
    else positional.push(argv[i]);
  }
  [opts.manifest, opts.outdir] = positional;
  if (!opts.manifest || !opts.outdir) throw new Error("usage: federation-gateways.mjs MANIFEST.json OUTDIR");
  return opts;
}

function compose(kase, outdir) {
  let services;
  try {
    services = kase.subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) }));
  } catch (err) {
    return { ok: false, errors: [{ code: "PARSE", message: String(err) }] };
  }
  const result = composeServices(services);
  if (result.errors) {
    return { ok: false, errors: result.errors.map((e) => ({ code: e.extensions?.code ?? null, message: e.message })) };
  }
  const path = join(outdir, `${kase.name}.graphql`);
  writeFileSync(path, result.supergraphSdl);
  const hints = result.hints.map((h) => ({ code: h.definition.code, message: h.message }));
  return { ok: true, supergraph: path, supergraphSdl: result.supergraphSdl, hints };
}

async function startGateway(supergraphSdl) {
  const server = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl }), includeStacktraceInErrorResponses: false });
  await server.start();
  return server;
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

async function handle(servers, req, res) {
  const url = new URL(req.url, "http://localhost");
  const match = url.pathname.match(/^\/([^/]+)\/graphql$/);
  const server = match && servers.get(decodeURIComponent(match[1]));
  if (!server) {
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ errors: [{ message: `no gateway at ${url.pathname}` }] }));
    return;
  }
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const raw = await readBody(req);
  const body = raw && (headers.get("content-type") || "").includes("json") ? JSON.parse(raw) : raw;
  const result = await server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method.toUpperCase(), headers, search: url.search, body },
    context: async () => ({}),
  });
  const out = {};
  for (const [name, value] of result.headers) out[name] = value;
  res.writeHead(result.status ?? 200, out);
  if (result.body.kind === "complete") {
    res.end(result.body.string);
  } else {
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const manifest = JSON.parse(readFileSync(opts.manifest, "utf8"));
  const report = {};
  const servers = new Map();
  await Promise.all(
    manifest.cases.map(async (kase) => {
      const composed = compose(kase, opts.outdir);
      if (!composed.ok) {
        report[kase.name] = composed;
        return;
      }
      try {
        servers.set(kase.name, await startGateway(composed.supergraphSdl));
        report[kase.name] = { ok: true, supergraph: composed.supergraph, hints: composed.hints };
      } catch (err) {
        report[kase.name] = { ok: false, supergraph: composed.supergraph, errors: [{ code: "GATEWAY", message: String(err?.stack || err) }] };
      }
    }),
  );
  const http = createServer((req, res) => {
    handle(servers, req, res).catch((err) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ errors: [{ message: String(err?.stack || err) }] }));
    });
  });
  http.listen(opts.port, opts.host, () => {
    process.stdout.write(`${JSON.stringify({ port: http.address().port, cases: report })}\n`);
  });
  // The gateways hold nothing outside this process (no polling, no usage reporting): exit at once rather than
  // drain each server, which costs seconds at the end of every test session.
  const stop = () => process.exit(0);
  process.stdin.on("end", stop);
  process.stdin.resume();
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err) => {
  process.stderr.write(`federation-gateways: ${err?.stack || err}\n`);
  process.exit(1);
});
