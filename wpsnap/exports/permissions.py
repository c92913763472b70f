"""The exports' rules in the permission gate (``wpsnap.accounts.permissions``)."""
