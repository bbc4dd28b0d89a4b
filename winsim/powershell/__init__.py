"""The simulated Windows PowerShell 5.1: parser, interpreter, cmdlet registry, formatting.

``parse_check(text)`` lists syntax errors (empty when PowerShell would accept the text).
"""

from winsim.powershell.parser import parse_check

__all__ = ["parse_check"]
