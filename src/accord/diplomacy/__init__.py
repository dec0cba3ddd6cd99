"""Diplomacy: incidents and their public attributions, norms and law, responses."""
