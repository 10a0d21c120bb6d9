"""What every dytt service shares: settings, errors, TLS, interceptors, registry, bootstrap."""
