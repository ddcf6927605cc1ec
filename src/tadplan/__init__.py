"""tadplan: planning orthodontic mini-implant (TAD) anchorage."""

__version__ = "0.1.0"
