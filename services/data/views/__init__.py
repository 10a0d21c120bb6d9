"""Read models shared by the services: users and videos as one viewer sees them.

A page of videos needs authors, likes and follows together: these functions read across the
tables in a fixed number of statements, whatever the page size, so that every list the gateway
asks for costs one RPC and O(1) queries. They are also the one place users and videos are packed
into protobuf; a service's own `pack` converts only what is its own (comments, messages).
"""
