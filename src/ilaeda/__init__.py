"""ilaeda: learning automated EDA by imitation."""

__version__ = "0.1.0"
