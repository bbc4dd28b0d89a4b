"""SSH surface of a simulated host (Windows OpenSSH server): ``start(host, bind)`` lives in :mod:`.server`."""
