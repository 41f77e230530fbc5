"""Suite-wide settings: hypothesis runs without per-example deadlines (CI machines are
shared and slow at times) and derandomized, so a failure reproduces on every run."""

from hypothesis import settings

settings.register_profile("camshaft", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("camshaft")
