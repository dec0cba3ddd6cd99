"""Confidence-building: the Points-of-Contact directory and the hotline."""
