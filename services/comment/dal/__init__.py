"""The comment service's own queries over `comments` (the model is in `services.data.models`)."""
