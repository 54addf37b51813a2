"""GraphiQL as a browser sees it: the page over HTTP, and Playwright driving Debian's Chromium."""
