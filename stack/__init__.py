"""The stack: its definition, the providers that run it, and the orchestrator over them."""
