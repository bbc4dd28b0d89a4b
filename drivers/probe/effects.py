"""What each probe function does to the host, said once for the whole project.

The session replays a call after a lost shell or connection only when every probe in it only
reads.  A probe that changes the host runs at most once: if its request may have reached the
host and no answer came, the caller gets ``SessionLost`` saying the outcome is unknown.  A name
not listed here (a new probe, a typo) counts as changing, so forgetting to classify one can only
make the session more careful.

>>> is_read_only("Get-WccRoute"), is_read_only("Remove-WccLayer"), is_read_only("Get-WccNew")
(True, False, False)
"""

from __future__ import annotations

READ_ONLY = frozenset(
    {
        "Get-WccHostInfo",
        "Get-WccHnsVersion",
        "Get-WccComputeSystem",
        "Get-WccComputeSystemProperties",
        "Get-WccHnsObject",
        "Get-WccLayerFolder",
        "Test-WccPath",
        "Get-WccLayerChain",
        "Get-WccLayerMountPath",
        "Get-WccHostFolder",
        "Get-WccNameToGuid",
        "Get-WccCompartment",
        "Get-WccCompartmentCommand",
        "Get-WccInterface",
        "Get-WccRoute",
        "Get-WccNat",
        "Get-WccNatStaticMapping",
        "Get-WccEvent",
        "Get-WccFilter",
        "Get-WccFilterInstance",
        "Get-WccDaemon",
        "Get-WccDaemonLog",
        "Get-WccDaemonConfig",
    }
)

# Listed so that a reader sees every probe classified; any script, docker command line or raw HNS
# call may change the host, so those count as changing whatever they hold.
CHANGING = frozenset(
    {
        "New-WccComputeSystem",
        "Start-WccComputeSystem",
        "Stop-WccComputeSystem",
        "New-WccProcess",
        "Invoke-WccHnsCall",
        "New-WccScratchLayer",
        "Enable-WccLayer",
        "Disable-WccLayer",
        "Remove-WccLayer",
        "Stop-WccDaemon",
        "Start-WccDaemon",
        "Set-WccDaemonConfig",
        "Invoke-WccDocker",
        "Invoke-WccScript",
    }
)


def is_read_only(fn: str) -> bool:
    """True if ``fn`` only reads the host, so a call of it may safely run twice."""
    return fn in READ_ONLY
