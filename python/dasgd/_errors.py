"""The exceptions dasgd raises (the native module raises them too)."""


class ConfigError(ValueError):
    """A config the simulator refuses: the same check, JSON path and message as the CLI.

    ``path`` is the JSON pointer of the offending value ("/graph/nodes"; "" for the document as a
    whole), ``message`` what was expected, ``source`` the file (or "config" for a dict or JSON
    text). ``str(error)`` is the line ``dasgd run`` prints after "dasgd: ".
    """

    def __init__(self, path, message, source="config"):
        self.path = path
        self.message = message
        self.source = source
        where = f"{path}: {message}" if path else message
        super().__init__(f"{source}: {where}")


class OutputDirectoryError(RuntimeError):
    """The output directory cannot be claimed (the CLI's exit 2 for --out): nothing was run."""


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C (SIGINT) or SIGTERM stopped a run started from the main thread.

    The run stopped at the next event; ``result`` is what it had computed (status "interrupted",
    every table covering the run up to then; files written when an output directory was given),
    or None when there is nothing to show (a sweep, or a second signal while writing).
    """

    def __init__(self, message, result=None):
        super().__init__(message)
        self.result = result
