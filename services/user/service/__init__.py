"""The user service's use cases, one module each; each runs in one transaction."""
