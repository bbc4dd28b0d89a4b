"""Windows shells of the simulated host: ``cmd.exe`` and ``powershell.exe``."""
