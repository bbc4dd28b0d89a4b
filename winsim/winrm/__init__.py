"""WinRM (WS-Management) surface of a simulated host: ``start(host, bind)`` lives in :mod:`.server`."""
