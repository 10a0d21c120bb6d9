"""The schema of dytt's one database, and everything several services share over it.

- `db`: the declarative base, column helpers, engines, `transaction` / `atomic`, lost connections,
  and the read path's `read_transaction` / `read` (rows of columns on a Core connection)
- `models`: every table's ORM model, one module per table
- `schema`: their MetaData, for Alembic (`services/migrations`) and the drift test
- `locks`: the one lock order of writes that span rows (the video, then users by id)
- `counters`: the denormalised counters, changed in the database with the rows they count
- `checks`: existence checks and their errors, used by many use cases
- `views`: read models (users and videos as a viewer sees them) and their packing to protobuf
- `validate`: the contract's limits on client input; `migrate`: runs the migrations

Each service keeps its own queries in its `dal/`. This package imports no service package; the
platform (`services.mesh`) imports nothing from it.
"""
