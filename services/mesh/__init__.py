"""The platform of every dytt process (services, gateway, operator side): settings, errors, call
context, TLS, the etcd registry and discovery, the gRPC client and server bootstrap,
interceptors, tracing and logs."""
