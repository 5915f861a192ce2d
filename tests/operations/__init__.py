"""Running Chancery: settings, commands, servers, faults, replicas, concurrency, security headers."""
