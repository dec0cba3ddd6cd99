"""Correlation: STIX patterns compiled into indexes, matched against observations."""
