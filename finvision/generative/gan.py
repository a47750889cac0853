"""``ConditionalGAN``: trains a conditional generator against its discriminator."""

from __future__ import annotations

import random
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from finvision._validation import check_choice, check_non_negative_int
from finvision.generative._adversarial import (
    ADVERSARIAL_LOSSES,
    discriminator_loss,
    generator_loss,
)
from finvision.generative._checks import check_images, check_labels
from finvision.generative._config import base_config
from finvision.generative.discriminator import ConditionalDiscriminator
from finvision.generative.generator import ConditionalGenerator


@keras.saving.register_keras_serializable(package="finvision")
class ConditionalGAN(keras.Model):
    """A class-conditional GAN: ``fit`` on ``(images, labels)``, then draw rare classes.

    Each training step draws noise, generates one image per real image with
    the real image's label, updates the discriminator on the real and the
    generated batch, then draws fresh noise and updates the generator. The
    generator therefore sees each class as often as the data hold it; to give
    a rare class more steps, resample the data first
    (:func:`finvision.data.rebalance`). ``fit`` logs ``generator_loss`` and
    ``discriminator_loss`` (means over the epoch's steps).

    Training uses ``tf.GradientTape``: it needs the TensorFlow backend
    (building, calling, saving and loading work on every backend). Under the
    ``mixed_float16`` policy both optimizers are wrapped in a
    ``keras.optimizers.LossScaleOptimizer``, as ``keras.Model.compile`` does.

    Calling the model runs the generator: ``gan([noise, labels])`` gives float32
    pixels in [0, 255]. :func:`~finvision.generative.synthesize` turns it into
    a ``tf.data`` dataset of uint8 images.

    Args:
        generator: a :class:`ConditionalGenerator`.
        discriminator: a :class:`ConditionalDiscriminator` for the same number
            of classes and image shape.
        latent_dim: the width of the noise; default (None) and any value given
            must be the generator's ``latent_dim``.
        seed: seed of the training noise (a non-negative int); None draws one
            from Python's ``random`` (seeded by ``keras.utils.set_random_seed``).
            The noise stream's position is a non-trainable weight, saved with
            the model, so a reloaded GAN goes on drawing the noise the original
            would have.
        **kwargs: standard model arguments (``name``, ``trainable``).

    Example:
    >>> import numpy as np
    >>> gan = ConditionalGAN(
    ...     ConditionalGenerator(2, image_shape=(32, 32, 1), latent_dim=8, width=4),
    ...     ConditionalDiscriminator(2, image_shape=(32, 32, 1), width=4),
    ... )
    >>> gan.compile()
    >>> images = np.random.default_rng(0).integers(0, 256, (4, 32, 32, 1), "uint8")
    >>> history = gan.fit(images, np.array([0, 0, 1, 1]), batch_size=4, verbose=0)
    >>> sorted(history.history)
    ['discriminator_loss', 'generator_loss']
    """

    def __init__(
        self,
        generator: ConditionalGenerator,
        discriminator: ConditionalDiscriminator,
        latent_dim: int | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        _check_pair(generator, discriminator)
        start = random.randrange(2**31) if seed is None else check_non_negative_int("seed", seed)
        if latent_dim is not None and latent_dim != generator.latent_dim:
            raise ValueError(
                f"`latent_dim` must be the generator's latent_dim ({generator.latent_dim}) "
                f"or None; received {latent_dim!r}."
            )
        super().__init__(**kwargs)

        # === Layers ===
        self.generator = generator
        self.discriminator = discriminator
        self.noise_state = self.add_weight(
            shape=(2,), initializer="zeros", dtype="int64", trainable=False, name="noise_state"
        )
        self.noise_state.assign(np.array([start, 0], "int64"))
        self.generator_loss_tracker = keras.metrics.Mean(name="generator_loss")
        self.discriminator_loss_tracker = keras.metrics.Mean(name="discriminator_loss")
        self.built = True

        # === Config ===
        self.latent_dim = generator.latent_dim
        self.seed = seed
        self.num_classes = generator.num_classes
        self.image_shape = generator.image_shape
        self.adversarial_loss: str | None = None
        self._gan_compile_config: dict[str, Any] = {}

    def call(self, inputs: Any, training: bool = False) -> Any:
        return self.generator(inputs, training=training)

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        return [self.generator_loss_tracker, self.discriminator_loss_tracker]

    # === Compile and fit ===

    def compile(
        self,
        generator_optimizer: keras.optimizers.Optimizer | str | None = None,
        discriminator_optimizer: keras.optimizers.Optimizer | str | None = None,
        loss: str = "non_saturating",
        *,
        run_eagerly: bool = False,
        jit_compile: bool | str = "auto",
        steps_per_execution: int = 1,
    ) -> None:
        """Sets the two optimizers and the adversarial loss.

        Args:
            generator_optimizer: an optimizer (or its name); default
                ``Adam(2e-4, beta_1=0.5)``, DCGAN's.
            discriminator_optimizer: likewise, a different object.
            loss: ``"non_saturating"`` (binary cross-entropy, the generator
                maximising ``log D(G(z))``) or ``"hinge"``.
            run_eagerly: run the training step eagerly (for debugging).
            jit_compile: compile the step with XLA (``"auto"``: Keras decides).
            steps_per_execution: training steps per traced call.

        Raises:
            ValueError: for an unknown loss or one optimizer object passed twice.
            TypeError: for something that is not an optimizer.

        Example:
        >>> gan = ConditionalGAN(
        ...     ConditionalGenerator(2, latent_dim=8, width=4), ConditionalDiscriminator(2, width=4)
        ... )
        >>> gan.compile(loss="hinge")
        >>> optimizer = gan.generator_optimizer
        >>> type(optimizer).__name__, round(float(optimizer.learning_rate), 6), optimizer.beta_1
        ('Adam', 0.0002, 0.5)
        """
        check_choice("loss", loss, ADVERSARIAL_LOSSES)
        generator_optimizer = _optimizer("generator_optimizer", generator_optimizer)
        discriminator_optimizer = _optimizer("discriminator_optimizer", discriminator_optimizer)
        if generator_optimizer is discriminator_optimizer:
            raise ValueError(
                "`generator_optimizer` and `discriminator_optimizer` must be two optimizer "
                "objects (each keeps the state of its own network); received the same one twice."
            )
        super().compile(
            optimizer=None,
            run_eagerly=run_eagerly,
            jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
        )
        self.adversarial_loss = loss
        self.generator_optimizer = self._loss_scaled(generator_optimizer)
        self.discriminator_optimizer = self._loss_scaled(discriminator_optimizer)
        self.generator_optimizer.build(self.generator.trainable_variables)
        self.discriminator_optimizer.build(self.discriminator.trainable_variables)
        self._gan_compile_config = {
            "generator_optimizer": keras.optimizers.serialize(generator_optimizer),
            "discriminator_optimizer": keras.optimizers.serialize(discriminator_optimizer),
            "loss": loss,
            "run_eagerly": run_eagerly,
            "jit_compile": self.jit_compile,
            "steps_per_execution": steps_per_execution,
        }

    def get_compile_config(self) -> dict[str, Any]:
        return dict(self._gan_compile_config)

    def compile_from_config(self, config: dict[str, Any]) -> None:
        config = dict(config)
        for key in ("generator_optimizer", "discriminator_optimizer"):
            config[key] = keras.optimizers.deserialize(config[key])
        self.compile(**config)

    def fit(self, x: Any = None, y: Any = None, **kwargs: Any) -> keras.callbacks.History:
        """Trains the GAN; checks the data against the networks first.

        Args:
            x: uint8 or float images ``(N, height, width, channels)`` in
                [0, 255], or a batched ``tf.data.Dataset`` of ``(images, labels)``.
            y: int class indices ``(N,)`` with array images; None with a dataset.
            **kwargs: as ``keras.Model.fit`` (``batch_size``, ``epochs``, ...).

        Returns:
            The ``History``, with ``generator_loss`` and ``discriminator_loss``.

        Raises:
            ValueError: for images of another shape, labels out of range, or
                a dataset that is not batched ``(images, labels)``.
            TypeError: for data of another kind.
            RuntimeError: if the Keras backend is not TensorFlow, or the
                model was not compiled.

        Example:
        >>> gan = ConditionalGAN(
        ...     ConditionalGenerator(2, latent_dim=8, width=4), ConditionalDiscriminator(2, width=4)
        ... )
        >>> gan.compile()
        >>> gan.fit(np.zeros((2, 32, 32, 3)), np.array([0, 2]))
        Traceback (most recent call last):
        ...
        ValueError: `y` must be class indices in [0, 2); received values from 0 to 2.
        """
        if keras.backend.backend() != "tensorflow":
            raise RuntimeError(
                "ConditionalGAN.fit trains with tf.GradientTape and needs the TensorFlow "
                f"backend; the Keras backend is {keras.backend.backend()!r}."
            )
        if self.adversarial_loss is None:
            raise RuntimeError("Call `compile()` before `fit()`: ConditionalGAN is not compiled.")
        self._check_data(x, y)
        return super().fit(x, y, **kwargs)

    def train_step(self, data: Any) -> dict[str, Any]:
        images, labels = self._unpack(data)
        with tf.GradientTape() as tape:
            real_logits, fake_logits = self._discriminate(images, labels, training=True)
            loss_d = discriminator_loss(self.adversarial_loss, real_logits, fake_logits)
            scaled = self.discriminator_optimizer.scale_loss(loss_d)
        _update(self.discriminator_optimizer, self.discriminator, tape, scaled)
        with tf.GradientTape() as tape:
            loss_g = self._generator_loss(labels, training=True)
            scaled = self.generator_optimizer.scale_loss(loss_g)
        _update(self.generator_optimizer, self.generator, tape, scaled)
        return self._track(loss_g, loss_d)

    def test_step(self, data: Any) -> dict[str, Any]:
        images, labels = self._unpack(data)
        real_logits, fake_logits = self._discriminate(images, labels, training=False)
        loss_d = discriminator_loss(self.adversarial_loss, real_logits, fake_logits)
        return self._track(self._generator_loss(labels, training=False), loss_d)

    def get_config(self) -> dict[str, Any]:
        return {
            **base_config(self),
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "latent_dim": self.latent_dim,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> ConditionalGAN:
        config = dict(config)
        for key in ("generator", "discriminator"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        trainable = config.pop("trainable", True)
        model = cls(**config)
        if not trainable:
            model.trainable = False
        return model

    # === Steps ===

    def _unpack(self, data: Any) -> tuple[Any, Any]:
        images, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        if labels is None:
            raise ValueError(
                "ConditionalGAN trains on (images, labels) pairs; received images without labels."
            )
        labels = tf.reshape(tf.cast(labels, "int32"), (-1,))
        message = f"`labels` must be class indices in [0, {self.num_classes})"
        with tf.control_dependencies(
            [
                tf.debugging.assert_non_negative(labels, message=message),
                tf.debugging.assert_less(labels, self.num_classes, message=message),
            ]
        ):
            return tf.cast(images, "float32"), tf.identity(labels)

    def _noise(self, labels: Any) -> Any:
        """Standard normal noise, one row per label; each call moves the stream on."""
        seed = tf.identity(self.noise_state.value)  # read before the state moves on
        self.noise_state.assign_add(tf.constant([0, 1], "int64"))
        return tf.random.stateless_normal((tf.shape(labels)[0], self.latent_dim), seed=seed)

    def _discriminate(self, images: Any, labels: Any, training: bool) -> tuple[Any, Any]:
        fake = self.generator([self._noise(labels), labels], training=training)
        real_logits = self.discriminator([images, labels], training=training)
        fake_logits = self.discriminator([fake, labels], training=training)
        return real_logits, fake_logits

    def _generator_loss(self, labels: Any, training: bool) -> Any:
        fake = self.generator([self._noise(labels), labels], training=training)
        logits = self.discriminator([fake, labels], training=training)
        return generator_loss(self.adversarial_loss, logits)

    def _track(self, loss_g: Any, loss_d: Any) -> dict[str, Any]:
        self.generator_loss_tracker.update_state(loss_g)
        self.discriminator_loss_tracker.update_state(loss_d)
        return {metric.name: metric.result() for metric in self.metrics}

    # === Checks ===

    def _loss_scaled(self, optimizer: keras.optimizers.Optimizer) -> keras.optimizers.Optimizer:
        if self.dtype_policy.name == "mixed_float16" and not isinstance(
            optimizer, keras.optimizers.LossScaleOptimizer
        ):
            return keras.optimizers.LossScaleOptimizer(optimizer)
        return optimizer

    def _check_data(self, x: Any, y: Any) -> None:
        if isinstance(x, tf.data.Dataset):
            _check_dataset(x, y, self.image_shape)
        elif isinstance(x, np.ndarray | tf.Tensor | list):
            images = check_images(x, self.image_shape, "x")
            if images.min() < 0 or images.max() > 255:
                raise ValueError(
                    "`x` must hold pixels in [0, 255]; received values from "
                    f"{images.min()} to {images.max()}."
                )
            check_labels(y, self.num_classes, len(images), "y")
        else:
            raise TypeError(
                "`x` must be an array of images (N, height, width, channels) or a batched "
                f"tf.data.Dataset of (images, labels); received {type(x).__name__}."
            )


def _update(
    optimizer: keras.optimizers.Optimizer, network: keras.Model, tape: tf.GradientTape, loss: Any
) -> None:
    variables = network.trainable_variables
    optimizer.apply(tape.gradient(loss, variables), variables)


def _check_pair(generator: Any, discriminator: Any) -> None:
    for name, value, cls in (
        ("generator", generator, ConditionalGenerator),
        ("discriminator", discriminator, ConditionalDiscriminator),
    ):
        if not isinstance(value, cls):
            raise TypeError(
                f"`{name}` must be a finvision.generative.{cls.__name__}; "
                f"received {type(value).__name__}."
            )
    mine = (generator.num_classes, generator.image_shape)
    theirs = (discriminator.num_classes, discriminator.image_shape)
    if mine != theirs:
        raise ValueError(
            "`generator` and `discriminator` must have the same num_classes and image_shape; "
            f"received {mine} and {theirs}."
        )


def _optimizer(name: str, value: Any) -> keras.optimizers.Optimizer:
    if value is None:
        return keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)
    if isinstance(value, str):
        return keras.optimizers.get(value)
    if not isinstance(value, keras.optimizers.Optimizer):
        raise TypeError(
            f"`{name}` must be a keras.optimizers.Optimizer, its name or None; "
            f"received {type(value).__name__}."
        )
    return value


def _check_dataset(dataset: tf.data.Dataset, y: Any, image_shape: tuple[int, ...]) -> None:
    if y is not None:
        raise ValueError(
            "`y` must be None when `x` is a tf.data.Dataset (it yields the labels); "
            f"received {type(y).__name__}."
        )
    spec = dataset.element_spec
    expected = (
        f"a batched tf.data.Dataset of (images (batch, {', '.join(map(str, image_shape))}), "
        "int labels (batch,))"
    )
    valid = isinstance(spec, tuple) and len(spec) in (2, 3)
    if valid:
        images, labels = spec[0], spec[1]
        valid = (
            isinstance(images, tf.TensorSpec)
            and isinstance(labels, tf.TensorSpec)
            and images.shape.rank == 4
            and images.shape[1:].is_compatible_with(image_shape)
            and labels.shape.rank in (1, 2)
            and labels.dtype.is_integer
        )
    if not valid:
        raise ValueError(f"`x` must be {expected}; received elements {spec}.")
