/* Liên thông's GraphiQL page: a fetcher that keeps the last response, the "Policy" panel (a GraphiQL plugin)
 * that shows its extensions.policy, and in development the "Caller" picker that asks the gateway for a fresh dev
 * token. Plain ES2020 with React.createElement (no build step): the file is served as it is written here.
 * The page's settings come from the JSON block #lt-config, never from inline script (the CSP forbids it). */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("lt-config").textContent);
  const h = React.createElement;
  const { useEditorContext, useSchemaContext, usePluginContext } = GraphiQL.React;

  /* The last operation's answer, shared by the fetcher and the panels (one store per page). */
  function createStore(initial) {
    let value = initial;
    const listeners = new Set();
    return {
      get: () => value,
      set(next) { value = next; listeners.forEach((listener) => listener()); },
      subscribe(listener) { listeners.add(listener); return () => listeners.delete(listener); },
    };
  }
  const lastResponse = createStore(null);

  /* fetch() accepts only ISO-8859-1 header values, but a legal basis is Vietnamese: send its UTF-8 bytes,
   * which is what the gateway decodes (gateway/auth/purpose.py). */
  function byteString(value) {
    if (/^[\x20-\x7e]*$/.test(value)) return value;
    return Array.from(new TextEncoder().encode(value), (b) => String.fromCharCode(b)).join("");
  }

  async function fetcher(params, options) {
    const headers = { "content-type": "application/json", accept: "application/json" };
    for (const [name, raw] of Object.entries((options && options.headers) || {})) {
      const value = raw == null ? "" : String(raw).trim();
      // A header left empty or holding the page's "<…>" placeholder is not sent.
      if (value !== "" && value !== "Bearer" && !/<[^>]*>/.test(value)) headers[name] = byteString(value);
    }
    const response = await fetch(config.endpoint, {
      method: "POST", headers, body: JSON.stringify(params), credentials: "omit",
    });
    let body;
    try {
      body = await response.json();
    } catch (_) {
      body = { errors: [{ message: `HTTP ${response.status}: the gateway did not answer JSON` }] };
    }
    if (params.operationName !== "IntrospectionQuery") {
      lastResponse.set({ status: response.status, body, at: new Date() });
    }
    return body;
  }

  /* ------------------------------------------------------------------------------------ the Policy panel */
  function icon(path) {
    return function Icon() {
      return h("svg", { viewBox: "0 0 24 24", width: "1em", height: "1em", fill: "none", stroke: "currentColor",
        strokeWidth: 1.5, "aria-hidden": "true" }, h("path", { d: path }));
    };
  }
  const ShieldIcon = icon("M12 3l8 3v6c0 4.5-3.4 8.3-8 9-4.6-.7-8-4.5-8-9V6l8-3z M9 12l2 2 4-4");
  const PersonIcon = icon("M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8z M4 21c0-4 3.6-6 8-6s8 2 8 6");

  function pathText(path) {
    if (!Array.isArray(path)) return "(whole result)";
    return path.map((p) => (typeof p === "number" ? `[${p}]` : p)).join(".").replace(/\.\[/g, "[");
  }

  function PolicyPanel() {
    const last = React.useSyncExternalStore(lastResponse.subscribe, lastResponse.get);
    if (!last) {
      return h("div", { className: "lt-panel lt-policy" }, h("div", { className: "graphiql-doc-explorer-title" },
        "Policy"), h("p", null, "Run an operation: this panel lists every path the policy masked or withheld, ",
        "with its coordinate, mask and reason."));
    }
    const policy = ((last.body && last.body.extensions) || {}).policy;
    const errors = (last.body && last.body.errors) || [];
    const codes = [...new Set(errors.map((e) => (e.extensions || {}).code).filter(Boolean))];
    const masked = (policy && policy.masked) || [];
    const withheld = masked.filter((m) => m.effect === "withhold").length;
    return h("div", { className: "lt-panel lt-policy" },
      h("div", { className: "graphiql-doc-explorer-title" }, "Policy"),
      h("dl", { className: "lt-facts" },
        h("dt", null, "HTTP"), h("dd", { "data-testid": "policy-status" }, String(last.status)),
        h("dt", null, "Purpose"), h("dd", null, (policy && policy.purpose) || "—"),
        h("dt", null, "Policy version"), h("dd", null, (policy && policy.policyVersion) || "—"),
        h("dt", null, "Decision"), h("dd", { className: "lt-mono" }, (policy && policy.decisionId) || "—"),
        codes.length ? h("dt", null, "Error codes") : null,
        codes.length ? h("dd", { "data-testid": "policy-codes" }, codes.join(", ")) : null),
      policy ? null : h("p", { className: "lt-note" }, "This response has no extensions.policy."),
      h("p", { className: "lt-summary", "data-testid": "policy-summary" },
        masked.length ? `${withheld} withheld, ${masked.length - withheld} masked` : "Nothing masked or withheld."),
      masked.length ? h("ul", { className: "lt-masked", "data-testid": "policy-masked" }, masked.map((m, i) =>
        h("li", { key: i, className: `lt-effect-${m.effect || "mask"}` },
          h("div", { className: "lt-path lt-mono" }, pathText(m.path)),
          h("div", null, h("span", { className: "lt-coordinate lt-mono" }, m.coordinate || "?"), " ",
            h("span", { className: "lt-badge" }, m.effect === "withhold" ? "withheld" : (m.mask || m.effect))),
          h("div", { className: "lt-reason" }, m.reason || ""),
          m.rule ? h("div", { className: "lt-rule lt-mono" }, `rule ${m.rule}`) : null))) : null);
  }
  const policyPlugin = { title: "Policy", icon: ShieldIcon, content: PolicyPanel };

  /* ---------------------------------------------------------------- the Caller picker (development only) */
  const callers = config.callers || [];
  const purposes = config.purposes || [];

  function choice(caller) {
    return { callerId: caller ? caller.id : "", purpose: (caller && caller.purpose) || "",
      legalBasis: (caller && caller.legalBasis) || "", personalId: caller && caller.dataSubject ? caller.account : "" };
  }
  // Kept outside the panel so that the choice survives switching between the sidebar's panels.
  const picked = createStore({ ...choice(callers[0]), status: "" });
  const update = (changes) => picked.set({ ...picked.get(), ...changes });

  async function mintHeaders(state) {
    const response = await fetch(config.tokenUrl, {
      method: "POST", headers: { "content-type": "application/json" }, credentials: "omit",
      body: JSON.stringify({ caller: state.callerId, purpose: state.purpose, legalBasis: state.legalBasis,
        personalId: state.personalId }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
    const caller = callers.find((c) => c.id === state.callerId);
    const who = caller.dataSubject ? state.personalId : caller.account;
    update({ status: `Headers filled for ${who} at ${caller.agency || "no agency"} (token valid ${body.expiresIn}).` });
    return body.headers;
  }

  function CallerPanel() {
    const state = React.useSyncExternalStore(picked.subscribe, picked.get);
    const { headerEditor } = useEditorContext({ nonNull: true });
    const schema = useSchemaContext({ nonNull: true });
    const plugins = usePluginContext();
    // An answer arriving while this picker is open shows the Policy panel: that is when one asks "why null?".
    React.useEffect(() => lastResponse.subscribe(() => {
      if (plugins) plugins.setVisiblePlugin(policyPlugin);
    }), [plugins]);
    const caller = callers.find((c) => c.id === state.callerId) || callers[0];

    async function fill(event) {
      event.preventDefault();
      update({ status: "Minting a dev token…" });
      try {
        headerEditor.setValue(JSON.stringify(await mintHeaders(picked.get()), null, 2));
        schema.introspect(); // the schema is fetched with the caller's headers
      } catch (error) {
        update({ status: `Refused: ${error.message}` });
      }
    }

    const allowed = (p) => caller && caller.kind && p.agencyKinds.includes(caller.kind);
    const selected = purposes.find((p) => p.id === state.purpose);
    return h("form", { className: "lt-panel lt-caller", onSubmit: fill },
      h("div", { className: "graphiql-doc-explorer-title" }, "Caller"),
      h("p", { className: "lt-note" }, "Development only: the gateway mints a dev token for the picked caller ",
        "and fills the Authorization, X-Purpose and X-Legal-Basis headers."),
      h("label", null, "Caller", h("select", { name: "caller", value: state.callerId,
        onChange: (e) => update(choice(callers.find((c) => c.id === e.target.value))) },
        callers.map((c) => h("option", { key: c.id, value: c.id }, c.label)))),
      caller && caller.dataSubject ? h("label", null, "personalId (12 digits)", h("input", {
        name: "personalId", value: state.personalId, onChange: (e) => update({ personalId: e.target.value }) }))
        : null,
      h("label", null, "Purpose (X-Purpose)", h("select", { name: "purpose", value: state.purpose,
        onChange: (e) => update({ purpose: e.target.value }) },
        h("option", { value: "" }, "(none)"),
        purposes.map((p) => h("option", { key: p.id, value: p.id },
          `${p.id}${allowed(p) ? "" : " (not for this agency kind)"}`)))),
      selected ? h("p", { className: "lt-note" }, selected.name,
        selected.requiresLegalBasis ? " — criminal data needs a legal basis." : "") : null,
      h("label", null, "Legal basis (X-Legal-Basis)", h("input", { name: "legalBasis", value: state.legalBasis,
        placeholder: "case or decision reference", onChange: (e) => update({ legalBasis: e.target.value }) })),
      h("button", { type: "submit", className: "graphiql-button lt-fill" }, "Fill headers"),
      h("p", { className: "lt-status", "data-testid": "caller-status", role: "status" }, state.status));
  }
  const callerPlugin = { title: "Caller", icon: PersonIcon, content: CallerPanel };

  const DEV_QUERY = [
    "# Caller panel (left): pick a caller and a purpose,",
    "# Fill headers, then run (Ctrl-Enter). The Policy",
    "# panel lists what was masked or withheld, and why.",
    "query People {",
    "  searchPersons(name: \"Nguyễn\", first: 3) {",
    "    edges {",
    "      node { personalId fullName dateOfBirth religion }",
    "    }",
    "  }",
    "}",
    "",
  ].join("\n");
  const QUERY = [
    "# Put a caller token in the Authorization header (below), a purpose in X-Purpose, then run.",
    "{ __typename }",
    "",
  ].join("\n");

  function App({ headers }) {
    const dev = Boolean(config.devTokens);
    return h(GraphiQL, {
      fetcher,
      plugins: dev ? [callerPlugin, policyPlugin] : [policyPlugin],
      visiblePlugin: dev ? callerPlugin : policyPlugin,
      defaultQuery: dev ? DEV_QUERY : QUERY,
      headers: JSON.stringify(headers, null, 2),
      defaultEditorToolsVisibility: "headers",
      shouldPersistHeaders: false,
    }, h(GraphiQL.Logo, null, "Liên thông"));
  }

  // In development the page opens with the first demo caller's headers, so the schema loads and a query runs
  // at once; elsewhere with the empty placeholders.
  async function start() {
    let headers = config.headers;
    if (config.devTokens && callers.length) {
      try {
        headers = await mintHeaders(picked.get());
      } catch (error) {
        update({ status: `Refused: ${error.message}` });
      }
    }
    ReactDOM.createRoot(document.getElementById("lt-root")).render(h(App, { headers }));
  }
  start();
})();
