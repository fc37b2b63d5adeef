"""The deepderive application: command line, reports, the `check` command and the bench."""
