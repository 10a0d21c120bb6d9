"""dytt's gRPC services; `common` holds what every one of them shares."""
