"""The contract's routes, one module per area. Each path is registered with and without its
trailing slash, because clients re-send POSTs badly after a redirect."""
