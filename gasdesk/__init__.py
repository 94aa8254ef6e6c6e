"""gasdesk: the service-hall application of a city pipeline-gas company."""

__version__ = "0.1.0"
