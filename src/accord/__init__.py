"""Accord: a self-hosted, federated node for cyber diplomacy (STIX 2.1 over TAXII 2.1)."""

__version__ = "0.1.0"
