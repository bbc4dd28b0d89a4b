"""Documented values the suite checks, as data: change them here once a real host disagrees.

Values from the seed are firm.  Values marked INFERRED (see windows-internals.md) are the
project's best reading of public sources and are kept here so they are easy to correct.
"""

from __future__ import annotations

import re

GRAPH_DRIVER = "windowsfilter"
FILTER_DRIVER = "wcifs"  # Windows Container Isolation (wcifs.sys)

# \\?\Volume{GUID}\ : how an activated (mounted) layer appears on the host.
VOLUME_PATH = re.compile(r"^\\\\\?\\Volume\{[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}\}\\?$")

DEFAULT_COMPARTMENT_ID = 1
DEFAULT_COMPARTMENT_TYPE = "Native"
CONTAINER_COMPARTMENT_TYPE = "Unspecified"
COMPARTMENT_DESCRIPTION = "\\Container_{id}"  # the link from a compartment to its container
COMPARTMENT_READ_CMDLETS = frozenset({"Get-NetCompartment"})  # the only *-NetCompartment cmdlet users get

CONTAINER_NIC_LIKE = "*Container NIC*"  # Get-NetIPInterface ... | Where InterfaceAlias -Like this
# From 1803 (17134) a container vNIC is named after its HNS endpoint; Windows numbers a duplicate
# connection name " 2", " 3", ... (tests/fidelity/samples/ipconfig-container-nic-docker-17763.txt:
# "vEthernet (Ethernet) 4").
NIC_ALIAS_ENDPOINT_NAME_BUILD = 17134


def endpoint_nic_alias(endpoint_name: str) -> re.Pattern[str]:
    return re.compile(rf"^vEthernet \({re.escape(endpoint_name)}\)( [2-9]| [1-9][0-9]+)?$")


DEFAULT_ROUTE = "0.0.0.0/0"

# docker network inspect's option naming the HNS network (moby libnetwork/drivers/windows/labels.go)
HNS_ID_OPTION = "com.docker.network.windowsshim.hnsid"

HCS_OWNER = "docker"  # INFERRED from moby's libcontainerd (defaultOwner)
HCS_SYSTEM_TYPE = "Container"
HCS_EVENT_LOG = "Microsoft-Windows-Hyper-V-Compute-Operational"
# HCS's exit types, as its schema names them (MicrosoftDocs/Virtualization-Documentation
# virtualization/api/hcs/SchemaReference.md@d79faa59, NotificationType): a shut-down system's and a
# terminated one's.  INFERRED: that schema1's ExitType property, which the v1 API returns, uses these names.
HCS_GRACEFUL_EXIT = "GracefulExit"
HCS_FORCED_EXIT = "ForcedExit"
# The exit code docker stop leaves on a Windows container: STATUS_CONTROL_C_EXIT, "Exited (3221225786)"
# (servercore:1809, Server 2019, engine 19.03.2: microsoft/dotnet-framework-docker#431).
STOP_EXIT_CODE = 0xC000013A
# The exit code docker reports for a container whose compute system was terminated: INFERRED (no public
# transcript of a Windows container killed after -t shows its "Exited (N)"; hcsshim reads the process's
# ExitCode from HcsGetProcessProperties after the exit notification, internal/hcs/process.go@02eb49c1).
TERMINATE_EXIT_CODE = 1
# moby daemon/top_windows.go: the columns docker top shows for a Windows container.
TOP_TITLES = ["Name", "PID", "CPU", "Private Working Set"]

# HNS v1 EndpointState (hcsshim): 1 Created (a virtual resource only), 2 Attached, 3 AttachedSharing.
ENDPOINT_CREATED_STATE = 1
ENDPOINT_ATTACHED_STATES = frozenset({2, 3})

# Docker state -> the HCS states that agree with it.
HCS_STATE_FOR_DOCKER = {"running": frozenset({"Running"}), "paused": frozenset({"Paused"})}

LIVE_RESTORE_KEY = "live-restore"

# What the seed's `docker run -id` must send, in order (dockerd logs "Calling METHOD PATH").
DEBUG_CALL = re.compile(r"Calling (?P<method>[A-Z]+) (?P<path>/[^\s\"]+)")

# The seed's image: Docker Hub's microsoft/windowsservercore was built on Windows Server 2016 only.
SEED_IMAGE = "microsoft/windowsservercore"
SEED_IMAGE_BUILD = 14393
# What HCS answers when process isolation meets an image of another build (1809 and later), as
# engines print it: "hcsshim::" before engine 23, "hcs::" after (tests/fidelity/samples/error-os-mismatch-*).
OS_MISMATCH = re.compile(
    r"(?:hcs|hcsshim)::CreateComputeSystem [0-9a-f]{64}: "
    r"The container operating system does not match the host operating system\."
)

# Published ports (docker run -p H:C): HNS puts a NAT policy on the endpoint and WinNAT a static
# mapping; Docker reads the binding back with host address 0.0.0.0 (moby's windows driver,
# ParsePortBindingPolicies), WinNAT names the protocol as its enum (TCP/UDP).
PUBLISHED_HOST_IP = "0.0.0.0"
NAT_ANY_ADDRESS = "0.0.0.0"
# A second container publishing a taken host port: libnetwork's "failed to create endpoint <name>
# on network <network>: " around HNS's ERROR_SHARING_VIOLATION, in the words the engine's hcsshim
# gives it (tests/fidelity/samples/error-port-conflict-*.txt: envelope "HNS failed with error : "
# on older hosts, "hnsCall failed in Win32: ... (0x20)", wrapped by "failed during
# hnsCallRawResponse: " from engine 20.10). The text is HNS's in the host's language (English here).
SHARING_VIOLATION = "The process cannot access the file because it is being used by another process."
SHARING_VIOLATION_HRESULT = "0x80070020"  # HRESULT_FROM_WIN32(ERROR_SHARING_VIOLATION), as HNSCall returns it
PORT_CONFLICT = (
    r"failed to create endpoint {name} on network {network}: "
    r"(?:(?:failed during hnsCallRawResponse: )?hnsCall failed in Win32: {text} \(0x20\)"
    r"|[Hh][Nn][Ss] failed with error : {text})"
)

# Why a behaviour does not hold on the host under Hyper-V isolation (each behaviour's isolation_evidence).
HYPERV_NETWORK_IN_VM = (
    "its compartment and vNIC are inside the utility VM, so no host compartment, interface or route "
    "describes it (learn.microsoft.com 'Isolation modes': its own kernel; INFERRED for the network stack); "
    "the hyperv form, no host compartment or interface for it, is pinned by isolation/hyperv-utility-vm"
)
HYPERV_LAYER_IN_VM = (
    "dockerd does not mount a Hyper-V container's layer on the host: it is mounted inside the utility VM "
    "(moby daemon/daemon_windows.go conditionalMountOnStart); winsim does not model where that mount is, "
    "so the host-side form (no volume for it) is not pinned"
)
