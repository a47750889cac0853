"""Keras preprocessing layers for financial images.

Example:
>>> from finvision.preprocessing import BackboneNormalization
>>> BackboneNormalization("tf").mode
'tf'
"""

from finvision.preprocessing.normalization import BackboneNormalization

__all__ = ["BackboneNormalization"]
