"""The favorite service's own queries over `favorites` (the model is in `services.data.models`)."""
