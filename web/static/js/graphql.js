// A small GraphQL client for this page: queries and mutations over HTTP (multipart uploads per
// the GraphQL multipart request spec) and subscriptions over graphql-transport-ws.

export class ApiError extends Error {
  constructor(message, { status = 0, code = "" } = {}) {
    super(message);
    this.status = status;
    this.code = code; // "unauthorized", "network", "graphql", "closed"
  }
}

const messages = (errors) => errors.map((e) => e.message || "unknown error").join("; ");

export class GraphQLClient {
  // `getKey` returns the API key to send (or "" in local mode); read on every call, so a key
  // saved later is used at once.
  constructor(getKey, endpoint = "/graphql") {
    this.getKey = getKey;
    this.endpoint = endpoint;
  }

  authorization() {
    const key = this.getKey();
    return key ? `Bearer ${key}` : "";
  }

  // `files` maps variable paths ("input.productImage") to File objects.
  async request(query, variables = {}, files = null) {
    const headers = {};
    const auth = this.authorization();
    if (auth) headers.Authorization = auth;
    let body;
    const entries = files ? Object.entries(files).filter(([, file]) => file) : [];
    if (entries.length) {
      body = new FormData();
      body.append("operations", JSON.stringify({ query, variables }));
      const map = {};
      entries.forEach(([path], i) => { map[String(i)] = [`variables.${path}`]; });
      body.append("map", JSON.stringify(map));
      entries.forEach(([, file], i) => body.append(String(i), file, file.name));
      // CSRF rule for multipart requests (as Apollo Server's).
      headers["Apollo-Require-Preflight"] = "true";
    } else {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify({ query, variables });
    }
    let response;
    try {
      response = await fetch(this.endpoint, { method: "POST", headers, body });
    } catch (err) {
      throw new ApiError(`Cannot reach the server (${err.message}).`, { code: "network" });
    }
    if (response.status === 401) {
      throw new ApiError(
        auth ? "The server refused this API key." : "This server needs an API key.",
        { status: 401, code: "unauthorized" },
      );
    }
    if (response.status === 413) {
      throw new ApiError("The request is too large for this server.", { status: 413, code: "graphql" });
    }
    let result;
    try {
      result = await response.json();
    } catch {
      throw new ApiError(`The server answered HTTP ${response.status}.`, { status: response.status });
    }
    if (result.errors && result.errors.length) {
      throw new ApiError(messages(result.errors), { status: response.status, code: "graphql" });
    }
    return result.data;
  }

  // Subscribe over graphql-transport-ws. Handlers: next(data), error(ApiError), complete().
  // Returns a function that stops the subscription.
  subscribe(query, variables, handlers) {
    const url = new URL(this.endpoint, window.location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(url.href, "graphql-transport-ws");
    const id = "1";
    let finished = false;
    const finish = (callback) => {
      if (finished) return;
      finished = true;
      callback();
      if (socket.readyState === WebSocket.OPEN) socket.close(1000, "done");
    };
    const send = (message) => socket.send(JSON.stringify(message));

    socket.addEventListener("open", () => {
      const auth = this.authorization();
      send({ type: "connection_init", payload: auth ? { authorization: auth } : {} });
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      switch (message.type) {
        case "connection_ack":
          send({ id, type: "subscribe", payload: { query, variables } });
          break;
        case "ping":
          send({ type: "pong" });
          break;
        case "next":
          if (message.payload.errors && message.payload.errors.length) {
            finish(() => handlers.error(new ApiError(messages(message.payload.errors), { code: "graphql" })));
          } else {
            handlers.next(message.payload.data);
          }
          break;
        case "error":
          finish(() => handlers.error(new ApiError(messages(message.payload), { code: "graphql" })));
          break;
        case "complete":
          finish(() => handlers.complete());
          break;
        default:
          break;
      }
    });
    socket.addEventListener("close", (event) => {
      if (finished) return;
      const refused = event.code === 4403 || event.code === 4401;
      finish(() => handlers.error(new ApiError(
        refused ? "The server refused the API key for live progress."
          : `The live progress connection closed (code ${event.code}).`,
        { code: refused ? "unauthorized" : "closed" },
      )));
    });

    return () => finish(() => {
      if (socket.readyState === WebSocket.OPEN) send({ id, type: "complete" });
      else if (socket.readyState === WebSocket.CONNECTING) {
        socket.addEventListener("open", () => socket.close(1000, "done"));
      }
    });
  }
}
