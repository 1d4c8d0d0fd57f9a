"""Customer-quality registers (Excel) → the monthly management review pack."""
__version__ = "0.1.0"


def installed_versions(names, missing: str = "") -> dict[str, str]:
    """The installed version of each distribution in `names` (`missing` for one not installed).
    Light on purpose: the benchmark's measuring processes import it without pandas."""
    from importlib import metadata

    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = missing
    return out
