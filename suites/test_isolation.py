"""Process isolation shares the host's kernel: an image built for another Windows build is refused."""

from __future__ import annotations

from fixtures.behaviour import behaviour
from suites import expect, facts
from suites.subjects import DOCKER_COMMAND


@behaviour(
    id="hcs/process-isolation-needs-host-build",
    must="`docker run --isolation=process` of an image built for another Windows build MUST be refused at "
    "CreateComputeSystem with 'The container operating system does not match the host operating system.', "
    "and no container may run.",
    seed="hcsshim::CreateComputeSystem creates container.",
    min_build=17763,
    evidence="the seed's microsoft/windowsservercore is a 14393 image, so it runs on 2016 and is refused from "
    "1809 on, where HCS words the refusal this way (tests/fidelity/samples/error-os-mismatch-*.txt; "
    "learn.microsoft.com windows container version compatibility)",
)
def test_mismatched_image_is_refused_with_process_isolation(host, via, containers, run_id):
    image = containers.ensure_image(facts.SEED_IMAGE)
    name = containers.name()
    args = ["run", "-id", "--isolation=process", "--name", name, "--label", f"wcc.run={run_id}"]
    result = host.docker.cli(*args, image, DOCKER_COMMAND)
    inspect = host.docker.cli("inspect", "--format", "{{.Id}} {{.State.Running}}", name)
    if inspect.rc == 0:
        containers.track(inspect.stdout.split()[0])
    expect.equal(
        host,
        f"exit code of docker run of {facts.SEED_IMAGE} (a {facts.SEED_IMAGE_BUILD} image)",
        125,
        result.rc,
    )
    expect.that(
        bool(facts.OS_MISMATCH.search(result.stderr)),
        host,
        f"the daemon's answer to running {facts.SEED_IMAGE} with process isolation",
        expect.Described(f"matching {facts.OS_MISMATCH.pattern}"),
        result.stderr.strip()[:400],
    )
    expect.equal(
        host,
        f"whether container {name} runs",
        "false",
        inspect.stdout.split()[-1] if inspect.rc == 0 else "false",
    )
