"""The supervisor: one process that owns the stack's processes and keeps them alive.

`dyttctl up` starts it (detached) and asks it, over a unix socket in the state dir, to bring the
stack up; the processes it starts are its children, so it learns of a crash at once (and reaps
the process). `core` holds the logic, `control` the socket protocol, `__main__` the daemon.
"""
