"""The REST gateway: the Douyin contract over HTTP, backed by the gRPC services."""
