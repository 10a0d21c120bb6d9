"""The user service's own queries over `users` (the model lives in `services.data.models`)."""
