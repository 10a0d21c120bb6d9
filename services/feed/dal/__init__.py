"""The feed service's own query: the newest videos (the model is in `services.data.models`)."""
