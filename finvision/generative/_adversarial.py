"""The adversarial losses :class:`~finvision.generative.ConditionalGAN` trains with."""

from __future__ import annotations

import keras
from keras import ops

#: Loss names ``ConditionalGAN.compile(loss=...)`` accepts.
ADVERSARIAL_LOSSES = ("non_saturating", "hinge")


def discriminator_loss(kind: str, real_logits: keras.KerasTensor, fake_logits: keras.KerasTensor):
    """The discriminator's loss on a batch of real and a batch of generated logits.

    - ``"non_saturating"``: binary cross-entropy, real = 1 and generated = 0:
      ``mean(softplus(-real)) + mean(softplus(fake))``.
    - ``"hinge"``: ``mean(relu(1 - real)) + mean(relu(1 + fake))``.

    Example:
    >>> import numpy as np
    >>> float(discriminator_loss("hinge", np.array([2.0, 0.5]), np.array([-1.0, 0.0])))
    0.75
    """
    if kind == "hinge":
        return ops.mean(ops.relu(1.0 - real_logits)) + ops.mean(ops.relu(1.0 + fake_logits))
    return ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(fake_logits))


def generator_loss(kind: str, fake_logits: keras.KerasTensor):
    """The generator's loss on the discriminator's logits for its images.

    - ``"non_saturating"``: ``mean(softplus(-fake))``, the cross-entropy of
      calling generated images real (Goodfellow et al., 2014), whose gradient
      does not vanish when the discriminator wins.
    - ``"hinge"``: ``-mean(fake)``.

    Example:
    >>> import numpy as np
    >>> round(float(generator_loss("non_saturating", np.array([0.0]))), 4)
    0.6931
    """
    if kind == "hinge":
        return -ops.mean(fake_logits)
    return ops.mean(ops.softplus(-fake_logits))
