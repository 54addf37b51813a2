"""GraphiQL for developers who open /graphql in a browser (loaded from a CDN; the gateway serves only HTML)."""

from __future__ import annotations

import json

DEFAULT_HEADERS = {
    "Authorization": "Bearer <token from `python -m gateway token --agency ID --sub ACCOUNT`>",
    "X-Purpose": "criminal_proceedings",
    "X-Legal-Basis": "<case or decision reference>",
}

_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Liên thông — GraphiQL</title>
  <style>body {{ margin: 0; height: 100vh; }} #graphiql {{ height: 100vh; }}</style>
  <link rel="stylesheet" href="https://unpkg.com/graphiql@3/graphiql.min.css" />
  <script crossorigin src="https://unpkg.com/react@18/umd/react.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/react-dom@18/umd/react-dom.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/graphiql@3/graphiql.min.js"></script>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script>
    const fetcher = GraphiQL.createFetcher({{ url: {endpoint} }});
    ReactDOM.createRoot(document.getElementById("graphiql")).render(
      React.createElement(GraphiQL, {{
        fetcher,
        defaultHeaders: {headers},
        defaultEditorToolsVisibility: "headers",
        shouldPersistHeaders: false,
        defaultQuery: "# Put a dev token in the Authorization header below, then run:\\n{{ __typename }}\\n",
      }}),
    );
  </script>
</body>
</html>
"""


def graphiql_html(endpoint: str = "/graphql") -> str:
    """The GraphiQL page; its header editor is pre-filled with the contract's headers as placeholders."""
    headers = json.dumps(json.dumps(DEFAULT_HEADERS, indent=2))
    return _PAGE.format(endpoint=json.dumps(endpoint), headers=headers)


def wants_html(accept: str) -> bool:
    """A browser navigating to /graphql asks for HTML first; API clients ask for JSON."""
    return "text/html" in accept.split(",", 1)[0] or ("text/html" in accept and "application/json" not in accept)
