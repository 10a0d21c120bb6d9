"""The supervisor: one process that owns the stack's processes and keeps them alive.

`dyttctl up` starts it (detached) and asks it, over a unix socket in the state dir, to bring the
stack up; the processes it starts are its children, so it learns of a crash at once (and reaps
the process). `core` ties it together and watches the units, `units` is the unit table,
`policy` the crash policy, `operations` what the control API asks of it, `liveness` and
`renewal` its probes and certificate renewals, `control` the socket protocol, `launch` starts
the daemon and `__main__` is the daemon.
"""
