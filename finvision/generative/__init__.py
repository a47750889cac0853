"""Class-conditional GANs that draw more examples of rare classes (fraud, forgery).

- :class:`ConditionalGenerator` and :class:`ConditionalDiscriminator`: DCGAN
  networks for 32 to 64 pixel images, 1 or 3 channels, conditioned on the
  label (an embedding concatenated with the noise; a projection discriminator).
- :class:`ConditionalGAN`: a ``keras.Model`` whose ``fit`` trains both on
  ``(images, labels)`` (TensorFlow backend) and that saves to ``.keras``.
- :func:`synthesize`: a ``tf.data`` dataset of generated uint8 images and
  int32 labels for chosen classes, to concatenate with the real data.
- :func:`frechet_distance` and :func:`backbone_features`: an FID-style score
  from the features of a finvision backbone.

Images go in and come out as pixels in [0, 255], the range finvision
backbones take. Evaluate models on real images only: generated ones are for
training.

Example:
>>> from finvision import generative
>>> generator = generative.ConditionalGenerator(2, image_shape=(32, 32, 1), width=4)
>>> generator.output_shape
(None, 32, 32, 1)
"""

from finvision.generative.discriminator import ConditionalDiscriminator
from finvision.generative.frechet import backbone_features, frechet_distance
from finvision.generative.gan import ConditionalGAN
from finvision.generative.generator import ConditionalGenerator
from finvision.generative.synthesis import synthesize

__all__ = [
    "ConditionalDiscriminator",
    "ConditionalGAN",
    "ConditionalGenerator",
    "backbone_features",
    "frechet_distance",
    "synthesize",
]
