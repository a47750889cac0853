"""The built-in backbone families, one module each (internal).

Each module builds its networks and, next to the builder, declares its specs in
three parts kept apart (architecture, normalisation, published weights; see
:meth:`finvision.models.BackboneSpec.from_parts`) and registers them when
imported. Importing this package registers every built-in name; the registry's
lookups import it on first use. A new family is one module here plus its line
below.
"""

from finvision.models.backbones import mobilenet, resnet, vgg

__all__ = ["mobilenet", "resnet", "vgg"]
