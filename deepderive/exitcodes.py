"""The exit codes of every deepderive command, and the exception that means "bad input"."""

EXIT_OK = 0            # everything asked for was proved, passed and written
EXIT_FAILED = 1        # a step not proved, a numeric check failed, or an output could not be written
EXIT_USAGE = 2         # bad input: unknown name, missing or broken file, bad option or formula
EXIT_INTERRUPTED = 130  # Ctrl-C, as a shell reports SIGINT

#: The table for --help epilogs.
EPILOG = ("exit status: 0 all proved and passed; 1 a step not proved, a numeric check failed or an output "
          "could not be written; 2 bad input (one line on stderr)")


class UsageError(Exception):
    """Bad input from the command line: one line to the user, exit code 2.

    It lives here, not in cli.py, so that it is one class however the CLI is started
    (``python -m deepderive.cli`` runs cli.py as ``__main__``, a second copy of its classes)."""
