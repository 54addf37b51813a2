// Reference composition with Apollo's own @apollo/composition (dev/test only).
//
// Usage: node compose.mjs name=url=path.graphql [name=url=path.graphql ...]
//    or: node compose.mjs --dir DIR  (reads population/civil_status/sentences[/gateway].graphql, default URLs)
// Prints one JSON object on stdout:
//   {"ok": true, "supergraphSdl": "...", "hints": [{"code", "level", "message", "coordinate"}]}
//   {"ok": false, "errors": [{"code", "message", "locations"}]}
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";

const DEFAULTS = [
  ["population", "http://127.0.0.1:4001/graphql"],
  ["civil_status", "http://127.0.0.1:4002/graphql"],
  ["sentences", "http://127.0.0.1:4003/graphql"],
  ["gateway", "http://127.0.0.1:4000/graphql", "optional"], // the gateway-local subgraph (accessLog)
];

function readServices(argv) {
  if (argv[0] === "--dir") {
    return DEFAULTS.filter(([name, , optional]) => !optional || existsSync(join(argv[1], `${name}.graphql`))).map(
      ([name, url]) => ({
        name,
        url,
        typeDefs: parse(readFileSync(join(argv[1], `${name}.graphql`), "utf8")),
      }),
    );
  }
  return argv.map((arg) => {
    const [name, url, ...rest] = arg.split("=");
    return { name, url, typeDefs: parse(readFileSync(rest.join("="), "utf8")) };
  });
}

function main() {
  let services;
  try {
    services = readServices(process.argv.slice(2));
  } catch (err) {
    process.stdout.write(JSON.stringify({ ok: false, errors: [{ code: "PARSE", message: String(err) }] }));
    return;
  }
  const result = composeServices(services);
  if (result.errors) {
    const errors = result.errors.map((e) => ({
      code: e.extensions?.code ?? null,
      message: e.message,
      locations: e.locations ?? null,
    }));
    process.stdout.write(JSON.stringify({ ok: false, errors }));
    return;
  }
  const hints = result.hints.map((h) => ({
    code: h.definition.code,
    level: h.definition.level.name,
    message: h.message,
    coordinate: h.coordinate ?? null,
  }));
  process.stdout.write(JSON.stringify({ ok: true, supergraphSdl: result.supergraphSdl, hints }));
}

main();
