"""The message service's own queries over `messages` (the model is in `services.data.models`)."""
