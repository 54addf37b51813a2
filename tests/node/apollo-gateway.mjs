// Apollo Gateway (reference implementation) serving a supergraph file, for conformance tests and the bench.
//
// Usage: node apollo-gateway.mjs --supergraph schema.graphql [--port 4100] [--host 127.0.0.1]
//          [--url population=http://127.0.0.1:5001/graphql ...]   override a subgraph's routing URL
//          [--jwk PATH]          signing key (default $GATEWAY_INTERNAL_KEY_FILE or
//                                $LT_DATA_DIR/keys/internal-signing.jwk.json)
//          [--token-file PATH]   use the bearer token in PATH (re-read per request) instead of minting
//          [--check]             load the supergraph, print "ok", exit (0 loaded, 1 failed)
//
// Every subgraph request carries `Authorization: Bearer <internal token>`: an ES256 JWT minted here with
// WebCrypto (iss lienthong-gateway, aud lienthong-subgraph:<name>, iat, exp = iat + 60 s), cached 30 s per
// subgraph. Prints "ready http://HOST:PORT/graphql" on stdout once listening.
import { randomUUID, webcrypto } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";

const TOKEN_TTL_S = 60;
const TOKEN_REUSE_S = 30;

function parseArgs(argv) {
  const opts = { port: 4100, host: "127.0.0.1", urls: {}, check: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = () => argv[++i];
    if (arg === "--supergraph") opts.supergraph = next();
    else if (arg === "--port") opts.port = Number(next());
    else if (arg === "--host") opts.host = next();
    else if (arg === "--jwk") opts.jwk = next();
    else if (arg === "--token-file") opts.tokenFile = next();
    else if (arg === "--check") opts.check = true;
    else if (arg === "--url") {
      const [name, ...rest] = next().split("=");
      opts.urls[name] = rest.join("=");
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (!opts.supergraph) throw new Error("--supergraph FILE is required");
  return opts;
}

const b64url = (bytes) => Buffer.from(bytes).toString("base64url");

class TokenMinter {
  constructor(jwkPath) {
    this.jwk = JSON.parse(readFileSync(jwkPath, "utf8"));
    this.cache = new Map();
    this.keyPromise = webcrypto.subtle.importKey(
      "jwk",
      { kty: "EC", crv: "P-256", x: this.jwk.x, y: this.jwk.y, d: this.jwk.d },
      { name: "ECDSA", namedCurve: "P-256" },
      false,
      ["sign"],
    );
  }

  async token(subgraph) {
    const now = Math.floor(Date.now() / 1000);
    const cached = this.cache.get(subgraph);
    if (cached && now - cached.iat < TOKEN_REUSE_S) return cached.token;
    const header = { alg: "ES256", typ: "JWT", ...(this.jwk.kid ? { kid: this.jwk.kid } : {}) };
    const claims = {
      iss: process.env.INTERNAL_ISSUER || "lienthong-gateway",
      aud: `lienthong-subgraph:${subgraph}`,
      iat: now,
      exp: now + TOKEN_TTL_S,
      jti: randomUUID().replaceAll("-", ""),
      sub: "apollo-gateway",
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = await webcrypto.subtle.sign(
      { name: "ECDSA", hash: "SHA-256" },
      await this.keyPromise,
      Buffer.from(input),
    );
    const token = `${input}.${b64url(new Uint8Array(signature))}`;
    this.cache.set(subgraph, { iat: now, token });
    return token;
  }
}

function tokenSource(opts) {
  if (opts.tokenFile) return async () => readFileSync(opts.tokenFile, "utf8").trim();
  const dataDir = process.env.LT_DATA_DIR || "data";
  const jwk = opts.jwk || process.env.GATEWAY_INTERNAL_KEY_FILE || join(dataDir, "keys", "internal-signing.jwk.json");
  let minter;
  return async (subgraph) => {
    minter ??= new TokenMinter(jwk);
    return minter.token(subgraph);
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const supergraphSdl = readFileSync(opts.supergraph, "utf8");
  const token = tokenSource(opts);
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService({ name, url }) {
      return new RemoteGraphQLDataSource({
        url: opts.urls[name] ?? url,
        async willSendRequest({ request }) {
          request.http.headers.set("authorization", `Bearer ${await token(name)}`);
        },
      });
    },
  });
  if (opts.check) {
    await gateway.load();
    process.stdout.write("ok\n");
    await gateway.stop();
    return;
  }
  const server = new ApolloServer({ gateway, includeStacktraceInErrorResponses: false });
  const { url } = await startStandaloneServer(server, { listen: { port: opts.port, host: opts.host } });
  process.stdout.write(`ready ${url}\n`);
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err) => {
  process.stderr.write(`apollo-gateway: ${err?.stack || err}\n`);
  process.exit(1);
});
