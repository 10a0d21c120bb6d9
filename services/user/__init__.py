"""The user service: accounts, login (JWT issuing) and profiles."""
