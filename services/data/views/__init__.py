"""Read models shared by the services: users and videos as one viewer sees them.

All services keep their rows in one database. Each table is written only by the service that owns
it (its `dal/`), but a page of videos needs authors, likes and follows together: these functions
read across the tables in a fixed number of statements, whatever the page size, so that every
list the gateway asks for costs one RPC and O(1) queries.
"""
