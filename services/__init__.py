"""dytt's gRPC services: `mesh` is the platform of every process, `data` owns the schema."""
