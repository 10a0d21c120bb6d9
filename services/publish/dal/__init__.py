"""The publish service's own queries over `videos` (the model lives in `services.data.models`)."""
