"""The kinds of failure the CLI tells apart, each with its own exit code.

A user error is something the person running the harness can fix from the command
line or in a data file (unknown variant, malformed scenario, missing host tool).
An infrastructure error is a failing build, boot or guest; its message points at
the log that explains it. Anything else escaping a command is an internal error:
a bug in the harness. An undecided gate is a comparison whose data cannot tell
whether there is a regression.
"""

from pathlib import Path

EXIT_OK = 0
EXIT_CHECKS_FAILED = 1
EXIT_USER_ERROR = 2
EXIT_INFRA_ERROR = 3
EXIT_INTERNAL_ERROR = 4
EXIT_UNDECIDED = 5
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports it


class HarnessError(Exception):
    exit_code = EXIT_INFRA_ERROR


class UserError(HarnessError):
    exit_code = EXIT_USER_ERROR


class InfraError(HarnessError):
    exit_code = EXIT_INFRA_ERROR

    def __init__(self, message: str, log: Path | None = None) -> None:
        super().__init__(f"{message} (log: {log})" if log else message)
        self.log = log


class MissingTool(UserError):
    def __init__(self, tool: str, package: str) -> None:
        super().__init__(
            f"'{tool}' is not installed; it comes with the Debian package '{package}' "
            f"(apt-get install {package}, or run ./bootstrap.sh as root)"
        )
        self.tool = tool
        self.package = package
