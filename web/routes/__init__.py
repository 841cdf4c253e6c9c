"""One router per feature; each route parses, calls the core and renders."""
