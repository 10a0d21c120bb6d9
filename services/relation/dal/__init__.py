"""The relation service's own queries (the models are in `services.data.models`)."""
