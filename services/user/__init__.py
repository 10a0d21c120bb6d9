"""The user service: accounts, login (JWT issuing) and profiles.

Shape: `handler` -> `service/` (register, login, get_user) -> `dal/` (its queries over `users`).
Besides the use cases: `tokens` signs the JWTs a login issues (only this service holds the private
key), `passwords` hashes them, `admission` bounds concurrent bcrypt runs. No `pack`: a user is
packed by the shared read model (`services.data.views.users`), and AuthReply is two scalars.
"""
