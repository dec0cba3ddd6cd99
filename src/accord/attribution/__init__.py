"""Attribution: the ATT&CK knowledge base first; scoring and calibration build on it."""

from accord.attribution.attack import attack_bundle_path, load_attack

__all__ = ["attack_bundle_path", "load_attack"]
