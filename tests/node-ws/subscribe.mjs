// The npm graphql-ws client (the one Apollo Client's GraphQLWsLink wraps) on Node, as a native app would use it:
// no Origin header. Usage: node subscribe.mjs <input.json>, input {url, mode, token?, cookie?, origin?}.
// mode "params": the token in connectionParams (Apollo-style); "header": X-Session-Token on the handshake;
// "cookie": a session cookie with the given Origin. Prints one JSON line: the first result, or the close.
import { readFileSync } from "node:fs";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const input = JSON.parse(readFileSync(process.argv[2], "utf8"));
const headers = {};
if (input.mode === "header") headers["X-Session-Token"] = input.token;
if (input.mode === "cookie") headers["Cookie"] = `sessionid=${input.cookie}`;
if (input.origin) headers["Origin"] = input.origin;

class Socket extends WebSocket {
  constructor(url, protocols) {
    super(url, protocols, { headers });
  }
}

const client = createClient({
  url: input.url,
  webSocketImpl: Socket,
  connectionParams: input.mode === "params" ? { sessionToken: input.token } : undefined,
  retryAttempts: 0,
  lazy: false,
  on: { connected: () => console.error("connected") },
});

const done = (value, code = 0) => {
  console.log(JSON.stringify(value));
  client.dispose();
  process.exit(code);
};
setTimeout(() => done({ timeout: true }, 2), 20000);

client.subscribe(
  { query: "subscription { notificationReceived { kind payload } }" },
  {
    next: (result) => done({ result }),
    error: (err) => done({ closed: err && err.code !== undefined ? err.code : String(err) }),
    complete: () => done({ complete: true }),
  },
);
console.error("subscribed");
