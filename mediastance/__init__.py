"""mediastance: stance and sentiment of EN/ZH coverage of e-commerce counterfeit disputes."""

__version__ = "0.1.0"
