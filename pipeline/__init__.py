"""Customer-quality registers (Excel) → the monthly management review pack."""
__version__ = "0.1.0"
