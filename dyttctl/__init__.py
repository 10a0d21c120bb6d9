"""dyttctl: the operator CLI (and, later, dashboard) of the dytt stack."""
