"""Typed errors. Library code raises these; only the command line turns them into one line + exit code."""


class DPRNNError(Exception):
    """Base class of every error this project reports to a user."""


class ConfigError(DPRNNError):
    """A configuration file or value is wrong (the message names the key)."""


class DataError(DPRNNError):
    """A corpus, audio file or data root is wrong (the message names the file)."""


class ModelFileError(DPRNNError):
    """A model or checkpoint file is missing, foreign or broken."""
