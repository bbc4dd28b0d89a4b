"""The C# the probe module hands to Add-Type compiles, with Mono's C# compiler.

Windows PowerShell 5.1 compiles ``Add-Type -TypeDefinition`` source as written (no wrapping)
against the .NET Framework 4.x profile with mscorlib and System.dll referenced; ``mcs -sdk:4.5``
is that profile.  The module's source holds only P/Invoke declarations and structs, so nothing
from System.Management.Automation is needed.  ``mcs`` comes from Debian's ``mono-mcs``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from drivers.probe import module_text

MCS_MISSING = "mcs (Mono's C# compiler) is not installed: run `apt-get install mono-mcs` (see README, Set-up)"


def native_source() -> str:
    match = re.search(r"\$WccNativeSource = @'\r?\n(.*?)\r?\n'@", module_text(), re.S)
    assert match, "the module has no $WccNativeSource here-string"
    return match.group(1)


def compile_csharp(source: str, folder: Path) -> subprocess.CompletedProcess[str]:
    mcs = shutil.which("mcs")
    if mcs is None:
        pytest.fail(MCS_MISSING)
    file = folder / "WccNative.cs"
    file.write_text(source, encoding="utf-8")
    return subprocess.run(
        [
            mcs,
            "-sdk:4.5",
            "-target:library",
            "-nologo",
            "-r:System.dll",
            f"-out:{folder / 'WccNative.dll'}",
            str(file),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_module_csharp_compiles(tmp_path: Path):
    result = compile_csharp(native_source(), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "WccNative.dll").exists()


def test_the_csharp_declares_only_externs_and_structs():
    source = native_source()
    assert 'DllImport("vmcompute.dll"' in source
    code = re.sub(r"\[[^\]]*\]", "", source)
    assert "{ return" not in code and "=>" not in code and " class " in code


def test_a_broken_declaration_fails_to_compile(tmp_path: Path):
    broken = native_source().replace("out IntPtr response);", "out IntPtr response)", 1)
    assert broken != native_source()
    result = compile_csharp(broken, tmp_path)
    assert result.returncode != 0
    assert "error CS" in result.stdout + result.stderr
